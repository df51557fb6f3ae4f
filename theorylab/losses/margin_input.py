"""One way to name a binary margin loss: a built-in name, a loss object, a sympy expression or a formula string.

:func:`as_margin_loss` is what the calibration analysis (:mod:`theorylab.theory.analysis`,
:mod:`theorylab.theory.calibration`) and the ``theorylab derive`` command accept.
"""
from __future__ import annotations

import sympy as sp

from .._validation import InputError
from .formula import margin_loss
from .margin import get_loss
from .margin_base import MarginLoss

__all__ = ["as_margin_loss"]


def as_margin_loss(loss) -> MarginLoss:
    """A binary margin loss from a name, a MarginLoss, a sympy expression or a formula string.

    Parameters
    ----------
    loss : str, MarginLoss or sympy.Expr
        A built-in name (``"logistic"``, ``"sigmoid(k=2)"``), a loss object, or a formula in one variable.

    Returns
    -------
    MarginLoss
        The loss.

    Raises
    ------
    InputError
        For a string that is neither a known loss nor a valid formula (the message says both).

    References
    ----------
    P. L. Bartlett, M. I. Jordan, J. D. McAuliffe, "Convexity, Classification, and Risk Bounds", J. Amer. Statist.
    Assoc. 101(473), 2006, §2.
    """
    if isinstance(loss, MarginLoss):
        return loss
    if isinstance(loss, sp.Basic):
        return margin_loss(loss)
    if isinstance(loss, str):
        try:
            return get_loss(loss)
        except InputError as by_name:
            head = loss.split("(")[0].strip()
            if loss.strip().isidentifier() or head in {"sigmoid", "rho_margin"}:
                raise  # a bare word is a name (not the formula φ(α) = α); a known factory's message is the useful one
            try:
                return margin_loss(loss)
            except InputError as as_formula:
                raise InputError(f"{by_name}; as a formula: {as_formula}") from None
    raise InputError(f"loss={loss!r} is not allowed; a loss name, a formula string, a sympy expression or a Loss "
                     "object is")
