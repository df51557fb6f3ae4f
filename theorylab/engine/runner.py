"""Runs claims (and their negative controls) on any ``concurrent.futures.Executor``.

The unit of work is :func:`run_claim`, a plain function of picklable arguments that finds the claim
by id in the worker, so a local process pool, a thread pool or a cluster executor can run it unchanged.
A task that crashes becomes an ERROR record; the other results are kept. A pool gets the claims longest
first, by the seconds each took in the previous run (kept in the cache folder, :func:`theorylab._cache.cache_dir`);
the order of work never changes evidence, only how evenly the workers finish.
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import math
import os
import sys
import time
import traceback
from typing import Callable, Iterable, Sequence

import numpy as np

from .._cache import cache_dir
from .._files import atomic_write
from .._parallel import default_executor, single_blas_thread
from .._validation import InputError
from .backends import DEFAULT_BACKEND, DEFAULT_DTYPE, check_backend, default_device
from .claim import BUDGETS, Claim, Context, Evidence, Outcome, _REGISTRY, claim_seed_sequence
from .discovery import all_claims, select


def _context(claim_id: str, seed: int, budget: str, control: bool, cases: dict | None = None,
             backend: str = DEFAULT_BACKEND, device: str | None = None, dtype: str = DEFAULT_DTYPE) -> Context:
    ss = claim_seed_sequence(seed, claim_id)
    ctx = Context(rng=np.random.default_rng(ss), budget=budget, control=control, seed=seed, backend=backend,
                  device_name=device, dtype_name=dtype)
    if cases is not None:
        ctx.case_memo = cases  # the statement's and the control's contexts share what ctx.cases computed
    return ctx


def judge_control(c: Claim, main: Outcome, ctrl: Outcome) -> tuple[str, float, str]:
    """Judge a negative control: ``(verdict, margin, note)``.

    The control is ``"passed"`` when its worst slack is ≥ −tolerance (the check could not fail),
    ``"decisive"`` when its worst *finite* slack is ≤ −threshold on the claim's own cases, and
    ``"weak"`` otherwise: it failed only through NaN/∞, by less than the threshold, or on other cases
    than the claim (unless the claim declares why). ``margin`` is −(worst finite slack) / threshold.

    Parameters
    ----------
    c : Claim
        The claim (its tolerance, decisive threshold and ``control_cases`` declaration).
    main, ctrl : Outcome
        The statement's and the control's outcomes.

    Returns
    -------
    tuple of (str, float, str)
        The control's verdict, its margin in threshold units, and a note saying why it is weak.
    """
    threshold = c.decisive_threshold
    finite = ctrl.worst_finite_slack
    margin = -finite / threshold if threshold > 0 and math.isfinite(finite) else math.nan
    if ctrl.worst_slack >= -c.tolerance:
        return "passed", margin, "the negative control held: this check could not fail"
    if threshold <= 0:
        return "weak", margin, "no decisive threshold: declare control_threshold (the tolerance is 0)"
    if not c.control_cases and (ctrl.cases != main.cases or ctrl.fingerprint != main.fingerprint):
        return "weak", margin, (f"the control ran other cases than the claim ({ctrl.cases} vs {main.cases}, "
                                f"fingerprint {ctrl.fingerprint} vs {main.fingerprint})")
    if not math.isfinite(finite) or finite > -threshold:
        if finite > -threshold and ctrl.nonfinite:
            return "weak", margin, f"the control failed only through {ctrl.nonfinite} NaN/∞ case(s)"
        return "weak", margin, f"the control failed by {-finite:.3g}, less than the threshold {threshold:.3g}"
    return "decisive", margin, ""


def _error_record(c: Claim, budget: str, seed: int, seconds: float, error: str, backend: str = DEFAULT_BACKEND,
                  device: str | None = None, dtype: str = DEFAULT_DTYPE, skipped: str = "") -> Evidence:
    """An ERROR record (the check crashed), or with ``skipped`` a SKIPPED one (the claim does not declare the run's
    backend or dtype, and was not run)."""
    ss = claim_seed_sequence(seed, c.id)
    return Evidence(
        claim_id=c.id, title=c.title, kind=c.kind, status=c.status, source=str(c.source),
        statement=c.statement, passed=False, verdict="SKIPPED" if skipped else "ERROR", cases=0, worst_slack=math.nan, worst_case={},
        tolerance=c.tolerance, tolerance_reason=c.tolerance_reason, negative_control=c.negative_control,
        negative_control_failed=False, negative_control_verdict="-", negative_control_worst_slack=math.nan,
        negative_control_worst_case={}, negative_control_threshold=c.decisive_threshold,
        negative_control_margin=math.nan, negative_control_cases=0, negative_control_note="",
        value=None, message="", seed=seed, spawn_key=list(ss.spawn_key), budget=budget, backend=backend,
        dtype=dtype, seconds=seconds, error=error, device=default_device(backend) if device is None else device,
        skipped_reason=skipped)


def evaluate(c: Claim, budget: str = "quick", seed: int = 0, backend: str = DEFAULT_BACKEND,
             device: str | None = None, dtype: str = DEFAULT_DTYPE) -> Evidence:
    """Run one claim and its negative control in this process and return the evidence.

    Checks run with BLAS limited to one thread, so evidence does not depend on the thread count
    (parallelism comes from running claims in separate processes).

    Parameters
    ----------
    c : Claim
        The claim to run.
    budget : {"quick", "full", "paper"}
        The run budget.
    seed : int
        The run seed; the claim's stream is ``claim_seed_sequence(seed, c.id)``.
    backend : str
        The array backend (:mod:`.backends`); a claim that does not declare it is SKIPPED, never run on NumPy.
    device : str, optional
        The backend's device (default: the backend's default device).
    dtype : {"float64", "float32"}
        The floating dtype; a claim without a float32 tolerance is SKIPPED in float32.

    Returns
    -------
    Evidence
        Verdict PASS/FINDING only when the statement held (worst slack ≥ −tolerance) and the control
        failed decisively (see :func:`judge_control`); SKIPPED when the claim does not declare the backend
        or dtype. The record names the backend, device and dtype.
    """
    t0 = time.perf_counter()
    backend, device, dtype = check_backend(backend, device, dtype)
    where = {"backend": backend, "device": device, "dtype": dtype}
    skipped = c.skip_reason(backend, dtype)
    if skipped:
        return _error_record(c, budget, seed, 0.0, "", skipped=skipped, **where)
    c = c.in_dtype(dtype)
    ss = claim_seed_sequence(seed, c.id)
    try:
        # one BLAS thread: the same seed then gives the same bits whatever the machine's core count
        with single_blas_thread(rescan=True):
            memo: dict = {}
            ctx_main = _context(c.id, seed, budget, False, memo, **where)
            ctx_ctrl = _context(c.id, seed, budget, True, memo, **where)
            main = c.check(ctx_main)
            ctrl = c.check(ctx_ctrl)
        for name, out in (("check", main), ("control", ctrl)):
            if not isinstance(out, Outcome):
                raise TypeError(f"the {name} returned {type(out).__name__}, not an Outcome (use tally.outcome())")
    except Exception as exc:  # a crashing check is reported as an error, never as a pass
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
        return _error_record(c, budget, seed, time.perf_counter() - t0, error, **where)
    seconds = time.perf_counter() - t0
    passed = bool(main.worst_slack >= -c.tolerance)
    control, margin, note = judge_control(c, main, ctrl)
    if not passed:
        verdict = "FAIL"
    elif control == "passed":
        verdict = "BROKEN"  # the negative control passed: this check could not fail
    elif control == "weak":
        verdict = "WEAK"
    else:
        verdict = "FINDING" if c.kind == "finding" else "PASS"
    return Evidence(
        claim_id=c.id, title=c.title, kind=c.kind, status=c.status, source=str(c.source),
        statement=c.statement, passed=verdict in ("PASS", "FINDING"), verdict=verdict, cases=main.cases,
        worst_slack=main.worst_slack, worst_case=main.worst_case, tolerance=c.tolerance,
        tolerance_reason=c.tolerance_reason, negative_control=c.negative_control,
        negative_control_failed=control != "passed", negative_control_verdict=control,
        negative_control_worst_slack=ctrl.worst_slack, negative_control_worst_case=ctrl.worst_case,
        negative_control_threshold=c.decisive_threshold, negative_control_margin=margin,
        negative_control_cases=ctrl.cases, negative_control_note=note, value=main.value,
        message=main.message, seed=seed, spawn_key=list(ss.spawn_key), budget=budget, backend=backend,
        dtype=dtype, device=device, seconds=seconds,
        shared_fixtures=sorted(set(ctx_main.fixtures_used) | set(ctx_ctrl.fixtures_used)),
    )


def run_claim(claim_id: str, budget: str, seed: int, backend: str = DEFAULT_BACKEND, device: str | None = None,
              dtype: str = DEFAULT_DTYPE) -> dict:
    """Worker entry point: look the claim up by id (importing the verifications) and run it.

    Parameters
    ----------
    claim_id : str
        An exact claim id.
    budget : {"quick", "full", "paper"}
        The run budget.
    seed : int
        The run seed.
    backend, device, dtype : str
        The array backend, its device and the floating dtype (plain strings, so any executor carries them).

    Returns
    -------
    dict
        The evidence record (:meth:`Evidence.to_dict`).
    """
    claims = _REGISTRY if claim_id in _REGISTRY else all_claims()
    return evaluate(claims[claim_id], budget, seed, backend, device, dtype).to_dict()


def _default_jobs(cpus: int | None) -> int:
    """One worker per core, at most 4.

    Measured on the 2-core reference machine (quiet, warm caches), the quick catalogue took 30.6–31.6 s
    wall with 2 workers and 42.2–48.0 s in one process. Beyond 2 cores the cap of 4 is a choice, not a
    measurement.
    """
    return max(1, min(4, cpus or 1))


DEFAULT_JOBS = _default_jobs(os.cpu_count())


def _can_spawn() -> bool:
    """Whether spawned workers can start: they re-import ``__main__``, which fails for ``python -`` (stdin)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def _check_seed(name: str, seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"{name}={seed!r} is not allowed; it must be an integer >= 0")
    if seed >= 2**63:
        raise InputError(f"{name}={seed!r} is not allowed; it must be below 2**63")
    return int(seed)


def run(pattern="*", budget: str = "quick", seed: int = 0, jobs: int = DEFAULT_JOBS,
        executor: cf.Executor | None = None,
        progress: Callable[[int, int, dict], None] | None = None,
        seeds: Sequence[int] | None = None, backend: str = DEFAULT_BACKEND, device: str | None = None,
        dtype: str = DEFAULT_DTYPE) -> list[dict]:
    """Run the claims matching ``pattern`` (a string or a list of them) and return their evidence.

    Parameters
    ----------
    pattern : str or sequence of str
        Exact id, glob, paper key or substring of claim ids; ``"*"`` runs everything.
    budget : {"quick", "full", "paper"}
        ``quick``: seconds per claim; ``full``: paper scale.
    seed : int
        Root seed; each claim gets its own child ``SeedSequence`` (same seed, same evidence).
    jobs : int
        Worker processes when no executor is given; 1 runs in this process.
    executor : concurrent.futures.Executor, optional
        Any executor (a cluster one, say); it receives :func:`run_claim` calls.
    progress : callable(done, total, evidence), optional
        Called after each (claim, seed) finishes, in completion order.
    seeds : sequence of int, optional
        Run every claim at each of these seeds instead of ``seed``.
    backend : str
        The array backend (``numpy``, ``array-api-strict``, ``torch``, ``cupy``, ``jax``; installed ones only).
        Claims that do not declare it get SKIPPED records (neither passed nor failed).
    device : str, optional
        The backend's device (default: its default device, e.g. ``cpu``).
    dtype : {"float64", "float32"}
        The floating dtype; claims without a float32 tolerance are SKIPPED in float32.

    Returns
    -------
    list of dict
        One evidence record per claim and seed, sorted by claim id then seed, with the fields of
        :class:`Evidence`. A task that crashed is an ERROR record. On KeyboardInterrupt the pending
        tasks are cancelled and the interrupt is re-raised with the finished records attached as
        ``exc.results``.

    Raises
    ------
    InputError
        On a bad budget, seed, jobs, backend, device or dtype, or a pattern that matches no claim.
    """
    if budget not in BUDGETS:
        raise InputError(f"budget={budget!r} is not allowed; choose one of {', '.join(BUDGETS)}")
    if seeds is None:
        seed_list = [_check_seed("seed", seed)]
    else:
        if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
            raise InputError(f"seeds={seeds!r} is not allowed; it must be a sequence of integers >= 0")
        seed_list = [_check_seed("seeds", s) for s in seeds]
        if not seed_list:
            raise InputError("seeds is empty; give at least one seed")
        if len(set(seed_list)) != len(seed_list):
            raise InputError(f"seeds={list(seeds)!r} repeats a seed; each seed once")
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InputError(f"jobs={jobs!r} is not allowed; it must be an integer >= 1")
    backend, device, dtype = check_backend(backend, device, dtype)
    where = (backend, device, dtype)
    chosen = select(pattern)
    tasks = [(c, s) for c in chosen for s in seed_list]
    total = len(tasks)
    results: list[dict] = []

    def done(ev: dict) -> None:
        results.append(ev)
        if progress is not None:
            progress(len(results), total, ev)

    def ordered() -> list[dict]:
        return sorted(results, key=lambda e: (e["claim_id"], e["seed"]))

    # A pool of our own runs the claims its workers can import (those of the verifications package);
    # claims registered elsewhere (a script, a notebook, a test) run in this process.
    own = None
    local, remote = tasks, []
    if executor is not None:
        local, remote = [], tasks
    elif jobs > 1 and _can_spawn():
        remote = [t for t in tasks if t[0].module.startswith("verifications.") and not t[0].skip_reason(backend, dtype)]
        if len(remote) > 1:
            sent = {(c.id, s) for c, s in remote}
            local = [t for t in tasks if (t[0].id, t[1]) not in sent]  # a script's claims, and SKIPPED records
            executor = own = default_executor(min(jobs, len(remote)))
        else:
            remote = []
    futures: dict = {}
    seconds = _load_seconds()
    try:
        if remote:  # longest first (the last run's times; unknown claims first): the pool's tail stays short
            remote.sort(key=lambda t: -seconds.get(f"{budget}:{t[0].id}", math.inf))
            futures = {executor.submit(run_claim, c.id, budget, s, *where): (c, s) for c, s in remote}
        for c, s in local:
            done(evaluate(c, budget, s, *where).to_dict())
        if remote:
            for fut in cf.as_completed(futures):
                c, s = futures[fut]
                try:
                    ev = fut.result()
                except Exception as exc:  # a lost worker or a task that could not run: keep the others
                    ev = _error_record(c, budget, s, 0.0, f"{type(exc).__name__}: {exc} (the task did not "
                                                          f"complete on the executor)", *where).to_dict()
                done(ev)
    except KeyboardInterrupt as exc:
        for fut in futures:
            fut.cancel()
        exc.results = ordered()
        raise
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
    paper_ids = {c.id for c, _ in tasks if c.module.startswith("verifications.")}  # not a script's or a test's
    if backend == DEFAULT_BACKEND and dtype == DEFAULT_DTYPE:  # the ordering file holds the default run's times
        _save_seconds(seconds, budget, [r for r in results if r["claim_id"] in paper_ids])
    return ordered()


_SECONDS_FILE = "claim-seconds.json"


def _load_seconds() -> dict:
    """The seconds each claim took in earlier runs (``"budget:id"`` → s), from the cache folder; {} if none."""
    folder = cache_dir()
    try:
        data = json.loads((folder / _SECONDS_FILE).read_text()) if folder is not None else {}
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_seconds(seconds: dict, budget: str, results: list[dict]) -> None:
    """Record this run's per-claim seconds (the slowest seed) for the next run's ordering; never fails the run."""
    folder = cache_dir()
    if folder is None or not results:
        return
    new = {}
    for r in results:
        key = f"{budget}:{r['claim_id']}"
        new[key] = max(new.get(key, 0.0), float(r.get("seconds") or 0.0))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(str(folder / _SECONDS_FILE), json.dumps({**seconds, **new}, sort_keys=True))
    except OSError:
        pass


def summarize_seeds(results: Iterable[dict]) -> list[dict]:
    """Per claim, over the seeds it ran at: passes/seeds, the worst slack and the seed that gave it.

    Parameters
    ----------
    results : iterable of dict
        Evidence records (several seeds per claim).

    Returns
    -------
    list of dict
        One row per claim, sorted by id: ``claim_id``, ``seeds`` (count), ``passes``, ``verdicts``
        (count per verdict), ``worst_slack`` and ``worst_seed`` (smallest slack over seeds),
        ``min_control_margin`` and ``min_control_margin_seed``, ``slowest_seconds``, ``skipped`` (seeds with a
        SKIPPED record: the claim does not declare the run's backend or dtype).
    """
    rows: dict[str, dict] = {}
    for r in results:
        row = rows.setdefault(r["claim_id"], {
            "claim_id": r["claim_id"], "seeds": 0, "passes": 0, "verdicts": {}, "worst_slack": math.inf,
            "worst_seed": None, "min_control_margin": math.inf, "min_control_margin_seed": None,
            "slowest_seconds": 0.0, "skipped": 0})
        row["seeds"] += 1
        row["passes"] += bool(r["passed"])
        row["verdicts"][r["verdict"]] = row["verdicts"].get(r["verdict"], 0) + 1
        if r["verdict"] == "SKIPPED":  # not run: no slack, margin or time to summarise
            row["skipped"] += 1
            continue
        slack, margin = _as_float(r["worst_slack"]), _as_float(r["negative_control_margin"])
        if row["worst_seed"] is None or slack < row["worst_slack"]:
            row["worst_slack"], row["worst_seed"] = slack, r["seed"]
        if row["min_control_margin_seed"] is None or margin < row["min_control_margin"]:
            row["min_control_margin"], row["min_control_margin_seed"] = margin, r["seed"]
        row["slowest_seconds"] = max(row["slowest_seconds"], float(r["seconds"]))
    return [rows[k] for k in sorted(rows)]


def _as_float(x) -> float:
    """A JSON evidence number (``'-inf'`` arrives as a string) as a float; NaN and None count as −∞."""
    v = float(x) if x is not None else -math.inf
    return -math.inf if math.isnan(v) else v
