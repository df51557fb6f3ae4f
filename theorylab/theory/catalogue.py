"""The loss catalogue analysed: every literature loss with the tool's verdict, growth and method (``theorylab losses``).

Binary losses from :data:`theorylab.losses.catalogue_binary.BINARY_CATALOGUE` (analysed by
:func:`~theorylab.theory.analysis.analyse`), multi-class ones from
:data:`theorylab.losses.catalogue_multiclass.MULTICLASS_CATALOGUE` (analysed at n = 3 classes).

References: P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006 (binary calibration); A. Tewari,
P. L. Bartlett, JMLR 8, 2007 (multi-class calibration).
"""
from __future__ import annotations

import time

from .analysis import analyse

__all__ = ["catalogue_entries", "analyse_catalogue", "catalogue_rows", "MULTICLASS_N"]

MULTICLASS_N = 3
"""The number of classes at which the multi-class catalogue is analysed."""


def catalogue_entries() -> list[tuple[str, object, int]]:
    """(name, entry, n_classes) for every catalogue loss, binary first.

    Returns
    -------
    list of tuple
        The entries (objects with ``loss``, ``reference``, ``literature``, ``verdict_source``).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006.
    """
    from ..losses.catalogue_binary import BINARY_CATALOGUE

    out = [(name, e, 2) for name, e in BINARY_CATALOGUE.items()]
    try:
        from ..losses.catalogue_multiclass import MULTICLASS_CATALOGUE
    except ImportError:  # pragma: no cover - the multi-class catalogue is optional while it is being built
        return out
    return out + [(name, e, MULTICLASS_N) for name, e in MULTICLASS_CATALOGUE.items()]


def analyse_catalogue(budget: float, progress=None) -> list:
    """Analyse every catalogue loss; returns the analyses (with ``seconds`` and the entry in ``details``).

    Parameters
    ----------
    budget : float
        Seconds for each symbolic derivation (binary; 0: numerical only).
    progress : callable, optional
        ``progress(done, total, name)`` after each loss.

    Returns
    -------
    list of Analysis
        In catalogue order; each ``details`` has ``catalogue`` (name, reference, literature verdict and source)
        and ``seconds``.

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006; A. Tewari, P. L. Bartlett, JMLR 8, 2007.
    """
    entries = catalogue_entries()
    out = []
    for i, (name, e, n) in enumerate(entries, 1):
        t0 = time.perf_counter()
        a = analyse(e.loss, n_classes=n, budget=budget) if n == 2 else analyse(e.loss, n_classes=n)
        a.details["seconds"] = time.perf_counter() - t0
        a.details["catalogue"] = {"name": name, "reference": e.reference, "literature": e.literature,
                                  "verdict_source": e.verdict_source}
        out.append(a)
        if progress is not None:
            progress(i, len(entries), name)
    return out


def catalogue_rows(results) -> tuple[list[str], list[list[str]]]:
    """The table of ``theorylab losses``: header and rows.

    Parameters
    ----------
    results : list of Analysis
        From :func:`analyse_catalogue`.

    Returns
    -------
    (list of str, list of list of str)
        Columns: loss, n, verdict, literature, growth, method, seconds, reference (cut at 60 characters; the
        full one is in ``to_dict()``).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, JASA 2006.
    """
    word = {True: "calibrated", False: "not calibrated", None: "undetermined"}
    rows = []
    for a in results:
        c = a.details["catalogue"]
        g = a.growth
        growth = "—" if not g else f"{g['constant']:.4g}·t^{g['order']:.4g}"
        verdict = word[a.calibrated] if not (a.calibrated is None and "unbounded below" in a.reason) else "unbounded below"
        lit = "—" if c["literature"] is None else word[c["literature"]]
        ref = c["reference"] if len(c["reference"]) <= 60 else c["reference"][:59] + "…"
        rows.append([c["name"], str(a.n_classes), verdict, lit, growth, a.method, f"{a.details['seconds']:.1f}", ref])
    return ["loss", "n", "verdict", "literature", "growth near 0", "method", "s", "reference"], rows
