"""Compatibility path: the code lives in :mod:`theorylab.settings.mixture.gaussian_mixture`.
It also re-exports the learners of :mod:`theorylab.settings.mixture.learners`, as before.
"""
from .mixture.gaussian_mixture import GaussianMixture, random_mixture
from .mixture.learners import fit_logistic, fit_naive_bayes

__all__ = ["GaussianMixture", "random_mixture", "fit_logistic", "fit_naive_bayes"]
