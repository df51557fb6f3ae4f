"""The one timing helper of the benchmarks: alternated rounds, per-round ratios, and the machine's state.

Every benchmark in this folder times its sides with this module, so every printed ratio means the same thing:

* the sides run **alternated**: round r runs f, g, h, … (r even) or …, h, g, f (r odd), so load from other
  processes on a shared machine falls on every side alike, and neither side always runs first (warm caches);
* a ratio is computed **per round** (time of the baseline / time of ours in that round) and reported as
  min/median/max over R ≥ 5 rounds, never as a ratio of two best-ofs taken in separate blocks;
* every ratio is printed with the 1-minute load average (``os.getloadavg``) seen during its rounds, and every
  benchmark starts with :func:`header` (load, CPU count, numba threads, BLAS threads).

Use :func:`alternate` for plain callables (short ones are repeated ``number`` times inside a round, calibrated
to a minimum round time), or :class:`RoundTimer` when the work of the sides is interleaved inside one loop
(one round = one repetition of the loop; ``with timer.time(name): ...`` accumulates into the current round).
Nothing here asserts a speed: the benchmarks print, the tests never time.
"""
from __future__ import annotations

import contextlib
import os
import platform
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["header", "load1", "alternate", "RoundTimer", "Result", "Stats", "summary_line"]


def load1() -> float:
    """The 1-minute load average now."""
    return os.getloadavg()[0]


def _blas_threads() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # a declared dependency, but the header must never fail
        return "? (threadpoolctl missing)"
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    if not pools:
        return "none loaded"
    return ", ".join(f"{p['num_threads']} ({p.get('internal_api', '?')})" for p in pools)


def _numba_threads() -> str:
    try:
        import numba
    except ImportError:
        return "? (numba missing)"
    return f"{numba.get_num_threads()} of {numba.config.NUMBA_NUM_THREADS}"


def header(title: str) -> str:
    """A first line for a benchmark's output: what runs, and the machine's state when it starts."""
    import numpy as np

    la = os.getloadavg()
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = cpus
    lines = [f"== {title}",
             f"machine: {cpus} CPUs ({usable} usable), load {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f} (1/5/15 min), "
             f"numba threads {_numba_threads()}, BLAS threads {_blas_threads()}; "
             f"python {platform.python_version()}, numpy {np.__version__}",
             "timing: sides alternated over R rounds (order reversed every other round); ratios are per round, "
             "printed as min/median/max with the load seen during those rounds"]
    return "\n".join(lines)


@dataclass(frozen=True)
class Stats:
    """min/median/max of a sample (seconds or ratios)."""
    lo: float
    med: float
    hi: float

    @classmethod
    def of(cls, xs) -> "Stats":
        xs = list(xs)
        return cls(min(xs), statistics.median(xs), max(xs))

    def fmt(self, spec: str = ".2f") -> str:
        return f"{self.lo:{spec}}/{self.med:{spec}}/{self.hi:{spec}}"


@dataclass
class Result:
    """Per-round times of named sides, and the load seen around each round."""
    times: dict[str, list[float]]
    loads: list[float]
    number: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, object] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        return len(next(iter(self.times.values())))

    def stats(self, name: str) -> Stats:
        """min/median/max seconds per call of one side."""
        return Stats.of(self.times[name])

    def ratio(self, num: str, den: str, scale: float = 1.0) -> Stats:
        """min/median/max over rounds of scale·t_num/t_den (t_num the baseline: > 1 means ``den`` is faster).

        ``scale`` multiplies the numerator, e.g. a linear extrapolation of a baseline timed on less work (the
        caller must say so where it prints the ratio)."""
        return Stats.of(scale * a / b for a, b in zip(self.times[num], self.times[den]))

    def load(self) -> str:
        return f"load {min(self.loads):.2f}-{max(self.loads):.2f}"

    def line(self, label: str, num: str, den: str, scale: float = 1.0) -> str:
        """``label: min/median/max = a/b/c (load x-y, R rounds)``."""
        return f"{label}: {self.ratio(num, den, scale).fmt()} ({self.load()}, {self.rounds} rounds)"


def _calibrate(fn: Callable, min_time: float) -> int:
    """Calls per round so that a round of ``fn`` takes at least ``min_time`` seconds (one warm call first)."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    if dt >= min_time:
        return 1
    return max(1, min(100_000, int(min_time / max(dt, 1e-7)) + 1))


def alternate(fns: dict[str, Callable], rounds: int = 7, *, min_time: float = 0.05, warmup: bool = True,
              keep_outputs: bool = False) -> Result:
    """Time callables alternated over ``rounds`` rounds; return per-call seconds per round and the loads.

    Parameters
    ----------
    fns : dict name -> callable()
        The sides (ours and its baselines), called without arguments.
    rounds : int, default 7
        R ≥ 5.
    min_time : float, default 0.05
        A callable faster than this is called ``number`` times in a row inside each round (calibrated once,
        after a warm-up call) and its time is the mean of those calls.
    warmup : bool, default True
        One untimed call of each side first (numba compile or cache load, page faults of fresh buffers).
    keep_outputs : bool, default False
        Keep the last output of each side in ``Result.outputs`` (to check that the sides agree).
    """
    if rounds < 5:
        raise ValueError(f"rounds={rounds}: at least 5 alternated rounds are required")
    names = list(fns)
    outputs = {}
    if warmup:
        for k in names:
            outputs[k] = fns[k]()
    number = {k: _calibrate(fns[k], min_time) for k in names}
    times = {k: [] for k in names}
    loads = []
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        loads.append(load1())
        for k in order:
            f, n = fns[k], number[k]
            t0 = time.perf_counter()
            for _ in range(n):
                out = f()
            times[k].append((time.perf_counter() - t0) / n)
            if keep_outputs:
                outputs[k] = out
    loads.append(load1())
    return Result(times, loads, number, outputs if keep_outputs else {})


class RoundTimer:
    """Accumulate the times of interleaved sides, one round per repetition of the caller's loop.

    ``with timer.time("ours"): fit(...)``; ``timer.next_round()`` closes a round (records the load). Within a
    round the caller should alternate which side runs first (:meth:`order` gives a fresh alternation per call).
    """

    def __init__(self, names):
        self.names = list(names)
        self.times = {k: [] for k in self.names}
        self._cur = {k: 0.0 for k in self.names}
        self._loads = [load1()]
        self._flip = False

    @contextlib.contextmanager
    def time(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self._cur[name] += time.perf_counter() - t0

    def order(self, names=None) -> list[str]:
        """The given names (default all), forwards and backwards on successive calls."""
        names = list(self.names if names is None else names)
        self._flip = not self._flip
        return names if self._flip else names[::-1]

    def next_round(self) -> None:
        for k in self.names:
            self.times[k].append(self._cur[k])
            self._cur[k] = 0.0
        self._loads.append(load1())

    def result(self) -> Result:
        return Result(self.times, self._loads)


def summary_line(tag: str, res: Result, num: str, den: str, scale: float = 1.0, note: str = "") -> str:
    """A grep-able ``RATIO`` line: ``RATIO tag: baseline/ours min/median/max (load, rounds) note``."""
    extra = f"; {note}" if note else ""
    return (f"RATIO {tag} [{num} / {den}]: {res.ratio(num, den, scale).fmt()} ({res.load()}, "
            f"{res.rounds} rounds){extra}")
