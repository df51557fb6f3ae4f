"""The claim engine: claims, evidence, the runner and figures (the top layer of the package).

Names are imported on first use (PEP 562), so a light command (``theorylab list``) does not pay for the
runner, the figures or matplotlib.
"""
from __future__ import annotations

import importlib

# Eager: the decorator ``claim`` shares its name with the submodule ``claim``, which would otherwise replace it as
# an attribute of this package once the submodule is imported. claim.py needs only NumPy.
from .claim import Claim, Source, claim

_WHERE = {"Context": "context", "Evidence": "evidence",
          "Outcome": "evidence", "Tally": "evidence", "all_claims": "discovery", "select": "discovery",
          "FigureResult": "figures", "figure": "figures", "run_module": "report", "evaluate": "runner",
          "run": "runner"}

__all__ = ["Claim", "Context", "Evidence", "Outcome", "Source", "Tally", "all_claims", "claim", "select",
           "FigureResult", "figure", "evaluate", "run", "run_module"]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
