"""Input validation shared by every layer: one-line errors that name the argument and what is allowed."""
from __future__ import annotations

import math

import numpy as np
from array_api_compat import array_namespace, is_array_api_obj


class InputError(ValueError):
    """Bad user input. The message is one line: the argument, what it was, what is allowed."""


def namespace_of(*arrays):
    """Return ``(xp, arrays)``: the array-API namespace of the inputs, with Python scalars as NumPy arrays.

    Arrays from one library stay in that library (nothing is copied between devices); plain Python
    numbers and lists become NumPy float64 arrays.
    """
    converted = [a if is_array_api_obj(a) else np.asarray(a, dtype=np.float64) for a in arrays]
    return array_namespace(*converted), converted


def check_no_nan(name: str, x, xp=None) -> None:
    """Raise :class:`InputError` when the array ``x`` contains NaN."""
    if xp is None:
        xp, (x,) = namespace_of(x)
    if bool(xp.any(xp.isnan(x))):
        raise InputError(f"{name} contains NaN; finite or infinite real numbers are allowed")


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float when it is a finite number > 0; raise :class:`InputError` otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r} is not a number; a finite number > 0 is allowed") from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name}={value!r} is not allowed; it must be a finite number > 0")
    return v


def check_in_unit_interval(name: str, value) -> None:
    """Raise :class:`InputError` unless every entry of ``value`` lies in [0, 1] (NaN rejected)."""
    arr = np.asarray(value, dtype=np.float64)
    if np.any(np.isnan(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise InputError(f"{name} must lie in [0, 1]; got {value!r}")


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as a float when it is a finite number >= 0; raise :class:`InputError` otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}={value!r} is not a number; a finite number >= 0 is allowed") from None
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{name}={value!r} is not allowed; it must be a finite number >= 0")
    return v


def check_integer(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an int when it is an integer >= ``minimum`` (bools and 2.5 rejected, 3.0 accepted)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) and not (
            isinstance(value, float) and value.is_integer()):
        raise InputError(f"{name}={value!r} is not allowed; it must be an integer >= {minimum}")
    v = int(value)
    if v < minimum:
        raise InputError(f"{name}={value!r} is not allowed; it must be an integer >= {minimum}")
    return v


def check_choice(name: str, value, allowed) -> str:
    """Return ``value`` when it is one of ``allowed``; raise :class:`InputError` naming the choices otherwise."""
    if value not in allowed:
        raise InputError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(str, allowed))}")
    return value
