"""Loss functions: binary margin losses, the comp-sum family, multi-class and distributionally robust losses."""
from .base import Loss
from .ensloss import ensloss_derivatives
from .ldr import ldr_kl_loss

__all__ = ["Loss", "ldr_kl_loss", "ensloss_derivatives"]
