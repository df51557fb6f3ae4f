"""In-context linear regression with linear self-attention (LSA): the setting, its closed forms, training.

Modules: :mod:`.prompts` (the prompt law and sampler), :mod:`.closed_forms` (optimal preconditioner and its
risks), :mod:`.optimal_steps` (optimal scalar steps: isotropic, non-Gaussian inputs, nonlinear links), :mod:`.lsa`
(LSA forward passes and GD constructions), :mod:`.von_oswald` (von Oswald et al.'s GD-step layer),
:mod:`.estimators` (Monte Carlo estimators), :mod:`.reduced_lsa` (the reduced predictor ŷ = bᵀ G A x_q, its loss
and gradient; numba kernel in :mod:`.training_kernels`), :mod:`.training` (Adam/SGD training of one layer and
the alternating least squares) and :mod:`.zfb_flow` (the exact population flow of Zhang, Frei, Bartlett 2024).
Every public name is exported here.

Arrays and devices: the samplers draw on the host with a NumPy Generator and move each batch once to the namespace,
device and dtype asked for (``xp=``, ``device=``, ``dtype=``, or those of a non-NumPy covariance); the estimators,
the reduced predictor, its loss and gradient, and the training loop then compute in the namespace and on the device
of the prompts (see :mod:`.prompts`). numba stays the NumPy float64 fast path of the loss and gradient (``fast=``).
"""
from .prompts import (WEIGHT_PRIORS, INPUT_LAWS, check_covariance, Prompts, rotated_covariance, sample_prompts,
                      resolve_target, move_array, move_prompts)
from .closed_forms import (gamma_matrix, optimal_preconditioner, risk_of_preconditioner, optimal_risk,
                           risk_at_length, length_shift_bias)
from .optimal_steps import optimal_step, risk_of_step, uniform_input_optimum, moment_step, link_moments, link_step
from .lsa import (lsa_forward, lsa_predict, lsa_multilayer, gd_layer, acds_to_zfb, reduced_parameters,
                  preconditioned_gd_path)
from .von_oswald import von_oswald_construction, von_oswald_layer, gd_step_prediction
from .estimators import mc_risk, fit_step, fit_preconditioner, ridge_errors, bayes_risk, dist_to_identity
from ..stats import mean_se
from .reduced_lsa import context_gram, loss_grad_reference, loss_grad, predict_reduced, input_gradient_reduced
from .training import TrainResult, train_lsa, fit_lsa_alternating
from .zfb_flow import zfb_limit, FlowResult, zfb_gradient_flow, zfb_initialisation

__all__ = ["context_gram", "WEIGHT_PRIORS", "INPUT_LAWS", "check_covariance", "Prompts", "rotated_covariance", "sample_prompts",
           "resolve_target", "move_array", "move_prompts",
           "gamma_matrix", "optimal_preconditioner", "risk_of_preconditioner", "optimal_risk",
           "optimal_step", "risk_of_step", "risk_at_length", "length_shift_bias", "uniform_input_optimum",
           "moment_step", "link_moments", "link_step", "lsa_forward", "lsa_predict", "lsa_multilayer",
           "gd_layer", "acds_to_zfb", "reduced_parameters", "preconditioned_gd_path",
           "von_oswald_construction", "von_oswald_layer", "gd_step_prediction", "mc_risk", "fit_step",
           "fit_preconditioner", "ridge_errors", "bayes_risk", "dist_to_identity", "mean_se",
           "loss_grad_reference", "loss_grad", "TrainResult", "train_lsa", "fit_lsa_alternating",
           "predict_reduced", "input_gradient_reduced", "zfb_limit", "FlowResult", "zfb_gradient_flow",
           "zfb_initialisation"]
