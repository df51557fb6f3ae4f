"""Benchmark: the reduced-LSA minibatch loss and gradient (in-context regression), numba against NumPy baselines.

Run: ``python benchmarks/bench_icl.py [--small] [--rounds R]``

The quantity: (mean (ŷ − y_q)², ∂/∂b, ∂/∂A) of ŷ = bᵀ G A x_q over B prompts, G the context Gram (masked
attention), d = 5, n = 20 (``theorylab.settings.icl.training.loss_grad``). Sides, timed alternated:

* ``theorylab``: ``loss_grad(prompts, b, A, fast=True)`` (the numba kernel, public entry with its checks);
* ``reference-einsum``: ``loss_grad(..., fast=False)``, the library's own NumPy reference, which builds the batched
  Gram with ``np.einsum("bni,bnj->bij")`` (unoptimised einsum);
* ``numpy-matmul``: the same formulas written with batched ``matmul`` (Gram by ``Zᵀ @ Z``), what a user would
  write;
* ``numpy-gram-free``: never forms G: G w = Zᵀ(Z w)/n by two batched mat-vecs (O(B n d) instead of O(B n d²)),
  the best NumPy we know for this quantity.

Sizes: B = 1024 (the training batch of ``train_lsa``, the claims' size) and B = 10⁵ (large; ``--small``: 2·10⁴).
Also end-to-end ``train_lsa`` (Adam, fresh prompts each step) fast vs the library reference and vs a user's own
loop (``sample_prompts`` + the gram-free NumPy gradient + a plain Adam update; the same work per step, not the
same iterates), with the share of a step spent sampling prompts (the part no loss kernel can speed up). Ratios: baseline / theorylab per round.
"""
from __future__ import annotations

import argparse

import numpy as np

from _timing import alternate, header, summary_line
from theorylab.settings import icl
from theorylab.settings import icl_training as tr

SUMMARY: list[str] = []


def numpy_matmul(X, y, xq, yq, b, A):
    """Loss and gradient with the Gram built by batched matmul (masked attention)."""
    B, n, _ = X.shape
    Z = np.concatenate([X, y[..., None]], axis=2)
    G = np.matmul(Z.transpose(0, 2, 1), Z) / n                    # (B, d+1, d+1)
    u = np.matmul(G, (xq @ A.T)[..., None])[..., 0]               # G A x_q
    r = u @ b - yq
    v = G @ b                                                     # G b (G symmetric)
    return float(r @ r) / B, 2.0 * (r @ u) / B, 2.0 * ((r[:, None] * v).T @ xq) / B


def numpy_gram_free(X, y, xq, yq, b, A):
    """Loss and gradient without forming G: G w = Zᵀ (Z w) / n (two batched mat-vecs per vector)."""
    B, n, _ = X.shape
    Z = np.concatenate([X, y[..., None]], axis=2)                 # (B, n, d+1)
    Zt = Z.transpose(0, 2, 1)
    w = xq @ A.T                                                  # A x_q (B, d+1)
    u = np.matmul(Zt, np.matmul(Z, w[..., None]))[..., 0] / n     # G A x_q
    r = u @ b - yq
    v = np.matmul(Zt, (Z @ b)[..., None])[..., 0] / n             # G b
    return float(r @ r) / B, 2.0 * (r @ u) / B, 2.0 * ((r[:, None] * v).T @ xq) / B


def bench_loss_grad(B, d, n, rounds):
    rng = np.random.default_rng(0)
    b, A = rng.standard_normal(d + 1), rng.standard_normal((d + 1, d))
    pr = icl.sample_prompts(B, n, d, rng, noise_var=0.5)
    arr = (pr.X, pr.y, pr.x_query, pr.y_query, b, A)
    fns = {"theorylab": lambda: tr.loss_grad(pr, b, A, fast=True),
           "reference-einsum": lambda: tr.loss_grad(pr, b, A, fast=False),
           "numpy-matmul": lambda: numpy_matmul(*arr),
           "numpy-gram-free": lambda: numpy_gram_free(*arr)}
    res = alternate(fns, rounds=rounds, keep_outputs=True)
    ref = res.outputs["reference-einsum"]
    err = 0.0
    for out in res.outputs.values():
        for a_, r_ in zip(out, ref):
            err = max(err, float(np.max(np.abs(np.asarray(a_) - np.asarray(r_)) / (1e-300 + np.max(np.abs(r_))))))
    print(f"\nreduced-LSA loss+gradient, B={B} prompts, d={d}, n={n}, masked; all sides agree to {err:.1e} (relative)")
    for k in fns:
        t = res.stats(k)
        print(f"  {k:16s} {t.fmt('.5f')} s (x{res.number[k]} per round), {B / t.med:12.0f} prompts/s at the median")
    for k in ("reference-einsum", "numpy-matmul", "numpy-gram-free"):
        print(res.line(f"  {k:16s} / theorylab", k, "theorylab"))
        SUMMARY.append(summary_line(f"LSA loss+grad B={B} d={d} n={n}", res, k, "theorylab"))
    print(res.line("  reference-einsum / numpy-matmul (how much the einsum reference is slower)",
                   "reference-einsum", "numpy-matmul"))


def user_adam_loop(d, n, steps, rng, batch=1024, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    """What a user writes: fresh prompts each step, the gram-free NumPy gradient, a plain Adam update."""
    b = 0.3 * rng.standard_normal(d + 1)
    A = 0.3 * rng.standard_normal((d + 1, d))
    mb, vb, mA, vA = (np.zeros_like(b), np.zeros_like(b), np.zeros_like(A), np.zeros_like(A))
    for k in range(1, steps + 1):
        p = icl.sample_prompts(batch, n, d, rng)
        _, gb, gA = numpy_gram_free(p.X, p.y, p.x_query, p.y_query, b, A)
        for x, g, m, v in ((b, gb, mb, vb), (A, gA, mA, vA)):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            x -= lr * (m / (1 - beta1 ** k)) / (np.sqrt(v / (1 - beta2 ** k)) + eps)
    return b, A


def bench_training(d, n, steps, rounds):
    kw = dict(steps=steps, batch_size=1024, lr=1e-2, record_every=10**9)
    fns = {"theorylab": lambda: tr.train_lsa(d, n, np.random.default_rng(2), fast=True, **kw),
           "reference-einsum": lambda: tr.train_lsa(d, n, np.random.default_rng(2), fast=False, **kw),
           "user-adam-gram-free": lambda: user_adam_loop(d, n, steps, np.random.default_rng(2)),
           "sampling only": lambda: [icl.sample_prompts(1024, n, d, np.random.default_rng(s)) for s in range(steps)]}
    res = alternate(fns, rounds=rounds)
    print(f"\nLSA training (train_lsa, Adam, batch 1024, d={d}, n={n}, {steps} steps, fresh prompts every step)")
    for k in fns:
        t = res.stats(k)
        print(f"  {k:19s} {t.fmt('.3f')} s, {steps / t.med:8.1f} steps/s at the median")
    share = res.stats("sampling only").med / res.stats("theorylab").med
    print(f"  prompt sampling is {share:.0%} of a fast training step (median times; sampling alone timed as "
          f"{steps} calls of sample_prompts)")
    for k in ("reference-einsum", "user-adam-gram-free"):
        print(res.line(f"  {k:19s} / theorylab (end to end)", k, "theorylab"))
        SUMMARY.append(summary_line(f"train_lsa {steps} steps batch 1024 d={d} n={n} (end to end)", res, k,
                                    "theorylab", note=f"sampling = {share:.0%} of a fast step"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="2e4 prompts for the large case, 100 training steps")
    ap.add_argument("--quick", action="store_true", help="old spelling of --small")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    small = args.small or args.quick
    d, n = 5, 20
    print(header("bench_icl" + (" --small (large case at 2e4 prompts, 100 training steps)" if small else "")))
    tr.loss_grad(icl.sample_prompts(8, n, d, np.random.default_rng(0)), np.ones(d + 1), np.ones((d + 1, d)),
                 fast=True)  # compile / load the numba cache outside the timing
    bench_loss_grad(1024, d, n, args.rounds)
    bench_loss_grad(20_000 if small else 100_000, d, n, args.rounds)
    bench_training(d, n, 100 if small else 400, max(5, args.rounds - 2))
    print("\nSUMMARY (baseline / theorylab per round: > 1 means theorylab is faster)")
    for line in SUMMARY:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
