"""theorylab: numerical verification of machine-learning theory.

Layers, each importing only those before it: ``losses`` → ``theory`` → ``settings`` → ``engine``
(claims, runner, figures) and the CLI. Claims live in the ``verifications`` package, one module per paper.
"""
__version__ = "0.1.0"

from ._validation import InputError


def run(pattern="*", budget="quick", seed=0, jobs=1, executor=None, progress=None):
    """Run the claims matching ``pattern``; return their evidence records (see :func:`theorylab.engine.run`)."""
    from .engine.runner import run as _run

    return _run(pattern, budget=budget, seed=seed, jobs=jobs, executor=executor, progress=progress)


__all__ = ["run", "InputError", "__version__"]
