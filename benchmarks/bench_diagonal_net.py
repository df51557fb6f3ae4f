"""Benchmark: batch-1 SGD on a diagonal linear network (d = 100, n = 40), numba kernel vs NumPy loops.

Usage: ``python benchmarks/bench_diagonal_net.py [--small] [--steps 1000000] [--numpy-steps 20000] [--rounds R]``

Sides, timed alternated over R rounds (``benchmarks/_timing.py``):

* ``numba``: ``run_dynamics(..., batch_size=1)`` (the numba SGD kernel), the full ``--steps`` (10⁶) steps;
* ``numba-short``: the same on the first ``--numpy-steps`` (2·10⁴) steps: the equal-work comparison;
* ``reference``: the library's array-API reference loop (``run_dynamics(..., fast=False)``, one Python iteration
  per step) on ``--numpy-steps`` steps;
* ``plain-numpy``: a hand-written NumPy loop (one Python iteration per step, in-place updates), the best a user
  writes in NumPy for batch-1 SGD (the steps are sequential: nothing to vectorise), same steps.

Both NumPy loops are first checked to give the numba kernel's parameters on the same seed. Two ratios per baseline:
measured at equal work (``--numpy-steps`` steps each), and the baseline EXTRAPOLATED linearly to ``--steps``
against the numba run of all ``--steps`` (labelled so in the output). ``--small``: 2·10⁵ numba steps, 5000 NumPy
steps.
"""
from __future__ import annotations

import argparse

import numpy as np

from _timing import alternate, header, summary_line
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
    ap.add_argument("--small", action="store_true", help="2e5 numba steps, 5000 NumPy steps")
    ap.add_argument("--steps", type=int, default=None, help="numba steps (default 1e6; --small 2e5)")
    ap.add_argument("--numpy-steps", type=int, default=None, help="NumPy-loop steps (default 2e4; --small 5000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    steps = args.steps or (200_000 if args.small else 1_000_000)
    np_steps = args.numpy_steps or (5_000 if args.small else 20_000)
    n, d = 40, 100
    X, y, _, _, _ = dn.sparse_regression(n, d, 3, np.random.default_rng(args.seed))
    u0 = np.full(d, 0.1)
    kw = dict(step=0.01, parametrization="uu-vv", batch_size=1)
    print(header("bench_diagonal_net" + (" --small" if args.small else "")))

    def numba_run(k):
        return dn.run_dynamics(X, y, u0, u0, n_steps=k, rng=np.random.default_rng(1), **kw)

    short = numba_run(np_steps)
    ref = dn.run_dynamics(X, y, u0, u0, n_steps=np_steps, rng=np.random.default_rng(1), fast=False, **kw)
    plain = plain_numpy_sgd(X, y, u0, u0, 0.01, np_steps, np.random.default_rng(1))
    agree = float(np.max(np.abs(short.beta - ref.beta)))
    agree_plain = float(np.max(np.abs(short.beta - plain)))

    res = alternate({"numba": lambda: numba_run(steps),
                     "numba-short": lambda: numba_run(np_steps),
                     "reference": lambda: dn.run_dynamics(X, y, u0, u0, n_steps=np_steps,
                                                          rng=np.random.default_rng(1), fast=False, **kw),
                     "plain-numpy": lambda: plain_numpy_sgd(X, y, u0, u0, 0.01, np_steps, np.random.default_rng(1))},
                    rounds=args.rounds, keep_outputs=True)
    fast = res.outputs["numba"]
    print(f"SGD, diagonal net u⊙u − v⊙v, d={d}, n={n}, batch 1, step 0.01, seed {args.seed}; final train loss after "
          f"{steps} numba steps {dn.train_loss(X, y, fast.beta):.3g}")
    print(f"agreement on the first {np_steps} steps (same seed): max |Δβ| reference {agree:.2e}, "
          f"plain NumPy {agree_plain:.2e}")
    for k, m in (("numba", steps), ("numba-short", np_steps), ("reference", np_steps), ("plain-numpy", np_steps)):
        t = res.stats(k)
        print(f"  {k:12s} {m:8d} steps: {t.fmt('.4f')} s (x{res.number[k]} per round), "
              f"{1e9 * t.med / m:9.1f} ns/step at the median")
    scale = steps / np_steps
    summary = []
    for k in ("reference", "plain-numpy"):
        print(res.line(f"  {k:12s} / numba, equal work ({np_steps} steps each, measured)", k, "numba-short"))
        print(res.line(f"  {k:12s} / numba, {k} EXTRAPOLATED linearly from {np_steps} to {steps} steps", k, "numba",
                       scale))
        summary.append(summary_line(f"diagonal-net SGD batch 1 d={d} n={n}, {np_steps} steps each", res, k,
                                    "numba-short"))
        summary.append(summary_line(f"diagonal-net SGD batch 1 d={d} n={n}, {steps} steps", res, k, "numba", scale,
                                    note=f"EXTRAPOLATED: {k} timed on {np_steps} steps, scaled by {scale:g}"))
    print("\nSUMMARY (baseline / theorylab per round: > 1 means theorylab is faster)")
    for line in summary:
        print(line)


if __name__ == "__main__":
    main()
