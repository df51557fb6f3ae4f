"""Diagonal linear networks: GD/SGD batched over many runs at once (seeds, step sizes, initialisations, data).

:func:`run_dynamics_batched` advances ``R`` independent runs of :func:`~.dynamics.run_dynamics` together: each
step is a fixed handful of array operations on ``(R, ...)`` arrays for the whole sweep (batched matrix
products, elementwise updates), in the array-API namespace and on the device of the inputs — the path for a
GPU (CuPy, torch on CUDA, JAX) or any other array library. The divergence check reads the per-step losses on
the host once per window of up to ``_WINDOW`` steps, never once per step. For NumPy inputs the numba kernels
of :mod:`.dynamics_kernels` remain the fast path (one kernel call per run, ``fast`` switch of
:func:`theorylab._fastpath.use_fast`); both paths give each run the iterates of :func:`~.dynamics.run_dynamics`
on that run alone (to rounding: the batched products sum in another order).

SGD sample indices are drawn on the host with each run's NumPy ``Generator``, exactly as the per-run path draws
them (:func:`~.dynamics.batch_index_chunks`), so a seed gives the same run on every backend; they are moved to
the device once per chunk of ``_CHUNK`` steps (and gathered once per window).
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from ..._fastpath import use_fast
from ..._validation import InputError, array_device, check_bool, real_namespace, to_numpy
from .dynamics import _batch_index_chunks, _numba_run
from .model import (_BLOWUP, _CHUNK, PARAMETRIZATIONS, DiagonalParams, Trajectory, _check_batch,
                    _check_parametrization, _check_steps, _diverged)

_WINDOW = 128  # steps between two host reads of the losses (divergence check); divides _CHUNK
_GATHER_ELEMENTS = 1 << 22  # SGD: at most this many gathered entries of X per window (memory bound)
ON_DIVERGENCE = ("raise", "freeze")


@dataclasses.dataclass
class BatchedTrajectory:
    """Result of :func:`run_dynamics_batched`: the final state of ``R`` runs, stacked along axis 0.

    Parameters
    ----------
    beta : array (R, d)
        Final predictors.
    params : DiagonalParams
        Final parameters, ``u`` and ``v`` of shape (R, d).
    log_a : array (R, d) or None
        Σ_k log|1 − c γ_k g_k| per run (when tracked), as in :class:`~.model.Trajectory`.
    log_b : array (R, d) or None
        Σ_k log|1 + c γ_k g_k| per run (when tracked).
    n_steps : ndarray (R,) of int
        Steps each run took (fewer than asked for a run frozen at a divergence).
    diverged : ndarray (R,) of bool
        Runs stopped by the divergence check (``on_divergence="freeze"``); their parameters are the last finite
        ones, before the first step whose loss was not finite or above the blow-up level.
    divergence_loss : ndarray (R,) of float
        That loss for diverged runs, NaN otherwise.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    """

    beta: object
    params: DiagonalParams
    log_a: object
    log_b: object
    n_steps: np.ndarray
    diverged: np.ndarray
    divergence_loss: np.ndarray

    def run(self, r: int) -> Trajectory:
        """The :class:`~.model.Trajectory` of run ``r`` (views of the stacked arrays, no copy to the host).

        Parameters
        ----------
        r : int
            Run index in [0, R).

        Returns
        -------
        Trajectory
            β, parameters and (when tracked) log-factors of run ``r``; ``n_steps`` the steps it took.

        Raises
        ------
        InputError
            For an index outside [0, R).

        References
        ----------
        S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable
        Benefit of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
        """
        R = int(self.n_steps.shape[0])
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or not 0 <= r < R:
            raise InputError(f"r={r!r} is not allowed; a run index in [0, {R}) is")
        r = int(r)
        pick = (lambda a: None if a is None else a[r, ...])
        p = DiagonalParams(pick(self.params.u), pick(self.params.v), self.params.parametrization)
        return Trajectory(pick(self.beta), p, pick(self.log_a), pick(self.log_b), int(self.n_steps[r]))


def _per_run(name, value, R, check):
    """A scalar or a length-R sequence of host numbers, as a list of R checked Python values."""
    if isinstance(value, (list, tuple, np.ndarray)):
        vals = list(np.asarray(value).reshape(-1)) if isinstance(value, np.ndarray) else list(value)
        if len(vals) != R:
            raise InputError(f"{name} has {len(vals)} entries; one number or R={R} numbers (one per run) are allowed")
        return [check(v) for v in vals]
    return [check(value)] * R


def _check_step(v):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)) \
            or not np.isfinite(v) or v <= 0:
        raise InputError(f"step={v!r} is not allowed; a finite number > 0 (or one per run) is")
    return float(v)


def run_dynamics_batched(X, y, u0, v0, *, step, n_steps, parametrization="uu-vv", batch_size=None, rng=None,
                         warmup=0, track=False, on_divergence="raise", fast=None) -> BatchedTrajectory:
    """Run ``R`` GD (``batch_size=None``) or minibatch-SGD runs of a diagonal linear network at once.

    Run ``r`` is :func:`~.dynamics.run_dynamics` on ``(X_r, y_r, u0[r], v0[r])`` with step ``step_r`` for
    ``n_steps_r`` steps and batches from its own generator; runs may differ in seed, step size, initialisation,
    horizon and data. The update (Woodworth et al. 2020 Sec. 4; Pesme et al. 2021 eq. (3)) is that of
    :func:`~.dynamics.run_dynamics`. Arrays are computed in the namespace, on the device and in the floating dtype
    of the inputs (the one way to choose a backend: pass its arrays), with no host synchronisation inside a
    window of up to 128 steps; the results stay there.

    Parameters
    ----------
    X : array (n, d) or (R, n, d)
        One design shared by every run, or one per run.
    y : array (n,) or (R, n)
        Targets, shared or per run (as ``X``).
    u0, v0 : arrays (R, d)
        Initial parameters of each run (not changed).
    step : float or sequence of R floats
        Step size γ > 0 of every run, or one per run.
    n_steps : int or sequence of R ints
        Steps of every run, or one per run (runs that finish early are frozen while the others go on).
    parametrization : {"uu-vv", "uv"}
        β = u⊙u − v⊙v or β = u⊙v (all runs).
    batch_size : int in [1, n] or None
        ``None``: full-batch GD. Otherwise SGD with batches drawn like :func:`~.dynamics.batch_index_chunks`.
    rng : numpy.random.Generator or sequence of R Generators
        SGD only. A sequence: run ``r`` draws its batches from ``rng[r]`` (as ``run_dynamics(..., rng=rng[r])``
        would; each is advanced). One Generator: every run uses the same batch sequence, the one a single run of
        the longest horizon would draw from it (it is advanced by that much). Drawn on the host with NumPy, so a
        seed gives the same batches on every backend, and moved to the device once per 16384 steps.
    warmup : int >= 0
        Linear warm-up length of the step (all runs).
    track : bool
        Accumulate ``log_a``/``log_b``.
    on_divergence : {"raise", "freeze"}
        ``"raise"``: a run whose (batch) loss becomes non-finite or exceeds ``1e30 · max(1, L(β₀))`` raises
        :class:`~.model.DivergenceError` naming the run, the step size, the iteration and the loss (the per-run
        contract). ``"freeze"``: that run stops at its last finite parameters, is flagged in
        ``BatchedTrajectory.diverged``, and the other runs go on.
    fast : bool or None, default None
        The numba kernels run by run (True; NumPy inputs only), the batched array-API loop (False), or the kernels
        exactly when the inputs are NumPy arrays and the package switch is on (None); see
        :func:`theorylab._fastpath.use_fast`. The kernels compute in float64 and round once for float32 inputs.

    Returns
    -------
    BatchedTrajectory
        Final β (R, d), parameters, log-factors (tracked) in the inputs' namespace, device and floating dtype;
        per-run step counts and divergence flags as NumPy arrays.

    Raises
    ------
    InputError
        For inconsistent shapes, namespaces, steps, horizons, batch sizes or generators.
    DivergenceError
        With ``on_divergence="raise"``, when a run diverges.

    References
    ----------
    S. Pesme, L. Pillaud-Vivien, N. Flammarion, "Implicit Bias of SGD for Diagonal Linear Networks: a Provable Benefit
    of Stochasticity", NeurIPS 2021, arXiv:2106.09524.
    B. Woodworth, S. Gunasekar, J. D. Lee, E. Moroshko, P. Savarese, I. Golan, D. Soudry, N. Srebro, "Kernel and Rich
    Regimes in Overparametrized Models", COLT 2020, arXiv:2002.09277, Sec. 4.
    L. Wu, W. J. Su, "The Implicit Regularization of Dynamical Stability in Stochastic Gradient Descent", ICML 2023,
    arXiv:2305.17490 (parameterisation B).
    """
    xp, (X, y, u0, v0) = real_namespace(X=X, y=y, u0=u0, v0=v0)
    mode = _check_parametrization(parametrization)
    track = check_bool("track", track)
    if on_divergence not in ON_DIVERGENCE:
        raise InputError(f"on_divergence={on_divergence!r} is not allowed; choose one of {', '.join(ON_DIVERGENCE)}")
    if u0.ndim != 2 or tuple(v0.shape) != tuple(u0.shape):
        raise InputError(f"u0/v0 have shapes {tuple(u0.shape)}/{tuple(v0.shape)}; equal shapes (R runs, d) are allowed")
    R, d = (int(s) for s in u0.shape)
    if R == 0:
        raise InputError("u0 has no rows; at least one run (R >= 1) is needed")
    shared = X.ndim == 2
    if not ((shared and X.shape[1] == d and y.ndim == 1 and y.shape[0] == X.shape[0])
            or (X.ndim == 3 and tuple(X.shape[::2]) == (R, d) and tuple(y.shape) == tuple(X.shape[:2]))):
        raise InputError(f"X/y have shapes {tuple(X.shape)}/{tuple(y.shape)}; (n, {d})/(n,) shared or "
                         f"({R}, n, {d})/({R}, n) per run are allowed for u0 of shape ({R}, {d})")
    n = int(X.shape[-2])
    if n == 0:
        raise InputError("X has no samples; at least one is needed")
    for name, a in (("X", X), ("y", y), ("u0", u0), ("v0", v0)):
        if not bool(xp.all(xp.isfinite(a))):
            raise InputError(f"{name} contains NaN or inf; finite real numbers are allowed")
    steps = _per_run("step", step, R, _check_step)
    horizons = _per_run("n_steps", n_steps, R, _check_steps)
    if isinstance(warmup, bool) or not isinstance(warmup, (int, np.integer)) or warmup < 0:
        raise InputError(f"warmup={warmup!r} is not allowed; it must be an integer >= 0")
    warmup = int(warmup)
    rngs = None
    if batch_size is not None:
        batch_size = _check_batch(batch_size, n)
        if isinstance(rng, np.random.Generator):
            rngs = rng
        elif isinstance(rng, (list, tuple)) and len(rng) == R and all(isinstance(g, np.random.Generator) for g in rng):
            rngs = list(rng)
        else:
            raise InputError(f"rng={rng!r} is not allowed; SGD needs a numpy.random.Generator or a sequence of "
                             f"R={R} of them")
    is_numpy = all(isinstance(a, np.ndarray) for a in (X, y, u0, v0))
    if use_fast(fast, numpy_inputs=is_numpy):
        return _numba_batched(X, y, u0, v0, mode, steps, horizons, batch_size, rngs, warmup, track, on_divergence)
    with np.errstate(over="ignore", invalid="ignore"):  # a frozen or diverging run may overflow: its values are discarded
        return _array_batched(xp, X, y, u0, v0, mode, steps, horizons, batch_size, rngs, warmup, track, on_divergence)


def _numba_batched(X, y, u0, v0, mode, steps, horizons, batch_size, rngs, warmup, track, on_divergence):
    """The NumPy fast path: one numba kernel call (:func:`~.dynamics._numba_run`) per run."""
    R = len(steps)
    out_dtype = np.result_type(X, y, u0, v0)
    outs = []
    n_done = np.array(horizons, dtype=np.int64)
    diverged = np.zeros(R, dtype=bool)
    dloss = np.full(R, np.nan)
    longest = int(np.argmax(horizons))
    shared_rng = isinstance(rngs, np.random.Generator)
    end_state = None
    for r in range(R):
        g = None
        if rngs is not None:
            g = copy.deepcopy(rngs) if shared_rng else rngs[r]
        Xr, yr = (X, y) if X.ndim == 2 else (X[r], y[r])
        u, v, la, lb, status, k, loss = _numba_run(Xr, yr, u0[r], v0[r], mode, steps[r], warmup, horizons[r],
                                                   batch_size, g, track)
        if shared_rng and r == longest:
            end_state = g.bit_generator.state
        if status:
            if on_divergence == "raise":
                raise _run_diverged(r, steps[r], k, horizons[r], loss)
            diverged[r], n_done[r], dloss[r] = True, k, loss
        outs.append((u, v, la, lb))
    if shared_rng:
        if end_state is None:  # the longest run diverged first: advance as a full run of that horizon would
            for _ in _batch_index_chunks(rngs, X.shape[-2], batch_size, horizons[longest]):
                pass
        else:
            rngs.bit_generator.state = end_state
    u, v, la, lb = (np.stack([o[i] for o in outs]) for i in range(4))
    if out_dtype.kind == "f" and out_dtype.itemsize < 8:
        u, v, la, lb = (a.astype(out_dtype) for a in (u, v, la, lb))
    params = DiagonalParams(u, v, PARAMETRIZATIONS[mode])
    return BatchedTrajectory(params.beta, params, la if track else None, lb if track else None, n_done, diverged,
                             dloss)


def _run_diverged(r, step, k, n_steps, loss):
    err = _diverged(step, k, n_steps, loss)
    return type(err)(f"run {r}: {err}")


def _index_chunks(rngs, R, n, batch_size, horizons, offsets):
    """Host chunks (m, R·B) of sample indices for all runs (zeros past a run's horizon), offset per run."""
    longest = max(horizons)
    if isinstance(rngs, np.random.Generator):
        for idx in _batch_index_chunks(rngs, n, batch_size, longest):
            yield np.tile(idx, (1, R)) + np.repeat(offsets, batch_size)[None, :]
        return
    gens = [_batch_index_chunks(g, n, batch_size, h) for g, h in zip(rngs, horizons)]
    done = 0
    while done < longest:
        m = min(_CHUNK, longest - done)
        out = np.zeros((m, R, batch_size), dtype=np.int64)
        for r, gen in enumerate(gens):
            if done < horizons[r]:
                idx = next(gen)
                out[:idx.shape[0], r, :] = idx
        out += offsets[None, :, None]
        done += m
        yield out.reshape(m, R * batch_size)


def _array_batched(xp, X, y, u0, v0, mode, steps, horizons, batch_size, rngs, warmup, track, on_divergence):
    """The batched array-API loop (any namespace and device).

    The state is kept as (R, 1, d) arrays so that every product is one batched ``matmul`` for shared and per-run
    data alike: residuals ``β (R,1,d) @ Xᵀ → (R,1,B)``, gradients ``r @ X → (R,1,d)``.
    """
    R, d = (int(s) for s in u0.shape)
    n = int(X.shape[-2])
    dev = array_device(X)
    dt = X.dtype
    shared = X.ndim == 2
    c = 2.0 if mode == 0 else 1.0
    B = n if batch_size is None else batch_size

    def col(vals):  # a per-run host column, (R, 1, 1) on the device in the inputs' dtype
        return xp.asarray(np.asarray(vals, dtype=np.float64).reshape(R, 1, 1), dtype=dt, device=dev)

    one = xp.ones((1, 1, 1), dtype=dt, device=dev)  # array operands: Python scalars cost a promotion per op
    u = xp.reshape(xp.asarray(u0, copy=True), (R, 1, d))
    v = xp.reshape(xp.asarray(v0, copy=True), (R, 1, d))
    log_a = xp.zeros((R, 1, d), dtype=dt, device=dev) if track else None
    log_b = xp.zeros((R, 1, d), dtype=dt, device=dev) if track else None
    Xt = xp.matrix_transpose(X)  # (d, n) or (R, d, n)
    yr = xp.reshape(y, (1, 1, n) if shared else (R, 1, n))
    beta = u * u - v * v if mode == 0 else u * v
    r0 = beta @ Xt - yr
    loss0 = to_numpy(xp.reshape(xp.sum(r0 * r0, axis=-1), (R,))).astype(np.float64) / (2 * n)  # one host read
    thr = _BLOWUP * np.maximum(1.0, loss0) * (2 * B)  # compared with Σ r² of a batch (= 2B × its loss)
    cgam = c * np.asarray(steps) / B  # c·γ/B: the batch mean folded into the step
    gam_full = col(cgam)
    horizons = np.asarray(horizons, dtype=np.int64)
    n_done = horizons.copy()
    diverged = np.zeros(R, dtype=bool)
    dloss = np.full(R, np.nan)
    active = horizons > 0
    keep = None  # (mask, (u, v, log_a, log_b)): the frozen values of the inactive runs, restored at window ends
    if not active.all():
        keep = _merge_keep(xp, None, (u, v, log_a, log_b), np.flatnonzero(~active), R, dev)
    if batch_size is not None:
        offsets = np.zeros(R, dtype=np.int64) if shared else np.arange(R, dtype=np.int64) * n
        Xf = X if shared else xp.reshape(X, (R * n, d))
        yf = y if shared else xp.reshape(y, (R * n,))
        chunks = _index_chunks(rngs, R, n, batch_size, list(horizons), offsets)
    longest = int(horizons.max())
    gw = _WINDOW if batch_size is None else max(1, min(_WINDOW, _GATHER_ELEMENTS // max(1, R * B * d)))
    k0 = 0
    idx_dev, c0, c_len = None, 0, 0
    ends = sorted(set(int(h) for h in horizons if 0 < h < longest))
    data = (X, Xt, yr)
    while k0 < longest:
        if batch_size is not None and k0 >= c0 + c_len:
            host = next(chunks)
            c0, c_len = k0, host.shape[0]
            idx_dev = xp.asarray(host, device=dev)  # one move per chunk of _CHUNK steps
        k1 = min(k0 + gw, longest, *(e for e in ends if e > k0))
        if batch_size is not None:
            k1 = min(k1, c0 + c_len)
            # gather the window's batches once: X_b (W, R, B, d), X_bᵀ (W, R, d, B), y_b (W, R, 1, B)
            flat = xp.reshape(idx_dev[k0 - c0:k1 - c0, ...], (-1,))
            Xw = xp.reshape(xp.take(Xf, flat, axis=0), (k1 - k0, R, B, d))
            data = (Xw, xp.matrix_transpose(Xw), xp.reshape(xp.take(yf, flat, axis=0), (k1 - k0, R, 1, B)))
        gamma = [gam_full if warmup <= 0 or k + 1 >= warmup else col(cgam * ((k + 1) / warmup))
                 for k in range(k0, k1)]
        start = (u, v, log_a, log_b)
        state, losses = _window(xp, start, data, batch_size is None, gamma, one, mode, track, None)
        sq = to_numpy(xp.reshape(xp.stack(losses, axis=0), (k1 - k0, R))).astype(np.float64)  # the window's host read
        bad = ~(sq <= thr[None, :]) & active[None, :]
        if bad.any():
            first = np.where(bad.any(axis=0), np.argmax(bad, axis=0), -1)
            hit = np.flatnonzero(first >= 0)
            if on_divergence == "raise":
                r = int(hit[np.argmin(first[hit])])
                raise _run_diverged(r, steps[r], k0 + int(first[r]), int(horizons[r]),
                                    float(sq[first[r], r]) / (2 * B))
            masks = []
            for j in range(k1 - k0):  # replay the window, the newly diverged runs stopping before their bad step
                m = np.ones(R, dtype=bool)
                m[hit] = j < first[hit]
                masks.append(xp.asarray(m.reshape(R, 1, 1), device=dev))
            state, _ = _window(xp, start, data, batch_size is None, gamma, one, mode, track, masks)
            diverged[hit] = True
            n_done[hit] = k0 + first[hit]
            dloss[hit] = sq[first[hit], hit] / (2 * B)
            keep = _merge_keep(xp, keep, state, hit, R, dev)
            active[hit] = False
        u, v, log_a, log_b = state
        k0 = k1
        finishing = np.flatnonzero(active & (horizons == k0))
        if finishing.size:
            keep = _merge_keep(xp, keep, state, finishing, R, dev)
            active[finishing] = False
        if keep is not None and not active.all():
            m = xp.asarray(active.reshape(R, 1, 1), device=dev)
            u, v = xp.where(m, u, keep[1][0]), xp.where(m, v, keep[1][1])
            if track:
                log_a, log_b = xp.where(m, log_a, keep[1][2]), xp.where(m, log_b, keep[1][3])
    u, v = xp.reshape(u, (R, d)), xp.reshape(v, (R, d))
    if track:
        log_a, log_b = xp.reshape(log_a, (R, d)), xp.reshape(log_b, (R, d))
    params = DiagonalParams(u, v, PARAMETRIZATIONS[mode])
    return BatchedTrajectory(params.beta, params, log_a, log_b, n_done, diverged, dloss)


def _merge_keep(xp, keep, state, runs, R, dev):
    """Record the current state of ``runs`` as their frozen values (the other frozen runs unchanged)."""
    m = np.zeros(R, dtype=bool)
    m[runs] = True
    if keep is None:
        return (m, tuple(state))
    mm = xp.asarray(m.reshape(R, 1, 1), device=dev)
    merged = tuple(None if s is None else xp.where(mm, s, k) for s, k in zip(state, keep[1]))
    return (keep[0] | m, merged)


def _window(xp, state, data, full_batch, gamma, one, mode, track, masks):
    """Steps of one window from ``state``: the new state and the per-step Σr² (R, 1) of each batch.

    ``data``: ``(X, Xᵀ, y)`` for GD, or the window's gathered batches ``(X_b, X_bᵀ, y_b)`` (one per step along
    axis 0) for SGD. ``masks`` (one (R, 1, 1) boolean per step, or None): runs where it is False keep their state.
    """
    u, v, log_a, log_b = state
    Xs, Xts, ys = data
    losses = []
    for j, cg in enumerate(gamma):
        if full_batch:
            Xb, Xbt, yb = Xs, Xts, ys
        else:
            Xb, Xbt, yb = Xs[j, ...], Xts[j, ...], ys[j, ...]
        beta = u * u - v * v if mode == 0 else u * v
        r = beta @ Xbt - yb  # (R, 1, B)
        losses.append(xp.sum(r * r, axis=-1))
        x = (r @ Xb) * cg  # c γ_k ∇L_B(β), (R, 1, d)
        if mode == 0:
            a, b = one - x, one + x
            un, vn = u * a, v * b
        else:
            un, vn = u - x * v, v - x * u
            if track:
                a, b = one - x, one + x
        if track:
            lan, lbn = log_a + xp.log(xp.abs(a)), log_b + xp.log(xp.abs(b))
        if masks is not None:
            m = masks[j]
            un, vn = xp.where(m, un, u), xp.where(m, vn, v)
            if track:
                lan, lbn = xp.where(m, lan, log_a), xp.where(m, lbn, log_b)
        u, v = un, vn
        if track:
            log_a, log_b = lan, lbn
    return (u, v, log_a, log_b), losses


__all__ = ["ON_DIVERGENCE", "BatchedTrajectory", "run_dynamics_batched"]
