"""The claim engine: claims, evidence, the runner and figures (the top layer of the package).

Names are imported on first use (PEP 562), so a light command (``theorylab list``) does not pay for the
runner, the figures or matplotlib. For notebooks: :class:`Evidence` (what :func:`evaluate` returns) displays
itself as an HTML table; the registered figures are :func:`all_figures` / :func:`select_figures` (each a
:class:`Figure` whose ``make(ctx)`` returns a :class:`FigureResult`), drawn in the house style of
:func:`new_figure` and :func:`house_style`; :func:`claim_seed_sequence` gives a figure or claim its stream.
"""
from __future__ import annotations

import importlib

# Eager: the decorator ``claim`` shares its name with the submodule ``claim``, which would otherwise replace it as
# an attribute of this package once the submodule is imported. claim.py needs only NumPy.
from .claim import Claim, Source, claim

_WHERE = {"Context": "context", "claim_seed_sequence": "context", "Evidence": "evidence",
          "Outcome": "evidence", "Tally": "evidence", "all_claims": "discovery", "select": "discovery",
          "Figure": "figures", "FigureResult": "figures", "figure": "figures", "all_figures": "figures",
          "select_figures": "figures", "render": "figures", "new_figure": "plotstyle", "house_style": "plotstyle",
          "series_colors": "plotstyle", "run_module": "report", "evaluate": "runner", "run": "runner"}

__all__ = ["Claim", "Context", "Evidence", "Outcome", "Source", "Tally", "all_claims", "claim", "claim_seed_sequence",
           "select", "Figure", "FigureResult", "figure", "all_figures", "select_figures", "render", "new_figure",
           "house_style", "series_colors", "evaluate", "run", "run_module"]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
