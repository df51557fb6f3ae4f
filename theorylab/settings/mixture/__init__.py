"""Gaussian mixtures: exact risks, naive Bayes and logistic regression, sample complexity, a three-class mixture.

Modules: :mod:`.gaussian_mixture` (K-class mixtures: sampling, posterior, Bayes error), its risk methods in
:mod:`.binary_risks` (exact binary risks by one-dimensional reductions) and :mod:`.gaussian_polyhedron`
(zero-one risk of affine K-class rules), :mod:`.gaussian_quadrature` (vectorised one-dimensional Gaussian
expectations), :mod:`.learners` (naive Bayes and logistic regression), :mod:`.zheng_setting` (Zheng et al.
2023's mixture and closed-form errors), :mod:`.sample_complexity` (their m*(d) protocol),
:mod:`.m_star_bootstrap` (bootstrap intervals of m* and its slopes) and :mod:`.mixture3` (the three-class
mixture of Mao, Mohri, Zhong 2023, E2, a :class:`GaussianMixture`). Every public name is exported here.
"""
from .gaussian_mixture import GaussianMixture, random_mixture
from .gaussian_quadrature import gaussian_expectation
from .learners import check_training_set, fit_naive_bayes, fit_logistic, logistic_objective
from .sample_complexity import (LEARNERS, zheng_parameters, zheng_mixture, zheng_bayes_error,
                                zheng_nb_asymptotic_error, geometric_grid, LR_TOL, fit, learning_curves,
                                first_below, sample_complexity, bootstrap_m_star, fitted_slopes)
from .mixture3 import Mixture3, trajectory

__all__ = ["GaussianMixture", "random_mixture", "gaussian_expectation", "check_training_set", "fit_naive_bayes",
           "fit_logistic", "logistic_objective", "LEARNERS", "zheng_parameters", "zheng_mixture",
           "zheng_bayes_error", "zheng_nb_asymptotic_error", "geometric_grid", "LR_TOL", "fit",
           "learning_curves", "first_below", "sample_complexity", "bootstrap_m_star", "fitted_slopes",
           "Mixture3", "trajectory"]
