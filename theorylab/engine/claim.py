"""Claims, their evidence, and the registry every verification module adds to.

A *claim* is one checkable statement from a paper. Its check is a function ``check(ctx)`` that
tries cases and returns an :class:`Outcome`: how many cases, the worst *slack* (how far the worst case
is from failing, in the claim's own units, positive = satisfied) and that worst case's parameters.
The engine calls the check twice with the same random stream: once for the statement
(``ctx.control is False``) and once for its **negative control** (``ctx.control is True``), a
deliberately wrong variant that the same check must report as violated.

The rule, for every claim: **passed ⇔ worst_slack ≥ −tolerance**. For a bound ``lhs ≤ rhs`` the
slack is ``rhs − lhs``; for an identity it is ``−|error|``.

Adding a claim (in ``verifications/<paper>.py``)::

    from theorylab.engine import Source, claim

    SRC = Source("P. Bartlett, M. Jordan, J. McAuliffe", "Convexity, Classification, and Risk Bounds",
                 "JASA 2006")

    @claim("bartlett2006/hinge-psi", title="hinge ψ", source=SRC.at("Table 1"),
           statement="ψ(θ) = θ for the hinge loss", status="RECONSTRUCTED", kind="identity",
           tolerance=1e-8, tolerance_reason="grid minimisation accuracy",
           negative_control="ψ(θ) = 0.9 θ")
    def hinge_psi(ctx):
        tally = ctx.tally()
        theta = ctx.rng.uniform(0, 1, ctx.pick(quick=100, full=10_000))
        target = 0.9 * theta if ctx.control else theta
        tally.add(-abs(psi(theta) - target), theta=theta)
        return tally.outcome()
"""
from __future__ import annotations

import dataclasses
import fnmatch
import math
import re
import threading
import zlib
from typing import Any, Callable

import numpy as np

from .._validation import InputError

STATUSES = ("PAPER", "RECONSTRUCTED", "VERIFIED")
KINDS = ("bound", "identity", "classification", "limit", "tightness", "finding")
BUDGETS = ("quick", "full")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*$")


@dataclasses.dataclass(frozen=True)
class Source:
    """Where a claim comes from: authors, title, venue or arXiv id, and the theorem or equation.

    ``str(source)`` gives the citation on one line: ``authors, "title", venue, where``.

    Attributes
    ----------
    authors : str
        The paper's authors, as they should be cited.
    title : str
        The paper's title.
    venue : str
        The journal or conference and year, or the arXiv id.
    where : str
        The theorem, equation, table or section within the paper (empty: the paper as a whole).
    """

    authors: str
    title: str
    venue: str
    where: str = ""

    def at(self, where: str) -> "Source":
        """The same paper, pointing at a theorem, equation or table.

        Parameters
        ----------
        where : str
            The place within the paper, e.g. ``"Theorem 1"`` or ``"Table 1"``.

        Returns
        -------
        Source
            A copy of this source with ``where`` replaced (the original is unchanged).
        """
        return dataclasses.replace(self, where=where)

    def __str__(self) -> str:
        tail = f", {self.where}" if self.where else ""
        return f"{self.authors}, \"{self.title}\", {self.venue}{tail}"


@dataclasses.dataclass
class Outcome:
    """What one run of a check measured (before the engine adds verdicts and bookkeeping).

    Attributes
    ----------
    cases : int
        Number of cases tried (slack entries added to the tally).
    worst_slack : float
        Smallest slack over the cases; ``-inf`` when any case gave NaN or −∞.
    worst_case : dict
        Parameters of the worst case.
    value : float or None
        A finding's measured number.
    message : str
        A finding's sentence, or a note on the worst case.
    worst_finite_slack : float
        Smallest *finite* slack (``inf`` when there is none): a negative control must fail
        decisively on a finite case, never only through NaN or infinities.
    nonfinite : int
        Number of cases whose slack was NaN or ±∞.
    fingerprint : str
        CRC-32 of the case parameters in the order they were added: the claim and its negative
        control must report the same fingerprint (the same cases) unless the claim declares why not.
    """

    cases: int
    worst_slack: float
    worst_case: dict
    value: float | None = None
    message: str = ""
    worst_finite_slack: float = math.inf
    nonfinite: int = 0
    fingerprint: str = ""


def _jsonable(v: Any) -> Any:
    """Turn NumPy scalars/arrays (and nested containers) into plain JSON values."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    return v


def _case_bytes(v: Any) -> bytes:
    """A stable byte form of one case parameter, for the case fingerprint."""
    if isinstance(v, (str, bytes)):
        return v.encode() if isinstance(v, str) else v
    arr = np.asarray(v) if not isinstance(v, dict) else None
    if arr is not None and arr.dtype != object:
        return str(arr.dtype).encode() + str(arr.shape).encode() + np.ascontiguousarray(arr).tobytes()
    return repr(_jsonable(v)).encode()


class Tally:
    """Accumulates per-case slacks and remembers the worst case.

    ``add(slack, measured=None, **case)``: ``slack`` is a scalar or an array of any shape; case values
    shaped like ``slack`` (or with one row per entry of a 1-D ``slack``) are indexed at the worst entry,
    anything else is stored as is. ``case`` identifies the cases (their inputs): it enters the case
    fingerprint, which the claim and its negative control must share. ``measured`` (a dict, same
    layout rules) holds values computed *from* the statement (both sides of a bound, say): reported in
    the worst case, left out of the fingerprint. A NaN slack counts as a failed case (slack −∞), never
    as a silent pass. The first call always sets the worst case; later calls replace it only when
    strictly worse.
    """

    def __init__(self) -> None:
        self.cases = 0
        self.worst = math.inf
        self.worst_finite = math.inf
        self.nonfinite = 0
        self.worst_case: dict = {}
        self._crc = 0

    def add(self, slack, measured: dict | None = None, **case) -> None:
        """Add the slacks of one batch of cases, with the parameters that identify them.

        Parameters
        ----------
        slack : float or array_like
            The slack of each case, in the claim's own units (positive = satisfied), of any shape; an
            empty array adds nothing. A NaN counts as a failed case (slack −∞).
        measured : dict, optional
            Values computed from the statement (both sides of a bound, say), laid out like ``slack``
            or like the case values; reported in the worst case, left out of the case fingerprint.
        **case
            The parameters that identify the cases (their inputs): a value shaped like ``slack``, or
            with one row per entry of a 1-D ``slack``, is indexed at the worst entry; anything else is
            stored as is. They enter the case fingerprint.
        """
        shape = np.shape(slack)
        s = np.asarray(slack, dtype=np.float64).ravel()
        if s.size == 0:
            return
        bad = ~np.isfinite(s)
        nan = np.isnan(s)
        if nan.any():
            i = int(np.flatnonzero(nan)[0])
            worst = -math.inf  # a NaN is a failed case, never a silent pass
        else:
            i = int(np.argmin(s))
            worst = float(s[i])
        if not bad.all():
            self.worst_finite = min(self.worst_finite, float(np.min(s[~bad])))
        self.nonfinite += int(bad.sum())
        first = self.cases == 0
        self.cases += s.size
        crc = zlib.crc32(str(s.size).encode(), self._crc)
        for k in sorted(case):
            crc = zlib.crc32(k.encode() + _case_bytes(case[k]), crc)
        self._crc = crc
        if first or worst < self.worst:
            self.worst = worst
            picked = {}
            for k, v in {**case, **(measured or {})}.items():
                arr = np.asarray(v) if not isinstance(v, (str, dict)) else None
                if arr is not None and arr.ndim >= 1 and s.size > 1 and arr.shape == shape:
                    picked[k] = arr.ravel()[i]  # a case value laid out like the slack array
                elif arr is not None and arr.ndim >= 1 and arr.shape[0] == s.size and s.size > 1:
                    picked[k] = arr[i]  # one row of case parameters per slack
                else:
                    picked[k] = v
            if nan[i]:
                picked["slack_was_nan"] = True
            self.worst_case = _jsonable(picked)

    def outcome(self, value: float | None = None, message: str = "") -> Outcome:
        """The :class:`Outcome` of every case added so far.

        Parameters
        ----------
        value : float, optional
            A finding's measured number.
        message : str
            A finding's sentence, or a note on the worst case.

        Returns
        -------
        Outcome
            The number of cases, the worst slack and its case, the worst finite slack, the count of
            non-finite cases and the case fingerprint, with ``value`` and ``message``.

        Raises
        ------
        RuntimeError
            When no case was added: every check must try at least one.
        """
        if self.cases == 0:
            raise RuntimeError("a check returned no cases; every check must try at least one")
        return Outcome(self.cases, self.worst, self.worst_case, value, message,
                       worst_finite_slack=self.worst_finite, nonfinite=self.nonfinite,
                       fingerprint=f"{self._crc:08x}")


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
    budget : {"quick", "full"}
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
    budget : {"quick", "full"}
        ``quick``: seconds per claim; ``full``: paper scale.
    control : bool
        True when the check evaluates the deliberately wrong statement.
    seed : int
        The run seed.
    fixtures_used : list of str
        Names of the shared fixtures this check asked for (recorded in the evidence).
    """

    rng: np.random.Generator
    budget: str
    control: bool
    seed: int
    fixtures_used: list = dataclasses.field(default_factory=list)

    def pick(self, quick, full):
        """The value for this run's budget.

        Parameters
        ----------
        quick : object
            The value to use under the ``"quick"`` budget (e.g. a small sample size).
        full : object
            The value to use under the ``"full"`` budget (paper scale).

        Returns
        -------
        object
            ``quick`` when the budget is ``"quick"``, otherwise ``full``.
        """
        return quick if self.budget == "quick" else full

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


@dataclasses.dataclass(frozen=True)
class Claim:
    """A registered claim: its statement, source, check and the rules its evidence is judged by.

    ``control_threshold`` is how far below zero the negative control's worst finite slack must be
    for the control to count as failing *decisively* (default ``10 × tolerance``); ``control_cases``,
    when not empty, says why the control legitimately runs other cases than the claim. Claims are made
    by the :func:`claim` decorator, which validates these fields.

    Attributes
    ----------
    id : str
        ``paper-key/short-name``, lower case.
    title : str
        A short title.
    source : Source
        The paper, with the theorem or equation.
    statement : str
        The statement checked, in words and formulas.
    status : {"PAPER", "RECONSTRUCTED", "VERIFIED"}
        How sure we are that the statement is the paper's.
    kind : {"bound", "identity", "classification", "limit", "tightness", "finding"}
        What sort of statement it is.
    check : callable(Context) -> Outcome
        The check; run once for the statement and once for the negative control.
    negative_control : str
        The deliberately wrong statement the same check must reject.
    tolerance : float
        The claim passes when its worst slack is ≥ −tolerance.
    tolerance_reason : str
        Why this tolerance (its scale and where the error comes from).
    module : str
        The ``__name__`` of the module that defines the check.
    control_threshold : float or None
        The control fails decisively when its worst finite slack is ≤ −control_threshold;
        None means ``10 × tolerance``.
    control_threshold_reason : str
        Why this threshold (for statistical checks: how many standard errors).
    control_cases : str
        Empty when the control runs the same cases as the claim; otherwise the reason it does not.
    """

    id: str
    title: str
    source: Source
    statement: str
    status: str
    kind: str
    check: Callable[[Context], Outcome]
    negative_control: str
    tolerance: float = 0.0
    tolerance_reason: str = "exact"
    module: str = ""
    control_threshold: float | None = None
    control_threshold_reason: str = ""
    control_cases: str = ""

    @property
    def paper(self) -> str:
        """The paper key: the part of the id before the slash."""
        return self.id.split("/", 1)[0]

    @property
    def decisive_threshold(self) -> float:
        """The control fails decisively when its worst finite slack is ≤ −this."""
        if self.control_threshold is not None:
            return self.control_threshold
        return 10.0 * self.tolerance


SCHEMA_VERSION = 2
VERDICTS = ("PASS", "FINDING", "FAIL", "BROKEN", "WEAK", "ERROR")


@dataclasses.dataclass
class Evidence:
    """The full record of one claim run: the ``--json`` output and ``theorylab.run`` return these.

    Verdicts: PASS (held on every case, control failed decisively), FINDING (the same, for a measured
    number), FAIL (the statement was violated), BROKEN (the negative control passed: the check could
    not fail), WEAK (the control failed, but not decisively: only through NaN/∞, by less than the
    decisive threshold, or on other cases than the claim), ERROR (the check crashed).

    Attributes
    ----------
    claim_id, title, kind, status, statement : str
        Copied from the :class:`Claim`.
    source : str
        The claim's :class:`Source` as one line of text.
    passed : bool
        True when the verdict is PASS or FINDING.
    verdict : {"PASS", "FINDING", "FAIL", "BROKEN", "WEAK", "ERROR"}
        The judgement of the run (see above).
    cases : int
        Number of cases the statement's check tried.
    worst_slack : float
        The statement's worst slack, in the claim's units (passed needs ≥ −tolerance).
    worst_case : dict
        The parameters (and measured values) of the statement's worst case.
    tolerance : float
        The claim's tolerance.
    tolerance_reason : str
        Why this tolerance.
    negative_control : str
        The deliberately wrong statement.
    negative_control_failed : bool
        True when the control was rejected (its worst slack < −tolerance), decisively or not;
        False when it passed or the check raised an error.
    negative_control_verdict : {"decisive", "weak", "passed", "-"}
        How the control fared; ``"-"`` when the check raised an error.
    negative_control_worst_slack : float
        The control's worst slack.
    negative_control_worst_case : dict
        The parameters of the control's worst case.
    negative_control_threshold : float
        The decisive threshold, in the claim's units.
    negative_control_margin : float
        −(control's worst finite slack) / threshold; ≥ 1 is decisive, NaN when undefined.
    negative_control_cases : int
        Number of cases the control's check tried.
    negative_control_note : str
        Why the control is weak or passed (empty when decisive).
    value : float or None
        A finding's measured number.
    message : str
        A finding's sentence, or a note on the worst case.
    seed : int
        The run seed.
    spawn_key : list of int
        The spawn key of the claim's child ``SeedSequence`` (see :func:`claim_seed_sequence`).
    budget : {"quick", "full"}
        The run budget.
    backend : str
        The array backend the check ran on.
    dtype : str
        The floating-point type the check ran in.
    seconds : float
        Time taken by the statement and its control together.
    error : str
        The exception and a short traceback when the verdict is ERROR; empty otherwise.
    shared_fixtures : list of str
        Names of the shared fixtures (``ctx.shared``) the check and its control used.
    """

    claim_id: str
    title: str
    kind: str
    status: str
    source: str
    statement: str
    passed: bool
    verdict: str
    cases: int
    worst_slack: float
    worst_case: dict
    tolerance: float
    tolerance_reason: str
    negative_control: str
    negative_control_failed: bool
    negative_control_verdict: str  # decisive, weak, passed, or "-" (error)
    negative_control_worst_slack: float
    negative_control_worst_case: dict
    negative_control_threshold: float
    negative_control_margin: float  # −(control's worst finite slack) / threshold; ≥ 1 is decisive
    negative_control_cases: int
    negative_control_note: str
    value: float | None
    message: str
    seed: int
    spawn_key: list
    budget: str
    backend: str
    dtype: str
    seconds: float
    error: str = ""
    shared_fixtures: list = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict:
        """The record as plain JSON values (non-finite floats as strings such as ``'-inf'``).

        Returns
        -------
        dict
            Every field by name, with NumPy values turned into plain Python ones.
        """
        return _jsonable(dataclasses.asdict(self))


_REGISTRY: dict[str, Claim] = {}


def claim(
    id: str,
    *,
    title: str,
    source: Source,
    statement: str,
    status: str,
    kind: str,
    negative_control: str,
    tolerance: float = 0.0,
    tolerance_reason: str = "exact",
    control_threshold: float | None = None,
    control_threshold_reason: str = "",
    control_cases: str = "",
):
    """Decorator registering ``check(ctx) -> Outcome`` as a claim. See the module docstring.

    Parameters
    ----------
    id : str
        ``paper-key/short-name``, lower case.
    title, statement : str
        A short title and the statement checked, in words and formulas.
    source : Source
        The paper, with the theorem or equation.
    status : {"PAPER", "RECONSTRUCTED", "VERIFIED"}
        How sure we are that the statement is the paper's.
    kind : {"bound", "identity", "classification", "limit", "tightness", "finding"}
        What sort of statement it is.
    negative_control : str
        The deliberately wrong statement the same check must reject.
    tolerance : float
        The claim passes when its worst slack is ≥ −tolerance.
    tolerance_reason : str
        Why this tolerance (its scale and where the error comes from).
    control_threshold : float, optional
        The control fails decisively when its worst finite slack is ≤ −control_threshold
        (default ``10 × tolerance``; required when the tolerance is 0).
    control_threshold_reason : str
        Why this threshold (for statistical checks: how many standard errors).
    control_cases : str
        Empty when the control runs the same cases as the claim (the engine checks it); otherwise the
        reason it does not.

    Returns
    -------
    callable
        The decorator: it registers ``check`` under ``id`` and returns ``check`` unchanged.

    Raises
    ------
    ValueError
        On a malformed id, status, kind, a missing control, or a negative tolerance or threshold; the
        decorator raises it when another module already registered the same id.
    """
    if not _ID.match(id):
        raise ValueError(f"claim id {id!r} must look like 'paper-key/short-name' (lower case)")
    if status not in STATUSES:
        raise ValueError(f"claim {id}: status {status!r} must be one of {STATUSES}")
    if kind not in KINDS:
        raise ValueError(f"claim {id}: kind {kind!r} must be one of {KINDS}")
    if not negative_control:
        raise ValueError(f"claim {id}: every claim needs a negative control")
    if not (float(tolerance) >= 0):
        raise ValueError(f"claim {id}: tolerance={tolerance!r} must be a number >= 0")
    if control_threshold is not None and not (float(control_threshold) > 0):
        raise ValueError(f"claim {id}: control_threshold={control_threshold!r} must be a number > 0")

    def register(check):
        c = Claim(id=id, title=title, source=source, statement=statement, status=status, kind=kind,
                  check=check, negative_control=negative_control, tolerance=float(tolerance),
                  tolerance_reason=tolerance_reason, module=getattr(check, "__module__", ""),
                  control_threshold=None if control_threshold is None else float(control_threshold),
                  control_threshold_reason=control_threshold_reason, control_cases=control_cases)
        old = _REGISTRY.get(id)
        if old is not None and old.module != c.module and old.module != "__main__" \
                and c.module != "__main__":
            raise ValueError(f"claim id {id!r} is defined twice ({old.module} and {c.module})")
        _REGISTRY[id] = c
        return check

    return register


def claims_in_module(module: str) -> list[Claim]:
    """The registered claims defined in one module (by ``__name__``).

    Parameters
    ----------
    module : str
        The module's ``__name__``, e.g. ``"verifications.bartlett2006"``.

    Returns
    -------
    list of Claim
        The claims whose check is defined in that module, in registration order.
    """
    return [c for c in _REGISTRY.values() if c.module == module]


def match_ids(patterns, ids, what: str = "claim") -> list[str]:
    """The ids matching any pattern: an exact id, a glob (``bartlett2006/*``), a paper key, or a substring.

    Parameters
    ----------
    patterns : str or sequence of str
        Non-empty patterns; an empty sequence means ``["*"]``.
    ids : iterable of str
        The known ids.
    what : str
        ``"claim"`` or ``"figure"``, for the messages.

    Returns
    -------
    list of str
        Matching ids, sorted, each once.

    Raises
    ------
    InputError
        On an empty pattern, or one that matches nothing.
    """
    ids = sorted(ids)
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns) or ["*"]
    chosen: set[str] = set()
    for pat in patterns:
        if not isinstance(pat, str) or not pat.strip():
            raise InputError(f"pattern={pat!r} is not allowed; give a {what} id, glob or paper key ('*' for all)")
        if pat in ids:  # an exact id means that one alone
            hits = [pat]
        else:
            hits = [i for i in ids if fnmatch.fnmatchcase(i, pat) or i.startswith(pat.rstrip("/") + "/") or pat in i]
        if not hits:
            raise InputError(f"pattern {pat!r} matches no {what}; `theorylab {'list' if what == 'claim' else 'figures --list'}`"
                             f" shows the {what} ids")
        chosen.update(hits)
    return sorted(chosen)


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
