"""Loss functions: binary margin losses, the comp-sum family, multi-class and distributionally robust losses, and
losses a user writes (a formula for a margin loss, a callable for a multi-class one)."""
from .base import Loss
from .callable_loss import CallableLoss, comp_sum_from_psi, multiclass_loss
from .ensloss import ensloss_derivatives
from .formula import margin_loss
from .ldr import ldr_kl_loss
from .pass_at_n import PassAtNLoss, pass_at_n_loss, pass_at_n_loss_and_grad
from .stablemax import StableMaxCrossEntropy, stablemax, stablemax_cross_entropy, stablemax_cross_entropy_and_grad
from .zloss import (
                    CELogZLoss,
                    SphericalZLoss,
                    ce_logz_loss,
                    ce_logz_loss_and_grad,
                    logz_penalty,
                    spherical_z_loss,
                    spherical_z_loss_and_grad,
)

__all__ = [
                    "CELogZLoss",
                    "CallableLoss",
                    "Loss",
                    "PassAtNLoss",
                    "SphericalZLoss",
                    "StableMaxCrossEntropy",
                    "ce_logz_loss",
                    "ce_logz_loss_and_grad",
                    "comp_sum_from_psi",
                    "ensloss_derivatives",
                    "ldr_kl_loss",
                    "logz_penalty",
                    "margin_loss",
                    "multiclass_loss",
                    "pass_at_n_loss",
                    "pass_at_n_loss_and_grad",
                    "spherical_z_loss",
                    "spherical_z_loss_and_grad",
                    "stablemax",
                    "stablemax_cross_entropy",
                    "stablemax_cross_entropy_and_grad",
]
