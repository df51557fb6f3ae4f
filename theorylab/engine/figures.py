"""Figures: each is a function that draws with matplotlib and returns the plotted data as columns.

``theorylab figures`` writes, per figure, ``<name>.png``, ``<name>.csv`` (the plotted data, floats in
``repr`` form so the same seed gives byte-identical files) and ``<name>.json`` (figure id, seed,
budget, package versions; no timestamps, so a rerun with unchanged code changes nothing).
"""
from __future__ import annotations

import csv
import dataclasses
import importlib.metadata
import io
import json
import os
from typing import Callable

import numpy as np

from .claim import Context, Source, claim_seed_sequence, match_ids
from .files import atomic_write

_FIGURES: dict[str, "Figure"] = {}


@dataclasses.dataclass(frozen=True)
class Figure:
    """A registered figure: ``make(ctx) -> FigureResult`` with its id, title and source.

    Attributes
    ----------
    id : str
        ``paper-key/short-name``; the output files are named after it (``/`` becomes ``__``).
    title : str
        The figure's title.
    source : Source
        The paper and the figure or equation it reproduces.
    make : callable(Context) -> FigureResult
        Draws the figure.
    module : str
        The ``__name__`` of the module that defines ``make``.
    """

    id: str
    title: str
    source: Source
    make: Callable
    module: str


@dataclasses.dataclass
class FigureResult:
    """A drawn figure and the columns it plots (equal lengths; numbers or strings).

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The drawn figure, saved as ``<id>.png``.
    columns : dict of str to sequence
        The plotted data by column name, written as ``<id>.csv``; all columns have the same length.
    """

    figure: object
    columns: dict


def figure(id: str, *, title: str, source: Source):
    """Decorator registering ``make(ctx) -> FigureResult`` as a figure.

    ``ctx`` is the same :class:`~theorylab.engine.claim.Context` a claim receives (``ctx.rng``,
    ``ctx.budget``, ``ctx.pick``, ``ctx.shared``), with ``ctx.control`` False.

    Parameters
    ----------
    id : str
        ``paper-key/short-name``.
    title : str
        The figure's title.
    source : Source
        The paper and the figure or equation it reproduces.

    Returns
    -------
    callable
        The decorator: it registers ``make`` under ``id`` and returns ``make`` unchanged.
    """

    def register(make):
        _FIGURES[id] = Figure(id, title, source, make, getattr(make, "__module__", ""))
        return make

    return register


def all_figures() -> dict[str, Figure]:
    """Every registered figure (verification modules are imported first).

    Returns
    -------
    dict of str to Figure
        The figures, keyed and sorted by id.
    """
    from .discovery import load_verifications

    load_verifications()
    return dict(sorted(_FIGURES.items()))


def select_figures(pattern: str = "*") -> list[Figure]:
    """Figures whose id matches ``pattern`` (exact id, glob, paper key or substring).

    Parameters
    ----------
    pattern : str or sequence of str
        The pattern(s) (see :func:`~theorylab.engine.claim.match_ids`); ``"*"`` selects every figure.

    Returns
    -------
    list of Figure
        Sorted by id.

    Raises
    ------
    InputError
        When a pattern is empty or matches no figure.
    """
    figs = all_figures()
    return [figs[i] for i in match_ids(pattern, figs, "figure")]


def _versions() -> dict:
    out = {}
    for pkg in ("theorylab", "numpy", "scipy", "sympy", "matplotlib", "numba"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _cell(v) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def _csv_text(columns: dict) -> str:
    """Equal-length columns as CSV text (floats in ``repr`` form); ValueError when the lengths differ."""
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"figure columns must have equal lengths, got {lengths}")
    keys = list(columns)
    n = next(iter(lengths.values()), 0)
    fh = io.StringIO()
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(keys)
    for i in range(n):
        w.writerow([_cell(columns[k][i]) for k in keys])
    return fh.getvalue()


def write_csv(path: str, columns: dict) -> None:
    """Write equal-length columns as CSV (floats in ``repr`` form), atomically.

    Parameters
    ----------
    path : str
        The file to write.
    columns : dict of str to sequence
        The columns by name: the header row, then one row per index.

    Raises
    ------
    ValueError
        When the columns have different lengths.
    """
    atomic_write(path, _csv_text(columns))


def _close(fig) -> None:
    """Release a drawn figure: ``pyplot.close`` only when pyplot manages it, else drop its artists."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and getattr(fig.canvas, "manager", None) is not None:
        pyplot.close(fig)  # a pyplot figure: remove it from pyplot's registry
    else:
        fig.clear()  # an object-oriented Figure is not registered anywhere; free its artists now


def draw(fig_spec: Figure, seed: int = 0, budget: str = "quick") -> dict:
    """Draw one figure and return its files' contents, without writing anything.

    What :func:`render` writes; a figure drawn on a dask worker (``theorylab figures --cluster``) returns this
    to the client, which writes the files, so a remote worker needs no access to the output folder.

    Parameters
    ----------
    fig_spec : Figure
        The figure.
    seed : int
        The run seed (the figure's stream is ``claim_seed_sequence(seed, id)``).
    budget : {"quick", "full", "paper"}
        The run budget.

    Returns
    -------
    dict
        ``png`` (bytes), ``csv`` (str) and ``provenance`` (the dict written as ``<id>.json``).
    """
    import matplotlib

    matplotlib.use("Agg")  # selects the backend only; pyplot is not imported here
    from .plotstyle import house_style

    rng = np.random.default_rng(claim_seed_sequence(seed, fig_spec.id))
    with house_style():  # the house rcParams (usetex off) for drawing and saving, restored afterwards
        result = fig_spec.make(Context(rng=rng, budget=budget, control=False, seed=seed))
        png = io.BytesIO()
        result.figure.savefig(png, format="png", dpi=110, metadata={"Software": None})
    _close(result.figure)
    csv_text = _csv_text(result.columns)
    stem = fig_spec.id.replace("/", "__")
    prov = {"figure_id": fig_spec.id, "title": fig_spec.title, "source": str(fig_spec.source), "seed": seed,
            "budget": budget, "files": [stem + ext for ext in (".png", ".csv")],
            "columns": list(result.columns), "versions": _versions()}
    return {"png": png.getvalue(), "csv": csv_text, "provenance": prov}


def write_drawn(fig_id: str, drawn: dict, out_dir: str) -> dict:
    """Write what :func:`draw` returned as ``<id>.png``, ``<id>.csv`` and ``<id>.json`` (each atomically).

    Parameters
    ----------
    fig_id : str
        The figure id (``/`` becomes ``__`` in the file names).
    drawn : dict
        The return value of :func:`draw`.
    out_dir : str
        Folder to write into (created when missing).

    Returns
    -------
    dict
        The provenance record written to ``<id>.json``.
    """
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir, fig_id.replace("/", "__"))
    atomic_write(stem + ".png", drawn["png"])
    atomic_write(stem + ".csv", drawn["csv"])
    atomic_write(stem + ".json", json.dumps(drawn["provenance"], indent=2, sort_keys=True) + "\n")
    return drawn["provenance"]


def draw_task(fig_id: str, seed: int, budget: str) -> dict:
    """:func:`draw` by figure id: the task ``theorylab figures --cluster`` sends to a dask worker.

    The worker imports the verification modules itself (the figure functions are looked up there by id, not
    pickled), and draws with one BLAS thread, as a worker runs claims.

    Parameters
    ----------
    fig_id : str
        A registered figure id.
    seed : int
        The run seed.
    budget : {"quick", "full", "paper"}
        The run budget.

    Returns
    -------
    dict
        What :func:`draw` returns.
    """
    from .._parallel import single_blas_thread

    with single_blas_thread():
        return draw(all_figures()[fig_id], seed=seed, budget=budget)


def render(fig_spec: Figure, out_dir: str, seed: int = 0, budget: str = "quick") -> dict:
    """Draw one figure and write its PNG, CSV and provenance JSON (each atomically); return the provenance.

    Parameters
    ----------
    fig_spec : Figure
        The figure.
    out_dir : str
        Folder to write into (created when missing).
    seed : int
        The run seed (the figure's stream is ``claim_seed_sequence(seed, id)``).
    budget : {"quick", "full", "paper"}
        The run budget.

    Returns
    -------
    dict
        The provenance record written to ``<id>.json``.
    """
    return write_drawn(fig_spec.id, draw(fig_spec, seed=seed, budget=budget), out_dir)
