"""Benchmark: the same work on each array backend (array-api-strict, CuPy, torch, JAX) against the NumPy/numba path.

Run: ``python benchmarks/bench_backends.py [--quick] [--backend B ...] [--device DEV | --device B=DEV ...]
[--dtype float64|float32|both] [--only tight|diagonal|icl ...] [--rounds R]``

On a GPU: ``pip install -e '.[gpu]'`` (CuPy for CUDA 12), then ``python benchmarks/bench_backends.py --backend
cupy`` (device ``0``; ``--device 1`` or ``--device cuda:1`` for another card). torch and JAX run the same way
(``--backend torch --device cuda``, ``--backend jax --device gpu``) when they are installed. On the CPU,
``--backend array-api-strict --device device1`` checks that every array is created on the device asked for.

Backends are found and resolved with :mod:`theorylab.engine.backends` (:func:`installed_backends`,
:func:`resolve`, :func:`to_numpy`): a backend that is not installed, or that cannot start here (no GPU, no
driver), is reported in one line and skipped.

What is measured (one table per item; each row is one backend × device × dtype):

1a. The candidate stage of the tight comp-sum search (n = 6, t = 0.4, τ = 1.5):
    ``theorylab.theory.tight.candidates.candidate_regrets(X, t, n, tau)`` on N raw candidate rows already on the
    device (``map_rows_xp`` then ``regret_rows_xp``, one array program), against the numba fast path on the same
    candidates (``candidate_regrets(..., fast=True)``: the ``map_rows`` + ``regret_rows`` kernels). Throughput:
    candidates/s. The numpy row is the same array-API reference on NumPy (``fast=False``); NumPy candidate rows
    are float64 on every path, so it has no float32 row.
1b. The whole search, ``theorylab.theory.hconsistency.tight_transform(("comp_sum", τ), t, n, rng=...,
    n_random=N, xp=xp, device=dev, dtype=dt)`` against the same call without ``xp`` (numba): host draw of the
    candidates, their one move to the device, the candidate stage there, the k best indices back, Nelder–Mead
    refinement on the host in float64.
2.  Batched diagonal-net SGD (u⊙u − v⊙v, d = 100, n = 40, batch 1, R runs with step sizes swept over
    [0.005, 0.01], one seed per run): ``theorylab.settings.diagonal_net.run_dynamics_batched`` on arrays of the
    backend (the batched array-API loop) against NumPy arrays (``fast=True``: the numba kernel run by run).
    Throughput: steps × runs / s. Skipped (one line) if ``run_dynamics_batched`` is not importable.
3a. ICL Monte Carlo risk (d = 5, n = 20, σ² = 0.5): ``sample_prompts(B, n, d, rng, xp=, device=, dtype=)``
    (drawn on the host, moved once) then ``mc_risk(prompts, K)``, read back as a float; the NumPy reference is
    the same calls without ``xp``. Throughput: prompts/s.
3b. ICL reduced-LSA loss + gradient (the training workload) on prompts already on the device:
    ``loss_grad(prompts, b, A)`` (the array-API reference) against the numba kernel (``fast=True``) on the
    same prompts in NumPy float64. Skipped (one line) if ``sample_prompts`` takes no ``xp=`` in this checkout.

The NumPy reference of every table is the library's default path: NumPy float64 with the numba fast path where
one exists (so float32 rows are compared with the float64 reference; the numba kernels compute in float64).
Timing is ``benchmarks/_timing.py``'s: the reference and every backend side of a table run alternated over R
rounds (order reversed every other round; calls shorter than 50 ms repeated inside a round), and the ratio
t_NumPy / t_backend is taken per round and printed as min/median/max with the 1-minute load average (> 1: the
backend is faster than NumPy). Every side is synchronised before its timer stops: results are read back as host
floats or, for arrays left on the device, ``cupy.cuda.Device.synchronize()`` / ``torch.cuda.synchronize()`` /
``block_until_ready()``. Host → device copies of inputs are outside the timers in 1a, 2 and 3b and inside in 1b
and 3a (part of those calls). Each side's result is compared with the reference (max |Δ| printed). Nothing is
extrapolated: every figure is measured at the size printed next to it.

Sizes: the defaults are meant for a GPU (N = 10⁶ candidates, R = 256 runs × 2000 steps, B = 10⁵ prompts);
``--quick`` (N = 2·10⁴, R = 16 × 200, B = 2·10⁴) keeps a CPU run with array-api-strict under a minute. The
``--quick`` ratios are NOT the default-size figures.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import time

import numpy as np
from _timing import alternate, header, summary_line

from theorylab import InputError
from theorylab.engine import backends as bk
from theorylab.theory.hconsistency import tight_transform
from theorylab.theory.tight.candidates import candidate_regrets

try:
    from theorylab.settings.diagonal_net import run_dynamics_batched, sparse_regression
    _DN_SKIP = None
except ImportError as exc:  # batched.py may be mid-landing
    run_dynamics_batched = sparse_regression = None
    _DN_SKIP = f"skipped: run_dynamics_batched is not importable in this checkout ({type(exc).__name__}: {exc})"

try:
    from theorylab.settings.icl import loss_grad, mc_risk, sample_prompts
    _ICL_SKIP = (None if "xp" in inspect.signature(sample_prompts).parameters
                 else "skipped: ICL sampler is NumPy-only in this checkout")
except ImportError as exc:
    _ICL_SKIP = f"skipped: ICL sampler is NumPy-only in this checkout ({type(exc).__name__}: {exc})"

REF = "numpy-ref"  # the key of the NumPy reference side in the RATIO lines
SUMMARY: list[str] = []
T_REGRET, N_CLASSES, TAU = 0.4, 6, 1.5


# ------------------------------------------------------------------------------------------------- helpers


def _sync(be, out):
    """Wait for the device work behind ``out`` (an array or a tuple of arrays) to finish; return ``out``."""
    if be is None or be.name in ("numpy", "array-api-strict"):
        return out
    if be.name == "cupy":
        be.device.synchronize()
    elif be.name == "torch":
        if getattr(be.device, "type", "cpu") == "cuda":
            import torch
            torch.cuda.synchronize(be.device)
    elif be.name == "jax":
        for a in (out if isinstance(out, tuple) else (out,)):
            if hasattr(a, "block_until_ready"):
                a.block_until_ready()
    return out


def _version(name: str) -> str:
    try:
        return str(importlib.import_module(name.replace("-", "_")).__version__)
    except Exception:  # noqa: BLE001 (a version string is decoration only)
        return "?"


def _device_note(be) -> str:
    """The accelerator's name, where the backend can tell (decoration only)."""
    try:
        if be.name == "cupy":
            import cupy
            return cupy.cuda.runtime.getDeviceProperties(be.device.id)["name"].decode()
        if be.name == "torch" and be.device.type == "cuda":
            import torch
            return torch.cuda.get_device_name(be.device)
        if be.name == "jax":
            return str(be.device.device_kind)
    except Exception:  # noqa: BLE001, S110 (decoration only)
        pass
    return ""


def _parse_devices(values):
    """``--device`` values: ``DEV`` (every selected non-NumPy backend) or ``BACKEND=DEV`` (that one)."""
    generic, specific = None, {}
    for v in values or []:
        b, eq, dev = v.partition("=")
        if eq and b in bk.BACKENDS:
            specific[b] = dev
        else:
            generic = v
    return generic, specific


def select_targets(names, devices, dtypes):
    """Resolve the selected backends once per dtype; print one line per backend (used, not installed, unusable)."""
    generic, specific = _parse_devices(devices)
    installed = bk.installed_backends()
    targets = []
    print("backends (theorylab.engine.backends; the NumPy reference always runs):")
    for name in bk.BACKENDS:
        if name not in names:
            continue
        if name not in installed:
            print(f"  {name:16s} not installed: skipped")
            continue
        dev = specific.get(name, "cpu" if name == "numpy" else generic)
        try:
            got = [bk.resolve(name, dev, dt) for dt in dtypes]
        except InputError as exc:
            print(f"  {name:16s} cannot be used here: {exc}")
            continue
        note = _device_note(got[0])
        print(f"  {name:16s} {_version(name)}, device {got[0].device_name}{f' ({note})' if note else ''}, "
              f"dtypes {', '.join(dtypes)}" + (" (array-API reference on NumPy: fast=False)" if name == "numpy"
                                               else ""))
        targets.extend(got)
    return targets


def _probe(label, fn):
    """One untimed call (the warm-up: compiles, caches, page faults); None and a printed line if it fails."""
    try:
        return fn(), None
    except Exception as exc:  # noqa: BLE001 (one failing backend must not stop the others)
        msg = f"  {label}: failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        print(msg)
        return None, msg


def _setup(be, fn):
    """The untimed inputs of one side (e.g. the arrays moved to its device); None and a printed line on failure."""
    out, err = _probe(f"{_key(be)} (input setup)", fn)
    return None if err else out


def _key(be) -> str:
    return f"{be.name} {be.device_name} {be.dtype_name}"


def _run_table(tag, title, ref_desc, size, work, unit, ref_fn, sides, compare, rounds, notes=()):
    """Time REF and the sides alternated; print the table and the RATIO lines.

    ``sides``: list of (Backend, fn). ``compare(ref_out, out)`` gives the agreement column (a string).
    """
    print(f"\n{title}")
    print(f"  NumPy reference: {ref_desc}")
    print(f"  size: {size}; ratio = t_NumPy / t_backend per round (> 1: the backend is faster)")
    for n in notes:
        print(f"  {n}")
    if not sides:
        print("  no backend side to time (none selected, installed or usable here)")
        return
    ref_out, err = _probe(REF, ref_fn)
    if err:
        print("  no table: the reference failed")
        return
    fns, meta, outs = {REF: ref_fn}, {REF: None}, {REF: ref_out}
    for be, fn in sides:
        out, err = _probe(_key(be), fn)
        if err is None:
            fns[_key(be)], meta[_key(be)], outs[_key(be)] = fn, be, out
    if len(fns) == 1:
        print("  no backend side ran")
        return
    res = alternate(fns, rounds=rounds, warmup=False)
    cols = ("backend", "device", "dtype", "size", "median s", f"{unit}/s", "ratio min/med/max", "max |Δ| vs ref")
    rows = []
    for k in fns:
        be = meta[k]
        t = res.stats(k)
        ratio = "reference" if be is None else res.ratio(REF, k).fmt()
        rows.append(("numpy-ref" if be is None else be.name, "cpu" if be is None else be.device_name,
                     "float64" if be is None else be.dtype_name, size, f"{t.med:.4g}", f"{work / t.med:.3e}",
                     ratio, "-" if be is None else compare(ref_out, outs[k])))
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    print("  " + " | ".join(c.ljust(w) for c, w in zip(cols, widths)))
    print("  " + "-+-".join("-" * w for w in widths))
    for r in rows:
        print("  " + " | ".join(v.ljust(w) for v, w in zip(r, widths)))
    print(f"  ({res.load()}, {res.rounds} rounds; calls per round: "
          + ", ".join(f"{k} x{res.number[k]}" for k in fns) + ")")
    for k in fns:
        if meta[k] is not None:
            SUMMARY.append(summary_line(f"{tag} {size}", res, REF, k))


def _maxdiff(a, b) -> str:
    a, b = np.asarray(bk.to_numpy(a), np.float64), np.asarray(bk.to_numpy(b), np.float64)
    return f"{float(np.max(np.abs(a - b))):.1e}"


# ---------------------------------------------------------------------------------------- 1. tight search


def _raw_candidates(N, n, seed=0):
    """Raw candidate rows as the search draws them (uniform m-coordinate, powered exponentials)."""
    rng = np.random.default_rng(seed)
    X = np.empty((N, n - 1))
    X[:, 0] = rng.uniform(0, 1, N)
    X[:, 1:] = rng.exponential(1.0, (N, n - 2)) ** rng.uniform(0.3, 4.0, (N, 1))
    return X


def bench_candidates(targets, N, rounds):
    t, n, tau = T_REGRET, N_CLASSES, TAU
    X = _raw_candidates(N, n)
    sides, notes = [], []
    for be in targets:
        if be.name == "numpy":
            if be.dtype_name == "float32":
                notes.append("numpy float32: n/a (NumPy candidate rows are computed in float64 on every path)")
                continue
            sides.append((be, lambda: candidate_regrets(X, t, n, tau, fast=False)))
            continue
        Xd = _setup(be, lambda be=be: be.xp.asarray(X, dtype=be.dtype, device=be.device))  # moved once, untimed
        if Xd is not None:
            sides.append((be, lambda be=be, Xd=Xd: _sync(be, candidate_regrets(Xd, t, n, tau))))

    def compare(ref, out):
        out = np.asarray(bk.to_numpy(out), np.float64)
        same = "same argmin" if int(np.argmin(out)) == int(np.argmin(ref)) else "argmin differs"
        return f"{float(np.max(np.abs(out - ref))):.1e} ({same})"

    _run_table("1a candidate stage", f"1a. tight-search candidate stage: candidate_regrets, n={n}, t={t}, tau={tau:g}",
               "candidate_regrets(X, fast=True): numba map_rows + regret_rows kernels, float64 "
               "(one numba thread below 2e5 rows)", f"N={N}", N, "candidates",
               lambda: candidate_regrets(X, t, n, tau, fast=True), sides, compare, rounds, notes)


def bench_tight_transform(targets, N, rounds):
    t, n, tau = T_REGRET, N_CLASSES, TAU
    loss = ("comp_sum", tau)

    def call(**kw):
        return tight_transform(loss, t, n, rng=np.random.default_rng(0), n_random=N, **kw)

    sides = [(be, lambda be=be: call(xp=be.xp, device=be.device, dtype=be.dtype)) for be in targets]

    def compare(ref, out):
        return f"{abs(out[0] - ref[0]):.1e} (T = {out[0]:.10f})"

    _run_table("1b tight_transform", f"1b. tight_transform end to end: comp_sum tau={tau:g}, t={t}, n={n}, n_refine=4",
               "tight_transform(..., n_random=N) without xp: numba candidate stage, float64; every side draws the "
               "same candidates on the host and refines on the host", f"n_random={N}", N, "candidates",
               lambda: call(), sides, compare, rounds)


# ------------------------------------------------------------------------------------- 2. diagonal net


def bench_diagonal(targets, R, steps, rounds, d=100, n=40):
    if _DN_SKIP:
        print(f"\n2. batched diagonal-net SGD: {_DN_SKIP}")
        return
    X, y, _, _, _ = sparse_regression(n, d, 3, np.random.default_rng(0))
    u0 = np.full((R, d), 0.1)
    step = np.linspace(0.005, 0.01, R)

    def run(Xa, ya, ua, fast):
        return run_dynamics_batched(Xa, ya, ua, ua, step=step, n_steps=steps, batch_size=1,
                                    rng=[np.random.default_rng(1000 + r) for r in range(R)], fast=fast)

    sides = []
    for be in targets:
        if be.name == "numpy":
            Xa, ya, ua = (np.asarray(a, dtype=be.dtype_name) for a in (X, y, u0))
            sides.append((be, lambda Xa=Xa, ya=ya, ua=ua: run(Xa, ya, ua, False).beta))
            continue
        moved = _setup(be, lambda be=be: [be.xp.asarray(a, dtype=be.dtype, device=be.device) for a in (X, y, u0)])
        if moved is None:
            continue
        Xa, ya, ua = moved
        sides.append((be, lambda be=be, Xa=Xa, ya=ya, ua=ua: _sync(be, run(Xa, ya, ua, None).beta)))
    _run_table("2 diagonal-net SGD",
               f"2. batched diagonal-net SGD: run_dynamics_batched, u*u - v*v, d={d}, n={n}, batch 1, "
               f"steps in [0.005, 0.01]", "run_dynamics_batched on NumPy arrays, fast=True: the numba SGD kernel "
               "run by run, float64 (numpy rows: the batched array loop on NumPy, fast=False)",
               f"R={R} x {steps} steps", R * steps, "run-steps", lambda: run(X, y, u0, True).beta, sides,
               lambda ref, out: _maxdiff(ref, out), rounds)


# ------------------------------------------------------------------------------------------------- 3. ICL


def bench_icl(targets, B, rounds, d=5, n=20):
    if _ICL_SKIP:
        print(f"\n3. ICL Monte Carlo: {_ICL_SKIP}")
        return
    K = 0.5 * np.eye(d)

    def risk(**kw):
        p = sample_prompts(B, n, d, np.random.default_rng(1), noise_var=0.5, **kw)
        m, se = mc_risk(p, K)
        return float(m), float(se)  # host floats: the synchronisation

    sides = [(be, lambda be=be: risk(xp=be.xp, device=be.device, dtype=be.dtype_name)) for be in targets]
    _run_table("3a ICL MC risk", f"3a. ICL Monte Carlo risk: sample_prompts + mc_risk, d={d}, n={n}, noise 0.5",
               "sample_prompts(...) + mc_risk(prompts, K) on NumPy float64 (no numba path; host draw on every side)",
               f"B={B}", B, "prompts", lambda: risk(), sides,
               lambda ref, out: f"{abs(out[0] - ref[0]):.1e} (risk {out[0]:.6f})", rounds)

    rng = np.random.default_rng(3)
    b, A = rng.standard_normal(d + 1), rng.standard_normal((d + 1, d))
    p_ref = sample_prompts(B, n, d, np.random.default_rng(2), noise_var=0.5)

    def host(out):
        return tuple(np.asarray(bk.to_numpy(o), np.float64) for o in out)

    sides = []
    for be in targets:
        p = _setup(be, lambda be=be: sample_prompts(B, n, d, np.random.default_rng(2), noise_var=0.5, xp=be.xp,
                                              device=be.device, dtype=be.dtype_name))  # moved once, untimed
        if p is None:
            continue
        if be.name == "numpy":
            sides.append((be, lambda p=p: loss_grad(p, b, A, fast=False)))
        else:
            sides.append((be, lambda be=be, p=p: _sync(be, loss_grad(p, b, A))))

    def compare(ref, out):
        rel = max(float(np.max(np.abs(x - y))) / max(1e-300, float(np.max(np.abs(y))))
                  for x, y in zip(host(out), host(ref)))
        return f"{rel:.1e} (relative)"

    _run_table("3b ICL loss_grad", f"3b. ICL reduced-LSA loss + gradient: loss_grad, d={d}, n={n}, masked",
               "loss_grad(prompts, b, A, fast=True) on NumPy float64 prompts: the numba kernel", f"B={B}", B,
               "prompts", lambda: loss_grad(p_ref, b, A, fast=True), sides, compare, rounds)


# -------------------------------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="CPU-sized run: N=2e4 candidates, 16 runs x 200 steps, 2e4 prompts (< 1 min here)")
    ap.add_argument("--backend", action="append", choices=bk.BACKENDS + ("all",),
                    help="backend to time against NumPy (repeatable; default: all of them, those not installed "
                         "are reported and skipped)")
    ap.add_argument("--device", action="append",
                    help="device of the non-NumPy backends (e.g. device1 for array-api-strict, 0 or cuda:1 for "
                         "cupy), or BACKEND=DEV for one of them (repeatable; default: each backend's default)")
    ap.add_argument("--dtype", choices=("float64", "float32", "both"), default="both")
    ap.add_argument("--only", action="append", choices=("tight", "diagonal", "icl"),
                    help="run only these sections (repeatable; default: all)")
    ap.add_argument("--no-tight-transform", action="store_true", help="skip 1b (the end-to-end search)")
    ap.add_argument("--candidates", type=int, default=None, help="N (default 1e6; --quick 2e4)")
    ap.add_argument("--runs", type=int, default=None, help="diagonal-net runs R (default 256; --quick 16)")
    ap.add_argument("--steps", type=int, default=None, help="diagonal-net SGD steps (default 2000; --quick 200)")
    ap.add_argument("--prompts", type=int, default=None, help="ICL prompts B (default 1e5; --quick 2e4)")
    ap.add_argument("--rounds", type=int, default=5, help="alternated rounds (>= 5, _timing's minimum)")
    a = ap.parse_args(argv)
    if a.rounds < 5:
        ap.error("--rounds must be >= 5 (benchmarks/_timing.py's minimum)")
    names = bk.BACKENDS if not a.backend or "all" in a.backend else tuple(a.backend)
    dtypes = ("float64", "float32") if a.dtype == "both" else (a.dtype,)
    sections = a.only or ("tight", "diagonal", "icl")
    N = a.candidates or (20_000 if a.quick else 1_000_000)
    R = a.runs or (16 if a.quick else 256)
    S = a.steps or (200 if a.quick else 2000)
    B = a.prompts or (20_000 if a.quick else 100_000)
    t0 = time.perf_counter()
    print(header("bench_backends" + (" --quick (CPU sizes: NOT the default GPU-sized figures)" if a.quick else "")))
    targets = select_targets(names, a.device, dtypes)
    print(f"sizes: N={N} candidates, R={R} runs x {S} steps, B={B} prompts; dtypes {', '.join(dtypes)}; "
          f"nothing extrapolated")
    if "tight" in sections:
        bench_candidates(targets, N, a.rounds)
        if not a.no_tight_transform:
            bench_tight_transform(targets, N, a.rounds)
    if "diagonal" in sections:
        bench_diagonal(targets, R, S, a.rounds)
    if "icl" in sections:
        bench_icl(targets, B, a.rounds)
    print("\nSUMMARY (t_NumPy / t_backend per round, min/median/max: > 1 means the backend is faster than NumPy)")
    for line in SUMMARY:
        print(line)
    print(f"wall time {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
