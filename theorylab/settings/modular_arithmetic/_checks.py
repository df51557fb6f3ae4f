"""Input checks shared by the modular-arithmetic modules: primes, float formats, summation orders."""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_choice, check_integer

DTYPES = ("float16", "float32", "float64")
ORDERS = ("sequential", "small-first", "numpy")


def check_prime(name, value, minimum=3):
    """Return ``value`` as an int when it is a prime ≥ ``minimum``.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : int
        The candidate modulus.
    minimum : int, default 3
        Smallest allowed prime.

    Returns
    -------
    int
        ``value`` as a Python int.

    References
    ----------
    A. Gromov, "Grokking modular arithmetic", arXiv 2301.02679, Sec. 3 (the construction needs a prime modulus:
    every nonzero frequency is invertible mod p).
    """
    v = check_integer(name, value, minimum)
    if any(v % d == 0 for d in range(2, int(v ** 0.5) + 1)):
        raise InputError(f"{name}={value!r} is not allowed; it must be a prime >= {minimum}")
    return v


def check_dtype(name, value):
    """Return the NumPy dtype for ``value`` when it is float16, float32 or float64.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : str or numpy dtype
        The floating-point format.

    Returns
    -------
    numpy.dtype
        The format.

    References
    ----------
    IEEE 754-2019, Sec. 3.6 (binary16, binary32, binary64 interchange formats).
    """
    try:
        dt = np.dtype(value)
    except TypeError:
        raise InputError(f"{name}={value!r} is not allowed; choose one of {', '.join(DTYPES)}") from None
    check_choice(name, dt.name, DTYPES)
    return dt


def check_order(name, value):
    """Return ``value`` when it is one of the summation orders ``sequential``, ``small-first``, ``numpy``.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : str
        The reduction order.

    Returns
    -------
    str
        ``value`` unchanged.

    References
    ----------
    N. J. Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., SIAM 2002, ch. 4 (summation).
    """
    if not isinstance(value, str):
        raise InputError(f"{name}={value!r} is not allowed; choose one of {', '.join(ORDERS)}")
    return check_choice(name, value, ORDERS)
