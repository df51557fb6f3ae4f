"""Linear self-attention (LSA) forward passes and the GD constructions they implement.

Prompt matrix ``Z = [[x_1 … x_n x_q], [y_1 … y_n 0]] ∈ R^{(d+1)×(n+1)}``. One LSA layer in the
(P, Q) parameterisation of Ahn et al. (2023, eq. (2)): ``Z ← Z + (1/n) P Z M (Zᵀ Q Z)`` with
``M = diag(I_n, 0)`` (``mask=True``) or ``M = I`` (Zhang–Frei–Bartlett, ``mask=False``). The
prediction read out here is ``+[Z]_{d+1, n+1}`` (ZFB / von Oswald sign); Ahn et al. read ``−[Z]``,
see :func:`acds_to_zfb`. Written against the array-API namespace of the inputs. The von Oswald et al. (2023)
construction of a GD step as a layer lives in :mod:`.von_oswald` and is re-exported here.
"""
from __future__ import annotations


import numpy as np

from ..._validation import InputError, array_device, check_bool, check_real, real_namespace
from .von_oswald import von_oswald_construction, von_oswald_layer, gd_step_prediction


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
    dev = array_device(A)
    P = xp.concat([xp.zeros((d, d + 1), dtype=A.dtype, device=dev),
                   xp.concat([xp.zeros((1, d), dtype=A.dtype, device=dev), xp.ones((1, 1), dtype=A.dtype, device=dev)],
                             axis=1)], axis=0)
    top = xp.concat([sign * A, xp.zeros((d, 1), dtype=A.dtype, device=dev)], axis=1)
    Q = xp.concat([top, xp.zeros((1, d + 1), dtype=A.dtype, device=dev)], axis=0)
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
    w = xp.zeros(xq.shape, dtype=X.dtype, device=array_device(X))
    preds = [xp.sum(w * xq, axis=-1)]
    Xt = xp.matrix_transpose(X)
    for A in As:
        resid = (X @ w[..., None])[..., 0] - y
        grad = (Xt @ resid[..., None])[..., 0] / n
        _, (A,) = real_namespace(A=A)
        w = w - (A.T @ grad[..., None])[..., 0]
        preds.append(xp.sum(w * xq, axis=-1))
    return xp.stack(preds), w


__all__ = ["lsa_forward", "lsa_predict", "lsa_multilayer", "gd_layer", "acds_to_zfb", "reduced_parameters",
           "preconditioned_gd_path", "von_oswald_construction", "von_oswald_layer", "gd_step_prediction"]
