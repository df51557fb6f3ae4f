"""Linear self-attention (LSA) forward passes and the GD constructions they implement.

Prompt matrix ``Z = [[x_1 … x_n x_q], [y_1 … y_n 0]] ∈ R^{(d+1)×(n+1)}``. One LSA layer in the
(P, Q) parameterisation of Ahn et al. (2023, eq. (2)): ``Z ← Z + (1/n) P Z M (Zᵀ Q Z)`` with
``M = diag(I_n, 0)`` (``mask=True``) or ``M = I`` (Zhang–Frei–Bartlett, ``mask=False``). The
prediction read out here is ``+[Z]_{d+1, n+1}`` (ZFB / von Oswald sign); Ahn et al. read ``−[Z]``,
see :func:`acds_to_zfb`. Also the von Oswald et al. (2023) construction of a GD step as a layer.
Written against the array-API namespace of the inputs.
"""
from __future__ import annotations


import numpy as np

from ..._validation import InputError, check_bool, check_integer, check_real, real_namespace


# --------------------------------------------------------------------------------------------- forward pass
def _check_layer(P, Q, Z):
    xp, (P, Q, Z) = real_namespace(P=P, Q=Q, Z=Z)
    if Z.ndim < 2:
        raise InputError(f"Z has shape {tuple(Z.shape)}; a (..., d+1, n+1) prompt matrix is allowed")
    D, cols = Z.shape[-2], Z.shape[-1]
    if cols < 2 or D < 2:
        raise InputError(f"Z has shape {tuple(Z.shape)}; it needs d >= 1 and n >= 1 (shape (..., d+1, n+1))")
    for name, M in (("P", P), ("Q", Q)):
        if tuple(M.shape) != (D, D):
            raise InputError(f"{name} has shape {tuple(M.shape)} but Z has {D} rows; a ({D}, {D}) matrix is required")
    return xp, P, Q, Z


def lsa_forward(P, Q, Z, mask=True):
    """One LSA layer: ``Z + (1/n) P Z M (Zᵀ Q Z)`` with M = diag(I_n, 0) (``mask=True``) or I.

    Ahn, Cheng, Daneshmand, Sra 2023, eq. (2) (masked); Zhang, Frei, Bartlett 2024, eq. (2.3)
    (unmasked, with (W^{PV}, W^{KQ}) = (P, Q)). ``Z`` may carry leading batch axes.

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Mask the query column out of the attention sum.

    Returns
    -------
    array (..., d+1, n+1)
        The updated Z.

    Raises
    ------
    InputError
        For incompatible shapes or non-real inputs.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, eq. (2).
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, eq. (2.3).
    """
    xp, P, Q, Z = _check_layer(P, Q, Z)
    mask = check_bool("mask", mask)
    n = Z.shape[-1] - 1
    Zc = Z[..., :n] if mask else Z
    Zc_t = xp.matrix_transpose(Zc)
    return Z + (P @ (Zc @ (Zc_t @ (Q @ Z)))) / n


def lsa_predict(P, Q, Z, mask=True):
    """The prediction ``[lsa_forward(P, Q, Z)]_{d+1, n+1}`` (= bᵀ G A x_q, claim notes §2).

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    array (...)
        ŷ.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    out = lsa_forward(P, Q, Z, mask)
    return out[..., -1, -1]


def lsa_multilayer(Ps, Qs, Z, mask=True):
    """The states ``[Z_0, …, Z_L]`` of L stacked LSA layers ``Z_{ℓ+1} = Z_ℓ + (1/n) P_ℓ Z_ℓ M Z_ℓᵀ Q_ℓ Z_ℓ``.

    Ahn et al. 2023 eq. (3) and Lemma 1: with P_ℓ = e_{d+1}e_{d+1}ᵀ, Q_ℓ = −blockdiag(A_ℓ, 0), one has
    [Z_ℓ]_{d+1, n+1} = −⟨x_q, w_ℓ⟩, w_{ℓ+1} = w_ℓ − A_ℓᵀ ∇R(w_ℓ) (see :func:`preconditioned_gd_path`).

    Parameters
    ----------
    Ps : sequence of array (d+1, d+1)
        P_ℓ per layer.
    Qs : sequence of array (d+1, d+1)
        Q_ℓ per layer.
    Z : array (..., d+1, n+1)
        Prompt matrices.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    list of array
        [Z_0, …, Z_L].

    Raises
    ------
    InputError
        For unequal numbers of layers or incompatible shapes.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, eq. (3) and Lemma 1.
    """
    Ps, Qs = list(Ps), list(Qs)
    if len(Ps) != len(Qs) or not Ps:
        raise InputError(f"got {len(Ps)} P matrices and {len(Qs)} Q matrices; equal, non-zero counts are required")
    states = [Z]
    for P, Q in zip(Ps, Qs):
        states.append(lsa_forward(P, Q, states[-1], mask))
    return states


def gd_layer(A, sign=1.0):
    """(P, Q) = (e_{d+1} e_{d+1}ᵀ, sign · blockdiag(A, 0)) for a (d, d) preconditioner A.

    ``sign=+1``: ZFB/vO convention, prediction +[Z]_{d+1,n+1} = hᵀ A x_q. ``sign=−1``: Ahn et al.
    Lemma 1 convention, prediction −[Z]_{d+1,n+1}.

    Parameters
    ----------
    A : array (d, d)
        Preconditioner.
    sign : float, default 1.0
        +1 or −1 (the read-out convention).

    Returns
    -------
    P : array (d+1, d+1)
        e_{d+1} e_{d+1}ᵀ.
    Q : array (d+1, d+1)
        sign · blockdiag(A, 0).

    Raises
    ------
    InputError
        For a non-square A or an invalid sign.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Lemma 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    xp, (A,) = real_namespace(A=A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InputError(f"A has shape {tuple(A.shape)}; a square (d, d) matrix is allowed")
    sign = check_real("sign", sign, allow_inf=False, allowed="a finite real number (+1 or -1)")
    d = A.shape[0]
    P = xp.concat([xp.zeros((d, d + 1), dtype=A.dtype),
                   xp.concat([xp.zeros((1, d), dtype=A.dtype), xp.ones((1, 1), dtype=A.dtype)], axis=1)], axis=0)
    top = xp.concat([sign * A, xp.zeros((d, 1), dtype=A.dtype)], axis=1)
    Q = xp.concat([top, xp.zeros((1, d + 1), dtype=A.dtype)], axis=0)
    return P, Q


def acds_to_zfb(P, Q):
    """Map Ahn et al.'s (P, Q) (read-out −[Z]) to ZFB's (W^{PV}, W^{KQ}) (read-out +[Z]): (P, −Q).

    Parameters
    ----------
    P : array (d+1, d+1)
        Ahn et al.'s P.
    Q : array (d+1, d+1)
        Ahn et al.'s Q.

    Returns
    -------
    W_PV : array
        P.
    W_KQ : array
        −Q.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297; R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers
    Learn Linear Models In-Context", JMLR 25(49), 2024, arXiv:2306.09927.
    """
    _, (P, Q) = real_namespace(P=P, Q=Q)
    return P, -Q


def reduced_parameters(P, Q):
    """(b, A): the last row of P and the first d columns of Q, the only entries that affect ŷ = bᵀ G A x_q.

    Parameters
    ----------
    P : array (d+1, d+1)
        Projection-value matrix.
    Q : array (d+1, d+1)
        Key-query matrix.

    Returns
    -------
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.

    Raises
    ------
    InputError
        For non-square or mismatched matrices.

    References
    ----------
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927.
    """
    xp, (P, Q) = real_namespace(P=P, Q=Q)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2 or tuple(Q.shape) != tuple(P.shape):
        raise InputError(f"P has shape {tuple(P.shape)} and Q has shape {tuple(Q.shape)}; two square (d+1, d+1) "
                         "matrices with d >= 1 are required")
    d = P.shape[0] - 1
    return P[d, :], Q[:, :d]


def preconditioned_gd_path(As, X, y, x_query):
    """Iterates of w_{ℓ+1} = w_ℓ − A_ℓᵀ ∇R(w_ℓ), w_0 = 0, R(w) = (1/2n) Σ (wᵀx_i − y_i)² (Ahn et al. Lemma 1).

    ``X`` (..., n, d), ``y`` (..., n), ``x_query`` (..., d). Returns the predictions ⟨x_q, w_ℓ⟩ for
    ℓ = 0..L, shape (L+1, ...), and the final iterate w_L.

    Parameters
    ----------
    As : sequence of array (d, d)
        Preconditioners A_ℓ.
    X : array (..., n, d)
        Context covariates.
    y : array (..., n)
        Context labels.
    x_query : array (..., d)
        Query covariates.

    Returns
    -------
    predictions : array (L+1, ...)
        ⟨x_q, w_ℓ⟩ for ℓ = 0..L.
    w : array (..., d)
        The final iterate w_L.

    Raises
    ------
    InputError
        For incompatible shapes.

    References
    ----------
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Lemma 1.
    """
    xp, (X, y, xq) = real_namespace(X=X, y=y, x_query=x_query)
    if X.ndim < 2 or tuple(y.shape) != tuple(X.shape[:-1]) or tuple(xq.shape) != tuple(X.shape[:-2]) + (X.shape[-1],):
        raise InputError(f"X, y, x_query have shapes {tuple(X.shape)}, {tuple(y.shape)}, {tuple(xq.shape)}; "
                         "(..., n, d), (..., n), (..., d) are required")
    As = list(As)
    d = X.shape[-1]
    for i, A in enumerate(As):
        if tuple(getattr(A, "shape", np.shape(A))) != (d, d):
            raise InputError(f"As[{i}] has shape {tuple(np.shape(A))}; ({d}, {d}) preconditioners are required")
    n = X.shape[-2]
    w = xp.zeros(xq.shape, dtype=X.dtype)
    preds = [xp.sum(w * xq, axis=-1)]
    Xt = xp.matrix_transpose(X)
    for A in As:
        resid = (X @ w[..., None])[..., 0] - y
        grad = (Xt @ resid[..., None])[..., 0] / n
        _, (A,) = real_namespace(A=A)
        w = w - (A.T @ grad[..., None])[..., 0]
        preds.append(xp.sum(w * xq, axis=-1))
    return xp.stack(preds), w


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
    eye = xp.eye(D, dtype=W0.dtype)
    WK = xp.concat([xp.concat([xp.eye(d, dtype=W0.dtype), xp.zeros((d, o), dtype=W0.dtype)], axis=1),
                    xp.zeros((o, D), dtype=W0.dtype)], axis=0)
    WV = xp.concat([xp.zeros((d, D), dtype=W0.dtype),
                    xp.concat([W0, -xp.eye(o, dtype=W0.dtype)], axis=1)], axis=0)
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


__all__ = ["lsa_forward", "lsa_predict", "lsa_multilayer", "gd_layer", "acds_to_zfb", "reduced_parameters",
           "preconditioned_gd_path", "von_oswald_construction", "von_oswald_layer", "gd_step_prediction"]
