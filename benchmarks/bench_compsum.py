"""Benchmarks of the comp-sum family against the best baselines a user would write or install.

Run: ``python benchmarks/bench_compsum.py [--small] [--rounds R]``

1. Loss + gradient, ``theorylab.losses.compsum.comp_sum_loss_and_grad(scores, labels, tau)`` (the public entry,
   as a user calls it: input checks, fresh output arrays, the fused numba kernel) on (10⁶, 100) float32 (the large
   case) and (10⁴, 10) float32 (the size of the claims' fits), against

   * ``numpy-inplace``: the tuned NumPy a competent user writes: one preallocated (B, n) buffer, shift by the row
     max, ``np.exp(out=)``, row sums, log, the gradient scaled in place; no ``s**0`` for τ = 1;
   * ``numpy-blocked``: the same in-place NumPy over 2048-row blocks (the buffer stays in cache between passes);
   * ``scipy``: ``scipy.special.log_softmax`` plus the gradient in place on its output (τ = 1 only);
   * ``torch``: ``torch.nn.functional.cross_entropy`` + autograd on CPU (τ = 1), only when torch imports;
   * ``kernel``: the fused numba kernel alone (``compsum_kernels.fused_loss_and_grad``) with preallocated
     outputs (what a hot loop with validated inputs calls), to show what the public entry's checks and
     allocations cost.

   All sides agree (max |Δgrad| printed). The achieved GB/s (bytes that must move: read the scores, write the
   gradient, plus labels and losses) is set against a measured single-thread memory-copy bandwidth
   (``np.copyto`` of a 400 MB array, counted as read + write): the fraction of the bandwidth bound.
2. The candidate stage of the tight-transform search (``theory.tight``): the numba map + regret kernels (what
   ``tight_transform`` runs) and the fused one-pass ``best_candidate`` kernel (on all numba threads and on one,
   to separate per-core speed from the cost of waking a second thread on a busy machine) against the NumPy
   reference (``map_rows_numpy`` + ``regret_rows_numpy``, the same algorithm; same minimum and argmin, asserted) at
   N = 4000 (the claims' fixture ``_tight`` default), N = 2·10⁴ (``tight_transform``'s default) and 2·10⁵.

``--small`` uses 2·10⁵ rows instead of 10⁶ for the large loss case (the ratios there are then NOT the 10⁶ figure)
and skips N = 2·10⁵ of the search. Ratios are baseline time / theorylab time per alternated round (> 1: theorylab
faster), min/median/max with the load; see ``benchmarks/_timing.py``.
"""
from __future__ import annotations

import argparse

import numba
import numpy as np
import scipy.special

from _timing import alternate, header, summary_line
from theorylab.losses import compsum as cs
from theorylab.losses import compsum_kernels as csk
from theorylab.theory import tight_transform as tt

try:
    import torch
except ImportError:
    torch = None

SUMMARY: list[str] = []


# ----------------------------------------------------------------------------------------- loss + gradient


def numpy_inplace(h, y, tau, buf, rows):
    """Tuned NumPy loss + gradient: one preallocated buffer ``buf`` (B, n), in-place passes, no s**0."""
    m = h.max(axis=1, keepdims=True)
    np.subtract(h, m, out=buf)                     # z = h − max
    zy = buf[rows, y]                              # z_y (B,)
    np.exp(buf, out=buf)                           # e = exp(z)
    s = buf.sum(axis=1, keepdims=True)             # Σ e  (B, 1)
    lsy = zy - np.log(s[:, 0])                     # log s_y
    if tau == 1.0:
        loss = -lsy
        buf /= s                                   # softmax
        buf[rows, y] -= 1.0
    else:
        c = np.exp((tau - 1.0) * lsy)              # s_y^{τ−1}
        loss = -np.expm1((tau - 1.0) * lsy) / (tau - 1.0)
        buf *= (c[:, None] / s)                    # s_y^{τ−1} s_j
        buf[rows, y] -= c
    return loss, buf


def numpy_blocked(h, y, tau, buf, rows, block=2048):
    """:func:`numpy_inplace` over row blocks: each block's passes hit the cache instead of main memory."""
    B = h.shape[0]
    loss = np.empty(B, dtype=h.dtype)
    for a in range(0, B, block):
        b = min(B, a + block)
        loss[a:b] = numpy_inplace(h[a:b], y[a:b], tau, buf[a:b], rows[: b - a])[0]
    return loss, buf


def scipy_log_softmax(h, y, rows):
    """τ = 1 with scipy.special.log_softmax, the gradient written in place on its output."""
    ls = scipy.special.log_softmax(h, axis=1)
    loss = -ls[rows, y]
    np.exp(ls, out=ls)
    ls[rows, y] -= 1.0
    return loss, ls


def _bandwidth(nbytes=400_000_000, rounds=5):
    """Single-thread memory-copy bandwidth (GB/s, read + write counted) of np.copyto on ``nbytes`` arrays."""
    a = np.ones(nbytes // 4, dtype=np.float32)
    b = np.empty_like(a)
    res = alternate({"copy": lambda: np.copyto(b, a)}, rounds=rounds)
    return 2 * a.nbytes / res.stats("copy").lo, 2 * a.nbytes / res.stats("copy").med


def bench_loss(B, n, taus, rounds, bw, label):
    rng = np.random.default_rng(0)
    h = rng.normal(0, 3, (B, n)).astype(np.float32)
    y = rng.integers(0, n, B)
    rows = np.arange(B)
    buf = np.empty_like(h)
    buf2 = np.empty_like(h)
    kl, kg = np.empty(B, np.float32), np.empty_like(h)
    ol, og = np.empty(B, np.float32), np.empty_like(h)
    moved = 2 * h.nbytes + y.nbytes + 4 * B  # read scores + labels, write gradient + losses
    for tau in taus:
        fns = {
            "theorylab": lambda: cs.comp_sum_loss_and_grad(h, y, tau),
            "theorylab-out": lambda: cs.comp_sum_loss_and_grad(h, y, tau, out=(ol, og)),
            "kernel": lambda: (csk.fused_loss_and_grad(h, y, tau, kl, kg), (kl, kg))[1],
            "numpy-inplace": lambda: numpy_inplace(h, y, tau, buf, rows),
            "numpy-blocked": lambda: numpy_blocked(h, y, tau, buf2, rows),
        }
        if tau == 1.0:
            fns["scipy"] = lambda: scipy_log_softmax(h, y, rows)
            if torch is not None:
                th = torch.from_numpy(h)
                ty = torch.from_numpy(y)

                def torch_ce():
                    x = th.clone().requires_grad_(True)
                    loss = torch.nn.functional.cross_entropy(x, ty, reduction="none")
                    loss.backward(torch.ones_like(loss))
                    return loss.detach().numpy(), x.grad.numpy()
                fns["torch"] = torch_ce
        res = alternate(fns, rounds=rounds, keep_outputs=True)
        ref_l, ref_g = res.outputs["theorylab"]
        agree = max(float(np.max(np.abs(np.asarray(o[1], np.float64) - ref_g))) for o in res.outputs.values())
        agree_l = max(float(np.max(np.abs(np.asarray(o[0], np.float64) - ref_l))) for o in res.outputs.values())
        print(f"\ncomp-sum loss+grad {label} ({B}x{n} float32, tau={tau:g}); all sides agree: max |Δgrad| "
              f"{agree:.1e}, max |Δloss| {agree_l:.1e}")
        for k in fns:
            t = res.stats(k)
            gbs = moved / t.med / 1e9
            frac = f", {gbs * 1e9 / bw:.2f} of the copy bound" if bw else ""
            print(f"  {k:14s} {t.fmt('.4f')} s (min/median/max; x{res.number[k]} per round), "
                  f"{gbs:.2f} GB/s at the median{frac}")
        if bw:
            print(f"  bandwidth bound (bytes moved / copy bandwidth {bw / 1e9:.2f} GB/s): {moved / bw:.4f} s; "
                  f"theorylab median / bound = {res.stats('theorylab').med * bw / moved:.1f}x")
        ours = ("theorylab", "theorylab-out", "kernel")
        for base in [k for k in fns if k not in ours]:
            line = res.line(f"  {base:14s}/ theorylab", base, "theorylab")
            print(line)
            SUMMARY.append(summary_line(f"loss+grad {B}x{n} tau={tau:g}", res, base, "theorylab"))
            print(res.line(f"  {base:14s}/ theorylab out= (outputs reused, as the NumPy sides reuse buffers)", base,
                           "theorylab-out"))
            SUMMARY.append(summary_line(f"loss+grad {B}x{n} tau={tau:g} (public entry, out=)", res, base,
                                        "theorylab-out"))
        print(res.line("  theorylab     / kernel (cost of the public entry's checks + fresh outputs)",
                       "theorylab", "kernel"))
        best = min((k for k in fns if k not in ours), key=lambda k: res.stats(k).med)
        SUMMARY.append(summary_line(f"loss+grad {B}x{n} tau={tau:g} (raw kernel, preallocated)", res, best,
                                    "kernel", note=f"best baseline {best}"))
        if bw:
            SUMMARY.append(f"BANDWIDTH loss+grad {B}x{n} tau={tau:g}: theorylab at "
                           f"{moved / res.stats('theorylab').med / bw:.3f} of the copy bound "
                           f"(kernel {moved / res.stats('kernel').med / bw:.3f}, best NumPy "
                           f"{moved / min(res.stats('numpy-inplace').med, res.stats('numpy-blocked').med) / bw:.3f})"
                           f" ({res.load()})")


def bench_loss_one_thread(B, n, rounds):
    """The kernel at 1 numba thread against the (single-threaded) tuned NumPy: a per-core comparison."""
    rng = np.random.default_rng(0)
    h = rng.normal(0, 3, (B, n)).astype(np.float32)
    y = rng.integers(0, n, B)
    rows = np.arange(B)
    buf = np.empty_like(h)
    kl, kg = np.empty(B, np.float32), np.empty_like(h)
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        res = alternate({"kernel-1thread": lambda: csk.fused_loss_and_grad(h, y, 1.0, kl, kg),
                         "numpy-blocked": lambda: numpy_blocked(h, y, 1.0, buf, rows)}, rounds=rounds)
    finally:
        numba.set_num_threads(old)
    print(f"\nper core, {B}x{n} float32, tau=1: numba kernel on 1 thread vs blocked in-place NumPy (1 thread)")
    print(res.line("  numpy-blocked / kernel-1thread", "numpy-blocked", "kernel-1thread"))
    SUMMARY.append(summary_line(f"loss+grad {B}x{n} tau=1, 1 numba thread", res, "numpy-blocked", "kernel-1thread"))


# ------------------------------------------------------------------------------ tight search candidates


def _raw_candidates(N, n, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((N, n - 1))
    X[:, 0] = rng.uniform(0, 1, N)
    X[:, 1:] = rng.exponential(1.0, (N, n - 2)) ** rng.uniform(0.3, 4.0, (N, 1))
    return X


def bench_search(N, n, taus, rounds, t=0.4):
    X = _raw_candidates(N, n)
    for tau in taus:
        def map_regret():
            P = np.empty((N, n))
            tt._map_rows(X, t, n, P)
            return tt.regret_rows(P, tau)

        def fused():
            return tt.best_candidate(X, t, n, tau)

        def fused_1thread():
            old = numba.get_num_threads()
            numba.set_num_threads(1)
            try:
                return tt.best_candidate(X, t, n, tau)
            finally:
                numba.set_num_threads(old)

        def ref():
            return tt.regret_rows_numpy(tt.map_rows_numpy(X, t, n), tau)

        sides = ("numba map+regret", "numba fused", "numba fused 1 thread", "numpy reference")
        res = alternate(dict(zip(sides, (map_regret, fused, fused_1thread, ref))), rounds=rounds, keep_outputs=True)
        vn, vr = res.outputs["numba map+regret"], res.outputs["numpy reference"]
        vf, jf = res.outputs["numba fused"]
        jr = int(np.argmin(vr))
        assert float(np.max(np.abs(vn - vr))) <= 1e-12 and jf == jr and abs(vf - vr[jr]) <= 1e-12 * abs(vr[jr])
        assert res.outputs["numba fused 1 thread"] == (vf, jf)
        print(f"\ntight-search candidate stage N={N} n={n} t={t} tau={tau:g}: same minimum {vf:.12f} at row {jf}, "
              f"max |Δregret| {float(np.max(np.abs(vn - vr))):.1e}")
        for k in sides:
            print(f"  {k:20s} {res.stats(k).fmt('.5f')} s (x{res.number[k]} per round)")
        for k in sides[:3]:
            print(res.line(f"  numpy reference / {k}", "numpy reference", k))
            SUMMARY.append(summary_line(f"tight candidates N={N} n={n} tau={tau:g} ({k})", res,
                                        "numpy reference", k))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="2e5 rows for the large loss case; no N = 2e5 search")
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args(argv)
    R = a.rounds
    print(header("bench_compsum" + (" --small (large loss case at 2e5 rows: NOT the 1e6 figure)" if a.small
                                     else "")))
    print("torch: " + (f"{torch.__version__} (CPU)" if torch is not None else
                       "not installed: no torch baseline in this run"))
    bw_best, bw_med = _bandwidth()
    print(f"memory-copy bandwidth (np.copyto, 400 MB float32, 1 thread, read+write): best {bw_best / 1e9:.2f} GB/s, "
          f"median {bw_med / 1e9:.2f} GB/s (the median is the bound used below)")

    big = 200_000 if a.small else 1_000_000
    bench_loss(big, 100, (1.0, 1.5), R, bw_med, "large" + (" (--small)" if a.small else ""))
    bench_loss_one_thread(big, 100, R)
    bench_loss(10_000, 10, (1.0, 1.5), R, None, "claims-sized")

    for N in (4_000, 20_000) + (() if a.small else (200_000,)):
        bench_search(N, 6, (0.5, 1.0, 1.5, 3.0) if N == 20_000 else (1.5,), R)

    print("\nSUMMARY (baseline / theorylab per round: > 1 means theorylab is faster)")
    for line in SUMMARY:
        print(line)


if __name__ == "__main__":
    main()
