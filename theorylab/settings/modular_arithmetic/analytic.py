"""Gromov's analytic solution of modular addition: a two-layer network with quadratic activation.

``f_q(n, m) = Σ_k W_{qk} (U_{kn} + V_{km})²`` with ``U_{kn} = cos(2πσ_k n/p + φ_k)``,
``V_{km} = cos(2πσ_k m/p + ψ_k)``, ``W_{qk} = cos(2πσ_k q/p + φ_k + ψ_k)``. Expanding
``(cos a + cos b)² cos c`` leaves one phase-free term ``cos(a + b − c)/2 = cos(2πσ(n + m − q)/p)/2`` and terms with
phases ``φ+ψ, 3φ+ψ, φ+3ψ, φ−ψ, 2φ+2ψ, 2φ, 2ψ``. The coherent logits
``f^coh_q(n, m) = ½ Σ_k cos(2πσ_k(n + m − q)/p)`` peak uniquely at ``q ≡ n + m`` for prime ``p``. On a ``J × J``
phase grid ``(φ, ψ) = (2πu/J, 2πv/J)`` per frequency every incoherent term sums to zero iff ``J ≥ 3``, so then
``f = f^coh`` exactly and the accuracy is 100%.
"""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_choice, check_generator, check_integer
from ._checks import check_prime

__all__ = ["fourier_weights", "grid_weights", "random_fourier_weights", "quadratic_logits", "coherent_logits",
           "coherent_logits_all_frequencies", "modular_accuracy"]

_PHASES = ("sum", "difference")


def _freqs(p, sigma):
    s = np.atleast_1d(np.asarray(sigma))
    if s.ndim != 1 or s.size == 0 or not np.issubdtype(s.dtype, np.integer) or np.any(s % p == 0):
        raise InputError(f"frequencies must be a non-empty 1-d integer array with no multiple of p={p}")
    return s.astype(np.int64)


def _phase(name, v, n):
    a = np.atleast_1d(np.asarray(v, dtype=np.float64))
    if a.shape != (n,) or not np.all(np.isfinite(a)):
        raise InputError(f"{name} must be a finite 1-d array with one phase per neuron ({n})")
    return a


def fourier_weights(p, sigma, phi, psi, output_phase="sum"):
    """Weights ``U, V, W`` of the Fourier network for given per-neuron frequencies and phases.

    ``U_{kn} = cos(2πσ_k n/p + φ_k)``, ``V_{km} = cos(2πσ_k m/p + ψ_k)``,
    ``W_{qk} = cos(2πσ_k q/p + φ_k ± ψ_k)`` (``+`` for ``output_phase="sum"``, Gromov's form; ``−`` for the
    ``"difference"`` control, which destroys the coherent term).

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    sigma : array_like of int
        Frequency of each of the N neurons (not a multiple of ``p``).
    phi, psi : array_like of float
        Input phases of each neuron, shape ``(N,)``.
    output_phase : {"sum", "difference"}
        Output phase ``φ + ψ`` or ``φ − ψ``.

    Returns
    -------
    U, V : numpy.ndarray
        Shape ``(N, p)``.
    W : numpy.ndarray
        Shape ``(p, N)``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (the analytic solution, eq. 5–7).
    """
    p = check_prime("p", p)
    s = _freqs(p, sigma)
    phi, psi = _phase("phi", phi, s.size), _phase("psi", psi, s.size)
    check_choice("output_phase", output_phase, _PHASES)
    r = np.arange(p)
    ang = 2 * np.pi * np.outer(s, r) / p
    U = np.cos(ang + phi[:, None])
    V = np.cos(ang + psi[:, None])
    out = phi + psi if output_phase == "sum" else phi - psi
    W = np.cos(ang + out[:, None]).T
    return U, V, W


def grid_weights(p, frequencies, J=3, output_phase="sum"):
    """Fourier network with a ``J × J`` phase grid ``(2πu/J, 2πv/J)``, ``u, v = 0..J−1``, for each frequency.

    ``N = J² · len(frequencies)`` neurons; for ``J ≥ 3`` the network's logits equal the coherent part exactly.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    frequencies : array_like of int
        Distinct or repeated frequencies (no multiple of ``p``).
    J : int
        Grid size (≥ 1).
    output_phase : {"sum", "difference"}
        See :func:`fourier_weights`.

    Returns
    -------
    U, V, W : numpy.ndarray
        As in :func:`fourier_weights`.
    sigma : numpy.ndarray
        The per-neuron frequencies, shape ``(N,)``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (phases summed over to cancel the
    incoherent terms); the grid construction and the ``J ≥ 3`` condition are derived here.
    """
    p = check_prime("p", p)
    f = _freqs(p, frequencies)
    J = check_integer("J", J, 1)
    u, v = (g.ravel() for g in np.meshgrid(np.arange(J), np.arange(J), indexing="ij"))
    sigma = np.repeat(f, J * J)
    phi = np.tile(2 * np.pi * u / J, f.size)
    psi = np.tile(2 * np.pi * v / J, f.size)
    U, V, W = fourier_weights(p, sigma, phi, psi, output_phase)
    return U, V, W, sigma


def random_fourier_weights(p, n_neurons, rng, output_phase="sum"):
    """Fourier network with i.i.d. uniform frequencies in ``1..(p−1)/2`` and phases in ``[0, 2π)``.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    n_neurons : int
        ``N ≥ 1``.
    rng : numpy.random.Generator
        Source of frequencies and phases.
    output_phase : {"sum", "difference"}
        See :func:`fourier_weights`.

    Returns
    -------
    U, V, W : numpy.ndarray
        As in :func:`fourier_weights`.
    sigma : numpy.ndarray
        Per-neuron frequencies.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (random phases: the incoherent part is
    a sum of ``N`` random terms, ``O(√N)`` against the coherent ``N/2``).
    """
    p = check_prime("p", p)
    N = check_integer("n_neurons", n_neurons, 1)
    rng = check_generator("rng", rng)
    sigma = rng.integers(1, (p - 1) // 2 + 1, size=N)
    phi, psi = rng.uniform(0, 2 * np.pi, N), rng.uniform(0, 2 * np.pi, N)
    U, V, W = fourier_weights(p, sigma, phi, psi, output_phase)
    return U, V, W, sigma


def quadratic_logits(U, V, W):
    """Logits ``f_q(n, m) = Σ_k W_{qk} (U_{kn} + V_{km})²`` of the quadratic network on all ``p²`` pairs.

    Parameters
    ----------
    U, V : array_like
        Input weights, shape ``(N, p)`` (columns = one-hot inputs ``e_n``, ``e_m``).
    W : array_like
        Output weights, shape ``(p_out, N)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(p, p, p_out)``: ``[n, m, q]``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 2 (two-layer network, quadratic
    activation, eq. 2).
    """
    U, V, W = (np.asarray(a, dtype=np.float64) for a in (U, V, W))
    if U.ndim != 2 or U.shape != V.shape or W.ndim != 2 or W.shape[1] != U.shape[0]:
        raise InputError("U and V must be (N, p) and W must be (p_out, N)")
    if not (np.all(np.isfinite(U)) and np.all(np.isfinite(V)) and np.all(np.isfinite(W))):
        raise InputError("U, V and W must be finite")
    N, p = U.shape
    h = (U.T[:, None, :] + V.T[None, :, :]) ** 2  # (p, p, N)
    return (h.reshape(p * p, N) @ W.T).reshape(p, p, W.shape[0])


def coherent_logits(p, sigma):
    """The phase-free part ``f^coh_q(n, m) = ½ Σ_k cos(2πσ_k (n + m − q)/p)`` on all pairs.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    sigma : array_like of int
        Per-neuron frequencies (repeats count).

    Returns
    -------
    numpy.ndarray
        Shape ``(p, p, p)``: ``[n, m, q]``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (the term that survives the phase sum).
    """
    p = check_prime("p", p)
    s = _freqs(p, sigma)
    d = (np.arange(p)[:, None, None] + np.arange(p)[None, :, None] - np.arange(p)[None, None, :]) % p
    freq, count = np.unique(s % p, return_counts=True)
    c = np.zeros(p)
    for f, k in zip(freq, count):
        c += 0.5 * k * np.cos(2 * np.pi * f * np.arange(p) / p)
    return c[d]


def coherent_logits_all_frequencies(p, multiplicity=1):
    """Closed form of :func:`coherent_logits` when every frequency ``1..(p−1)/2`` appears ``M`` times.

    ``Σ_{σ=1}^{(p−1)/2} cos(2πσd/p) = (p·1[d ≡ 0] − 1)/2``, so ``f^coh = (M/4)(p·1[n + m ≡ q] − 1)``.

    Parameters
    ----------
    p : int
        Modulus, a prime ≥ 3.
    multiplicity : int
        ``M ≥ 1`` neurons per frequency (``J²`` for the grid construction).

    Returns
    -------
    numpy.ndarray
        Shape ``(p, p, p)``: ``[n, m, q]``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3; the Dirichlet-kernel sum
    ``Σ_{σ=−(p−1)/2}^{(p−1)/2} e^{2πiσd/p} = p·1[d ≡ 0]``.
    """
    p = check_prime("p", p)
    M = check_integer("multiplicity", multiplicity, 1)
    d = (np.arange(p)[:, None, None] + np.arange(p)[None, :, None] - np.arange(p)[None, None, :]) % p
    return 0.25 * M * (p * (d == 0) - 1.0)


def modular_accuracy(logits, p):
    """Fraction of pairs ``(n, m)`` whose arg-max logit is ``(n + m) mod p`` (ties count as wrong).

    Parameters
    ----------
    logits : array_like
        Shape ``(p, p, p)``: ``[n, m, q]``.
    p : int
        Modulus, a prime ≥ 3.

    Returns
    -------
    float
        Accuracy in ``[0, 1]``.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (100% accuracy of the construction).
    """
    p = check_prime("p", p)
    f = np.asarray(logits, dtype=np.float64)
    if f.shape != (p, p, p) or not np.all(np.isfinite(f)):
        raise InputError(f"logits must be a finite array of shape ({p}, {p}, {p})")
    target = (np.arange(p)[:, None] + np.arange(p)[None, :]) % p
    top = f.max(axis=2)
    hit = np.take_along_axis(f, target[:, :, None], axis=2)[:, :, 0] == top
    unique = (f == top[:, :, None]).sum(axis=2) == 1
    return float(np.mean(hit & unique))
