"""Compatibility path: the code lives in :mod:`theorylab.settings.mixture.learners`."""
from .mixture.learners import (check_training_set, fit_naive_bayes, fit_logistic, logistic_objective,
                               single_blas_thread)

__all__ = ["check_training_set", "fit_naive_bayes", "fit_logistic", "logistic_objective", "single_blas_thread"]
