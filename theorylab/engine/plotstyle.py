"""The house plotting style: one look for every figure, through matplotlib's object-oriented API only.

Figures never touch ``pyplot``'s global state: :func:`new_figure` builds a :class:`matplotlib.figure.Figure`
(constrained layout, sizes in inches, so the look does not depend on the dpi it is saved at) and applies
the house rcParams through :func:`matplotlib.rc_context`; :func:`~theorylab.engine.figures.render` also
draws and saves every figure inside :func:`house_style`, so labels, legends and lines added after the
figure was made get the same fonts and widths.

Colours come from one fixed palette (:data:`PALETTE`): :func:`series_colors` gives each series its own
colour, to be reused for a curve and the markers or bands that belong to it. :func:`overlap_styles` gives
curves that may coincide distinct widths and dash patterns, so that one lying on another stays visible.
"""
from __future__ import annotations

import contextlib

# Matplotlib's tab10 colours, in its order (so "C0".."C9" and PALETTE[0..9] agree).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")

HOUSE_RC = {
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.labelsize": 9.0,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "legend.fontsize": 7.5,
    "legend.title_fontsize": 7.5,
    "legend.framealpha": 0.85,
    "figure.titlesize": 10.5,
    "axes.grid": True,
    "axes.grid.which": "major",
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.6,
    "lines.markersize": 5.0,
    "errorbar.capsize": 2.5,
    "image.cmap": "viridis",
    "mathtext.fontset": "dejavusans",
    "text.usetex": False,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
}


@contextlib.contextmanager
def house_style():
    """Apply the house rcParams (:data:`HOUSE_RC` and the palette as colour cycle) for the enclosed block.

    Yields
    ------
    None
        The block runs with the house rcParams; the previous ones are restored on exit.
    """
    import matplotlib
    from cycler import cycler

    rc = dict(HOUSE_RC)
    rc["axes.prop_cycle"] = cycler(color=list(PALETTE))
    with matplotlib.rc_context(rc):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 6.0, height: float = 4.0, **subplot_kw):
    """A new :class:`matplotlib.figure.Figure` (constrained layout, house style) and its grid of axes.

    Parameters
    ----------
    nrows, ncols : int
        The grid of axes.
    width, height : float
        The figure size in inches (font sizes are in points, so the look does not depend on the dpi).
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ``sharey``, ``squeeze``,
        ``subplot_kw``, ``gridspec_kw``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; it is not registered with ``pyplot``.
    axes : matplotlib.axes.Axes or numpy.ndarray of Axes
        One Axes for a 1×1 grid, else an array shaped like the grid (as :meth:`Figure.subplots` returns).
    """
    from matplotlib.figure import Figure

    with house_style():
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


def series_colors(names) -> dict:
    """One palette colour per series name, in order, for a curve and the markers or bands that go with it.

    Parameters
    ----------
    names : iterable of hashable
        The series, in the order their colours are handed out (repeats keep their first colour).

    Returns
    -------
    dict
        Series name to a hex colour string of :data:`PALETTE` (cycled when there are more than ten).
    """
    out: dict = {}
    for name in names:
        if name not in out:
            out[name] = PALETTE[len(out) % len(PALETTE)]
    return out


_DASHES = ("-", (0, (5, 2)), (0, (2, 1.5)), (0, (6, 2, 1.5, 2)), (0, (1, 1.5)), (0, (8, 2, 1.5, 2, 1.5, 2)))


def overlap_styles(count: int, *, widest: float = 3.2, narrowest: float = 1.1) -> list:
    """Line styles that keep curves visible where they coincide: widths shrink and dashes differ.

    Draw the curves in the order given: the first is the widest and solid, each later one is narrower and
    drawn on top with its own dash pattern, so a curve lying exactly on an earlier one still shows both.

    Parameters
    ----------
    count : int
        How many curves.
    widest, narrowest : float
        The line widths (points) of the first and the last curve.

    Returns
    -------
    list of dict
        ``count`` keyword dicts (``linewidth``, ``linestyle``, ``zorder``) for :meth:`Axes.plot`.
    """
    if count <= 1:
        return [dict(linewidth=widest if count == 1 else narrowest, linestyle="-", zorder=2)][:count]
    step = (widest - narrowest) / (count - 1)
    return [dict(linewidth=widest - i * step, linestyle=_DASHES[i % len(_DASHES)], zorder=2 + 0.01 * i)
            for i in range(count)]


def plain_log_ticks(ax, axis: str = "x", ticks=None) -> None:
    """Label a log axis with plain numbers at ``ticks`` (or its major ticks only), without minor labels.

    Matplotlib labels minor ticks of a log axis spanning less than about a decade, and those labels
    (``3×10⁻³``, ``4×10⁻³``, ...) collide; this keeps only readable labels.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    axis : {"x", "y"}
        Which axis.
    ticks : sequence of float, optional
        Where to put labelled ticks (labelled with ``:g``); when omitted, the major ticks are kept.
    """
    from matplotlib.ticker import FixedLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_minor_formatter(NullFormatter())
    if ticks is not None:
        ticks = [float(t) for t in ticks]
        target.set_major_locator(FixedLocator(ticks))
        target.set_ticklabels([f"{t:g}" for t in ticks])
