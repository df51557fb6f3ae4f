"""Compatibility path: the code lives in :mod:`theorylab.settings.diagonal_net.dynamics_kernels`."""
from .diagonal_net.dynamics_kernels import gd_kernel, sgd_kernel

__all__ = ["gd_kernel", "sgd_kernel"]
