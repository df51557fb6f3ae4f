"""The reduced one-layer LSA predictor ŷ = bᵀ G A x_q: context Gram, predictions, query gradient, loss and gradient.

``b`` (last row of P) and ``A`` (first d columns of Q) are all the parameters that matter (claim notes §2). The
minibatch loss and gradient (:func:`loss_grad`) have a numba fast path for NumPy inputs
(:mod:`.training_kernels`) and a plain NumPy reference (:func:`loss_grad_reference`), chosen by ``fast``
(:func:`theorylab._fastpath.use_fast`). The training loops that use them are in :mod:`.training`, which
re-exports these names.
"""
from __future__ import annotations

import numpy as np

from ..._fastpath import use_fast
from ..._validation import InputError, check_bool, real_namespace
from .prompts import _check_prompts
from .training_kernels import _loss_grad_numba

# --------------------------------------------------------------------------------------------- loss/gradient
def loss_grad_reference(X, y, xq, yq, b, A, mask=True):
    """Minibatch risk mean (ŷ − y_q)² of ŷ = bᵀ G A x_q and its gradient in (b, A); plain NumPy.

    G = (1/n) Σ_{i≤n} z_i z_iᵀ (+ (1/n) z_q z_qᵀ when ``mask=False``). ∂/∂b = (2/B) Σ r u,
    u = G A x_q; ∂/∂A = (2/B) Σ r (G b) x_qᵀ.

    Parameters
    ----------
    X : ndarray (B, n, d)
        Context covariates.
    y : ndarray (B, n)
        Context labels.
    xq : ndarray (B, d)
        Query covariates.
    yq : ndarray (B,)
        Query labels.
    b : ndarray (d+1,)
        Last row of P.
    A : ndarray (d+1, d)
        First d columns of Q.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    loss : float
        mean (ŷ − y_q)².
    grad_b : ndarray (d+1,)
        ∂/∂b.
    grad_A : ndarray (d+1, d)
        ∂/∂A.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    """
    B, n, d = X.shape
    Zc = np.concatenate([X, y[..., None]], axis=2)
    G = np.einsum("bni,bnj->bij", Zc, Zc) / n
    if not mask:
        G[:, :d, :d] += np.einsum("bi,bj->bij", xq, xq) / n
    u = np.einsum("bij,bj->bi", G, xq @ A.T)
    r = u @ b - yq
    v = np.einsum("bij,j->bi", G, b)
    return float(r @ r) / B, 2.0 * (r @ u) / B, 2.0 * np.einsum("b,bi,bj->ij", r, v, xq) / B


def loss_grad(prompts, b, A, mask=True, fast=None):
    """(mean squared error, ∂/∂b, ∂/∂A) of the LSA predictor bᵀ G A x_q on a batch of prompts.

    The numba kernel (agrees with :func:`loss_grad_reference` to rounding) or the reference, chosen by ``fast``.

    Parameters
    ----------
    prompts : Prompts
        A batch of prompts (:func:`theorylab.settings.icl.sample_prompts`).
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.
    mask : bool, default True
        Masked attention (the query column excluded from G).
    fast : bool or None, default None
        The numba kernel (True), :func:`loss_grad_reference` (False), or the kernel when the package switch
        is on (None); see :func:`theorylab._fastpath.use_fast`.

    Returns
    -------
    loss : float
        Mean squared error.
    grad_b : ndarray (d+1,)
        ∂/∂b.
    grad_A : ndarray (d+1, d)
        ∂/∂A.

    Raises
    ------
    InputError
        For parameters of the wrong shape.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    """
    b, A = _check_reduced(prompts, b, A)
    return _loss_grad(prompts, b, A, check_bool("mask", mask), use_fast(fast, numpy_inputs=True))


def _loss_grad(prompts, b, A, mask, fast):
    """:func:`loss_grad` on validated arguments (the training loop: no checks per step)."""
    args = (prompts.X, prompts.y, prompts.x_query, prompts.y_query,
            np.ascontiguousarray(b, dtype=np.float64), np.ascontiguousarray(A, dtype=np.float64))
    if fast:
        return _loss_grad_numba(*args, bool(mask))
    return loss_grad_reference(*args, mask=mask)


def _check_reduced(prompts, b, A):
    """Validate a Prompts batch and reduced parameters b (d+1,), A (d+1, d); return them as float64."""
    _check_prompts(prompts)
    d = prompts.d
    _, (b, A) = real_namespace(b=b, A=A)
    b, A = np.asarray(b, dtype=np.float64), np.asarray(A, dtype=np.float64)
    if b.shape != (d + 1,) or A.shape != (d + 1, d):
        raise InputError(f"b has shape {b.shape} and A has shape {A.shape}; ({d + 1},) and ({d + 1}, {d}) are "
                         f"required for prompts of dimension d={d}")
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(A))):
        raise InputError("b or A contains NaN or inf; finite real numbers are allowed")
    return b, A


def context_gram(prompts, mask=True):
    """Batched Gram matrix of the context tokens, G = (1/n) Σ_i z_i z_iᵀ with z_i = (x_i, y_i).

    Unmasked (``mask=False``) the query enters the x-block: G[:d, :d] += x_q x_qᵀ / n.

    Parameters
    ----------
    prompts : Prompts
        A batch of prompts (X: (B, n, d), y: (B, n), x_query: (B, d)), NumPy arrays.
    mask : bool, default True
        Whether the query token is masked out of the attention sum.

    Returns
    -------
    ndarray (B, d + 1, d + 1)
        One Gram matrix per prompt.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576 (the LSA prediction is linear in G).
    """
    B, n, d = prompts.X.shape
    Zc = np.concatenate([prompts.X, prompts.y[..., None]], axis=2)
    G = np.einsum("bni,bnj->bij", Zc, Zc) / n
    if not mask:
        G[:, :d, :d] += np.einsum("bi,bj->bij", prompts.x_query, prompts.x_query) / n
    return G


def predict_reduced(prompts, b, A, mask=True):
    """Per-prompt predictions ŷ = bᵀ G A x_q of the LSA with reduced parameters (b, A) (NumPy).

    Parameters
    ----------
    prompts : Prompts
        A batch of prompts (:func:`theorylab.settings.icl.sample_prompts`).
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.
    mask : bool, default True
        Masked attention (the query column excluded from G).

    Returns
    -------
    ndarray (B,)
        ŷ per prompt.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576.
    K. Ahn, X. Cheng, H. Daneshmand, S. Sra, "Transformers learn to implement preconditioned gradient descent for
    in-context learning", NeurIPS 2023, arXiv:2306.00297, Theorem 1.
    R. Zhang, S. Frei, P. L. Bartlett, "Trained Transformers Learn Linear Models In-Context", JMLR 25(49), 2024,
    arXiv:2306.09927, Theorem 4.1.
    """
    b, A = _check_reduced(prompts, b, A)
    G = context_gram(prompts, check_bool("mask", mask))
    return np.einsum("i,bij,bj->b", b, G, prompts.x_query @ A.T)


def input_gradient_reduced(prompts, b, A, mask=True):
    """∂ŷ/∂x_q of ŷ = bᵀ G A x_q with the context held fixed: Aᵀ G b (masked; von Oswald et al. metric (ii)).

    For ``mask=False`` G depends on x_q too; the derivative then adds (2/n)(bₓ·x_q) A_topᵀ… and is not
    provided: only the masked model is supported.

    Parameters
    ----------
    prompts : Prompts
        A batch of prompts (:func:`theorylab.settings.icl.sample_prompts`).
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.
    mask : bool, default True
        Masked attention (the query column excluded from G).

    Returns
    -------
    ndarray (B, d)
        ∂ŷ/∂x_q per prompt.

    Raises
    ------
    InputError
        For ``mask=False`` (not supported).

    References
    ----------
    J. von Oswald, E. Niklasson, E. Randazzo, J. Sacramento, A. Mordvintsev, A. Zhmoginov, M. Vladymyrov,
    "Transformers Learn In-Context by Gradient Descent", ICML 2023, arXiv:2212.07677 (metric (ii), sensitivity to the
    query).
    """
    if not check_bool("mask", mask):
        raise InputError("input_gradient_reduced supports mask=True only")
    b, A = _check_reduced(prompts, b, A)
    G = context_gram(prompts, True)
    return np.einsum("bij,j->bi", G, b) @ A


__all__ = ["context_gram", "loss_grad_reference", "loss_grad", "predict_reduced", "input_gradient_reduced"]
