"""Random multi-class score functions h: ℝ^d → ℝ^n, the hypotheses of the adversarial comp-sum checks."""
from __future__ import annotations

import numpy as np

__all__ = ["random_tanh_net"]


def random_tanh_net(rng, d, n, width=8):
    """A random one-hidden-layer tanh network x ↦ W₂ tanh(W₁ x + b₁) + b₂, scores for n classes.

    W₁ (width × d) and W₂ (n × width) have N(0, 1) entries, b₁ and b₂ N(0, 0.5²) entries, drawn in the
    order W₁, b₁, W₂, b₂. A smooth, non-linear hypothesis on which the adversarial comp-sum inequalities of
    Mao, Mohri, Zhong (2023) are checked.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    d : int
        Input dimension.
    n : int
        Number of classes (score dimension).
    width : int, default 8
        Hidden width.

    Returns
    -------
    callable
        ``h(X)``: an (m, d) array of inputs to the (m, n) array of scores.

    References
    ----------
    A. Mao, M. Mohri, Y. Zhong, "Cross-Entropy Loss Functions: Theoretical Analysis and Applications", ICML 2023,
    arXiv:2304.07288 (adversarial comp-sum losses).
    """
    W1, b1 = rng.normal(0, 1, (width, d)), rng.normal(0, 0.5, width)
    W2, b2 = rng.normal(0, 1, (n, width)), rng.normal(0, 0.5, n)
    return lambda X: np.tanh(X @ W1.T + b1) @ W2.T + b2
