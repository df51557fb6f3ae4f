"""Batch-Hessian spectra: the spiked sample covariance λ_max limit (BBP transition), η_max(B), Monte Carlo.

Model (Granziol, Zohren, Roberts, JMLR 2022, read as a spiked *covariance*): the batch Hessian of a linear
least-squares loss is H_B = (1/B) Σ_{i≤B} x_i x_iᵀ with x_i ~ N(0, I_d + β u uᵀ); γ = d/B.
"""
from .spectra import (
    bbp_lambda_max,
    bbp_threshold,
    bulk_edge,
    edge_finite_size_shift,
    eta_max,
    eta_max_loglog_slope,
    sample_lambda_max,
    spike_branch,
)

__all__ = ["bbp_lambda_max", "bbp_threshold", "bulk_edge", "edge_finite_size_shift", "eta_max",
           "eta_max_loglog_slope", "sample_lambda_max", "spike_branch"]
