"""Compatibility path: the code lives in :mod:`theorylab.settings.mixture.mixture3`."""
from .mixture.mixture3 import Mixture3, trajectory

__all__ = ["Mixture3", "trajectory"]
