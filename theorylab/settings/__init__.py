"""The settings: distributions, models and their exact or Monte Carlo quantities, one subpackage per setting.

:mod:`.finite` (finite-X problems), :mod:`.mixture` (Gaussian mixtures and their learners), :mod:`.icl`
(in-context regression with linear self-attention), :mod:`.diagonal_net` (diagonal linear networks),
:mod:`.kernel_ridge` (kernel ridge and random-feature regression, the eigenlearning framework),
:mod:`.random_networks` (random ReLU networks at initialisation), :mod:`.batch_spectra` (spiked batch Hessians,
the maximal stable step), :mod:`.large_step_logistic` (large-step logistic GD and the batch perceptron),
:mod:`.optimizers` (Lion), :mod:`.infonce` (the InfoNCE estimator), :mod:`.width_scaling` (width-scaled two-layer
networks: lazy vs rich, NTK vs μP), :mod:`.neural_collapse` (unconstrained features with deep linear heads),
:mod:`.modular_arithmetic` (modular arithmetic: Softmax Collapse, ⊥Grad, Gromov's analytic network, IPR), and
:mod:`.stats` (the mean ± standard error they share) and :mod:`.random_scores` (random multi-class score functions). The flat modules beside them
(``gaussian_mixture``, ``icl_training``, ``diagonal_net_bias``, ...) are compatibility paths.
"""
