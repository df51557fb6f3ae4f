"""Benchmark: in-context regression prompt sampling + risk estimation, and LSA training steps/s.

Fast path (numba kernel for the LSA loss and gradient) against the plain NumPy reference on the same
work (same prompts, same seeds); prints throughputs and their ratios measured in this run.
Run: ``python benchmarks/bench_icl.py [--quick]``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorylab.settings import icl
from theorylab.settings import icl_training as tr


def _best(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller problem, fewer repeats")
    args = ap.parse_args(argv)
    d, n = 5, 20
    B = 20_000 if args.quick else 100_000
    steps = 100 if args.quick else 400
    repeats = 2 if args.quick else 3
    rng = np.random.default_rng(0)
    b, A = rng.standard_normal(d + 1), rng.standard_normal((d + 1, d))
    pr = icl.sample_prompts(B, n, d, rng, noise_var=0.5)
    tr.loss_grad(pr, b, A, fast=True)  # compile / load the numba cache outside the timing

    def risk(fast, seed=1):
        p = icl.sample_prompts(B, n, d, np.random.default_rng(seed), noise_var=0.5)
        return tr.loss_grad(p, b, A, fast=fast)[0]

    assert abs(risk(True) - risk(False)) <= 1e-10 * abs(risk(False))
    t_fast = _best(lambda: risk(True), repeats)
    t_ref = _best(lambda: risk(False), repeats)
    t_sample = _best(lambda: icl.sample_prompts(B, n, d, np.random.default_rng(1), noise_var=0.5), repeats)
    print(f"sampling + LSA risk estimate, d={d}, n={n}, {B} prompts")
    print(f"  sampling alone      : {B / t_sample:12.0f} prompts/s")
    print(f"  fast (numba)        : {B / t_fast:12.0f} prompts/s")
    print(f"  reference (NumPy)   : {B / t_ref:12.0f} prompts/s")
    print(f"  ratio fast/reference: {t_ref / t_fast:.2f}x")
    kw = dict(steps=steps, batch_size=1024, lr=1e-2, record_every=10**9)
    t_tf = _best(lambda: tr.train_lsa(d, n, np.random.default_rng(2), fast=True, **kw), repeats)
    t_tr = _best(lambda: tr.train_lsa(d, n, np.random.default_rng(2), fast=False, **kw), repeats)
    print(f"LSA training (Adam, batch 1024, d={d}, n={n}, {steps} steps)")
    print(f"  fast (numba)        : {steps / t_tf:10.1f} steps/s")
    print(f"  reference (NumPy)   : {steps / t_tr:10.1f} steps/s")
    print(f"  ratio fast/reference: {t_tr / t_tf:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
