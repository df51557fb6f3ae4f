"""Input checks for single values (numbers, integers, choices, bools, generators) and the InputError they raise.

Every check returns the value converted (a float, an int, ...) or raises :class:`InputError` with a one-line
message naming the argument, what it was and what is allowed; :func:`short_repr` keeps that message on one
line. The array checks are in :mod:`theorylab._validation_arrays`; :mod:`theorylab._validation` re-exports both.
"""
from __future__ import annotations

import math

import numpy as np
from array_api_compat import array_namespace, is_array_api_obj


class InputError(ValueError):
    """Bad user input. The message is one line: the argument, what it was, what is allowed."""


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float when it is a finite real number > 0; raise :class:`InputError` otherwise.

    Bools, strings and complex numbers are rejected (see :func:`check_real`).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : real number
        The value to check; the allowed domain is (0, ∞).

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    InputError
        When ``value`` is not a real number, is not finite, or is ≤ 0.
    """
    v = check_real(name, value, allowed="a finite number > 0")
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name}={value!r} is not allowed; it must be a finite number > 0")
    return v


def short_repr(value, limit: int = 60) -> str:
    """A one-line repr of ``value`` (arrays flattened onto one line, cut at ``limit`` characters).

    Parameters
    ----------
    value : object
        Anything with a repr.
    limit : int, default 60
        Maximum length of the result in characters; longer reprs end in "...".

    Returns
    -------
    str
        The repr with all whitespace runs collapsed to single spaces, at most ``limit`` characters long.
    """
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_nonnegative(name: str, value) -> float:
    """Return ``value`` as a float when it is a finite real number >= 0; raise :class:`InputError` otherwise.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : real number
        The value to check; the allowed domain is [0, ∞).

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    InputError
        When ``value`` is not a real number, is not finite, or is < 0.
    """
    v = check_real(name, value, allowed="a finite number >= 0")
    if not math.isfinite(v) or v < 0:
        raise InputError(f"{name}={value!r} is not allowed; it must be a finite number >= 0")
    return v


def check_integer(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an int when it is an integer >= ``minimum`` (bools and 2.5 rejected, 3.0 accepted).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : int or integral float
        The value to check.
    minimum : int, default 1
        Smallest allowed value.

    Returns
    -------
    int
        ``value`` as a Python int.

    Raises
    ------
    InputError
        When ``value`` is a bool, not integral, or < ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) and not (
            isinstance(value, float) and value.is_integer()):
        raise InputError(f"{name}={value!r} is not allowed; it must be an integer >= {minimum}")
    v = int(value)
    if v < minimum:
        raise InputError(f"{name}={value!r} is not allowed; it must be an integer >= {minimum}")
    return v


def check_choice(name: str, value, allowed) -> str:
    """Return ``value`` when it is one of ``allowed``; raise :class:`InputError` naming the choices otherwise.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : object
        The value to check.
    allowed : collection
        The allowed values (listed in the error message).

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    InputError
        When ``value`` is not in ``allowed``.
    """
    if value not in allowed:
        raise InputError(f"{name}={value!r} is not allowed; choose one of {', '.join(map(str, allowed))}")
    return value


def check_real(name: str, value, *, allow_nan: bool = False, allow_inf: bool = True,
               allowed: str = "a real number") -> float:
    """Return ``value`` as a float when it is one real number; raise :class:`InputError` otherwise.

    Rejected: bools, strings, complex numbers (Python, NumPy or arrays of complex dtype: the imaginary part
    would be dropped silently), arrays with more than one element, NaN (unless ``allow_nan``) and ±inf
    (unless ``allow_inf``).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : real number or 0-d array
        The value to check.
    allow_nan : bool, default False
        Accept NaN.
    allow_inf : bool, default True
        Accept ±inf.
    allowed : str, default "a real number"
        Words describing the allowed values, used in the error message.

    Returns
    -------
    float
        ``value`` as a Python float.

    Raises
    ------
    InputError
        When ``value`` is not a single real number, or is NaN/±inf where these are not allowed.
    """
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name}={value!r} is a bool; {allowed} is allowed")
    if isinstance(value, (str, bytes)):
        raise InputError(f"{name}={value!r} is a string; {allowed} is allowed")
    if isinstance(value, (complex, np.complexfloating)):
        raise InputError(f"{name}={value!r} is complex; {allowed} is allowed")
    if is_array_api_obj(value):
        dt = value.dtype
        if isinstance(value, (np.ndarray, np.generic)):
            kind = np.dtype(dt).kind
            bad = {"b": "bool", "c": "complex"}.get(kind, None if kind in "iuf" else str(dt))
        else:
            xp = array_namespace(value)
            bad = "bool" if xp.isdtype(dt, "bool") else "complex" if xp.isdtype(dt, "complex floating") else None
        if bad is not None:
            raise InputError(f"{name} has dtype {dt} ({bad}); {allowed} is allowed")
        if getattr(value, "ndim", 0) != 0:
            raise InputError(f"{name} has shape {tuple(value.shape)}; a single number ({allowed}) is allowed")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name}={value!r} is not a number; {allowed} is allowed") from None
    if math.isnan(v) and not allow_nan:
        raise InputError(f"{name}={value!r} is NaN; {allowed} is allowed")
    if math.isinf(v) and not allow_inf:
        raise InputError(f"{name}={value!r} is not finite; {allowed} is allowed")
    return v


def check_bool(name: str, value) -> bool:
    """Return ``value`` when it is a bool (NumPy bools included); raise :class:`InputError` otherwise.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : bool
        The value to check.

    Returns
    -------
    bool
        ``value`` as a Python bool.

    Raises
    ------
    InputError
        When ``value`` is not a bool or ``numpy.bool_``.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name}={value!r} is not allowed; True or False is")
    return bool(value)


def check_generator(name: str, rng, *, optional: bool = False):
    """Return ``rng`` when it is a ``numpy.random.Generator`` (or None when ``optional``).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    rng : numpy.random.Generator or None
        The random generator to check.
    optional : bool, default False
        Accept None.

    Returns
    -------
    numpy.random.Generator or None
        ``rng`` unchanged.

    Raises
    ------
    InputError
        When ``rng`` is not a Generator (nor None where allowed).
    """
    if rng is None and optional:
        return None
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"{name}={rng!r} is not allowed; pass a numpy.random.Generator"
                         f"{' or None' if optional else ''}")
    return rng
