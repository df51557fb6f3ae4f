"""Compatibility path: the code lives in :mod:`theorylab.settings.mixture.gaussian_quadrature`."""
from .mixture.gaussian_quadrature import gaussian_expectation

__all__ = ["gaussian_expectation"]
