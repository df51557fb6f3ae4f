"""Full-batch training of bias-free softmax models in a chosen float format: Softmax Collapse, StableMax, ⊥Grad.

One trainer, :func:`train_bias_free_mlp`, for a bias-free ReLU MLP ``z = W_L σ(⋯ σ(W_1 x))`` (``widths = ()``
is the bias-free linear softmax of the NLM demo), full-batch Adam(W) with the fork's tiny ``ε``, and one of
three losses/updates: framework softmax cross-entropy in the model's format (float32 by default, the baseline),
StableMax cross-entropy evaluated in float64, or softmax cross-entropy with the ⊥Grad projection of every weight
matrix before the Adam step. Recorded per step: loss, train/test accuracy, the Softmax Collapse fraction
(``fl(Σ_j e^{z_j − max z}) = 1`` in the working format, on the training set), ``‖θ‖`` and ``cos(−∇L, θ)`` for the
raw (unprojected) gradient — the NLM diagnostic. :func:`modular_grokking_run` wraps it for modular addition.
"""
from __future__ import annotations

import numpy as np

from ..._validation import (InputError, check_bool, check_choice, check_generator, check_integer,
                            check_nonnegative, check_positive)
from ...losses.stablemax import stablemax_cross_entropy_and_grad
from ._checks import check_prime
from .data import modular_table, one_hot_pairs, train_test_split

__all__ = ["train_bias_free_mlp", "modular_grokking_run", "nlm_demo_data"]

LOSSES = ("softmax", "stablemax")
_EPS = 1e-30


def _init(widths, d, K, rng, dt):
    """PyTorch ``nn.Linear`` default: ``U(−1/√fan_in, 1/√fan_in)`` entrywise."""
    dims = [d, *widths, K]
    return [rng.uniform(-1, 1, (dims[i + 1], dims[i])).astype(dt) / dt.type(np.sqrt(dims[i]))
            for i in range(len(dims) - 1)]


def _forward(Ws, X):
    acts, a = [X], X
    for i, W in enumerate(Ws):
        z = a @ W.T
        a = np.maximum(z, 0) if i < len(Ws) - 1 else z
        acts.append(a)
    return acts


def _softmax_ce(z, y):
    """Framework-style CE in z's own format: lsm = z − max − log S, ∂ℓ/∂z = e^{lsm} − onehot; S and loss."""
    rows = np.arange(z.shape[0])
    zs = z - z.max(axis=1, keepdims=True)
    S = np.exp(zs).sum(axis=1, keepdims=True)
    lsm = zs - np.log(S)
    g = np.exp(lsm)
    g[rows, y] -= 1
    return -lsm[rows, y], g, S[:, 0]


def _collapsed(z):
    zs = z - z.max(axis=1, keepdims=True)
    return np.exp(zs).sum(axis=1) == 1


def _project(w, g):
    """⊥Grad of one tensor (float64 reductions): g − ⟨w,g⟩/(⟨w,w⟩+1e-30) w, rescaled to ‖g‖."""
    wf, gf = w.astype(np.float64).ravel(), g.astype(np.float64).ravel()
    gp = gf - (wf @ gf) / (wf @ wf + _EPS) * wf
    gp *= np.linalg.norm(gf) / (np.linalg.norm(gp) + _EPS)
    return gp.reshape(g.shape).astype(g.dtype)


def _check_xy(name_x, X, name_y, y, d=None):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)) or (d is not None and X.shape[1] != d):
        raise InputError(f"{name_x} must be a finite 2-d array (n, d) with n ≥ 1" + (f" and d = {d}" if d else ""))
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise InputError(f"{name_y} must hold one non-negative integer label per row of {name_x}")
    return X, y


def train_bias_free_mlp(X, y, steps, rng, widths=(), n_classes=None, X_test=None, y_test=None, loss="softmax",
                        orthograd=False, lr=1e-3, betas=(0.9, 0.99), eps=1e-25, weight_decay=0.0,
                        dtype="float32", init_scale=1.0, record_every=1):
    """Full-batch Adam(W) training of a bias-free ReLU MLP with Softmax-Collapse diagnostics.

    Model ``z = W_L σ(⋯ σ(W_1 x))`` in ``dtype`` (``widths = ()``: linear softmax ``z = W x``), PyTorch's default
    init ``U(±1/√fan_in)`` times ``init_scale``. Loss ``softmax``: ``ℓ = −lsm_y``, ``lsm = z − max z − log S``
    computed in ``dtype`` as a framework does (collapsed samples, ``fl(S) = 1``, get loss and correct-class gradient
    exactly 0); ``stablemax``: the StableMax cross-entropy of the logits cast to float64, gradient cast back.
    ``orthograd``: each weight matrix's gradient is replaced by ``g_⊥ = g − ⟨w,g⟩/(⟨w,w⟩+10⁻³⁰) w`` rescaled to
    ``‖g‖`` before the Adam step. AdamW: ``m ← β₁m + (1−β₁)g``, ``v ← β₂v + (1−β₂)g²``,
    ``θ ← θ − lr (m̂/(√v̂ + ε) + λθ)``; the moments are kept in float64 (``ε = 10⁻²⁵`` is below float32's
    normal range in ``√v̂ + ε`` anyway), the weights in ``dtype``.

    Parameters
    ----------
    X : array_like
        Training inputs ``(n, d)``.
    y : array_like of int
        Training labels in ``0..K−1``.
    steps : int
        Number of full-batch steps (≥ 1).
    rng : numpy.random.Generator
        Source of the initialisation.
    widths : tuple of int
        Hidden widths (empty: linear model).
    n_classes : int, optional
        ``K`` (default ``max(y) + 1``).
    X_test, y_test : array_like, optional
        Held-out set for the test accuracy (NaN without it).
    loss : {"softmax", "stablemax"}
        The training loss.
    orthograd : bool
        Apply ⊥Grad to every weight matrix.
    lr, eps : float
        Adam step and ``ε`` (positive).
    betas : tuple of float
        ``(β₁, β₂)`` in ``[0, 1)``.
    weight_decay : float
        Decoupled weight decay ``λ ≥ 0``.
    dtype : {"float32", "float64"}
        Format of the weights, the forward pass and the softmax cross-entropy.
    init_scale : float
        Multiplier of the default initialisation (positive).
    record_every : int
        Record every this many steps (and at the first and last).

    Returns
    -------
    dict
        Arrays ``step`` (number of updates done), ``loss``, ``train_acc``, ``test_acc``, ``collapsed`` (fraction
        of training samples whose logits satisfy the softmax predicate ``fl(Σ_j e^{z_j − max z}) = 1`` in
        ``dtype`` — for every loss, so for StableMax it measures the logit gaps, not a stall of its loss), ``weight_norm`` (``‖θ‖``), ``cos_nlm``
        (``cos(−∇L, θ)``, raw gradient), ``zero_grad`` (fraction of training samples whose loss gradient row is
        exactly zero); and the final ``weights``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (Softmax Collapse, NLM, the cosine diagnostic), Sec. 4 (StableMax), Sec. 5 (⊥Grad);
    fork EIFY/grokking-at-the-edge-of-numerical-stability (defaults: bias-free MLP, AdamW β = (0.9, 0.99),
    ε = 1e-25, no weight decay, float32 softmax). D. P. Kingma, J. Ba, "Adam", ICLR 2015.
    """
    X, y = _check_xy("X", X, "y", y)
    steps = check_integer("steps", steps, 1)
    rng = check_generator("rng", rng)
    if not isinstance(widths, (tuple, list)):
        raise InputError("widths must be a tuple of positive integers (empty for a linear model)")
    widths = tuple(check_integer(f"widths[{i}]", w, 1) for i, w in enumerate(widths))
    K = int(y.max()) + 1 if n_classes is None else check_integer("n_classes", n_classes, 2)
    if K < 2 or y.max() >= K:
        raise InputError(f"n_classes must be ≥ 2 and exceed every label, got {K}")
    has_test = X_test is not None or y_test is not None
    if has_test:
        if X_test is None or y_test is None:
            raise InputError("X_test and y_test must be given together")
        X_test, y_test = _check_xy("X_test", X_test, "y_test", y_test, X.shape[1])
    loss = check_choice("loss", loss, LOSSES)
    orthograd = check_bool("orthograd", orthograd)
    lr, eps, init_scale = check_positive("lr", lr), check_positive("eps", eps), check_positive("init_scale",
                                                                                                init_scale)
    wd = check_nonnegative("weight_decay", weight_decay)
    dtype = check_choice("dtype", dtype, ("float32", "float64"))
    every = check_integer("record_every", record_every, 1)
    if len(betas) != 2 or not all(0.0 <= float(x) < 1.0 for x in betas):
        raise InputError(f"betas must be two numbers in [0, 1), got {betas!r}")
    b1, b2 = float(betas[0]), float(betas[1])
    dt = np.dtype(dtype)
    Xd = X.astype(dt)
    Xt = X_test.astype(dt) if has_test else None
    Ws = [W * dt.type(init_scale) for W in _init(widths, X.shape[1], K, rng, dt)]
    mom = [np.zeros(W.shape) for W in Ws]
    vel = [np.zeros(W.shape) for W in Ws]
    n = X.shape[0]
    keys = ("step", "loss", "train_acc", "test_acc", "collapsed", "weight_norm", "cos_nlm", "zero_grad")
    hist = {k: [] for k in keys}
    for t in range(steps + 1):
        acts = _forward(Ws, Xd)
        z = acts[-1]
        if loss == "softmax":
            ell, G, _ = _softmax_ce(z, y)
        else:
            ell, G = stablemax_cross_entropy_and_grad(z.astype(np.float64), y)
            G = G.astype(dt)
        grads = [None] * len(Ws)
        delta = G / dt.type(n)
        for i in range(len(Ws) - 1, -1, -1):
            grads[i] = delta.T @ acts[i]
            if i > 0:
                delta = (delta @ Ws[i]) * (acts[i] > 0)
        if t % every == 0 or t == steps:
            theta = np.concatenate([W.astype(np.float64).ravel() for W in Ws])
            gvec = np.concatenate([g.astype(np.float64).ravel() for g in grads])
            nt, ng = np.linalg.norm(theta), np.linalg.norm(gvec)
            hist["step"].append(t)
            hist["loss"].append(float(np.mean(ell, dtype=np.float64)))
            hist["train_acc"].append(float(np.mean(z.argmax(axis=1) == y)))
            hist["test_acc"].append(float(np.mean(_forward(Ws, Xt)[-1].argmax(axis=1) == y_test))
                                    if has_test else np.nan)
            hist["collapsed"].append(float(np.mean(_collapsed(z))))
            hist["weight_norm"].append(float(nt))
            hist["cos_nlm"].append(float(-(theta @ gvec) / (nt * ng)) if nt > 0 and ng > 0 else 0.0)
            hist["zero_grad"].append(float(np.mean(np.all(G == 0, axis=1))))
        if t == steps:
            break
        for i, g in enumerate(grads):
            if orthograd:
                g = _project(Ws[i], g)
            g = g.astype(np.float64)
            mom[i] = b1 * mom[i] + (1 - b1) * g
            vel[i] = b2 * vel[i] + (1 - b2) * g * g
            mh, vh = mom[i] / (1 - b1 ** (t + 1)), vel[i] / (1 - b2 ** (t + 1))
            Ws[i] = (Ws[i] - lr * (mh / (np.sqrt(vh) + eps) + wd * Ws[i].astype(np.float64))).astype(dt)
    out = {k: np.asarray(v) for k, v in hist.items()}
    out["weights"] = Ws
    return out


def nlm_demo_data(rng, n=300, d=20, K=3):
    """Gaussian inputs ``x ~ N(0, I_d)`` labelled by a Gaussian linear teacher, ``y = argmax_k (T x)_k``.

    Linearly separable through the origin, so a bias-free linear softmax can fit every point and then lower
    its loss only by scaling ``W`` (naive loss minimisation).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the data.
    n, d, K : int
        Points, dimension, classes.

    Returns
    -------
    X : numpy.ndarray
        ``(n, d)`` inputs.
    y : numpy.ndarray of int
        Labels in ``0..K−1``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 3 (NLM on separable data); the demo's sizes are ours (``classification-settings.md``).
    """
    rng = check_generator("rng", rng)
    n, d, K = check_integer("n", n, 1), check_integer("d", d, 1), check_integer("K", K, 2)
    X = rng.standard_normal((n, d))
    T = rng.standard_normal((K, d))
    return X, np.argmax(X @ T.T, axis=1)


def modular_grokking_run(p, steps, rng, widths=(200, 200), train_fraction=0.4, loss="softmax", orthograd=False,
                         lr=1e-3, eps=1e-25, weight_decay=0.0, dtype="float32", record_every=10):
    """A grokking run on modular addition: one-hot pairs ``[e_a, e_b]`` → ``(a + b) mod p``, bias-free MLP.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    steps : int
        Full-batch steps.
    rng : numpy.random.Generator
        Source of the split and the initialisation.
    widths : tuple of int
        Hidden widths (the fork: (200, 200)).
    train_fraction : float
        Fraction of the ``p²`` pairs used for training.
    loss, orthograd, lr, eps, weight_decay, dtype, record_every
        As in :func:`train_bias_free_mlp`.

    Returns
    -------
    dict
        The history of :func:`train_bias_free_mlp` (``test_acc`` on the held-out pairs) and the split ``train``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 2 (modular addition, bias-free MLP, no weight decay); A. Power et al., "Grokking",
    arXiv 2201.02177.
    """
    p = check_prime("p", p)
    rng = check_generator("rng", rng)
    a, b, y = modular_table(p, "add")
    tr, te = train_test_split(a.size, train_fraction, rng)
    X = one_hot_pairs(a, b, p)
    out = train_bias_free_mlp(X[tr], y[tr], steps, rng, widths=widths, n_classes=p, X_test=X[te], y_test=y[te],
                              loss=loss, orthograd=orthograd, lr=lr, eps=eps, weight_decay=weight_decay,
                              dtype=dtype, record_every=record_every)
    out["train"] = tr
    return out
