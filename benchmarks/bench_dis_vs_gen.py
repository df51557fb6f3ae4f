"""Benchmark: the NB-vs-LR sample-complexity sweep, theorylab vs an equivalent scikit-learn pipeline, at equal error.

Usage: python benchmarks/bench_dis_vs_gen.py [--K 2 3 5 7] [--d 20 50] [--reps 5] [--mmax-factor 100]
                                             [--tol 1e-8] [--no-sklearn-warm]

For each (K, d) and repetition it walks the protocol's grid m = ⌈2K·1.25^j⌉ ≤ mmax-factor·d, draws one training
set per (K, d, m, repetition) from a fixed seed, and fits on that same set

* theorylab: ``fit_naive_bayes`` and ``fit_logistic`` (C = 1), LR warm-started from the previous m of the same
  repetition, exactly as :mod:`theorylab.settings.sample_complexity` runs the sweep;
* scikit-learn: ``GaussianNB`` with its per-class variances pooled by the class priors (the pooled-variance NB of
  Zheng et al.'s ``models/gaussnb.py``; GaussianNB alone is a different, quadratic classifier) and a fresh
  ``LogisticRegression`` per fit (lbfgs, as Zheng et al.'s ``main_simulation.py``); optionally also a
  ``warm_start=True`` estimator kept along the grid (the fair counterpart of our warm start).

Same objective on both sides: ½‖W‖² + C Σ CE. For K > 2 scikit-learn fits the same K-row multinomial. For K = 2
it fits ONE weight vector w with ½‖w‖² + C' Σ CE; our two-row problem has W₁ = −W₀ = w/2 at the optimum, so
½(‖W₀‖² + ‖W₁‖²) = ¼‖w‖² and it equals scikit-learn's with C' = 2C (checked numerically in
``tests/test_learners.py``). Both L-BFGS runs use gtol = ``--tol`` (tight: 1e-8 by default) and a large
iteration cap, and the benchmark prints the largest difference of exact test errors (:meth:`GaussianMixture.error`)
between the two pipelines, for NB and LR. Only fits are timed (sampling and error evaluation are shared work).
BLAS is limited to one thread on both sides. scikit-learn is a benchmark-only extra (``pip install .[bench]``).
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

C = 1.0


def sk_naive_bayes(X, y):
    """scikit-learn GaussianNB, per-class variances pooled by the priors: the affine (W, b) of pooled NB."""
    nb = GaussianNB(var_smoothing=1e-9).fit(X, y)
    var = nb.class_prior_ @ (nb.var_ - nb.epsilon_) + 1e-9  # σ_i² = Σ_k π_k v_ki + 1e-9, as ours
    W = nb.theta_ / var
    return W, np.log(nb.class_prior_) - 0.5 * np.einsum("kd,kd->k", W, nb.theta_)


def sk_affine(model, K):
    """(W, b) of a fitted LogisticRegression; K = 2: the binary (w, c) as the rows (−w/2, w/2), (−c/2, c/2)."""
    if K == 2:
        w, c = model.coef_[0], model.intercept_[0]
        return np.stack([-w / 2, w / 2]), np.array([-c / 2, c / 2])
    return model.coef_, model.intercept_


def sk_logistic(K, tol, warm_start=False):
    return LogisticRegression(C=2 * C if K == 2 else C, tol=tol, max_iter=100_000, warm_start=warm_start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--K", type=int, nargs="+", default=[2, 3])
    ap.add_argument("--d", type=int, nargs="+", default=[20, 50])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--mmax-factor", type=int, default=100)
    ap.add_argument("--tol", type=float, default=1e-8, help="L-BFGS gtol on both sides")
    ap.add_argument("--no-sklearn-warm", action="store_true", help="skip the warm-started scikit-learn run")
    a = ap.parse_args()
    have_sk = LogisticRegression is not None
    if not have_sk:
        print("scikit-learn is not installed: timing theorylab only (pip install scikit-learn for the comparison)")
    T = {"ours_nb": 0.0, "ours_lr": 0.0, "sk_nb": 0.0, "sk_lr": 0.0, "sk_lr_warm": 0.0}
    worst = {"nb": 0.0, "lr": 0.0, "lr_warm": 0.0}
    n_fits = 0
    with single_blas_thread():
        for K in a.K:
            for d in a.d:
                mix = zheng_mixture(K, d)
                for r in range(a.reps):
                    init = None
                    sk_warm = sk_logistic(K, a.tol, warm_start=True) if have_sk else None
                    for m in geometric_grid(K, a.mmax_factor * d):
                        X, y = _draw_training_set(mix, int(m), np.random.default_rng([K, d, int(m), r]))
                        n_fits += 1
                        t0 = time.perf_counter()
                        nb = fit("nb", X, y, K)
                        t1 = time.perf_counter()
                        init = fit("lr", X, y, K, init=init, tol=a.tol)
                        t2 = time.perf_counter()
                        T["ours_nb"] += t1 - t0
                        T["ours_lr"] += t2 - t1
                        if not have_sk:
                            continue
                        t0 = time.perf_counter()
                        sk_nb = sk_naive_bayes(X, y)
                        t1 = time.perf_counter()
                        sk_lr = sk_logistic(K, a.tol).fit(X, y)
                        t2 = time.perf_counter()
                        T["sk_nb"] += t1 - t0
                        T["sk_lr"] += t2 - t1
                        worst["nb"] = max(worst["nb"], abs(mix.error(*nb) - mix.error(*sk_nb)))
                        err_lr = mix.error(*init)
                        worst["lr"] = max(worst["lr"], abs(err_lr - mix.error(*sk_affine(sk_lr, K))))
                        if not a.no_sklearn_warm:
                            t0 = time.perf_counter()
                            sk_warm.fit(X, y)
                            T["sk_lr_warm"] += time.perf_counter() - t0
                            worst["lr_warm"] = max(worst["lr_warm"], abs(err_lr - mix.error(*sk_affine(sk_warm, K))))
                shown = [k for k in T if not (a.no_sklearn_warm and k == "sk_lr_warm")]
                print(f"K={K} d={d}: cumulative " + ", ".join(f"{k} {T[k]:.2f} s" for k in shown) +
                      "; max |error difference| so far " +
                      ", ".join(f"{k} {v:.1e}" for k, v in worst.items() if not (a.no_sklearn_warm and k == "lr_warm")),
                      flush=True)
    ours = T["ours_nb"] + T["ours_lr"]
    print(f"grid: K={a.K} d={a.d} reps={a.reps} m = ceil(2K*1.25^j) <= {a.mmax_factor}*d; {n_fits} training sets, "
          f"each fitted by NB and LR; L-BFGS gtol={a.tol:g} on both sides; 1 BLAS thread")
    print(f"theorylab fits: {ours:.2f} s (NB {T['ours_nb']:.2f}, LR warm-started {T['ours_lr']:.2f})")
    if have_sk:
        sk = T["sk_nb"] + T["sk_lr"]
        print(f"scikit-learn fits, fresh LR per fit: {sk:.2f} s (NB {T['sk_nb']:.2f}, LR {T['sk_lr']:.2f}); "
              f"ratio sklearn/theorylab = {sk / ours:.2f}")
        if not a.no_sklearn_warm:
            skw = T["sk_nb"] + T["sk_lr_warm"]
            print(f"scikit-learn fits, LR warm_start=True along the grid: {skw:.2f} s; "
                  f"ratio sklearn/theorylab = {skw / ours:.2f}")
        warm = "" if a.no_sklearn_warm else f", {worst['lr_warm']:.2e} (warm)"
        print(f"max |error difference|: NB {worst['nb']:.2e}, LR {worst['lr']:.2e} (fresh){warm}; "
              f"equal error within 1e-3: {max(worst.values()) <= 1e-3}")


if __name__ == "__main__":
    main()
