"""Optimiser settings: Lion with decoupled weight decay (Chen et al., ICLR 2024, arXiv:2310.05898)."""
from .lion import lion

__all__ = ["lion"]
