"""InfoNCE estimator and its log N ceiling (van den Oord, Li, Vinyals 2018; Poole et al., ICML 2019)."""
from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from ..._validation import InputError

__all__ = ["infonce_estimate"]


def infonce_estimate(scores):
    r"""InfoNCE value of one batch from its critic matrix.

    ``Î = (1/N) Σ_i [ f(x_i, y_i) − log((1/N) Σ_j exp f(x_i, y_j)) ]`` with ``scores[i, j] = f(x_i, y_j)``;
    since ``exp f(x_i,y_i) ≤ Σ_j exp f(x_i,y_j)``, ``Î ≤ log N`` for every critic.

    Parameters
    ----------
    scores : array_like
        Square (N, N) matrix of critic values, N ≥ 1, finite.

    Returns
    -------
    float
        The batch InfoNCE value (nats).

    References
    ----------
    A. van den Oord, Y. Li, O. Vinyals, "Representation Learning with Contrastive Predictive Coding",
    arXiv:1807.03748, 2018, Eq. (4); B. Poole, S. Ozair, A. van den Oord, A. Alemi, G. Tucker, "On Variational
    Bounds of Mutual Information", ICML 2019, Eq. (12).
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 1 or not np.all(np.isfinite(s)):
        raise InputError("scores must be a finite square (N, N) matrix with N >= 1")
    n = s.shape[0]
    return float(np.mean(np.diag(s) - logsumexp(s, axis=1)) + np.log(n))
