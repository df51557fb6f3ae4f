"""Diagonal linear networks: model, (S)GD dynamics and gradient flow, implicit bias, linear stability.

Modules: :mod:`.model` (parameters, predictor, loss, data checks, sparse regression data), :mod:`.dynamics`
(GD/SGD with the numba kernels of :mod:`.dynamics_kernels` and their array-API reference), :mod:`.batched`
(many runs at once: sweeps over seeds, steps and initialisations on any array backend), :mod:`.flow` (gradient
flow, the multiplicative identity, the effective scale), :mod:`.bias` (the implicit-bias potential and
interpolators, Woodworth et al. 2020) and :mod:`.stability` (Hessian and SGD linear-stability quantities). Every
public name is exported here.
"""
from .model import (PARAMETRIZATIONS, DivergenceError, DiagonalParams, Trajectory, predictor, train_loss,
                    check_data, sparse_regression)
from .dynamics import batch_index_chunks, run_dynamics, run_dynamics_reference, train_gd, train_sgd
from .batched import ON_DIVERGENCE, BatchedTrajectory, run_dynamics_batched
from .flow import multiplicative_identity, effective_alpha, gradient_flow
from .bias import (NotInterpolableError, q_entropy, Q_alpha, check_interpolable, min_l2_interpolator,
                   min_l1_interpolator, implicit_bias_solution)
from .stability import per_sample_jacobian, hessian, hessian_trace, sgd_stability

__all__ = ["PARAMETRIZATIONS", "DivergenceError", "DiagonalParams", "Trajectory", "predictor", "train_loss",
           "check_data", "sparse_regression", "batch_index_chunks", "run_dynamics",
           "run_dynamics_reference", "train_gd", "train_sgd", "ON_DIVERGENCE", "BatchedTrajectory",
           "run_dynamics_batched", "multiplicative_identity", "effective_alpha",
           "gradient_flow", "NotInterpolableError", "q_entropy", "Q_alpha", "check_interpolable",
           "min_l2_interpolator", "min_l1_interpolator", "implicit_bias_solution", "per_sample_jacobian",
           "hessian", "hessian_trace", "sgd_stability"]
