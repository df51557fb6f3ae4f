"""One entry of the loss catalogues (:mod:`.catalogue_binary`, :mod:`.catalogue_multiclass`): a loss, the paper
that defines it, and the calibration verdict the literature states (with where it is stated).
"""
from __future__ import annotations

import dataclasses

from .base import Loss

__all__ = ["CatalogueEntry"]


@dataclasses.dataclass(frozen=True)
class CatalogueEntry:
    """One literature loss: the object, the reference, the stated verdict and where it is stated.

    Parameters
    ----------
    loss : Loss
        The loss.
    reference : str
        The paper that defines it.
    literature : bool or None
        The calibration verdict stated in the literature (None: none stated, or not defined).
    verdict_source : str
        Where that verdict is stated (empty when ``literature`` is None).
    note : str
        Anything a reader should know (a parameter choice, an unbounded loss).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer.
    Statist. Assoc. 101(473), 2006 (classification calibration).
    """

    loss: Loss
    reference: str
    literature: bool | None = None
    verdict_source: str = ""
    note: str = ""
