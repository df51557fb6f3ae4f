"""Compatibility path: the code lives in :mod:`theorylab.settings.diagonal_net.stability`."""
from .diagonal_net.stability import per_sample_jacobian, hessian, hessian_trace, sgd_stability

__all__ = ["per_sample_jacobian", "hessian", "hessian_trace", "sgd_stability"]
