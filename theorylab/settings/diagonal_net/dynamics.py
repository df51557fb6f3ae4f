"""Diagonal linear networks: the discrete GD/SGD dynamics (minibatches, numba kernels, array-API reference loop).

GD/SGD run as numba kernels for NumPy inputs (:mod:`.dynamics_kernels`) or as the array-API reference loop
(:func:`run_dynamics_reference`, any namespace), chosen by ``fast`` (:func:`theorylab._fastpath.use_fast`).
GD and SGD share one update loop (``batch_size=None`` is GD), so they stay in one module; many runs at once (a
sweep over seeds, steps, initialisations) are :func:`~.batched.run_dynamics_batched`. Gradient flow, the
multiplicative identity and the effective scale live in :mod:`.flow` and are re-exported here.
"""
from __future__ import annotations


import warnings

import numpy as np

from ..._fastpath import use_fast
from ..._validation import (InputError, array_device, check_bool, check_generator, check_integer, check_positive,
                            namespace_of, real_namespace)
from . import dynamics_kernels as _k
from .flow import effective_alpha, gradient_flow, multiplicative_identity
from .model import (_BLOWUP, _CHUNK, PARAMETRIZATIONS, DiagonalParams, Trajectory, _check_batch,
                    _check_parametrization, _check_steps, _diverged, check_data, predictor, train_loss)

_SYNC_EVERY = 64  # the reference loop reads its losses (divergence check) on the host once per this many steps

# ----------------------------------------------------------------------------- batches
def batch_index_chunks(rng: np.random.Generator, n: int, batch_size: int, n_steps: int):
    """Yield int64 arrays of shape (m, batch_size) of sample indices, ``_CHUNK`` steps at a time.

    Each batch is ``batch_size`` distinct indices drawn uniformly without replacement, independently
    across steps (batch 1: i.i.d. uniform indices). Both the numba and the reference path consume this
    generator, so the same ``rng`` state gives the same batches.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the batches.
    n : int
        Number of samples.
    batch_size : int
        Batch size in [1, n].
    n_steps : int
        Total number of steps.

    Returns
    -------
    iterator of ndarray (m, batch_size)
        A generator of int64 sample indices, m ≤ ``_CHUNK`` steps per array.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    return _batch_index_chunks(check_generator("rng", rng), check_integer("n", n),
                               _check_batch(batch_size, check_integer("n", n)), _check_steps(n_steps))


def _batch_index_chunks(rng, n, batch_size, n_steps):
    done = 0
    while done < n_steps:
        m = min(_CHUNK, n_steps - done)
        if batch_size == 1:
            idx = rng.integers(0, n, size=(m, 1), dtype=np.int64)
        elif batch_size == n:
            idx = np.broadcast_to(np.arange(n, dtype=np.int64), (m, n)).copy()
        else:
            idx = np.argsort(rng.random((m, n)), axis=1)[:, :batch_size].astype(np.int64)
        done += m
        yield idx


# ----------------------------------------------------------------------------- dynamics
def run_dynamics(X, y, u0, v0, *, step, n_steps, parametrization="uu-vv", batch_size=None, rng=None,
                 warmup=0, track=False, fast=None, reference=None) -> Trajectory:
    """Run GD (``batch_size=None``) or minibatch SGD on a diagonal linear network.

    Update (Woodworth et al. 2020 Sec. 4; Pesme et al. 2021 eq. (3)): with ``g_k = ∇_β L_{B_k}(β_k)``,
    ``L_B(β) = (1/2|B|) Σ_{i∈B} (x_iᵀβ − y_i)²`` and ``γ_k = step · min(1, (k+1)/warmup)``,

    * ``"uu-vv"``: ``u_{k+1} = u_k ⊙ (1 − 2γ_k g_k)``, ``v_{k+1} = v_k ⊙ (1 + 2γ_k g_k)``;
    * ``"uv"``: ``u_{k+1} = u_k − γ_k v_k ⊙ g_k``, ``v_{k+1} = v_k − γ_k u_k ⊙ g_k``.

    Parameters
    ----------
    X, y : arrays (n × d), (n,)
    u0, v0 : arrays (d,)
        Initial parameters (copied).
    step : float > 0
    n_steps : int >= 0
    parametrization : {"uu-vv", "uv"}
    batch_size : int in [1, n] or None
        ``None``: full-batch GD. Otherwise SGD with batches from :func:`batch_index_chunks`.
    rng : numpy.random.Generator
        Required for SGD.
    warmup : int >= 0
        Linear warm-up length of the step (0: none).
    track : bool
        Accumulate ``log_a``/``log_b`` of :class:`Trajectory`.
    fast : bool or None, default None
        The numba kernels (True), the array-API reference loop :func:`run_dynamics_reference` (False), or
        the kernels exactly when the inputs are NumPy arrays and the package switch is on (None); see
        :func:`theorylab._fastpath.use_fast`.
    reference : bool, optional
        Deprecated: ``reference=True`` is ``fast=False`` and ``reference=False`` is ``fast=None``.

    Raises
    ------
    DivergenceError
        When the (batch) loss becomes non-finite or exceeds ``1e30 · max(1, L(β₀))``; names the step,
        iteration and loss. No NaN is ever returned.

    Returns
    -------
    Trajectory
        Final β, parameters and (when tracked) log_a/log_b, in the inputs' namespace, device and floating dtype
        (the numba kernels compute in float64 and round the result once for float32 inputs).

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490 (parameterisation B).
    """
    xp, X, y = check_data(X, y)
    step = check_positive("step", step)
    n_steps = _check_steps(n_steps)
    mode = _check_parametrization(parametrization)
    track = check_bool("track", track)
    if reference is not None:
        warnings.warn("run_dynamics(reference=...) is deprecated; use fast=False (reference=True) or fast=None",
                      DeprecationWarning, stacklevel=2)
        if check_bool("reference", reference):
            if fast:
                raise InputError("reference=True and fast=True contradict each other; pass fast only")
            fast = False
    xp0, (u0, v0) = real_namespace(u0=u0, v0=v0)
    d = X.shape[1]
    if tuple(u0.shape) != (d,) or tuple(v0.shape) != (d,):
        raise InputError(f"u0/v0 have shapes {tuple(u0.shape)}/{tuple(v0.shape)}; shape ({d},) is allowed")
    if not (bool(xp0.all(xp0.isfinite(u0))) and bool(xp0.all(xp0.isfinite(v0)))):
        raise InputError("u0 or v0 contains NaN or inf; finite initial parameters are allowed")
    if isinstance(warmup, bool) or not isinstance(warmup, (int, np.integer)) or warmup < 0:
        raise InputError(f"warmup={warmup!r} is not allowed; it must be an integer >= 0")
    if batch_size is not None:
        batch_size = _check_batch(batch_size, X.shape[0])
        if not isinstance(rng, np.random.Generator):
            raise InputError(f"rng={rng!r} is not allowed; SGD needs a numpy.random.Generator")
    is_numpy = all(isinstance(a, np.ndarray) for a in (X, y, u0, v0))
    if not use_fast(fast, numpy_inputs=is_numpy):
        return run_dynamics_reference(X, y, u0, v0, step=step, n_steps=n_steps, mode=mode,
                                      batch_size=batch_size, rng=rng, warmup=int(warmup), track=track)
    out_dtype = np.result_type(X, y, u0, v0)  # float32 inputs: float64 kernels, the result rounded once to float32
    u, v, log_a, log_b, status, k, loss = _numba_run(X, y, u0, v0, mode, step, int(warmup), n_steps, batch_size,
                                                     rng, track)
    if status:
        raise _diverged(step, k, n_steps, loss)
    if out_dtype.kind == "f" and out_dtype.itemsize < 8:
        u, v, log_a, log_b = (a.astype(out_dtype) for a in (u, v, log_a, log_b))
    params = DiagonalParams(u, v, parametrization)
    return Trajectory(predictor(params), params, log_a if track else None, log_b if track else None, n_steps)



def _numba_run(X, y, u0, v0, mode, step, warmup, n_steps, batch_size, rng, track):
    """The numba path of :func:`run_dynamics` on NumPy inputs (float64 copies; ``u0``/``v0`` are not changed).

    Returns ``(u, v, log_a, log_b, status, k, loss)``: the kernels' contract (``status`` 1: stopped before step
    ``k`` whose loss ``loss`` was not finite or above the blow-up level; ``u``/``v`` the last finite parameters).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    u = np.array(u0, dtype=np.float64)
    v = np.array(v0, dtype=np.float64)
    d = X.shape[1]
    log_a = np.zeros(d)
    log_b = np.zeros(d)
    blowup = _BLOWUP * max(1.0, train_loss(X, y, predictor(DiagonalParams(u, v, PARAMETRIZATIONS[mode]))))
    if batch_size is None:
        status, k, loss = _k.gd_kernel(X, y, u, v, mode, step, warmup, 0, n_steps, bool(track), log_a, log_b, blowup)
        return u, v, log_a, log_b, status, k, loss
    k0 = 0
    for idx in _batch_index_chunks(rng, X.shape[0], batch_size, n_steps):
        status, k, loss = _k.sgd_kernel(X, y, u, v, mode, step, warmup, k0, idx, bool(track), log_a, log_b, blowup)
        if status:
            return u, v, log_a, log_b, status, k, loss
        k0 += idx.shape[0]
    return u, v, log_a, log_b, 0, k0, 0.0

def run_dynamics_reference(X, y, u0, v0, *, step, n_steps, mode, batch_size, rng, warmup, track):
    """Array-API reference loop with the contract of :func:`run_dynamics` (one step per Python iteration).

    The per-step losses of the divergence check stay on the device and are read on the host once per 64 steps
    (and at the end); a divergence raises the same :class:`DivergenceError` (first offending step and its loss).

    Parameters
    ----------
    X : array (n, d)
        Design (validated).
    y : array (n,)
        Targets.
    u0 : array (d,)
        Initial u.
    v0 : array (d,)
        Initial v.
    step : float
        Step size γ > 0.
    n_steps : int
        Number of steps.
    mode : int
        0 for "uu-vv", 1 for "uv".
    batch_size : int or None
        None for GD, else the SGD batch size.
    rng : numpy.random.Generator or None
        Batch source (SGD).
    warmup : int
        Linear warm-up length.
    track : bool
        Accumulate log_a/log_b.

    Returns
    -------
    Trajectory
        As :func:`run_dynamics`.

    Raises
    ------
    DivergenceError
        When the loss becomes non-finite or explodes.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    xp, (X, y, u, v) = namespace_of(X, y, u0, v0)
    u = xp.asarray(u, copy=True)
    v = xp.asarray(v, copy=True)
    n, d = X.shape
    c = 2.0 if mode == 0 else 1.0
    dev = array_device(X)
    log_a = xp.zeros(d, dtype=X.dtype, device=dev)
    log_b = xp.zeros(d, dtype=X.dtype, device=dev)
    par = PARAMETRIZATIONS[mode]
    loss0 = train_loss(X, y, predictor(DiagonalParams(u, v, par)))
    blowup = _BLOWUP * max(1.0, loss0)

    def batches():
        if batch_size is None:
            for _ in range(n_steps):
                yield None
        else:
            for chunk in _batch_index_chunks(rng, n, batch_size, n_steps):
                for row in chunk:
                    yield xp.asarray(row, device=dev)

    pending = []  # the losses of the steps not yet read on the host (one sync per _SYNC_EVERY steps)

    def check_pending(k_next):
        if not pending:
            return
        losses = xp.stack(pending)
        bad = xp.logical_not(losses <= blowup)
        k_first = k_next - len(pending)
        pending.clear()
        if bool(xp.any(bad)):
            j = int(xp.argmax(xp.astype(bad, xp.int8)))
            raise _diverged(step, k_first + j, n_steps, float(losses[j]))

    with np.errstate(over="ignore", invalid="ignore"):  # a diverged run overflows before its check raises
        for k, rows in enumerate(batches()):
            if len(pending) == _SYNC_EVERY:
                check_pending(k)
            beta = u * u - v * v if mode == 0 else u * v
            Xb = X if rows is None else xp.take(X, rows, axis=0)
            yb = y if rows is None else xp.take(y, rows, axis=0)
            r = Xb @ beta - yb
            pending.append(xp.sum(r * r) / (2 * Xb.shape[0]))
            u, v, log_a, log_b = _reference_update(xp, Xb, r, u, v, log_a, log_b, k, c, step, warmup, mode, track)
        check_pending(n_steps)
    params = DiagonalParams(u, v, par)
    return Trajectory(predictor(params), params, log_a if track else None, log_b if track else None, n_steps)


def _reference_update(xp, Xb, r, u, v, log_a, log_b, k, c, step, warmup, mode, track):
    """One step of :func:`run_dynamics_reference` from the batch residual ``r`` (no host sync)."""
    g = (r @ Xb) / Xb.shape[0]
    gamma = step if warmup <= 0 or k + 1 >= warmup else step * (k + 1) / warmup
    x = c * gamma * g
    if mode == 0:
        u, v = u * (1.0 - x), v * (1.0 + x)
    else:
        u, v = u - x * v, v - x * u
    if track:
        log_a = log_a + xp.log(xp.abs(1.0 - x))
        log_b = log_b + xp.log(xp.abs(1.0 + x))
    return u, v, log_a, log_b


def _alpha_init(X, alpha):
    alpha = check_positive("alpha", alpha)
    xp, (X,) = namespace_of(X)
    u0 = xp.full((X.shape[1],), alpha, dtype=X.dtype, device=array_device(X))
    return u0, xp.asarray(u0, copy=True)


def train_gd(X, y, alpha, step, n_steps):
    """Full-batch GD on β = u⊙u − v⊙v from u₀ = v₀ = α𝟏.

    Step u ← u ⊙ (1 − 2γ∇L(β)), v ← v ⊙ (1 + 2γ∇L(β)) with L = (1/2n)‖Xβ − y‖².

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    alpha : float
        Initialisation scale α > 0.
    step : float
        Step size γ > 0.
    n_steps : int
        Number of steps ≥ 0.

    Returns
    -------
    beta : array (d,)
        Final predictor.
    params : DiagonalParams
        Final parameters.

    Raises
    ------
    InputError
        For invalid data, α, γ or n_steps; DivergenceError when GD diverges.

    References
    ----------
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    """
    u0, v0 = _alpha_init(X, alpha)
    tr = run_dynamics(X, y, u0, v0, step=step, n_steps=n_steps)
    return tr.beta, tr.params


def train_sgd(X, y, alpha, step, n_steps, batch_size, rng):
    """Minibatch SGD on β = u⊙u − v⊙v from u₀ = v₀ = α𝟏.

    Each step uses g = (1/B) Σ_{i∈B} (x_iᵀβ − y_i) x_i over a batch of ``batch_size`` distinct indices drawn
    with ``rng``; u ← u ⊙ (1 − 2γg), v ← v ⊙ (1 + 2γg).

    Parameters
    ----------
    X : array (n, d)
        Design.
    y : array (n,)
        Targets.
    alpha : float
        Initialisation scale α > 0.
    step : float
        Step size γ > 0.
    n_steps : int
        Number of steps ≥ 0.
    batch_size : int
        Batch size B in [1, n].
    rng : numpy.random.Generator
        Batch source.

    Returns
    -------
    beta : array (d,)
        Final predictor.
    params : DiagonalParams
        Final parameters.

    Raises
    ------
    InputError
        For invalid arguments; DivergenceError when SGD diverges.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524, eq. (3).
    """
    u0, v0 = _alpha_init(X, alpha)
    tr = run_dynamics(X, y, u0, v0, step=step, n_steps=n_steps, batch_size=batch_size, rng=rng)
    return tr.beta, tr.params


__all__ = ["batch_index_chunks", "run_dynamics", "run_dynamics_reference", "train_gd", "train_sgd",
           "multiplicative_identity", "effective_alpha", "gradient_flow"]
