"""Process pools and BLAS threads: the one place that says how the package runs work in parallel.

Parallelism comes from separate processes (:func:`default_executor`, spawned so that no state leaks from the
parent); inside a process, BLAS runs on one thread (:func:`single_blas_thread`): results then do not depend
on the machine's core count, and small linear-algebra kernels do not spin-wait. Used by the settings
(:mod:`theorylab.settings.mixture.sample_complexity`) and the claim runner (:mod:`theorylab.engine.runner`).
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import threading

from threadpoolctl import ThreadpoolController

__all__ = ["default_executor", "single_blas_thread"]


def default_executor(jobs: int) -> cf.Executor:
    """A local process pool of ``jobs`` workers (spawned, so no state leaks from the parent).

    Parameters
    ----------
    jobs : int
        Number of worker processes.

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
    """
    return cf.ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


_CONTROLLER = None
_LOCAL = threading.local()


@contextlib.contextmanager
def single_blas_thread(rescan: bool = False):
    """Run the block with the BLAS libraries limited to one thread (``threadpoolctl``), restored afterwards.

    The L-BFGS problems here are small (hundreds to ~10⁵ parameters); on a loaded machine OpenBLAS's threads
    spin-wait on tiny kernels and slow a fit down ~7× (measured), so fits run single-threaded and
    parallelism comes from running repetitions in separate processes. Nested blocks cost nothing.

    Parameters
    ----------
    rescan : bool, default False
        Look again for the BLAS libraries loaded in the process (about 2 ms) instead of reusing those found by
        the first block; the claim runner rescans once per claim, since a check may load a library lazily.

    Yields
    ------
    None
        Control of the block.

    References
    ----------
    C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li, J. Zhu, "Revisiting Discriminative vs. Generative Classifiers: Theory and
    Implications", ICML 2023, arXiv:2302.02334 (the fits of its simulation protocol; no mathematics here).
    The claim runner (:func:`theorylab.engine.runner.evaluate`) runs every check inside this block, so the same seed
    gives the same bits whatever the machine's core count.
    """
    global _CONTROLLER
    depth = getattr(_LOCAL, "depth", 0)
    _LOCAL.depth = depth + 1
    try:
        if depth:
            yield
            return
        if _CONTROLLER is None or rescan:
            _CONTROLLER = ThreadpoolController()
        with _CONTROLLER.limit(limits=1, user_api="blas"):
            yield
    finally:
        _LOCAL.depth = depth


SERIAL_BELOW = 200_000
"""Rows below which a parallel numba kernel runs on one thread (:func:`numba_threads_for`)."""


@contextlib.contextmanager
def numba_threads_for(rows: int):
    """Run the block's parallel numba kernels on one thread when they see fewer than :data:`SERIAL_BELOW` rows.

    A parallel region waits for all its threads; on a machine whose other core is busy (a second claim worker,
    another process) that wait is a scheduler time slice, ~15 ms per call, whatever the work. Measured on the
    2-core machine (``benchmarks/bench_compsum.py``, candidate stage of the tight search, n = 6): at N = 4000
    rows two threads were ~9× slower than the NumPy reference and one thread 3.5× faster; at N = 2·10⁵ one thread
    was still faster (3.6× vs 2.6×). The kernels' results do not depend on the thread count (fixed chunks), so
    this changes time only.

    Parameters
    ----------
    rows : int
        The number of independent rows the kernels of the block process.

    Yields
    ------
    None
        Control of the block.

    References
    ----------
    No mathematics: an execution setting (numba's ``set_num_threads``), documented in ``benchmarks/README.md``.
    """
    if rows >= SERIAL_BELOW:
        yield
        return
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)
