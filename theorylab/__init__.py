"""theorylab: numerical verification of machine-learning theory.

Layers, each importing only those before it: ``losses`` → ``theory`` → ``settings`` → ``engine``
(claims, runner, figures) and the CLI. Claims live in the ``verifications`` package, one module per paper.
"""
__version__ = "0.1.0"

from ._validation import InputError


def run(pattern="*", budget="quick", seed=0, jobs=None, executor=None, progress=None, seeds=None):
    """Run the claims matching ``pattern``; return their evidence records.

    The same function as :func:`theorylab.engine.runner.run`, with the same defaults as the CLI
    (``jobs=None`` means the measured default, :data:`theorylab.engine.runner.DEFAULT_JOBS`).

    Parameters
    ----------
    pattern : str or sequence of str
        Claim ids, globs or paper keys (``"*"``: every claim).
    budget : {"quick", "full", "paper"}
        Run budget.
    seed : int
        Root seed.
    jobs : int, optional
        Worker processes.
    executor : concurrent.futures.Executor, optional
        Run on this executor instead.
    progress : callable(done, total, evidence), optional
        Called after each claim finishes.
    seeds : sequence of int, optional
        Run every claim at each of these seeds instead of ``seed``.

    Returns
    -------
    list of dict
        Evidence records sorted by claim id and seed.

    References
    ----------
    The claims cite their papers; see ``theorylab list``.
    """
    from .engine.runner import DEFAULT_JOBS, run as _run

    return _run(pattern, budget=budget, seed=seed, jobs=DEFAULT_JOBS if jobs is None else jobs,
                executor=executor, progress=progress, seeds=seeds)


__all__ = ["run", "InputError", "__version__"]
