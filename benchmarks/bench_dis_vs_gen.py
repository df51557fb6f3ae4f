"""Benchmark: the NB-vs-LR sample-complexity sweep, theorylab vs an equivalent scikit-learn pipeline.

Usage: python benchmarks/bench_dis_vs_gen.py [--K 2 3] [--d 20 50] [--reps 5] [--mmax-factor 100] [--jobs 2]

For each (K, d) it fits NB and LR (C = 1, lbfgs, tol 1e-4, 1000 iterations) on the same training sets (same
seeds) at every grid size ⌈2K·1.25^j⌉ ≤ mmax-factor·d, with theorylab's learners and with scikit-learn's
``GaussianNB`` (var_smoothing=1e-9) + ``LogisticRegression``, and prints wall times, the ratio, and the largest
difference of exact test errors. scikit-learn is a benchmark-only extra; without it only theorylab is timed.
The paper's full grid (K ∈ {2,3,5,7}, d up to 1000, m up to 100·d) is hours on 2 cores: pass a sub-grid.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from theorylab.settings.learners import single_blas_thread
from theorylab.settings.sample_complexity import _draw_training_set, fit, geometric_grid, zheng_mixture

try:
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
except ImportError:  # benchmark-only extra
    LogisticRegression = GaussianNB = None


def sk_fit(learner, X, y):
    if learner == "nb":
        m = GaussianNB(var_smoothing=1e-9).fit(X, y)
        return m
    return LogisticRegression(C=1.0, max_iter=1000, tol=1e-4).fit(X, y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--K", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--d", type=int, nargs="+", default=[20, 50])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--mmax-factor", type=int, default=100)
    a = ap.parse_args()
    if LogisticRegression is None:
        print("scikit-learn is not installed: timing theorylab only (pip install scikit-learn for the comparison)")
    t_ours = t_sk = 0.0
    worst = 0.0
    for K in a.K:
        for d in a.d:
            mix = zheng_mixture(K, d)
            for m in geometric_grid(K, a.mmax_factor * d):
                for r in range(a.reps):
                    X, y = _draw_training_set(mix, int(m), np.random.default_rng([K, d, int(m), r]))
                    for learner in ("nb", "lr"):
                        t0 = time.perf_counter()
                        with single_blas_thread():
                            W, b = fit(learner, X, y, K)
                        t_ours += time.perf_counter() - t0
                        if LogisticRegression is None:
                            continue
                        t0 = time.perf_counter()
                        with single_blas_thread():
                            model = sk_fit(learner, X, y)
                        t_sk += time.perf_counter() - t0
                        if learner == "lr":
                            coef, icpt = (model.coef_, model.intercept_)
                            if K == 2:
                                coef, icpt = np.stack([np.zeros(d), coef[0]]), np.array([0.0, icpt[0]])
                            worst = max(worst, abs(mix.error(W, b) - mix.error(coef, icpt)))
            print(f"K={K} d={d}: cumulative theorylab {t_ours:.2f} s" + (f", sklearn {t_sk:.2f} s"
                                                                          if LogisticRegression else ""))
    print(f"grid: K={a.K} d={a.d} reps={a.reps} m<= {a.mmax_factor}*d")
    print(f"theorylab fits: {t_ours:.2f} s")
    if LogisticRegression is not None:
        print(f"scikit-learn fits: {t_sk:.2f} s; ratio sklearn/theorylab = {t_sk / t_ours:.2f}; "
              f"max |LR error difference| = {worst:.2e}")


if __name__ == "__main__":
    main()
