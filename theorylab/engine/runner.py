"""Runs claims (and their negative controls) on any ``concurrent.futures.Executor``.

The unit of work is :func:`run_claim`, a plain function of picklable arguments that finds the claim
by id in the worker, so a local process pool, a thread pool or a cluster executor can run it unchanged.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time
import traceback
from typing import Callable, Iterable

import numpy as np
from threadpoolctl import threadpool_limits

from .._validation import InputError
from .claim import BUDGETS, Claim, Context, Evidence, _REGISTRY, all_claims, claim_seed_sequence, select


def _context(claim_id: str, seed: int, budget: str, control: bool) -> Context:
    ss = claim_seed_sequence(seed, claim_id)
    return Context(rng=np.random.default_rng(ss), budget=budget, control=control, seed=seed)


def evaluate(c: Claim, budget: str = "quick", seed: int = 0) -> Evidence:
    """Run one claim and its negative control in this process and return the evidence.

    Checks run with BLAS limited to one thread, so evidence does not depend on the thread count
    (parallelism comes from running claims in separate processes).
    """
    t0 = time.perf_counter()
    ss = claim_seed_sequence(seed, c.id)
    error = ""
    try:
        # one BLAS thread: the same seed then gives the same bits whatever the machine's core count
        with threadpool_limits(limits=1, user_api="blas"):
            main = c.check(_context(c.id, seed, budget, False))
            ctrl = c.check(_context(c.id, seed, budget, True))
    except Exception as exc:  # a crashing check is reported as an error, never as a pass
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
        main = ctrl = None
    seconds = time.perf_counter() - t0
    if main is None:
        return Evidence(c.id, c.title, c.kind, c.status, str(c.source), c.statement, False, "ERROR", 0,
                        float("nan"), {}, c.tolerance, c.tolerance_reason, c.negative_control, False,
                        float("nan"), {}, None, "", seed, list(ss.spawn_key), budget, "numpy", "float64",
                        seconds, error)
    passed = bool(main.worst_slack >= -c.tolerance)
    control_failed = bool(not (ctrl.worst_slack >= -c.tolerance))
    if not passed:
        verdict = "FAIL"
    elif not control_failed:
        verdict = "BROKEN"  # the negative control passed: this check could not fail
    else:
        verdict = "FINDING" if c.kind == "finding" else "PASS"
    return Evidence(
        claim_id=c.id, title=c.title, kind=c.kind, status=c.status, source=str(c.source),
        statement=c.statement, passed=passed and control_failed, verdict=verdict, cases=main.cases,
        worst_slack=main.worst_slack, worst_case=main.worst_case, tolerance=c.tolerance,
        tolerance_reason=c.tolerance_reason, negative_control=c.negative_control,
        negative_control_failed=control_failed, negative_control_worst_slack=ctrl.worst_slack,
        negative_control_worst_case=ctrl.worst_case, value=main.value, message=main.message, seed=seed,
        spawn_key=list(ss.spawn_key), budget=budget, backend="numpy", dtype="float64", seconds=seconds,
    )


def run_claim(claim_id: str, budget: str, seed: int) -> dict:
    """Worker entry point: look the claim up by id (importing the verifications) and run it."""
    claims = all_claims() if claim_id not in _REGISTRY else _REGISTRY
    return evaluate(claims[claim_id], budget, seed).to_dict()


def default_executor(jobs: int) -> cf.Executor:
    """A local process pool of ``jobs`` workers (spawned, so no state leaks from the parent)."""
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def run(pattern="*", budget: str = "quick", seed: int = 0, jobs: int = 1,
        executor: cf.Executor | None = None,
        progress: Callable[[int, int, dict], None] | None = None) -> list[dict]:
    """Run the claims matching ``pattern`` (a string or a list of them) and return their evidence.

    Parameters
    ----------
    pattern : str or sequence of str
        Glob, paper key or substring of claim ids; ``"*"`` runs everything.
    budget : {"quick", "full"}
        ``quick``: seconds per claim; ``full``: paper scale.
    seed : int
        Root seed; each claim gets its own child ``SeedSequence`` (same seed, same evidence).
    jobs : int
        Worker processes when no executor is given; 1 runs in this process.
    executor : concurrent.futures.Executor, optional
        Any executor (a cluster one, say); it receives :func:`run_claim` calls.
    progress : callable(done, total, evidence), optional
        Called after each claim finishes.

    Returns
    -------
    list of dict
        One evidence record per claim, sorted by claim id, with the fields of :class:`Evidence`.
    """
    if budget not in BUDGETS:
        raise InputError(f"budget={budget!r} is not allowed; choose one of {', '.join(BUDGETS)}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} is not allowed; it must be an integer >= 0")
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InputError(f"jobs={jobs!r} is not allowed; it must be an integer >= 1")
    chosen = select(pattern)
    total = len(chosen)
    results: list[dict] = []

    def done(ev: dict) -> None:
        results.append(ev)
        if progress is not None:
            progress(len(results), total, ev)

    own = None
    if executor is None and jobs > 1 and total > 1:
        executor = own = default_executor(min(jobs, total))
    try:
        if executor is None:
            for c in chosen:
                done(evaluate(c, budget, int(seed)).to_dict())
        else:
            futures = [executor.submit(run_claim, c.id, budget, int(seed)) for c in chosen]
            for fut in cf.as_completed(futures):
                done(fut.result())
    finally:
        if own is not None:
            own.shutdown()
    return sorted(results, key=lambda e: e["claim_id"])


def run_module(module_name: str, budget: str = "quick", seed: int = 0) -> int:
    """Run the claims defined in one verification module; print a table; return the exit code.

    Used by ``python verifications/<paper>.py``.
    """
    from .report import print_table

    from .claim import claims_in_module

    claims = claims_in_module(module_name)
    results = [evaluate(c, budget, seed).to_dict() for c in sorted(claims, key=lambda c: c.id)]
    print_table(results)
    return 0 if all(r["passed"] for r in results) else 1


def summarize(results: Iterable[dict]) -> dict:
    counts: dict[str, int] = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    return counts
