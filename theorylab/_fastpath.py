"""The one switch between the numba fast paths and the array-API reference implementations.

Every function with a numba fast path takes the keyword ``fast``:

- ``fast=None`` (the default): the fast path runs when the package switch is on (see
  :func:`fast_path`), the inputs are NumPy arrays, and the function says the fast path pays at this
  size; otherwise the reference runs;
- ``fast=True``: the fast path, always (NumPy inputs required);
- ``fast=False``: the reference, always (any array-API namespace).

The package switch is on unless the environment variable ``THEORYLAB_FAST`` is ``0`` at import, and
:func:`fast_path` turns it off or on within a block (per thread and per asyncio task: a context variable).
Each fast path is tested equal to its reference.
"""
from __future__ import annotations

import contextlib
import contextvars
import os

import numpy as np

from ._validation import InputError

_ENABLED = contextvars.ContextVar("theorylab_fast_path", default=os.environ.get("THEORYLAB_FAST", "1") != "0")


def fast_path_enabled() -> bool:
    """Whether the package switch allows the numba fast paths here.

    Returns
    -------
    bool
        The switch's value in the current context.
    """
    return _ENABLED.get()


@contextlib.contextmanager
def fast_path(enabled: bool):
    """Turn the numba fast paths on or off within a ``with`` block.

    Parameters
    ----------
    enabled : bool
        False runs every computation through its reference implementation (``fast=None`` calls only;
        an explicit ``fast=True`` still runs the fast path).

    Yields
    ------
    None
    """
    if not isinstance(enabled, (bool, np.bool_)):
        raise InputError(f"enabled={enabled!r} is not allowed; it must be True or False")
    token = _ENABLED.set(bool(enabled))
    try:
        yield
    finally:
        _ENABLED.reset(token)


def use_fast(fast, *, numpy_inputs: bool, pays: bool = True) -> bool:
    """Resolve a function's ``fast`` argument: True when its numba path should run.

    Parameters
    ----------
    fast : bool or None
        The caller's argument (see the module docstring).
    numpy_inputs : bool
        Whether every array input is a NumPy array (numba cannot take others).
    pays : bool
        Whether the fast path is faster than the reference at this size (the caller measures it once
        in a benchmark and states the threshold); only consulted when ``fast`` is None.

    Returns
    -------
    bool
        True: run the numba path; False: run the reference.

    Raises
    ------
    InputError
        When ``fast`` is not None/True/False, or ``fast=True`` with non-NumPy inputs.
    """
    if fast is None:
        return fast_path_enabled() and numpy_inputs and pays
    if not isinstance(fast, (bool, np.bool_)):
        raise InputError(f"fast={fast!r} is not allowed; use None (automatic), True (numba) or False (reference)")
    if fast and not numpy_inputs:
        raise InputError("fast=True needs NumPy arrays (the numba path); use fast=None or False for other arrays")
    return bool(fast)
