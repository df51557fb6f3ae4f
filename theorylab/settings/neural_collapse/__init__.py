"""Neural collapse in the unconstrained-features model (UFM) with deep linear heads, and a perturbed UFM.

:mod:`.closed_form` (per-class scalar problems: the ``M = 1`` soft threshold, the deep jump threshold, the bias
SVT case, the width-below-``K`` truncation, the authors' stationarity rule), :mod:`.objective` (the full
objective, its gradient, multi-start L-BFGS over all factors), :mod:`.metrics` (NC1, NC2, NC3) and
:mod:`.perturbed` (features near a given matrix, Tirer–Huang–Niles-Weed).

References: H. Dang, T. Tran, S. Osher, H. Tran-The, N. Ho, T. Nguyen, "Neural Collapse in Deep Linear Networks:
From Balanced to Imbalanced Data", ICML 2023, arXiv 2301.00437; T. Tirer, H. Huang, J. Niles-Weed,
"Perturbation Analysis of Neural Collapse", ICML 2023, arXiv 2210.16658.
"""
from .closed_form import (bias_product, closed_form_minimiser, collapse_threshold, dang_stationarity_solution,
                          optimal_objective, scalar_constants, scalar_minimiser, scalar_objective,
                          stationarity_window)
from .metrics import class_means, nc1, nc2, nc3, simplex_etf
from .objective import fit_ufm, labels_from_sizes, one_hot, ufm_objective
from .perturbed import (contraction_matrix, first_order_minimiser, fit_perturbed, optimal_features,
                        perturbed_objective, ridge_classifier)

__all__ = ["bias_product", "closed_form_minimiser", "collapse_threshold", "dang_stationarity_solution",
           "optimal_objective", "scalar_constants", "scalar_minimiser", "scalar_objective", "stationarity_window",
           "class_means", "nc1", "nc2", "nc3", "simplex_etf", "fit_ufm", "labels_from_sizes", "one_hot",
           "ufm_objective", "contraction_matrix", "first_order_minimiser", "fit_perturbed", "optimal_features",
           "perturbed_objective", "ridge_classifier"]
