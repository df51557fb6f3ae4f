"""Full-batch AdamW training of Gromov's quadratic network on modular addition (NumPy, float64).

Network ``f(n, m) = W (U e_n + V e_m)²`` (elementwise square, ``U, V ∈ ℝ^{N×p}``, ``W ∈ ℝ^{p×N}``), loss
MSE against one-hot targets (Gromov) or softmax cross-entropy, AdamW with decoupled weight decay. Training
labels may be corrupted (Doshi et al.): the history then separates the clean and corrupted training pairs.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_choice, check_generator, check_integer, check_nonnegative, check_positive
from ._checks import check_prime
from .data import corrupt_labels, modular_table, train_test_split

__all__ = ["quadratic_loss_and_grads", "train_quadratic_network"]


def quadratic_loss_and_grads(U, V, W, a, b, y, loss="mse"):
    """Loss of the quadratic network on pairs ``(a_i, b_i)`` with labels ``y_i`` and its exact gradients.

    ``h_i = U[:, a_i] + V[:, b_i]``, ``f_i = W h_i²``; ``mse``: ``L = (1/n) Σ_i ½‖f_i − e_{y_i}‖²``;
    ``ce``: ``L = (1/n) Σ_i [logsumexp f_i − f_{i y_i}]``. With ``G = ∂L/∂f``: ``∂L/∂W = G^T h²``,
    ``∂L/∂h = 2h ⊙ (G W)``, scattered to the columns ``a_i`` of ``U`` and ``b_i`` of ``V``.

    Parameters
    ----------
    U, V : numpy.ndarray
        Input weights, shape ``(N, p)``.
    W : numpy.ndarray
        Output weights, shape ``(p, N)``.
    a, b, y : numpy.ndarray of int
        Operands and labels in ``0..p−1``, same length ``n ≥ 1``.
    loss : {"mse", "ce"}
        The loss.

    Returns
    -------
    value : float
        The loss.
    grads : tuple of numpy.ndarray
        ``(∂L/∂U, ∂L/∂V, ∂L/∂W)``.
    logits : numpy.ndarray
        ``f``, shape ``(n, p)``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 2 (quadratic activation, MSE loss).
    """
    U, V, W = (np.asarray(x, dtype=np.float64) for x in (U, V, W))
    if U.ndim != 2 or U.shape != V.shape or W.shape != (U.shape[1], U.shape[0]):
        raise InputError("U and V must be (N, p) and W must be (p, N)")
    check_choice("loss", loss, ("mse", "ce"))
    N, p = U.shape
    a, b, y = (np.asarray(x) for x in (a, b, y))
    if a.ndim != 1 or a.size == 0 or a.shape != b.shape or a.shape != y.shape \
            or min(a.min(), b.min(), y.min()) < 0 or max(a.max(), b.max(), y.max()) >= p:
        raise InputError(f"a, b and y must be non-empty 1-d integer arrays of one length with values in 0..{p - 1}")
    n = a.size
    h = U[:, a].T + V[:, b].T  # (n, N)
    act = h * h
    f = act @ W.T
    if loss == "mse":
        G = f.copy()
        G[np.arange(n), y] -= 1.0
        value = 0.5 * float(np.sum(G * G)) / n
        G /= n
    else:
        m = f.max(axis=1, keepdims=True)
        e = np.exp(f - m)
        S = e.sum(axis=1, keepdims=True)
        value = float(np.mean(np.log(S[:, 0]) + m[:, 0] - f[np.arange(n), y]))
        G = e / S
        G[np.arange(n), y] -= 1.0
        G /= n
    gW = G.T @ act
    dh = 2.0 * h * (G @ W)
    A = np.zeros((n, p)); A[np.arange(n), a] = 1.0
    B = np.zeros((n, p)); B[np.arange(n), b] = 1.0
    gU, gV = dh.T @ A, dh.T @ B
    return value, (gU, gV, gW), f


def train_quadratic_network(p, n_neurons, steps, rng, train_fraction=0.5, lr=1e-2, weight_decay=0.0,
                            betas=(0.9, 0.98), eps=1e-8, init_scale=1.0, xi=0.0, loss="mse", record_every=10):
    """Train the quadratic network on modular addition with full-batch AdamW.

    Initialisation ``U, V, W ~ N(0, init_scale²/p)`` entrywise; AdamW: ``m ← β₁m + (1−β₁)g``,
    ``v ← β₂v + (1−β₂)g²``, ``θ ← θ − lr (m̂/(√v̂ + ε) + λθ)`` with bias-corrected ``m̂, v̂``.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    n_neurons : int
        Hidden width ``N``.
    steps : int
        Number of full-batch steps.
    rng : numpy.random.Generator
        Source of the split, the corruption and the initialisation.
    train_fraction : float
        Fraction of the ``p²`` pairs used for training.
    lr, weight_decay, eps : float
        AdamW step, decoupled weight decay ``λ`` (≥ 0) and ``ε``.
    betas : tuple of float
        ``(β₁, β₂)`` in ``[0, 1)``.
    init_scale : float
        Initialisation scale (positive).
    xi : float
        Fraction of training labels corrupted (:func:`corrupt_labels`).
    loss : {"mse", "ce"}
        Training loss.
    record_every : int
        Record the history every this many steps (and at the last step).

    Returns
    -------
    dict
        ``step``, ``loss``, ``train_acc``, ``test_acc``, ``train_clean_acc``, ``train_corrupt_acc`` (NaN without
        corruption) as arrays; the final ``U``, ``V``, ``W``; the index arrays ``train``, ``test``; the
        training labels ``y_train`` and the corruption mask ``corrupted``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 2 (setup; AdamW also finds the Fourier
    features); D. Doshi, A. Das, T. He, A. Gromov, ICLR 2024, arXiv 2310.13061, Sec. 2 (corrupted labels);
    I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019 (AdamW).
    """
    p = check_prime("p", p)
    N = check_integer("n_neurons", n_neurons, 1)
    steps = check_integer("steps", steps, 1)
    rng = check_generator("rng", rng)
    lr, eps, init_scale = check_positive("lr", lr), check_positive("eps", eps), check_positive("init_scale", init_scale)
    wd = check_nonnegative("weight_decay", weight_decay)
    every = check_integer("record_every", record_every, 1)
    if len(betas) != 2 or not all(0.0 <= float(x) < 1.0 for x in betas):
        raise InputError(f"betas must be two numbers in [0, 1), got {betas!r}")
    b1, b2 = float(betas[0]), float(betas[1])
    check_choice("loss", loss, ("mse", "ce"))
    a, b, y = modular_table(p, "add")
    tr, te = train_test_split(a.size, train_fraction, rng)
    y_tr, corrupted = corrupt_labels(y[tr], p, xi, rng)
    s = init_scale / np.sqrt(p)
    params = [rng.standard_normal((N, p)) * s, rng.standard_normal((N, p)) * s, rng.standard_normal((p, N)) * s]
    mom = [np.zeros_like(x) for x in params]
    vel = [np.zeros_like(x) for x in params]
    hist = {k: [] for k in ("step", "loss", "train_acc", "test_acc", "train_clean_acc", "train_corrupt_acc")}
    for t in range(1, steps + 1):
        val, grads, f = quadratic_loss_and_grads(*params, a[tr], b[tr], y_tr, loss)
        if t % every == 0 or t == 1 or t == steps:
            hit = f.argmax(axis=1) == y_tr
            ft = quadratic_loss_and_grads(*params, a[te], b[te], y[te], loss)[2] if te.size else None
            hist["step"].append(t - 1); hist["loss"].append(val); hist["train_acc"].append(float(hit.mean()))
            hist["test_acc"].append(float(np.mean(ft.argmax(axis=1) == y[te])) if te.size else np.nan)
            hist["train_clean_acc"].append(float(hit[~corrupted].mean()) if (~corrupted).any() else np.nan)
            hist["train_corrupt_acc"].append(float(hit[corrupted].mean()) if corrupted.any() else np.nan)
        for i, g in enumerate(grads):
            mom[i] = b1 * mom[i] + (1 - b1) * g
            vel[i] = b2 * vel[i] + (1 - b2) * g * g
            mh, vh = mom[i] / (1 - b1 ** t), vel[i] / (1 - b2 ** t)
            params[i] = params[i] - lr * (mh / (np.sqrt(vh) + eps) + wd * params[i])
    out = {k: np.asarray(v) for k, v in hist.items()}
    out.update(U=params[0], V=params[1], W=params[2], train=tr, test=te, y_train=y_tr, corrupted=corrupted)
    return out
