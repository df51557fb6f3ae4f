"""Claims on a dask cluster: an existing scheduler (``--scheduler ADDRESS``) or a ``LocalCluster`` (``--cluster local:N``).

The runner (:func:`theorylab.engine.runner.run`) works on any ``concurrent.futures.Executor``; this module only
opens one on dask.distributed (``Client.get_executor``) and closes it again. Each (claim, seed) is one task
(:func:`theorylab.engine.runner.run_claim`), results stream back as they finish, a task that fails or a worker
that dies becomes an ERROR record while the run goes on, and Ctrl-C cancels the futures still pending. Workers
set themselves up as a local run does: every check runs inside
:func:`theorylab._parallel.single_blas_thread` (one BLAS thread per task), numba compiles into the package's
own cache, and the claims come from the ``verifications`` package installed beside ``theorylab`` on the worker.
Evidence is the same as from the local pool (the seeds are derived from the run seed and the claim id, never
from the worker), except for timings.

dask.distributed is optional: ``pip install 'theorylab[dist]'``.
"""
from __future__ import annotations

import contextlib
import logging
import re

from .._validation import InputError

__all__ = ["parse_cluster", "cluster_executor", "worker_versions"]

_LOCAL = re.compile(r"^local(?::(\d+))?$")
CONNECT_TIMEOUT = 30.0
"""Seconds to wait for a scheduler to answer, and for its first worker to join."""


def parse_cluster(spec: str, default_workers: int) -> int:
    """The number of workers in a ``--cluster`` spec, ``local`` or ``local:N``.

    Parameters
    ----------
    spec : str
        ``"local"`` (``default_workers`` processes) or ``"local:N"`` with N ≥ 1.
    default_workers : int
        Workers for a bare ``"local"``.

    Returns
    -------
    int
        The number of worker processes.

    Raises
    ------
    InputError
        When the spec is neither form.
    """
    m = _LOCAL.match(str(spec).strip())
    if m is None or (m.group(1) is not None and int(m.group(1)) < 1):
        raise InputError(f"--cluster {spec!r} is not allowed; give local or local:N with N >= 1 worker processes "
                         "(for a cluster elsewhere, start a dask scheduler and pass --scheduler ADDRESS)")
    return int(m.group(1)) if m.group(1) is not None else int(default_workers)


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise InputError("--scheduler and --cluster need dask.distributed, which is not installed; "
                         "pip install 'theorylab[dist]'") from None
    return distributed


def worker_versions(client) -> dict:
    """The theorylab version on each worker of ``client`` (``{worker address: version}``).

    Parameters
    ----------
    client : distributed.Client
        A connected client.

    Returns
    -------
    dict of str to str
        One entry per worker; a worker without theorylab reports ``"missing"``.
    """
    return client.run(_worker_version)


def _worker_version() -> str:
    try:
        import theorylab
    except ImportError:
        return "missing"
    return theorylab.__version__


@contextlib.contextmanager
def cluster_executor(scheduler: str | None = None, workers: int | None = None, timeout: float | None = None):
    """An executor on dask.distributed, closed (with its cluster, if it started one) when the block ends.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running dask scheduler (``tcp://host:8786``); its workers must have this version of theorylab
        installed.
    workers : int, optional
        Start a ``LocalCluster`` of this many single-threaded worker processes instead (exactly one of
        ``scheduler`` and ``workers``).
    timeout : float, optional
        Seconds to wait for the scheduler to answer (default :data:`CONNECT_TIMEOUT`).

    Yields
    ------
    concurrent.futures.Executor
        ``Client.get_executor(pure=False)``: its futures are ``concurrent.futures.Future`` objects.

    Raises
    ------
    InputError
        When dask.distributed is missing, no scheduler answers, the scheduler has no workers, or a worker runs a
        different version of theorylab (or none).
    """
    if (scheduler is None) == (workers is None):
        raise InputError("give exactly one of scheduler (an address) and workers (a LocalCluster size)")
    distributed = _import_distributed()
    from .. import __version__

    timeout = CONNECT_TIMEOUT if timeout is None else float(timeout)
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = distributed.Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(f"--scheduler {scheduler!r}: no dask scheduler answered within {timeout:g} s "
                                 f"({type(exc).__name__}: {exc})") from None
        else:
            cluster = distributed.LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=logging.ERROR)
            client = distributed.Client(cluster)
        try:
            if scheduler is not None:
                try:
                    client.wait_for_workers(1, timeout=timeout)
                except TimeoutError:
                    raise InputError(f"--scheduler {scheduler!r}: the scheduler has no workers (none joined "
                                     f"within {timeout:g} s)") from None
            versions = worker_versions(client)
            wrong = {w: v for w, v in versions.items() if v != __version__}
            if wrong:
                w, v = next(iter(wrong.items()))
                raise InputError(f"worker {w} runs theorylab {v}, this run is {__version__}; install the same "
                                 f"version on every worker ({len(wrong)} of {len(versions)} differ)")
            yield client.get_executor(pure=False)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
