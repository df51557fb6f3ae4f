"""Neural-collapse metrics: NC1 (within-class variability), NC2 (Gram vs a frame), NC3 (self-duality).

``NC1 = tr(Σ_W Σ_B^+)/K`` with ``Σ_W = 1/N Σ_i (h_i − h̄_{y_i})(h_i − h̄_{y_i})ᵀ`` and
``Σ_B = 1/K Σ_k (h̄_k − h_G)(h̄_k − h_G)ᵀ`` (``h_G`` the sample-weighted global mean; pseudo-inverse with a relative
cutoff, since collapsed minority classes make ``Σ_B`` rank-deficient). ``NC2 = ‖G/‖G‖ − T/‖T‖‖_F`` for a Gram
matrix ``G`` and a target ``T`` (simplex ETF ``I − 11ᵀ/K`` or an orthogonal frame, i.e. diagonal).
``NC3 = ‖A/‖A‖ − B/‖B‖‖_F``.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError
from ._checks import labels_array

__all__ = ["class_means", "nc1", "nc2", "nc3", "simplex_etf"]


def _features(h):
    arr = np.asarray(h, dtype=float)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)):
        raise InputError(f"features of shape {arr.shape} are not allowed; they must be a finite d × N matrix")
    return arr


def class_means(features, labels):
    """Class means ``H̄ = [h̄_1, ..., h̄_K]`` and the sample-weighted global mean ``h_G``.

    Parameters
    ----------
    features : numpy.ndarray
        ``H`` (``d × N``), one column per sample.
    labels : array_like of int
        Class of each sample, ``0..K−1``, every class present.

    Returns
    -------
    tuple of numpy.ndarray
        ``(H̄ (d × K), h_G (d,))``.

    References
    ----------
    V. Papyan, X. Y. Han, D. Donoho, "Prevalence of neural collapse during the terminal phase of deep learning
    training", PNAS 117 (2020), arXiv 2008.08186, Sec. 2 (definitions).
    """
    h = _features(features)
    y = labels_array(labels, h.shape[1])
    k = int(y.max()) + 1
    means = np.stack([h[:, y == c].mean(axis=1) for c in range(k)], axis=1)
    return means, h.mean(axis=1)


def nc1(features, labels, rcond=1e-10):
    """Within-class variability ``NC1 = tr(Σ_W Σ_B^+)/K`` (0 iff every feature equals its class mean).

    Parameters
    ----------
    features : numpy.ndarray
        ``H`` (``d × N``).
    labels : array_like of int
        Class of each sample.
    rcond : float
        Relative cutoff of the pseudo-inverse of ``Σ_B``.

    Returns
    -------
    float
        ``NC1`` (0 when ``Σ_B`` vanishes).

    References
    ----------
    V. Papyan, X. Y. Han, D. Donoho, PNAS 2020, arXiv 2008.08186, Fig. 6 (``Tr(Σ_W Σ_B^†)/C``); H. Dang et al.,
    ICML 2023, arXiv 2301.00437, Sec. 6 (the same metric in their code).
    """
    h = _features(features)
    y = labels_array(labels, h.shape[1])
    means, hg = class_means(h, y)
    k = means.shape[1]
    dev = h - means[:, y]
    sw = dev @ dev.T / h.shape[1]
    cb = means - hg[:, None]
    sb = cb @ cb.T / k
    if not np.any(sb):
        return 0.0
    return float(np.trace(sw @ np.linalg.pinv(sb, rcond=rcond, hermitian=True)) / k)


def simplex_etf(n_classes):
    """The simplex equiangular tight frame Gram ``I − 11ᵀ/K``.

    Parameters
    ----------
    n_classes : int
        ``K`` (≥ 2).

    Returns
    -------
    numpy.ndarray
        ``K × K``.

    References
    ----------
    V. Papyan, X. Y. Han, D. Donoho, PNAS 2020, arXiv 2008.08186, Definition 1 (simplex ETF).
    """
    from ..._validation import check_integer
    k = check_integer("n_classes", n_classes, minimum=2)
    return np.eye(k) - np.ones((k, k)) / k


def nc2(gram, target="etf"):
    """Distance of a Gram matrix to a frame, ``‖G/‖G‖_F − T/‖T‖_F‖_F`` (in ``[0, 2]``).

    Parameters
    ----------
    gram : numpy.ndarray
        ``G`` (``K × K``), e.g. ``W Wᵀ`` or ``H̄ᵀH̄``.
    target : {"etf", "of"} or numpy.ndarray
        ``"etf"``: simplex ETF; ``"of"``: the orthogonal frame with ``G``'s own diagonal (measures the
        off-diagonal part); or an explicit ``K × K`` target (e.g. the predicted general orthogonal frame).

    Returns
    -------
    float
        The distance.

    References
    ----------
    V. Papyan et al., PNAS 2020 (NC2); H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 4 (general orthogonal
    frame) and Sec. 6 (NC2 metric).
    """
    g = np.asarray(gram, dtype=float)
    if g.ndim != 2 or g.shape[0] != g.shape[1] or not np.all(np.isfinite(g)):
        raise InputError(f"gram of shape {g.shape} is not allowed; it must be a finite square matrix")
    if isinstance(target, str):
        if target == "etf":
            t = simplex_etf(g.shape[0])
        elif target == "of":
            t = np.diag(np.diag(g))
        else:
            raise InputError(f"target={target!r} is not allowed; it must be 'etf', 'of' or a matrix")
    else:
        t = np.asarray(target, dtype=float)
        if t.shape != g.shape:
            raise InputError(f"target of shape {t.shape} is not allowed; it must match gram {g.shape}")
    ng, nt = np.linalg.norm(g), np.linalg.norm(t)
    if ng == 0 or nt == 0:
        raise InputError("gram and target must be nonzero")
    return float(np.linalg.norm(g / ng - t / nt))


def nc3(a, b):
    """Alignment ``‖A/‖A‖_F − B/‖B‖_F‖_F`` of two matrices (classifier ``Wᵀ`` vs the matching class means).

    Parameters
    ----------
    a, b : numpy.ndarray
        Same-shape matrices, e.g. ``(W_M⋯W_1)ᵀ`` and ``H̄ D^{1/2}`` (imbalanced ``M = 1``) or ``H̄``.

    Returns
    -------
    float
        The distance (0 iff ``A`` is a positive multiple of ``B``).

    References
    ----------
    V. Papyan et al., PNAS 2020 (NC3, self-duality); H. Dang et al., ICML 2023, arXiv 2301.00437, Sec. 4
    (``Wᵀ ∝ H̄ D^{1/2}`` for imbalanced data).
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 2:
        raise InputError(f"a {x.shape} and b {y.shape} are not allowed; they must be matrices of one shape")
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        raise InputError("a and b must be nonzero")
    return float(np.linalg.norm(x / nx - y / ny))
