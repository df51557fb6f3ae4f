"""What a check runs with: its :class:`Context`, the per-claim random streams and the shared fixtures.

Every claim (and figure, and shared fixture) draws from its own child of the run's root ``SeedSequence``
(:func:`claim_seed_sequence`, keyed by the id), and expensive inputs shared between claims are built once
per process from their own stream (:func:`shared_fixture`), so evidence does not depend on which claims run
or in what order.
"""
from __future__ import annotations

import dataclasses
import threading
import zlib
from typing import Any, Callable

import numpy as np

from .backends import DEFAULT_BACKEND, DEFAULT_DTYPE, Backend, default_device, is_host_array, resolve, to_numpy
from .evidence import Tally


def _freeze(obj: Any) -> Any:
    """Make the NumPy arrays inside a shared fixture read-only, so no claim can change another's input."""
    if isinstance(obj, np.ndarray):
        obj.flags.writeable = False
    elif isinstance(obj, dict):
        for v in obj.values():
            _freeze(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _freeze(v)
    return obj


_SHARED: dict[tuple, Any] = {}
_SHARED_MAKERS: dict[str, str] = {}
_SHARED_LOCK = threading.Lock()
_SHARED_KEY_LOCKS: dict[tuple, threading.Lock] = {}


def shared_fixture(name: str, make: Callable, seed: int, budget: str) -> Any:
    """The fixture ``name`` at this seed and budget, computed once per process.

    ``make(rng, budget)`` receives its own random stream, derived from the run seed and the fixture's
    name (``claim_seed_sequence(seed, "shared:" + name)``), so the fixture — and every claim that uses
    it — is the same whichever claims run, in whatever order, on whatever executor. NumPy arrays in
    the returned object are made read-only.

    Parameters
    ----------
    name : str
        The fixture's name; one name belongs to one ``make`` function.
    make : callable(rng, budget) -> object
        Builds the fixture.
    seed : int
        The run seed.
    budget : {"quick", "full", "paper"}
        The run budget.

    Returns
    -------
    object
        What ``make`` returned (cached per process, thread-safe).
    """
    maker = f"{getattr(make, '__module__', '')}.{getattr(make, '__qualname__', repr(make))}"
    key = (name, int(seed), budget)
    with _SHARED_LOCK:
        other = _SHARED_MAKERS.setdefault(name, maker)
        if other != maker:
            raise ValueError(f"shared fixture {name!r} is built by both {other} and {maker}; use two names")
        if key in _SHARED:
            return _SHARED[key]
        lock = _SHARED_KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _SHARED:
            rng = np.random.default_rng(claim_seed_sequence(seed, "shared:" + name))
            value = _freeze(make(rng, budget))
            with _SHARED_LOCK:
                _SHARED[key] = value
    return _SHARED[key]


def clear_shared_fixtures() -> None:
    """Forget every shared fixture of this process (tests use it to show evidence is order-free)."""
    with _SHARED_LOCK:
        _SHARED.clear()
        _SHARED_KEY_LOCKS.clear()


@dataclasses.dataclass
class Context:
    """What a check receives: its random stream, its budget, and whether it runs the negative control.

    Attributes
    ----------
    rng : numpy.random.Generator
        The claim's own stream (the same for the statement and its control).
    budget : {"quick", "full", "paper"}
        ``quick``: seconds per claim; ``full``: larger, one machine; ``paper``: the papers' own sizes where a
        claim gives them (:meth:`pick`), meant for a cluster.
    control : bool
        True when the check evaluates the deliberately wrong statement.
    seed : int
        The run seed.
    fixtures_used : list of str
        Names of the shared fixtures this check asked for (recorded in the evidence).
    case_memo : dict
        What :meth:`cases` computed, shared by the runner between a claim's statement and its control.
    backend : str
        The array backend of the run (``theorylab verify --backend``; default ``"numpy"``). A claim that declares
        the backend (``@claim(..., backends=...)``) computes with :attr:`xp` on :attr:`device` in :attr:`dtype`.
    device_name : str or None
        The backend's device (None: its default, ``cpu`` for NumPy).
    dtype_name : {"float64", "float32"}
        The floating dtype of the run.
    """

    rng: np.random.Generator
    budget: str
    control: bool
    seed: int
    fixtures_used: list = dataclasses.field(default_factory=list)
    case_memo: dict = dataclasses.field(default_factory=dict, repr=False)
    backend: str = DEFAULT_BACKEND
    device_name: str | None = None
    dtype_name: str = DEFAULT_DTYPE

    @property
    def array_backend(self) -> Backend:
        """The resolved :class:`~theorylab.engine.backends.Backend` of this run (looked up once per process)."""
        return resolve(self.backend, self.device_name or default_device(self.backend), self.dtype_name)

    @property
    def xp(self):
        """The array-API namespace of the run (``array_api_compat.numpy`` by default)."""
        return self.array_backend.xp

    @property
    def device(self):
        """The device object of the run: pass it as ``device=`` to creation calls of :attr:`xp`."""
        return self.array_backend.device

    @property
    def dtype(self):
        """The floating dtype object of the run (``xp.float64`` by default)."""
        return self.array_backend.dtype

    @property
    def eps(self) -> float:
        """The machine epsilon of the run's floating dtype (2.2e-16 in float64, 1.2e-7 in float32)."""
        return float(np.finfo(self.dtype_name).eps)

    def asarray(self, a, dtype=None):
        """``a`` as an array of the run's namespace on its device; floating values in the run's dtype.

        Parameters
        ----------
        a : array_like
            A NumPy array, a Python number or sequence (integer values keep an integer dtype).
        dtype : dtype, optional
            Overrides the dtype (e.g. ``ctx.xp.int64`` for labels).

        Returns
        -------
        array
            An array of :attr:`xp` on :attr:`device`.
        """
        b = self.array_backend
        if dtype is None:
            if is_host_array(a):
                floating = np.asarray(a).dtype.kind == "f"
            else:
                floating = b.xp.isdtype(a.dtype, "real floating")
            dtype = b.dtype if floating else None
        if b.name == "numpy":
            return np.asarray(a, dtype=dtype)
        return b.xp.asarray(a, dtype=dtype, device=b.device)

    @staticmethod
    def to_numpy(a) -> np.ndarray:
        """An array of any backend, on any device, as a NumPy array on the host.

        Parameters
        ----------
        a : array or array_like
            An array of numpy, array-api-strict, torch, cupy or jax (any device), or anything ``numpy.asarray``
            accepts.

        Returns
        -------
        numpy.ndarray
            The values on the host (tallies convert by themselves; this is for host-only steps such as SciPy).
        """
        return to_numpy(a)

    def pick(self, quick, full, paper=None):
        """The value for this run's budget.

        Parameters
        ----------
        quick : object
            The value to use under the ``"quick"`` budget (e.g. a small sample size).
        full : object
            The value to use under the ``"full"`` budget (larger, still one machine).
        paper : object, optional
            The value to use under the ``"paper"`` budget: the paper's own size, meant for a cluster. ``None``
            (the default) means the claim has no separate paper size and ``full`` is used.

        Returns
        -------
        object
            ``quick`` under ``"quick"``, ``paper`` under ``"paper"`` when given, otherwise ``full``.
        """
        if self.budget == "quick":
            return quick
        if self.budget == "paper" and paper is not None:
            return paper
        return full

    @staticmethod
    def tally() -> Tally:
        """A fresh :class:`Tally`.

        Returns
        -------
        Tally
            An empty tally, to which the check adds its cases.
        """
        return Tally()

    def shared(self, name: str, make: Callable) -> Any:
        """An expensive fixture shared between claims: ``make(rng, budget)``, seeded by ``name``.

        See :func:`shared_fixture`. Evidence that depends on it is independent of run order.

        Parameters
        ----------
        name : str
            The fixture's name; its random stream is derived from the run seed and this name.
        make : callable(rng, budget) -> object
            Builds the fixture; one name belongs to one ``make`` function.

        Returns
        -------
        object
            The fixture for this run's seed and budget (computed once per process; arrays read-only).

        Raises
        ------
        ValueError
            When two different ``make`` functions use the same name.
        """
        if name not in self.fixtures_used:
            self.fixtures_used.append(name)
        return shared_fixture(name, make, self.seed, self.budget)

    def cases(self, name: str, make: Callable[[], Any]) -> Any:
        """The expensive part of a check, computed once for the statement and reused by its negative control.

        The statement's call runs ``make()`` (which draws from :attr:`rng`, as the check would inline) and keeps
        the result and the stream's state after it; the control's call (same claim, same seed, same
        evaluation) returns that result and moves its own stream to the same state, so every later draw, and
        the evidence, is bit-identical to computing it twice. Call it before any draw that depends on
        :attr:`control`; NumPy arrays in the result are made read-only (neither side may change the other's
        cases). Outside the runner (a figure, a test) each context computes its own.

        Parameters
        ----------
        name : str
            Names this computation within the check (a check may keep several).
        make : callable() -> object
            Computes the cases and whatever is expensive about them (quadratures, fits, trajectories).

        Returns
        -------
        object
            What ``make`` returned.
        """
        memo = self.case_memo
        if name in memo:
            value, state = memo[name]
            self.rng.bit_generator.state = state
            return value
        value = _freeze(make())
        memo[name] = (value, self.rng.bit_generator.state)
        return value


def claim_seed_sequence(seed: int, claim_id: str) -> np.random.SeedSequence:
    """The child of the run's root ``SeedSequence(seed)`` that belongs to ``claim_id``.

    The child's spawn key is derived from the claim id (CRC-32), so a claim sees the same stream
    whichever other claims run beside it and in whatever order.

    Parameters
    ----------
    seed : int
        The run seed (the root ``SeedSequence``'s entropy).
    claim_id : str
        The claim's (or figure's, or ``"shared:" + name`` fixture's) id.

    Returns
    -------
    numpy.random.SeedSequence
        The child sequence; pass it to ``numpy.random.default_rng``.
    """
    root = np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key + (zlib.crc32(claim_id.encode()),))


__all__ = ["Context", "shared_fixture", "clear_shared_fixtures", "claim_seed_sequence"]
