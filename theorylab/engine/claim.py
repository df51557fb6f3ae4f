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
    """Where a claim comes from: authors, title, venue or arXiv id, and the theorem or equation."""

    authors: str
    title: str
    venue: str
    where: str = ""

    def at(self, where: str) -> "Source":
        """The same paper, pointing at a theorem, equation or table."""
        return dataclasses.replace(self, where=where)

    def __str__(self) -> str:
        tail = f", {self.where}" if self.where else ""
        return f"{self.authors}, \"{self.title}\", {self.venue}{tail}"


@dataclasses.dataclass
class Outcome:
    """What one run of a check measured (before the engine adds pass/fail and bookkeeping)."""

    cases: int
    worst_slack: float
    worst_case: dict
    value: float | None = None  # a finding's measured number
    message: str = ""  # a finding's sentence, or a note on the worst case


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


class Tally:
    """Accumulates per-case slacks and remembers the worst case.

    ``add(slack, **case)``: ``slack`` is a scalar or an array of any shape; case values shaped like
    ``slack`` (or with one row per entry of a 1-D ``slack``) are indexed at the worst entry, anything else
    is stored as is.
    """

    def __init__(self) -> None:
        self.cases = 0
        self.worst = math.inf
        self.worst_case: dict = {}

    def add(self, slack, **case) -> None:
        shape = np.shape(slack)
        s = np.asarray(slack, dtype=np.float64).ravel()
        if s.size == 0:
            return
        if np.any(np.isnan(s)):
            i = int(np.flatnonzero(np.isnan(s))[0])
            worst = -math.inf  # a NaN is a failed case, never a silent pass
        else:
            i = int(np.argmin(s))
            worst = float(s[i])
        self.cases += s.size
        if worst < self.worst or not self.worst_case:
            self.worst = worst
            picked = {}
            for k, v in case.items():
                arr = np.asarray(v) if not isinstance(v, (str, dict)) else None
                if arr is not None and arr.ndim >= 1 and s.size > 1 and arr.shape == shape:
                    picked[k] = arr.ravel()[i]  # a case value laid out like the slack array
                elif arr is not None and arr.ndim >= 1 and arr.shape[0] == s.size and s.size > 1:
                    picked[k] = arr[i]  # one row of case parameters per slack
                else:
                    picked[k] = v
            if np.isnan(s[i]):
                picked["slack_was_nan"] = True
            self.worst_case = _jsonable(picked)

    def outcome(self, value: float | None = None, message: str = "") -> Outcome:
        if self.cases == 0:
            raise RuntimeError("a check returned no cases; every check must try at least one")
        return Outcome(self.cases, self.worst, self.worst_case, value, message)


@dataclasses.dataclass
class Context:
    """What a check receives: its random stream, its budget, and whether it runs the negative control."""

    rng: np.random.Generator
    budget: str
    control: bool
    seed: int
    backend: str = "numpy"
    dtype: str = "float64"

    def pick(self, quick, full):
        """The value for this run's budget."""
        return quick if self.budget == "quick" else full

    @staticmethod
    def tally() -> Tally:
        return Tally()


@dataclasses.dataclass(frozen=True)
class Claim:
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

    @property
    def paper(self) -> str:
        return self.id.split("/", 1)[0]


@dataclasses.dataclass
class Evidence:
    """The full record of one claim run: the ``--json`` output and ``theorylab.run`` return these."""

    claim_id: str
    title: str
    kind: str
    status: str
    source: str
    statement: str
    passed: bool
    verdict: str  # PASS, FAIL, FINDING, BROKEN (negative control could not fail), ERROR
    cases: int
    worst_slack: float
    worst_case: dict
    tolerance: float
    tolerance_reason: str
    negative_control: str
    negative_control_failed: bool
    negative_control_worst_slack: float
    negative_control_worst_case: dict
    value: float | None
    message: str
    seed: int
    spawn_key: list
    budget: str
    backend: str
    dtype: str
    seconds: float
    error: str = ""

    def to_dict(self) -> dict:
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
):
    """Decorator registering ``check(ctx) -> Outcome`` as a claim. See the module docstring."""
    if not _ID.match(id):
        raise ValueError(f"claim id {id!r} must look like 'paper-key/short-name' (lower case)")
    if status not in STATUSES:
        raise ValueError(f"claim {id}: status {status!r} must be one of {STATUSES}")
    if kind not in KINDS:
        raise ValueError(f"claim {id}: kind {kind!r} must be one of {KINDS}")
    if not negative_control:
        raise ValueError(f"claim {id}: every claim needs a negative control")

    def register(check):
        c = Claim(id, title, source, statement, status, kind, check, negative_control,
                  float(tolerance), tolerance_reason, getattr(check, "__module__", ""))
        old = _REGISTRY.get(id)
        if old is not None and old.module != c.module and old.module != "__main__" \
                and c.module != "__main__":
            raise ValueError(f"claim id {id!r} is defined twice ({old.module} and {c.module})")
        _REGISTRY[id] = c
        return check

    return register


def all_claims() -> dict[str, Claim]:
    """Every registered claim (verification modules are imported first)."""
    from .discovery import load_verifications

    load_verifications()
    return dict(sorted(_REGISTRY.items()))


def claims_in_module(module: str) -> list[Claim]:
    return [c for c in _REGISTRY.values() if c.module == module]


def select(patterns, claims: dict[str, Claim] | None = None) -> list[Claim]:
    """Claims whose id matches any pattern: an exact id, a glob (``bartlett2006/*``), a paper key, or a substring.

    Raises :class:`InputError` when a pattern matches nothing.
    """
    if claims is None:
        claims = all_claims()
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns) or ["*"]
    chosen: dict[str, Claim] = {}
    for pat in patterns:
        if pat in claims:  # an exact id means that claim alone
            hits = [claims[pat]]
        else:
            hits = [c for cid, c in claims.items()
                    if fnmatch.fnmatchcase(cid, pat) or cid.startswith(pat.rstrip("/") + "/") or pat in cid]
        if not hits:
            raise InputError(f"pattern {pat!r} matches no claim; `theorylab list` shows the claim ids")
        for c in hits:
            chosen[c.id] = c
    return [chosen[k] for k in sorted(chosen)]


def claim_seed_sequence(seed: int, claim_id: str) -> np.random.SeedSequence:
    """The child of the run's root ``SeedSequence(seed)`` that belongs to ``claim_id``.

    The child's spawn key is derived from the claim id (CRC-32), so a claim sees the same stream
    whichever other claims run beside it and in whatever order.
    """
    root = np.random.SeedSequence(seed)
    return np.random.SeedSequence(root.entropy, spawn_key=root.spawn_key + (zlib.crc32(claim_id.encode()),))
