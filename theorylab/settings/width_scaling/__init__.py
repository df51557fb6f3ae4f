"""Width-scaled two-layer networks: lazy vs rich training, NTK vs μP parameterisations.

Submodules: :mod:`.lazy_rich` (Kumar, Bordelon, Gershman, Pehlevan, ICLR 2024: ``f = α·mean_i φ(w_i·x)``,
centred outputs, full-batch GD, the empirical NTK at initialisation and kernel regression with it) and
:mod:`.feature_learning` (Yang & Hu, ICML 2021: the feature change after one step under NTK, μP and standard
parameterisations).
"""
from .feature_learning import (PARAMETERISATIONS, first_order_feature_change, loglog_slope_fit, one_sgd_step,
                               parameterisation_scales, simulate_feature_change)
from .lazy_rich import (crossing_time, empirical_ntk, gd_step, infinite_width_ntk, init_weights, kernel_regression,
                        linearised_dynamics, network_output, sample_task, train_gd)

__all__ = ["sample_task", "init_weights", "network_output", "gd_step", "train_gd", "empirical_ntk",
           "infinite_width_ntk", "kernel_regression", "linearised_dynamics", "crossing_time", "PARAMETERISATIONS",
           "parameterisation_scales", "first_order_feature_change", "one_sgd_step", "simulate_feature_change",
           "loglog_slope_fit"]
