"""The von Oswald et al. (2023) construction: one self-attention layer whose token update is one GD step.

Proposition 1 of von Oswald, Niklasson, Randazzo, Sacramento, Mordvintsev, Zhmoginov, Vladymyrov (ICML 2023): the
weights (:func:`von_oswald_construction`), the token update they act through (:func:`von_oswald_layer`) and the
GD-step prediction it reproduces (:func:`gd_step_prediction`). Written against the array-API namespace of the
inputs; :mod:`.lsa` (the (P, Q) forward passes) re-exports these names.
"""
from __future__ import annotations


from ..._validation import InputError, array_device, check_integer, check_real, real_namespace


# --------------------------------------------------------------------------------------------- von Oswald
def von_oswald_construction(W0, eta, n):
    """The weights of von Oswald et al. 2023 Prop. 1: W_K = W_Q = blockdiag(I_x, 0),
    W_V = [[0, 0], [W_0, −I_y]], P = (η/N) I, so that one layer performs one GD step from W_0 on
    L(W) = (1/2N) Σ ‖W x_i − y_i‖². ``W0`` is (n_out, d). Returns (W_K, W_Q, W_V, P).

    Parameters
    ----------
    W0 : array (n_out, d)
        Initial weights W_0.
    eta : float
        Step size η.
    n : int
        Number of context tokens N ≥ 1.

    Returns
    -------
    tuple of array
        (W_K, W_Q, W_V, P).

    Raises
    ------
    InputError
        For invalid arguments.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (W0,) = real_namespace(W0=W0)
    eta = check_real("eta", eta, allow_inf=False, allowed="a finite real number")
    if W0.ndim != 2:
        raise InputError(f"W0 has shape {tuple(W0.shape)}; a (n_out, d) matrix is allowed")
    n = check_integer("n", n)
    o, d = W0.shape
    D = d + o
    dev = array_device(W0)
    eye = xp.eye(D, dtype=W0.dtype, device=dev)
    WK = xp.concat([xp.concat([xp.eye(d, dtype=W0.dtype, device=dev), xp.zeros((d, o), dtype=W0.dtype, device=dev)],
                              axis=1),
                    xp.zeros((o, D), dtype=W0.dtype, device=dev)], axis=0)
    WV = xp.concat([xp.zeros((d, D), dtype=W0.dtype, device=dev),
                    xp.concat([W0, -xp.eye(o, dtype=W0.dtype, device=dev)], axis=1)], axis=0)
    return WK, WK, WV, (float(eta) / n) * eye


def von_oswald_layer(tokens, query, W_K, W_Q, W_V, P):
    """Token update e_j ← e_j + P W_V Σ_i e_i e_iᵀ W_Kᵀ W_Q e_j (sum over the context tokens).

    ``tokens`` (..., N, d+o) rows e_i = (x_i, y_i); ``query`` (..., d+o). Returns the updated
    (tokens, query). With :func:`von_oswald_construction` and the query set to (x_q, −W_0 x_q) the
    prediction is minus the updated query label (von Oswald et al. 2023, Prop. 1).

    Parameters
    ----------
    tokens : array (..., N, d+o)
        Context tokens e_i = (x_i, y_i).
    query : array (..., d+o)
        Query token.
    W_K : array (d+o, d+o)
        Key matrix.
    W_Q : array (d+o, d+o)
        Query matrix.
    W_V : array (d+o, d+o)
        Value matrix.
    P : array (d+o, d+o)
        Projection.

    Returns
    -------
    tokens : array (..., N, d+o)
        Updated tokens.
    query : array (..., d+o)
        Updated query.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (E, q, W_K, W_Q, W_V, P) = real_namespace(tokens=tokens, query=query, W_K=W_K, W_Q=W_Q, W_V=W_V, P=P)
    D = E.shape[-1] if E.ndim >= 2 else -1
    if E.ndim < 2 or tuple(q.shape) != tuple(E.shape[:-2]) + (D,) or any(
            tuple(M.shape) != (D, D) for M in (W_K, W_Q, W_V, P)):
        raise InputError(f"tokens has shape {tuple(E.shape)} and query {tuple(q.shape)}; (..., N, D), (..., D) and "
                         "(D, D) weight matrices are required")
    W_PV = P @ W_V
    W_KQ = W_K.T @ W_Q
    Et = xp.matrix_transpose(E)
    S = Et @ E  # Σ_i e_i e_iᵀ, (..., D, D)
    M = W_PV @ S @ W_KQ
    new_E = E + xp.matrix_transpose(M @ Et)
    new_q = q + (M @ q[..., None])[..., 0]
    return new_E, new_q


def gd_step_prediction(W0, eta, X, Y, x_query):
    """(W_0 + ΔW) x_q with ΔW = −(η/N) Σ (W_0 x_i − y_i) x_iᵀ: one GD step on (1/2N) Σ ‖W x_i − y_i‖².

    ``X`` (..., N, d), ``Y`` (..., N, o), ``x_query`` (..., d); returns (..., o).

    Parameters
    ----------
    W0 : array (o, d)
        Initial weights.
    eta : float
        Step size η.
    X : array (..., N, d)
        Context covariates.
    Y : array (..., N, o)
        Context targets.
    x_query : array (..., d)
        Query.

    Returns
    -------
    array (..., o)
        The prediction.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677, Proposition 1.
    """
    xp, (W0, X, Y, xq) = real_namespace(W0=W0, X=X, Y=Y, x_query=x_query)
    eta = check_real("eta", eta, allow_inf=False, allowed="a finite real number")
    if W0.ndim != 2 or X.ndim < 2 or X.shape[-1] != W0.shape[1] or tuple(Y.shape) != tuple(X.shape[:-1]) + (
            W0.shape[0],) or xq.shape[-1] != W0.shape[1]:
        raise InputError(f"W0, X, Y, x_query have shapes {tuple(W0.shape)}, {tuple(X.shape)}, {tuple(Y.shape)}, "
                         f"{tuple(xq.shape)}; (o, d), (..., N, d), (..., N, o), (..., d) are required")
    N = X.shape[-2]
    resid = X @ W0.T - Y  # (..., N, o)
    dW = -(eta / N) * (xp.matrix_transpose(resid) @ X)  # (..., o, d)
    W1 = W0 + dW
    return (W1 @ xq[..., None])[..., 0]


__all__ = ["von_oswald_construction", "von_oswald_layer", "gd_step_prediction"]
