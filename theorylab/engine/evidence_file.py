"""The evidence file: schema, provenance header, JSON and JSON Lines output (both written safely).

Schema (version :data:`~theorylab.engine.claim.SCHEMA_VERSION`), documented in the README:

- ``--json FILE``: one object ``{"schema": "theorylab-evidence", "schema_version", "provenance",
  "budget", "seeds", "complete", "results": [evidence...], "claims": [per-claim summary...]}``,
  written atomically when the run ends (also when it is interrupted: ``complete`` is then false).
- ``--jsonl FILE``: a header line ``{"schema": ..., "provenance": ..., "budget", "seeds"}`` and then one
  evidence record per line as each claim finishes; the file is rewritten atomically after every
  record, so an interrupt leaves every finished record readable.
"""
from __future__ import annotations

import importlib.metadata
import json
import math
import os
import platform
import subprocess

from .claim import SCHEMA_VERSION
from .files import atomic_write

SCHEMA = "theorylab-evidence"


def _git_commit() -> str | None:
    """The commit of the checkout this package runs from, when it is a git checkout."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isdir(os.path.join(here, ".git")):
        return None
    try:
        out = subprocess.run(["git", "-C", here, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    if out.returncode != 0 or not commit:
        return None
    dirty = subprocess.run(["git", "-C", here, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=5).stdout.strip()
    return commit + ("-dirty" if dirty else "")


def provenance() -> dict:
    """Package, Python and library versions, the platform, and the git commit when available.

    Returns
    -------
    dict
        ``theorylab``, ``python``, ``numpy``, ``scipy``, ``sympy``, ``numba``, ``platform``, ``git_commit``.
    """
    out = {"theorylab": _version("theorylab"), "python": platform.python_version()}
    for pkg in ("numpy", "scipy", "sympy", "numba"):
        out[pkg] = _version(pkg)
    out["platform"] = f"{platform.system()} {platform.machine()}"
    out["git_commit"] = _git_commit()
    return out


def _version(pkg: str) -> str:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def header(budget: str, seeds: list[int]) -> dict:
    """The fields every evidence file starts with.

    Parameters
    ----------
    budget : {"quick", "full", "paper"}
        The run budget.
    seeds : list of int
        The seeds run.

    Returns
    -------
    dict
        ``schema``, ``schema_version``, ``provenance`` (see :func:`provenance`), ``budget``, ``seeds``.
    """
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "provenance": provenance(),
            "budget": budget, "seeds": list(seeds)}


def write_json(path: str, budget: str, seeds: list[int], results: list[dict], claims: list[dict],
               complete: bool) -> None:
    """Write the whole run as one JSON object, atomically.

    Parameters
    ----------
    path : str
        The file.
    budget : str
        The run budget.
    seeds : list of int
        The seeds run.
    results : list of dict
        Evidence records.
    claims : list of dict
        Per-claim summaries over seeds (:func:`~theorylab.engine.runner.summarize_seeds`).
    complete : bool
        False when the run was interrupted (``results`` then holds what finished).
    """
    doc = {**header(budget, seeds), "complete": complete, "results": results, "claims": claims}
    atomic_write(path, json.dumps(_json_safe(doc), indent=2) + "\n")


def _json_safe(v):
    """Floats that JSON cannot hold (inf, nan) as strings, as in the evidence records."""
    if isinstance(v, dict):
        return {k: _json_safe(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_safe(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    return v


class JsonLines:
    """Evidence streamed as JSON Lines: a header line, then one record per finished claim.

    Every :meth:`add` rewrites the file atomically, so it always holds a readable prefix of the run.
    Creating the object writes the header line at once.

    Parameters
    ----------
    path : str
        The file to write (replaced if it exists).
    budget : {"quick", "full", "paper"}
        The run budget.
    seeds : list of int
        The seeds run.
    """

    def __init__(self, path: str, budget: str, seeds: list[int]):
        self.path = path
        self.lines = [json.dumps(header(budget, seeds))]
        atomic_write(path, "\n".join(self.lines) + "\n")

    def add(self, record: dict) -> None:
        """Append one evidence record and rewrite the file atomically.

        Parameters
        ----------
        record : dict
            An evidence record (:meth:`~theorylab.engine.claim.Evidence.to_dict`); non-finite floats
            are written as strings.
        """
        self.lines.append(json.dumps(_json_safe(record)))
        atomic_write(self.path, "\n".join(self.lines) + "\n")
