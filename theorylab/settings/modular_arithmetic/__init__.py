"""Modular arithmetic and grokking: Softmax Collapse, ⊥Grad, Gromov's analytic network, IPR.

Modules, one job each: :mod:`.data` (all pairs ``(a, b) → a ∘ b mod p``, one-hot inputs, splits, label
corruption), :mod:`.collapse` (framework-style cross-entropy in float16/32/64 with a chosen reduction order, the
exact collapse predicate ``fl(S) = 1``, the collapse gap by bisection and its bounds ``p ln 2`` and
``p ln 2 + ln(K − 1)``), :mod:`.orthograd` (⊥Grad's projection and rescale, a NumPy bias-free ReLU MLP, the
per-layer Euler identity), :mod:`.analytic` (Gromov's quadratic network, its coherent logits, accuracy) and
:mod:`.ipr` (inverse participation ratio of Fourier-transformed weights) and :mod:`.training` (full-batch
AdamW training of the quadratic network, optional label corruption) and :mod:`.grokking` (bias-free MLP training in
float32 with softmax CE, StableMax CE or ⊥Grad, and the collapse / ‖θ‖ / NLM-cosine diagnostics). StableMax lives in
:mod:`theorylab.losses`.

References: L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability",
ICLR 2025, arXiv 2501.04697; A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679; D. Doshi, A. Das,
T. He, A. Gromov, "To grok or not to grok", ICLR 2024, arXiv 2310.13061.
"""
from __future__ import annotations

from .analytic import (coherent_logits, coherent_logits_all_frequencies, fourier_weights, grid_weights,
                       modular_accuracy, quadratic_logits, random_fourier_weights)
from .collapse import (collapse_bounds, collapse_gap, framework_cross_entropy, gap_logits, is_collapsed,
                       significand_bits, sum_exp, underflow_gap)
from .data import OPERATIONS, corrupt_labels, modular_table, one_hot_pairs, train_test_split
from .grokking import modular_grokking_run, nlm_demo_data, train_bias_free_mlp
from .ipr import gaussian_ipr_mean, ipr
from .orthograd import euler_products, mlp_forward, mlp_loss_and_grads, orthograd_project
from .training import quadratic_loss_and_grads, train_quadratic_network

__all__ = ["OPERATIONS", "modular_table", "one_hot_pairs", "train_test_split", "corrupt_labels",
           "significand_bits", "sum_exp", "framework_cross_entropy", "is_collapsed", "gap_logits", "collapse_gap",
           "collapse_bounds", "underflow_gap", "orthograd_project", "mlp_forward", "mlp_loss_and_grads",
           "euler_products", "fourier_weights", "grid_weights", "random_fourier_weights", "quadratic_logits",
           "coherent_logits", "coherent_logits_all_frequencies", "modular_accuracy", "ipr", "gaussian_ipr_mean",
           "quadratic_loss_and_grads", "train_quadratic_network", "train_bias_free_mlp", "nlm_demo_data",
           "modular_grokking_run"]
