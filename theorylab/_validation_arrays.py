"""Input checks for arrays of any array-API library: real dtypes, namespaces, finiteness, shapes, probabilities, labels.

The arrays stay in their own namespace (nothing is copied between devices); Python numbers and lists become
NumPy float64. The checks raise :class:`~theorylab._validation_scalars.InputError` with a one-line message.
:mod:`theorylab._validation` re-exports them with the single-value checks.
"""
from __future__ import annotations

import functools
import inspect
import itertools

import numpy as np
from array_api_compat import array_namespace, is_array_api_obj, is_numpy_namespace
from array_api_compat import device as _device

from ._validation_scalars import InputError, short_repr


def array_device(x):
    """The device of the array ``x`` (``"cpu"`` for NumPy), for the ``device=`` of creation calls.

    Every array created next to an input (``xp.arange``, ``xp.eye``, ``xp.zeros``, ``xp.asarray``) passes
    ``device=array_device(input)`` so that results stay on the input's device (a second GPU, CUDA for torch).

    Parameters
    ----------
    x : array
        An array of any array-API library.

    Returns
    -------
    object
        The device object of ``x``'s library.
    """
    return _device(x)


def is_traced(x) -> bool:
    """True when the values of ``x`` cannot be read on the host: a JAX tracer (inside ``jax.jit``/``grad``/``vmap``).

    Value checks (NaN, range, probabilities, labels) need ``bool(...)`` of an array, which a tracer cannot give;
    they are skipped for traced inputs (shape and dtype checks still run), so that ``jax.jit`` of a loss works.
    Concrete JAX arrays, like every other library's arrays, are checked.

    Parameters
    ----------
    x : object
        Any object.

    Returns
    -------
    bool
        Whether ``x`` is an abstract (traced) JAX array.
    """
    cls = type(x)
    return cls.__module__.startswith("jax") and any(c.__name__ == "Tracer" for c in cls.__mro__)


def namespace_of(*arrays):
    """Return the array-API namespace of the inputs and the inputs, Python scalars converted to NumPy.

    Arrays from one library stay in that library (nothing is copied between devices); plain Python
    numbers and lists become NumPy float64 arrays.

    Parameters
    ----------
    *arrays : array-like
        Arrays of one array-API library (NumPy, CuPy, array-api-strict, torch), Python numbers or lists.

    Returns
    -------
    xp : module
        The common array-API namespace.
    arrays : list
        The inputs, non-arrays converted by ``np.asarray(a, dtype=np.float64)``.
    """
    converted = [a if is_array_api_obj(a) else np.asarray(a, dtype=np.float64) for a in arrays]
    return array_namespace(*converted), converted


def to_numpy(x):
    """``x`` as a NumPy array on the host (one explicit copy for arrays on another device).

    For the steps that genuinely need NumPy (numba kernels, SciPy): NumPy arrays and Python values pass through
    ``np.asarray``; array-api-strict arrays on a non-default device are copied with ``to_device``, CuPy arrays with
    ``.get()``, torch tensors with ``.cpu()``.

    Parameters
    ----------
    x : array-like
        An array of any array-API library, or a Python value.

    Returns
    -------
    ndarray
        The values of ``x`` on the host (same dtype).
    """
    if not _is_foreign_array(x):
        return np.asarray(x)
    try:
        return np.asarray(x)
    except (RuntimeError, TypeError, ValueError):
        pass
    mod = type(x).__module__
    if mod.startswith("array_api_strict"):
        import array_api_strict
        return np.asarray(x.to_device(array_api_strict.Device("CPU_DEVICE")))
    if hasattr(x, "get"):  # CuPy
        return x.get()
    if hasattr(x, "cpu"):  # torch
        return x.detach().cpu().numpy()
    return np.asarray(x)


def like_input(out, like, *, float64: bool = False):
    """A NumPy result ``out`` moved once into the namespace and onto the device of the input array ``like``.

    Floating point results take ``like``'s floating dtype (a float32 input gives a float32 result); Python
    numbers, NumPy inputs and tuples/lists of results are handled elementwise (numbers stay numbers).

    Parameters
    ----------
    out : ndarray, number, or tuple/list of them
        The result computed on the host.
    like : array
        The input whose namespace, device and dtype the result takes.
    float64 : bool, default False
        Keep float64 results as float64 (the namespace and device still follow ``like``).

    Returns
    -------
    array, number, or tuple/list of them
        The result in ``like``'s namespace on its device.
    """
    if isinstance(out, (tuple, list)):
        return type(out)(like_input(o, like, float64=float64) for o in out)
    if not _is_foreign_array(like) or not isinstance(out, (np.ndarray, np.generic)):
        return out
    out = np.asarray(out)
    xp = array_namespace(like)
    dtype = like.dtype if (out.dtype.kind == "f" and not float64 and xp.isdtype(like.dtype, "real floating")) else None
    if dtype is not None:
        out = out.astype({16: np.float16, 32: np.float32}.get(xp.finfo(dtype).bits, np.float64))
    return xp.asarray(out, device=_device(like))


def on_host(*names, float64: bool = False):
    """Decorator for a function that genuinely needs NumPy (numba kernels, SciPy): arrays of other libraries among
    the arguments ``names`` are moved to the host once (:func:`to_numpy`), and the result is moved back once into
    the namespace and onto the device of the first such argument, in its floating dtype (:func:`like_input`; with
    ``float64=True`` the result stays float64, for functions documented to return float64).

    NumPy inputs and Python values call the function directly (no overhead beyond a type test per argument).

    Parameters
    ----------
    *names : str
        The names of the array arguments.
    float64 : bool, default False
        Keep float64 results (no cast to the input's dtype).

    Returns
    -------
    callable
        The decorator.
    """
    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not any(_is_foreign_array(a) for a in itertools.chain(args, kwargs.values())):
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            like = next((bound.arguments[n] for n in names
                         if n in bound.arguments and _is_foreign_array(bound.arguments[n])), None)
            if like is None:
                return fn(*args, **kwargs)
            for n in names:
                if n in bound.arguments:
                    bound.arguments[n] = to_numpy(bound.arguments[n])
            return like_input(fn(*bound.args, **bound.kwargs), like, float64=float64)
        return wrapper
    return decorate


def check_no_nan(name: str, x, xp=None) -> None:
    """Raise :class:`InputError` when the array ``x`` contains NaN.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    x : array-like
        The array to check (±inf is allowed).
    xp : module, optional
        The array-API namespace of ``x``; found with :func:`namespace_of` when None.

    Raises
    ------
    InputError
        When any entry of ``x`` is NaN.
    """
    if xp is None:
        xp, (x,) = namespace_of(x)
    if is_traced(x):
        return
    if bool(xp.any(xp.isnan(x))):
        raise InputError(f"{name} contains NaN; finite or infinite real numbers are allowed")


def check_in_unit_interval(name: str, value) -> None:
    """Raise :class:`InputError` unless every entry of ``value`` is a real number in [0, 1] (NaN rejected).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    value : real number or array-like
        The value(s) to check; converted by :func:`as_real_array`.

    Raises
    ------
    InputError
        When ``value`` is not real, or an entry is NaN, < 0 or > 1.
    """
    arr = np.asarray(as_real_array(name, value))
    if np.any(np.isnan(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise InputError(f"{name} must lie in [0, 1]; got {short_repr(value)}")


def _is_foreign_array(a) -> bool:
    """True for an array-API array that is not NumPy's (array-api-strict, CuPy, torch, ...)."""
    if type(a) is np.ndarray:  # the hot loops' case, answered without the generic test
        return False
    return is_array_api_obj(a) and not isinstance(a, (np.ndarray, np.generic))


def as_real_array(name: str, a):
    """``a`` as an array of real floating point numbers, in its own array-API namespace.

    Integer arrays are converted to float64 *before* any arithmetic (``uint8`` 5 stays 5, never wraps
    around); Python numbers and lists become NumPy float64. Cheap: a dtype test and at most one
    conversion, no pass over the data for floating point inputs.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    a : array-like
        An array of any array-API library, a Python number or a (nested) list.

    Returns
    -------
    array
        A real floating point array (float dtypes kept, integers converted to float64).

    Raises
    ------
    InputError
        For bool, complex (the imaginary part would be dropped), object, string or ragged inputs.
    """
    if _is_foreign_array(a):
        xp = array_namespace(a)
        dt = a.dtype
        if xp.isdtype(dt, "bool"):
            raise InputError(f"{name} has dtype {dt} (bool); an array of real numbers is allowed")
        if xp.isdtype(dt, "complex floating"):
            raise InputError(f"{name} has dtype {dt} (complex); an array of real numbers is allowed "
                             "(the imaginary part would be dropped)")
        if xp.isdtype(dt, "integral"):
            return xp.astype(a, xp.float64)
        return a
    if isinstance(a, (str, bytes)):
        raise InputError(f"{name}={a!r} is a string; an array of real numbers is allowed")
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError):
        raise InputError(f"{name} is not an array of real numbers (ragged or non-numeric entries); "
                         "a rectangular array of real numbers is allowed") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr if is_array_api_obj(a) else arr.astype(np.float64, copy=False)
    if kind in "iu":
        return arr.astype(np.float64)
    what = {"b": "bool", "c": "complex", "O": "object"}.get(kind, "non-numeric")
    extra = " (the imaginary part would be dropped)" if kind == "c" else ""
    raise InputError(f"{name} has dtype {arr.dtype} ({what}); an array of real numbers is allowed{extra}")


def real_namespace(**named):
    """``(xp, arrays)`` as :func:`namespace_of`, each keyword argument checked by :func:`as_real_array`.

    ``xp, (P, Q) = real_namespace(P=P, Q=Q)``: the arrays come back in keyword order, as real floating point
    arrays of one array-API namespace.

    Parameters
    ----------
    **named : array-like
        The arrays, keyed by the argument names used in error messages.

    Returns
    -------
    xp : module
        The common array-API namespace.
    arrays : list
        The converted arrays, in keyword order.

    Raises
    ------
    InputError
        When an argument is not an array of real numbers (see :func:`as_real_array`).
    """
    converted = [as_real_array(name, a) for name, a in named.items()]
    return array_namespace(*converted), converted


def check_finite(name: str, x, xp=None) -> None:
    """Raise :class:`InputError` when the array ``x`` contains NaN or ±inf.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    x : array-like
        The array to check.
    xp : module, optional
        The array-API namespace of ``x``; when None, ``x`` is first converted by :func:`real_namespace`.

    Raises
    ------
    InputError
        When ``x`` is not real or has a NaN or infinite entry.
    """
    if xp is None:
        xp, (x,) = real_namespace(**{name: x})
    if is_traced(x):
        return
    if not bool(xp.all(xp.isfinite(x))):
        raise InputError(f"{name} contains NaN or inf; finite real numbers are allowed")


def check_ndim(name: str, x, ndim, what: str = "") -> None:
    """Raise :class:`InputError` unless ``x.ndim`` is ``ndim`` (an int or a tuple of allowed ints).

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    x : array
        The array whose number of dimensions is checked.
    ndim : int or tuple of int
        The allowed number(s) of dimensions.
    what : str, default ""
        Optional description of the array's meaning appended to the message.

    Raises
    ------
    InputError
        When ``x.ndim`` is not allowed.
    """
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if x.ndim not in allowed:
        dims = " or ".join(f"{k}-D" for k in allowed)
        raise InputError(f"{name} has shape {tuple(x.shape)}; a {dims} array{' ' + what if what else ''} is allowed")


_EPS = {"d": float(np.finfo(np.float64).eps), "f": float(np.finfo(np.float32).eps),
        "e": float(np.finfo(np.float16).eps)}


def check_probability(name: str, p, xp=None, *, min_classes: int = 2, atol: float = 1e-9):
    """Return ``(xp, p)`` after checking that ``p`` holds probability vectors along its last axis.

    Every entry finite and >= 0 (a rounding error down to −1e-12 is tolerated), at least ``min_classes``
    entries, each vector summing to 1 within ``atol`` (relative to 1; widened to 4·n·eps for float32
    inputs). Works in any array-API namespace; ``p`` is converted by :func:`as_real_array` first.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    p : array-like (..., n)
        Probability vectors along the last axis.
    xp : module, optional
        The array-API namespace of ``p``; when None, ``p`` is converted by :func:`real_namespace`.
    min_classes : int, default 2
        Smallest allowed length n of the last axis.
    atol : float, default 1e-9
        Tolerance on |Σ_i p_i − 1|.

    Returns
    -------
    xp : module
        The array-API namespace of ``p``.
    p : array (..., n)
        The validated real array.

    Raises
    ------
    InputError
        When ``p`` is too short, not finite, has a negative entry or a vector not summing to 1.
    """
    if xp is None:
        xp, (p,) = real_namespace(**{name: p})
    if p.ndim < 1 or p.shape[-1] < min_classes:
        raise InputError(f"{name} has shape {tuple(p.shape)}; probability vectors with at least {min_classes} "
                         "entries (last axis) are allowed")
    if isinstance(p, np.ndarray):  # fast path (conditional risks are evaluated inside optimisers)
        tol = max(atol, 4.0 * p.shape[-1] * _EPS.get(p.dtype.char, 2.2e-16))
        if np.isfinite(p).all() and p.min() >= -1e-12 and (np.abs(p.sum(-1) - 1.0) <= tol).all():
            return xp, p
    if is_traced(p):
        return xp, p
    tol = max(atol, 4.0 * p.shape[-1] * float(xp.finfo(p.dtype).eps))
    err = xp.abs(xp.sum(p, axis=-1) - 1.0)
    if bool(xp.all(xp.isfinite(p)) & xp.all(p >= -1e-12) & xp.all(err <= tol)):  # one host sync when valid
        return xp, p
    if not bool(xp.all(xp.isfinite(p))):
        raise InputError(f"{name}={short_repr(p)} contains NaN or inf; probability vectors (entries >= 0 "
                         "summing to 1) are allowed")
    if bool(xp.any(p < -1e-12)):
        raise InputError(f"{name}={short_repr(p)} has a negative entry ({float(xp.min(p)):.3g}); probability "
                         "vectors (entries >= 0 summing to 1) are allowed")
    tol = max(atol, 4.0 * p.shape[-1] * float(xp.finfo(p.dtype).eps))
    err = xp.abs(xp.sum(p, axis=-1) - 1.0)
    if bool(xp.any(err > tol)):
        raise InputError(f"{name}={short_repr(p)} does not sum to 1 (largest |sum − 1| = {float(xp.max(err)):.3g}); "
                         "probability vectors (entries >= 0 summing to 1) are allowed")
    return xp, p


def check_labels(name: str, labels, n_classes: int, length: int | None = None, xp=None, *, device=None):
    """Return the labels as an integer array after checking dtype, shape and range [0, n_classes).

    Bool and floating point labels are rejected (a float label is not a class index, even when it is
    integral). Python lists become NumPy int64. NumPy labels (or lists) given with scores of another namespace
    are checked on the host and moved once into the scores' namespace, on ``device``; labels of the scores'
    namespace on another device are moved there with ``to_device``. The range check is skipped for traced
    (JAX ``jit``) labels, see :func:`is_traced`.

    Parameters
    ----------
    name : str
        Argument name used in the error message.
    labels : integer array-like
        Class indices.
    n_classes : int
        Number of classes; labels must lie in [0, n_classes).
    length : int, optional
        When given, the labels must have shape (length,) (one per row of scores).
    xp : module, optional
        The namespace of the scores; NumPy labels are moved into it when it differs.
    device : object, optional
        The device of the scores (:func:`array_device`); the labels are moved there. None: the namespace's default
        device for moved NumPy labels, and no move otherwise.

    Returns
    -------
    array
        The labels, an integer array.

    Raises
    ------
    InputError
        For strings, non-integer dtypes, a wrong shape, or labels outside [0, n_classes).
    """
    if _is_foreign_array(labels):
        lxp = array_namespace(labels)
        lab = labels
        integral = lxp.isdtype(lab.dtype, "integral")
    else:
        if isinstance(labels, (str, bytes)):
            raise InputError(f"{name}={labels!r} is a string; integer class indices in [0, {n_classes}) are allowed")
        try:
            lab = np.asarray(labels)
        except (TypeError, ValueError):
            raise InputError(f"{name} is not an array of integer class indices in [0, {n_classes})") from None
        lxp = array_namespace(lab)
        integral = lab.dtype.kind in "iu"
    if not integral:
        raise InputError(f"{name} has dtype {lab.dtype}; integer class indices in [0, {n_classes}) are allowed "
                         "(bool and float labels are rejected)")
    if length is not None and (lab.ndim != 1 or lab.shape[0] != length):
        raise InputError(f"{name} has shape {tuple(lab.shape)}; shape ({length},) is required "
                         "(one class index per row of scores)")
    if (lab.shape and lab.shape[0] and not is_traced(lab)
            and bool(lxp.any((lab < 0) | (lab >= n_classes)))):
        raise InputError(f"{name} out of range; class indices must lie in [0, {n_classes})")
    if xp is not None and isinstance(lab, np.ndarray) and xp is not lxp and not is_numpy_namespace(xp):
        lab = xp.asarray(lab) if device is None else xp.asarray(lab, device=device)
    elif device is not None and _is_foreign_array(lab) and not is_traced(lab) and _device(lab) != device:
        lab = lab.to_device(device)
    return lab
