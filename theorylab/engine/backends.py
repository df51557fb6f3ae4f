"""Array backends a claim can run on: the name → namespace lookup behind ``theorylab verify --backend``.

A run is described by three plain strings, ``backend``, ``device`` and ``dtype`` (picklable, so every
executor carries them to its workers unchanged); :func:`resolve` turns them into the array namespace, the
device object and the floating dtype once per process. Backends: ``numpy`` (``array_api_compat.numpy``, device
``cpu``), ``array-api-strict`` (devices ``CPU_DEVICE``, ``device1``, ...), ``torch`` (``array_api_compat.torch``,
devices ``cpu``, ``cuda``, ``cuda:N``), ``cupy`` (``array_api_compat.cupy``, devices ``0``, ``1``, ... or
``cuda:N``) and ``jax`` (``jax.numpy``, devices by platform and index, ``cpu`` or ``gpu:1``); each only when it is
installed. A bad name, device or dtype raises :class:`~theorylab.InputError` with a one-line message.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.util
from typing import Any

import numpy as np

from .._validation import InputError

BACKENDS = ("numpy", "array-api-strict", "torch", "cupy", "jax")
DTYPES = ("float64", "float32")
DEFAULT_BACKEND, DEFAULT_DEVICE, DEFAULT_DTYPE = "numpy", "cpu", "float64"
_MODULES = {"numpy": "numpy", "array-api-strict": "array_api_strict", "torch": "torch", "cupy": "cupy",
            "jax": "jax"}


def installed_backends() -> list[str]:
    """The backends whose package is importable here, in the order of :data:`BACKENDS`.

    Returns
    -------
    list of str
        A subset of :data:`BACKENDS` (always containing ``"numpy"``).
    """
    return [b for b in BACKENDS if importlib.util.find_spec(_MODULES[b]) is not None]


@dataclasses.dataclass(frozen=True)
class Backend:
    """A resolved backend: the namespace, the device object and the floating dtype of a run.

    Attributes
    ----------
    name : str
        One of :data:`BACKENDS`.
    device_name : str
        The device as given (or the backend's default), as recorded in the evidence.
    dtype_name : {"float64", "float32"}
        The floating dtype's name.
    xp : module
        The array-API namespace.
    device : object
        The namespace's device object (pass it as ``device=``).
    dtype : object
        The namespace's floating dtype object.
    """

    name: str
    device_name: str
    dtype_name: str
    xp: Any
    device: Any
    dtype: Any

    def to_numpy(self, a) -> np.ndarray:
        """A copy (or view) of the array ``a`` of this namespace as a NumPy array on the host.

        Parameters
        ----------
        a : array
            An array of this backend (any device), or anything ``numpy.asarray`` accepts.

        Returns
        -------
        numpy.ndarray
        """
        return to_numpy(a)


def default_device(backend: str) -> str:
    """The device name a backend runs on when ``--device`` is not given.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`.

    Returns
    -------
    str
        ``"cpu"`` for numpy, torch and jax, ``"CPU_DEVICE"`` for array-api-strict, ``"0"`` for cupy.
    """
    return {"array-api-strict": "CPU_DEVICE", "cupy": "0"}.get(backend, "cpu")


def check_backend(backend: str, device: str | None = None, dtype: str = DEFAULT_DTYPE) -> tuple[str, str, str]:
    """Validate a backend, device and dtype; return them with the device filled in.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`; it must be installed.
    device : str, optional
        A device of that backend (default: :func:`default_device`).
    dtype : {"float64", "float32"}
        The floating dtype.

    Returns
    -------
    tuple of str
        ``(backend, device, dtype)``.

    Raises
    ------
    InputError
        On an unknown or uninstalled backend, a device the backend does not have, or another dtype.
    """
    resolve(backend, device, dtype)
    return backend, default_device(backend) if device is None else str(device), dtype


@functools.lru_cache(maxsize=None)
def resolve(backend: str = DEFAULT_BACKEND, device: str | None = None, dtype: str = DEFAULT_DTYPE) -> Backend:
    """The :class:`Backend` of a run, looked up once per process.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`.
    device : str, optional
        A device name of that backend (default: :func:`default_device`).
    dtype : {"float64", "float32"}
        The floating dtype.

    Returns
    -------
    Backend

    Raises
    ------
    InputError
        On an unknown or uninstalled backend, a device it does not have, or a dtype other than float32/float64.
    """
    if backend not in BACKENDS:
        raise InputError(f"--backend {backend!r} is not known; choose one of {', '.join(BACKENDS)} "
                         f"(installed here: {', '.join(installed_backends())})")
    if dtype not in DTYPES:
        raise InputError(f"--dtype {dtype!r} is not allowed; choose float32 or float64")
    if importlib.util.find_spec(_MODULES[backend]) is None:
        raise InputError(f"--backend {backend} is not installed (installed here: {', '.join(installed_backends())})")
    device = default_device(backend) if device is None else str(device)
    try:
        xp, dev = _LOOKUP[backend](device)
    except InputError:
        raise
    except Exception as exc:  # a backend that imports but cannot start (no GPU, no driver)
        raise InputError(f"--backend {backend} --device {device} cannot be used here: "
                         f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    return Backend(backend, device, dtype, xp, dev, getattr(xp, dtype))


def _no_device(backend: str, device: str, known) -> InputError:
    return InputError(f"--device {device!r} is not a device of {backend}; it has {', '.join(map(str, known))}")


def _numpy(device):
    import array_api_compat.numpy as xp
    if device != "cpu":
        raise _no_device("numpy", device, ["cpu"])
    return xp, "cpu"


def _strict(device):
    import array_api_strict as xp
    names = [d._device for d in xp.__array_namespace_info__().devices()]
    if device not in names:
        raise _no_device("array-api-strict", device, names)
    return xp, xp.Device(device)


def _torch(device):
    import array_api_compat.torch as xp
    import torch
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise _no_device("torch", device, ["cpu", "cuda", "cuda:N", "mps"]) from None
    torch.empty(0, device=dev)  # fails here when the device does not exist
    return xp, dev


def _cupy(device):
    import array_api_compat.cupy as xp
    import cupy
    index = device.split(":", 1)[1] if device.startswith("cuda:") else device
    count = cupy.cuda.runtime.getDeviceCount()
    if not index.isdigit() or int(index) >= count:
        raise _no_device("cupy", device, [str(i) for i in range(count)] or ["none (no GPU found)"])
    return xp, cupy.cuda.Device(int(index))


def _jax(device):
    import jax
    import jax.numpy as xp
    platform, _, index = device.partition(":")
    try:
        devs = jax.devices(platform)
    except RuntimeError:
        devs = []
    if not devs or (index and (not index.isdigit() or int(index) >= len(devs))):
        raise _no_device("jax", device, [f"{d.platform}:{d.id}" for d in jax.devices()])
    jax.config.update("jax_enable_x64", True)  # float64 needs x64 mode; float32 work is unchanged by it
    return xp, devs[int(index) if index else 0]


_LOOKUP = {"numpy": _numpy, "array-api-strict": _strict, "torch": _torch, "cupy": _cupy, "jax": _jax}


def to_numpy(a) -> np.ndarray:
    """Any backend's array (on any device) as a NumPy array on the host; other values through ``numpy.asarray``.

    Parameters
    ----------
    a : array or array_like
        An array of numpy, array-api-strict, torch, cupy or jax, or a Python number or sequence.

    Returns
    -------
    numpy.ndarray
    """
    if isinstance(a, np.ndarray) or isinstance(a, (int, float, complex, bool, np.generic)):
        return np.asarray(a)
    mod = type(a).__module__.split(".", 1)[0]
    if mod == "array_api_strict":
        import array_api_strict as xps
        return np.asarray(a.to_device(xps.Device("CPU_DEVICE")))
    if mod == "torch":
        return a.detach().cpu().numpy()
    if mod == "cupy":
        return a.get()
    return np.asarray(a)


_FOREIGN = ("array_api_strict", "torch", "cupy", "jax", "jaxlib")


def is_host_array(a) -> bool:
    """False only for an array of another backend (array-api-strict, torch, cupy, jax); True for anything else.

    Parameters
    ----------
    a : object
        A value given to a tally.

    Returns
    -------
    bool
        Whether ``a`` can be used as it is (NumPy arrays, numbers, strings, containers, other objects).
    """
    if isinstance(a, (np.ndarray, np.generic, int, float, str)) or a is None:
        return True
    return type(a).__module__.split(".", 1)[0] not in _FOREIGN


__all__ = ["BACKENDS", "DTYPES", "Backend", "check_backend", "default_device", "installed_backends", "is_host_array",
           "resolve", "to_numpy"]
