"""The reduced one-layer LSA predictor ŷ = bᵀ G A x_q: context Gram, predictions, query gradient, loss and gradient.

``b`` (last row of P) and ``A`` (first d columns of Q) are all the parameters that matter (claim notes §2). The
minibatch loss and gradient (:func:`loss_grad`) have a numba fast path for NumPy float64 inputs
(:mod:`.training_kernels`) and an array-API reference (:func:`loss_grad_reference`), chosen by ``fast``
(:func:`theorylab._fastpath.use_fast`). The reference runs in the namespace, on the device and in the dtype of the
prompts (any array-API library); the Gram matrix is one batched ``matmul`` ZcᵀZc (3.6× faster than ``einsum`` in
NumPy, ``benchmarks/README.md``). Parameters (b, A) given as NumPy arrays are moved once to the prompts' device
and dtype. The training loops that use them are in :mod:`.training`, which re-exports these names.
"""
from __future__ import annotations

import numpy as np

from ..._fastpath import use_fast
from ..._validation import InputError, array_device, check_bool, real_namespace
from ..._validation_arrays import to_numpy
from .prompts import _check_prompts
from .training_kernels import _loss_grad_numba

# --------------------------------------------------------------------------------------------- loss/gradient
def loss_grad_reference(X, y, xq, yq, b, A, mask=True):
    """Minibatch risk mean (ŷ − y_q)² of ŷ = bᵀ G A x_q and its gradient in (b, A); array API.

    Any array-API namespace (all six arrays of one namespace, on one device); the loss is a Python float for
    NumPy inputs and a 0-d array on the inputs' device otherwise (no host synchronisation).

    G = (1/n) Σ_{i≤n} z_i z_iᵀ (+ (1/n) z_q z_qᵀ when ``mask=False``). ∂/∂b = (2/B) Σ r u,
    u = G A x_q; ∂/∂A = (2/B) Σ r (G b) x_qᵀ.

    Parameters
    ----------
    X : array (B, n, d)
        Context covariates.
    y : array (B, n)
        Context labels.
    xq : array (B, d)
        Query covariates.
    yq : array (B,)
        Query labels.
    b : array (d+1,)
        Last row of P.
    A : array (d+1, d)
        First d columns of Q.
    mask : bool, default True
        Masked attention.

    Returns
    -------
    loss : float or 0-d array
        mean (ŷ − y_q)².
    grad_b : array (d+1,)
        ∂/∂b.
    grad_A : array (d+1, d)
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
    from array_api_compat import array_namespace

    xp = array_namespace(X, y, xq, yq, b, A)
    B, n, d = X.shape
    G = _gram(xp, X, y, xq, mask)
    u = (G @ (xq @ A.T)[..., None])[..., 0]  # G A x_q, (B, d+1)
    r = u @ b - yq
    v = G @ b  # G b, (B, d+1)
    loss = xp.vecdot(r, r) / B
    if isinstance(X, np.ndarray):
        loss = float(loss)
    c = 2.0 / B
    return loss, (r @ u) * c, ((v * r[:, None]).T @ xq) * c


def _gram(xp, X, y, xq, mask):
    """G = (1/n) ZcᵀZc per prompt by batched matmul, plus (1/n) z_q z_qᵀ (z_q = (x_q, 0)) when unmasked."""
    n = X.shape[1]
    Zc = xp.concat([X, y[..., None]], axis=2)
    G = (xp.matrix_transpose(Zc) @ Zc) / n
    if not mask:
        zq = xp.concat([xq, xp.zeros((xq.shape[0], 1), dtype=xq.dtype, device=array_device(xq))], axis=1)
        G = G + (zq[:, :, None] * zq[:, None, :]) / n
    return G


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
    loss : float or 0-d array
        Mean squared error (a 0-d array on the prompts' device for non-NumPy prompts).
    grad_b : array (d+1,)
        ∂/∂b.
    grad_A : array (d+1, d)
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
    numpy64 = isinstance(prompts.X, np.ndarray) and prompts.X.dtype == np.float64
    return _loss_grad(prompts, b, A, check_bool("mask", mask), use_fast(fast, numpy_inputs=numpy64))


def _loss_grad(prompts, b, A, mask, fast):
    """:func:`loss_grad` on validated arguments (the training loop: no checks per step)."""
    if fast:
        args = (prompts.X, prompts.y, prompts.x_query, prompts.y_query,
                np.ascontiguousarray(b, dtype=np.float64), np.ascontiguousarray(A, dtype=np.float64))
        return _loss_grad_numba(*args, bool(mask))
    return loss_grad_reference(prompts.X, prompts.y, prompts.x_query, prompts.y_query, b, A, mask=mask)


def _check_reduced(prompts, b, A):
    """Validate a Prompts batch and reduced parameters b (d+1,), A (d+1, d); return them in the prompts'
    namespace, on their device, in their dtype (NumPy parameters moved once)."""
    _check_prompts(prompts)
    d = prompts.d
    _, (b, A) = real_namespace(b=b, A=A)
    if tuple(b.shape) != (d + 1,) or tuple(A.shape) != (d + 1, d):
        raise InputError(f"b has shape {tuple(b.shape)} and A has shape {tuple(A.shape)}; ({d + 1},) and "
                         f"({d + 1}, {d}) are required for prompts of dimension d={d}")
    xp = prompts.xp
    if isinstance(prompts.X, np.ndarray):
        b, A = np.asarray(to_numpy(b), dtype=prompts.X.dtype), np.asarray(to_numpy(A), dtype=prompts.X.dtype)
    else:
        b, A = (xp.asarray(np.asarray(a, dtype=_np_dtype(prompts)), device=prompts.device)
                if isinstance(a, np.ndarray) else xp.astype(a, prompts.X.dtype) for a in (b, A))
    if not (bool(xp.all(xp.isfinite(b))) and bool(xp.all(xp.isfinite(A)))):
        raise InputError("b or A contains NaN or inf; finite real numbers are allowed")
    return b, A


def _np_dtype(prompts):
    return np.float32 if prompts.X.dtype == prompts.xp.float32 else np.float64


def context_gram(prompts, mask=True):
    """Batched Gram matrix of the context tokens, G = (1/n) Σ_i z_i z_iᵀ with z_i = (x_i, y_i).

    Unmasked (``mask=False``) the query enters the x-block: G[:d, :d] += x_q x_qᵀ / n.

    Parameters
    ----------
    prompts : Prompts
        A batch of prompts (X: (B, n, d), y: (B, n), x_query: (B, d)), any array-API namespace.
    mask : bool, default True
        Whether the query token is masked out of the attention sum.

    Returns
    -------
    array (B, d + 1, d + 1)
        One Gram matrix per prompt.

    References
    ----------
    A. Mahankali, T. B. Hashimoto, T. Ma, "One Step of Gradient Descent is Provably the Optimal In-Context Learner
    with One Layer of Linear Self-Attention", ICLR 2024, arXiv:2307.03576 (the LSA prediction is linear in G).
    """
    return _gram(prompts.xp, prompts.X, prompts.y, prompts.x_query, mask)


def predict_reduced(prompts, b, A, mask=True):
    """Per-prompt predictions ŷ = bᵀ G A x_q of the LSA with reduced parameters (b, A), in the prompts' namespace and device.

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
    array (B,)
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
    return (G @ (prompts.x_query @ A.T)[..., None])[..., 0] @ b


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
    array (B, d)
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
    return (G @ b[:, None])[..., 0] @ A


__all__ = ["context_gram", "loss_grad_reference", "loss_grad", "predict_reduced", "input_gradient_reduced"]
