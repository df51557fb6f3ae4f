"""Loss functions: binary margin losses, the comp-sum family, multi-class and distributionally robust losses, and
losses a user writes (a formula for a margin loss, a callable for a multi-class one)."""
from .base import Loss
from .callable_loss import CallableLoss, comp_sum_from_psi, multiclass_loss
from .ensloss import ensloss_derivatives
from .formula import margin_loss
from .ldr import ldr_kl_loss

__all__ = ["Loss", "ldr_kl_loss", "ensloss_derivatives", "margin_loss", "multiclass_loss", "comp_sum_from_psi",
           "CallableLoss"]
