"""Input validation shared by the neural-collapse modules (one-line :class:`InputError` messages)."""
from __future__ import annotations

import numpy as np

from ..._validation import InputError, check_integer, check_positive

__all__: list[str] = []  # internal helpers of the subpackage (validation only; no mathematics)


def class_sizes_array(class_sizes) -> np.ndarray:
    """``class_sizes`` as an int array of at least two positive integers, or :class:`InputError`.

    Parameters
    ----------
    class_sizes : sequence of int
        Samples per class, ``n_1, ..., n_K``.

    Returns
    -------
    numpy.ndarray
        The sizes as ``int64``, shape ``(K,)``.
    """
    try:
        arr = np.asarray(class_sizes)
    except Exception:  # pragma: no cover - exotic inputs
        raise InputError(f"class_sizes={class_sizes!r} is not allowed; it must be a sequence of positive integers")
    if arr.ndim != 1 or arr.size < 2 or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise InputError(f"class_sizes={class_sizes!r} is not allowed; it must be a 1-D sequence of >= 2 "
                         "positive integers")
    if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)) or np.any(arr < 1):
        raise InputError(f"class_sizes={class_sizes!r} is not allowed; every entry must be an integer >= 1")
    return arr.astype(np.int64)


def positive(name: str, value) -> float:
    """``value`` as a float > 0, or :class:`InputError`.

    Parameters
    ----------
    name : str
        The argument's name (for the message).
    value : float
        The value to check.

    Returns
    -------
    float
        The value.
    """
    return check_positive(name, value)


def depth_int(depth) -> int:
    """``depth`` as an integer >= 1, or :class:`InputError`.

    Parameters
    ----------
    depth : int
        Number of linear layers in the head.

    Returns
    -------
    int
        The depth.
    """
    return check_integer("depth", depth, minimum=1)


def labels_array(labels, n_samples: int | None = None) -> np.ndarray:
    """Integer class labels ``0..K-1`` (every class present), or :class:`InputError`.

    Parameters
    ----------
    labels : array_like of int
        One label per sample.
    n_samples : int, optional
        The number of samples the labels must match.

    Returns
    -------
    numpy.ndarray
        The labels as ``int64``.
    """
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0:
        raise InputError(f"labels of shape {arr.shape} are not allowed; they must be a 1-D array of integers >= 0")
    if n_samples is not None and arr.size != n_samples:
        raise InputError(f"labels has {arr.size} entries; it must have one per sample ({n_samples})")
    if np.unique(arr).size != arr.max() + 1:
        raise InputError("labels are not allowed; every class 0..K-1 must occur at least once")
    return arr.astype(np.int64)
