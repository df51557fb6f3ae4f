"""⊥Grad (Prieto et al. 2025) and a bias-free ReLU MLP in NumPy, for the per-layer Euler identity.

⊥Grad, per parameter tensor ``w`` (flattened) with gradient ``g``:
``g_⊥ = g − ⟨w, g⟩/(⟨w, w⟩ + 10^{−30}) w``, then ``g_⊥ ← g_⊥ ‖g‖/(‖g_⊥‖ + 10^{−30})``; the base optimizer then
steps with ``g_⊥``. A bias-free ReLU MLP ``f(x) = W_L σ(W_{L−1} ⋯ σ(W_1 x))`` is positively 1-homogeneous in each
``W_l`` separately, so Euler's identity gives ``⟨∇_{W_l} ℓ, W_l⟩ = ⟨∇_z ℓ, z⟩`` (``z`` the logits of all samples)
for every layer: the component ⊥Grad removes from each tensor is exactly the first-order effect of scaling the
logits, the naive-loss-minimisation (NLM) direction. With biases the identity fails.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_bool

__all__ = ["orthograd_project", "mlp_forward", "mlp_loss_and_grads", "euler_products"]

_EPS = 1e-30


def _arr(name, v):
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a real array") from None
    if a.size == 0 or not np.all(np.isfinite(a)):
        raise InputError(f"{name} must be a non-empty finite real array")
    return a


def orthograd_project(w, g, rescale=True):
    """⊥Grad's update direction for one parameter tensor.

    ``g_⊥ = g − ⟨w, g⟩/(⟨w, w⟩ + 10^{−30}) · w`` (tensors flattened), then, when ``rescale``,
    ``g_⊥ · ‖g‖/(‖g_⊥‖ + 10^{−30})`` so that ``‖g_⊥‖ = ‖g‖``.

    Parameters
    ----------
    w : array_like
        The parameter tensor (any shape, finite).
    g : array_like
        Its gradient, the same shape.
    rescale : bool, default True
        Rescale the projection to the original gradient norm (as the reference implementation does).

    Returns
    -------
    numpy.ndarray
        The projected (and rescaled) gradient, shape of ``g``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 5 (⊥Grad, eq. 9); reference code ``orthograd.py`` (EIFY fork of the authors'
    repository), which adds the norm rescale and the 10^{−30} guards.
    """
    w, g = _arr("w", w), _arr("g", g)
    if w.shape != g.shape:
        raise InputError(f"w and g must have the same shape, got {w.shape} and {g.shape}")
    rescale = check_bool("rescale", rescale)
    wf, gf = w.ravel(), g.ravel()
    gp = gf - (wf @ gf) / (wf @ wf + _EPS) * wf
    if rescale:
        gp = gp * (np.linalg.norm(gf) / (np.linalg.norm(gp) + _EPS))
    return gp.reshape(g.shape)


def _check_net(weights, X, biases):
    if not isinstance(weights, (list, tuple)) or len(weights) < 1:
        raise InputError("weights must be a non-empty list of 2-d arrays (W_1, ..., W_L)")
    Ws = [_arr(f"weights[{i}]", W) for i, W in enumerate(weights)]
    X = _arr("X", X)
    if X.ndim != 2:
        raise InputError(f"X must be 2-d (n, d), got shape {X.shape}")
    fan_in = X.shape[1]
    for i, W in enumerate(Ws):
        if W.ndim != 2 or W.shape[1] != fan_in:
            raise InputError(f"weights[{i}] must have shape (fan_out, {fan_in}), got {W.shape}")
        fan_in = W.shape[0]
    bs = None
    if biases is not None:
        if not isinstance(biases, (list, tuple)) or len(biases) != len(Ws):
            raise InputError("biases must be None or a list with one vector per weight matrix")
        bs = [_arr(f"biases[{i}]", b) for i, b in enumerate(biases)]
        for i, (b, W) in enumerate(zip(bs, Ws)):
            if b.shape != (W.shape[0],):
                raise InputError(f"biases[{i}] must have shape ({W.shape[0]},), got {b.shape}")
    return Ws, X, bs


def mlp_forward(weights, X, biases=None):
    """Logits of a ReLU MLP ``z = W_L σ(⋯ σ(W_1 x + b_1) ⋯) + b_L`` (bias-free when ``biases`` is None).

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``W_l`` of shape ``(n_l, n_{l−1})``, ``n_0 = d``.
    X : array_like
        Inputs, shape ``(n, d)``.
    biases : list of numpy.ndarray, optional
        ``b_l`` of shape ``(n_l,)``.

    Returns
    -------
    numpy.ndarray
        Logits, shape ``(n, n_L)``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 2 (bias-free MLP of the grokking experiments).
    """
    Ws, X, bs = _check_net(weights, X, biases)
    return _forward(Ws, X, bs)[0]


def _forward(Ws, X, bs):
    acts, pre = [X], []
    a = X
    for i, W in enumerate(Ws):
        z = a @ W.T + (bs[i] if bs is not None else 0.0)
        pre.append(z)
        a = np.maximum(z, 0.0) if i < len(Ws) - 1 else z
        acts.append(a)
    return a, acts, pre


def mlp_loss_and_grads(weights, X, y, biases=None):
    """Mean softmax cross-entropy of a ReLU MLP and its exact gradients (backpropagation, float64).

    ``L = (1/n) Σ_i [logsumexp(z_i) − z_{i, y_i}]``, ``∂L/∂z = (softmax(z) − onehot(y))/n``, then
    ``∂L/∂W_l = δ_l^T a_{l−1}`` with ``δ_L = ∂L/∂z`` and ``δ_{l} = (δ_{l+1} W_{l+1}) ⊙ 1[z_l > 0]``.

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``W_l`` of shape ``(n_l, n_{l−1})``.
    X : array_like
        Inputs, shape ``(n, d)``.
    y : array_like of int
        Labels in ``0..n_L − 1``, shape ``(n,)``.
    biases : list of numpy.ndarray, optional
        ``b_l`` of shape ``(n_l,)``; their gradients are not returned.

    Returns
    -------
    loss : float
        The mean cross-entropy.
    grads : list of numpy.ndarray
        ``∂L/∂W_l``, shapes of ``weights``.
    logits : numpy.ndarray
        ``z``, shape ``(n, n_L)``.
    dlogits : numpy.ndarray
        ``∂L/∂z``, shape ``(n, n_L)``.

    References
    ----------
    D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating errors",
    Nature 323 (1986); L. Prieto et al., "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 2 (the loss).
    """
    Ws, X, bs = _check_net(weights, X, biases)
    yy = np.asarray(y)
    K = Ws[-1].shape[0]
    if yy.shape != (X.shape[0],) or not np.issubdtype(yy.dtype, np.integer) or yy.min() < 0 or yy.max() >= K:
        raise InputError(f"y must hold one integer label in 0..{K - 1} per row of X")
    z, acts, pre = _forward(Ws, X, bs)
    n = X.shape[0]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    S = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(S[:, 0]) + m[:, 0] - z[rows, yy]))
    dz = e / S
    dz[rows, yy] -= 1.0
    dz /= n
    grads = [None] * len(Ws)
    delta = dz
    for i in range(len(Ws) - 1, -1, -1):
        grads[i] = delta.T @ acts[i]
        if i > 0:
            delta = (delta @ Ws[i]) * (pre[i - 1] > 0)
    return loss, grads, z, dz


def euler_products(weights, X, y, biases=None):
    """Both sides of the per-layer Euler identity: ``⟨∇_{W_l} L, W_l⟩`` for each layer, and ``⟨∇_z L, z⟩``.

    For a bias-free ReLU MLP every entry of the first list equals the second number (1-homogeneity in each
    ``W_l``); with biases it does not.

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``W_l`` of shape ``(n_l, n_{l−1})``.
    X : array_like
        Inputs, shape ``(n, d)``.
    y : array_like of int
        Labels, shape ``(n,)``.
    biases : list of numpy.ndarray, optional
        ``b_l`` of shape ``(n_l,)``.

    Returns
    -------
    layer_products : numpy.ndarray
        ``⟨∇_{W_l} L, W_l⟩``, shape ``(L,)``.
    logit_product : float
        ``⟨∇_z L, z⟩ = Σ_{i,k} (∂L/∂z_{ik}) z_{ik}``.

    References
    ----------
    L. Prieto, M. Barsbey, P. Mediano, T. Birdal, "Grokking at the Edge of Numerical Stability", ICLR 2025,
    arXiv 2501.04697, Sec. 5 (NLM: scaling homogeneous weights scales the logits); Euler's theorem on
    homogeneous functions (e.g. K. Lyu, J. Li, "Gradient descent maximizes the margin of homogeneous neural
    networks", ICLR 2020, Lemma/eq. for ⟨θ, ∇f⟩ = L f).
    """
    _, grads, z, dz = mlp_loss_and_grads(weights, X, y, biases)
    Ws = [np.asarray(W, dtype=np.float64) for W in weights]
    return np.array([float(np.sum(G * W)) for G, W in zip(grads, Ws)]), float(np.sum(dz * z))
