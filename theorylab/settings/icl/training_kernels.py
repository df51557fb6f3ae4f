"""Numba fast path of :func:`theorylab.settings.icl.reduced_lsa.loss_grad_reference` (NumPy float64 inputs).

``_loss_grad_numba(X, y, xq, yq, b, A, mask)`` returns the same (loss, ∂/∂b, ∂/∂A) as the reference, to
rounding; the pair is tested equal.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _loss_grad_numba(X, y, xq, yq, b, A, mask):  # pragma: no cover - compiled
    B, n, d = X.shape
    D = d + 1
    gb = np.zeros(D)
    gA = np.zeros((D, d))
    G = np.empty((D, D))
    z = np.empty(D)
    Ax = np.empty(D)
    u = np.empty(D)
    v = np.empty(D)
    loss = 0.0
    for k in range(B):
        for p in range(D):
            for q in range(D):
                G[p, q] = 0.0
        for i in range(n):
            for p in range(d):
                z[p] = X[k, i, p]
            z[d] = y[k, i]
            for p in range(D):
                zp = z[p]
                for q in range(p, D):
                    G[p, q] += zp * z[q]
        if not mask:
            for p in range(d):
                for q in range(p, d):
                    G[p, q] += xq[k, p] * xq[k, q]
        for p in range(D):
            for q in range(p, D):
                G[p, q] /= n
                G[q, p] = G[p, q]
        for p in range(D):
            s = 0.0
            for j in range(d):
                s += A[p, j] * xq[k, j]
            Ax[p] = s
        yhat = 0.0
        for p in range(D):
            s = 0.0
            t = 0.0
            for q in range(D):
                s += G[p, q] * Ax[q]
                t += G[p, q] * b[q]
            u[p] = s
            v[p] = t
            yhat += b[p] * s
        r = yhat - yq[k]
        loss += r * r
        for p in range(D):
            gb[p] += 2.0 * r * u[p]
            for j in range(d):
                gA[p, j] += 2.0 * r * v[p] * xq[k, j]
    return loss / B, gb / B, gA / B


