"""Benchmark: batch-1 SGD on a diagonal linear network (d = 100, n = 40), numba kernel vs NumPy reference loop.

The numba kernel runs the full 10⁶ steps. The NumPy reference loop (one Python iteration per step,
``run_dynamics(..., fast=False)``) runs the same seed and the same first ``--numpy-steps`` steps
(default 20 000) and its time is EXTRAPOLATED linearly to 10⁶ steps; the script says so in its output.
Both paths are first checked to give the same parameters on those steps.

Usage: python benchmarks/bench_diagonal_net.py [--steps 1000000] [--numpy-steps 20000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorylab.settings import diagonal_net as dn


def plain_numpy_sgd(X, y, u0, v0, step, n_steps, rng):
    """Hand-written NumPy loop (batch 1, "uu-vv"), same batches as ``run_dynamics`` for the same rng."""
    u, v = u0.copy(), v0.copy()
    for idx in dn.batch_index_chunks(rng, X.shape[0], 1, n_steps):
        for i in idx[:, 0]:
            x = X[i]
            r = x @ (u * u - v * v) - y[i]
            t = (2.0 * step * r) * x
            u *= 1.0 - t
            v *= 1.0 + t
    return u * u - v * v


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--numpy-steps", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    n, d = 40, 100
    X, y, _, _, _ = dn.sparse_regression(n, d, 3, np.random.default_rng(args.seed))
    u0 = np.full(d, 0.1)
    kw = dict(step=0.01, parametrization="uu-vv", batch_size=1)

    # warm-up (numba compile / cache load), not timed
    dn.run_dynamics(X, y, u0, u0, n_steps=10, rng=np.random.default_rng(1), **kw)

    t0 = time.perf_counter()
    fast_np = dn.run_dynamics(X, y, u0, u0, n_steps=args.numpy_steps, rng=np.random.default_rng(1), **kw)
    t_fast_short = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = dn.run_dynamics(X, y, u0, u0, n_steps=args.numpy_steps, rng=np.random.default_rng(1), fast=False, **kw)
    t_ref = time.perf_counter() - t0
    agree = float(np.max(np.abs(fast_np.beta - ref.beta)))

    t0 = time.perf_counter()
    plain = plain_numpy_sgd(X, y, u0, u0, 0.01, args.numpy_steps, np.random.default_rng(1))
    t_plain = time.perf_counter() - t0
    agree_plain = float(np.max(np.abs(fast_np.beta - plain)))

    t0 = time.perf_counter()
    fast = dn.run_dynamics(X, y, u0, u0, n_steps=args.steps, rng=np.random.default_rng(1), **kw)
    t_fast = time.perf_counter() - t0

    t_ref_extrap = t_ref * args.steps / args.numpy_steps
    print(f"SGD, diagonal net u⊙u − v⊙v, d={d}, n={n}, batch 1, step 0.01, seed {args.seed}")
    print(f"numba  : {args.steps} steps in {t_fast:.3f} s ({1e9 * t_fast / args.steps:.1f} ns/step); "
          f"final train loss {dn.train_loss(X, y, fast.beta):.3g}")
    print(f"numpy  : {args.numpy_steps} steps in {t_ref:.3f} s ({1e6 * t_ref / args.numpy_steps:.2f} us/step); "
          f"EXTRAPOLATED linearly to {args.steps} steps: {t_ref_extrap:.1f} s")
    print(f"agreement on the first {args.numpy_steps} steps (same seed): max |Δβ| = {agree:.2e} "
          f"(numba took {t_fast_short:.4f} s for them)")
    t_plain_extrap = t_plain * args.steps / args.numpy_steps
    print(f"plain numpy loop: {args.numpy_steps} steps in {t_plain:.3f} s ({1e6 * t_plain / args.numpy_steps:.2f} "
          f"us/step), EXTRAPOLATED to {args.steps} steps: {t_plain_extrap:.1f} s; max |Δβ| vs numba {agree_plain:.2e}")
    print(f"ratio array-API reference loop / numba (numpy extrapolated): {t_ref_extrap / t_fast:.1f}x")
    print(f"ratio plain numpy loop / numba (numpy extrapolated): {t_plain_extrap / t_fast:.1f}x")


if __name__ == "__main__":
    main()
