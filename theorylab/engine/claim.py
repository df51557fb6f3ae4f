"""Claims and the registry every verification module adds to: :class:`Claim`, :class:`Source`, :func:`claim`.

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

The evidence records (:class:`Outcome`, :class:`Tally`, :class:`Evidence`) live in :mod:`.evidence`, the run
context and shared fixtures (:class:`Context`, :func:`shared_fixture`, :func:`claim_seed_sequence`) in
:mod:`.context`; this module re-exports them (their old import path).
"""
from __future__ import annotations

import dataclasses
import fnmatch
import re
from typing import Callable

from .._validation import InputError
from .context import Context, clear_shared_fixtures, claim_seed_sequence, shared_fixture  # noqa: F401 (old path)
from .evidence import (SCHEMA_VERSION, VERDICTS, Evidence, Outcome, Tally, _case_bytes,  # noqa: F401 (old path)
                       _jsonable)

STATUSES = ("PAPER", "RECONSTRUCTED", "VERIFIED")
KINDS = ("bound", "identity", "classification", "limit", "tightness", "finding")
BUDGETS = ("quick", "full", "paper")  # paper: the papers' own sizes, for a cluster (falls back to full)
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
    backends : tuple of str
        The array backends the check supports (it computes with ``ctx.xp`` on ``ctx.device``); default
        ``("numpy",)``. Under any other backend the claim is SKIPPED, never run on NumPy instead.
    float32_tolerance : float or None
        The tolerance in float32; None: the claim runs in float64 only (SKIPPED under ``--dtype float32``).
    float32_control_threshold : float or None
        The decisive threshold in float32 (None: the float64 one, or 10 × ``float32_tolerance`` if that is None).
    float32_reason : str
        Why these float32 numbers (the error's size in units of float32's epsilon).
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
    backends: tuple = ("numpy",)
    float32_tolerance: float | None = None
    float32_control_threshold: float | None = None
    float32_reason: str = ""

    @property
    def dtypes(self) -> tuple:
        """The floating dtypes the claim runs in: float64, and float32 when it declares a float32 tolerance."""
        return ("float64",) if self.float32_tolerance is None else ("float64", "float32")

    def skip_reason(self, backend: str, dtype: str) -> str:
        """Why the claim does not run under this backend and dtype; empty when it does.

        Parameters
        ----------
        backend : str
            The run's array backend.
        dtype : {"float64", "float32"}
            The run's floating dtype.

        Returns
        -------
        str
            ``""`` when supported, else a short sentence (recorded in a SKIPPED record).
        """
        if backend not in self.backends:
            return f"declares backends {', '.join(self.backends)}, not {backend}"
        if dtype not in self.dtypes:
            return f"declares dtypes {', '.join(self.dtypes)}, not {dtype}"
        return ""

    def in_dtype(self, dtype: str) -> "Claim":
        """The claim judged in ``dtype``: float32 replaces the tolerance and threshold by the float32 ones.

        Parameters
        ----------
        dtype : {"float64", "float32"}
            The run's floating dtype.

        Returns
        -------
        Claim
            ``self`` in float64; a copy with ``tolerance``, ``control_threshold`` and ``tolerance_reason`` for
            float32 otherwise.
        """
        if dtype == "float64" or self.float32_tolerance is None:
            return self
        threshold = self.float32_control_threshold
        if threshold is None:
            threshold = self.control_threshold if self.control_threshold is not None else 10 * self.float32_tolerance
        return dataclasses.replace(self, tolerance=self.float32_tolerance, control_threshold=threshold,
                                   tolerance_reason=f"float32: {self.float32_reason}")

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
    backends=("numpy",),
    float32_tolerance: float | None = None,
    float32_control_threshold: float | None = None,
    float32_reason: str = "",
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
    backends : sequence of str
        The array backends the check supports (``numpy``, ``array-api-strict``, ``torch``, ``cupy``, ``jax``):
        it computes with ``ctx.xp``, ``ctx.asarray`` and ``ctx.device``. Default ``("numpy",)``; a claim run under
        a backend it does not declare is SKIPPED.
    float32_tolerance : float, optional
        Declares float32 support: the tolerance in float32 (scaled from float32's epsilon). None: float64 only.
    float32_control_threshold : float, optional
        The decisive threshold in float32 (default: the float64 one).
    float32_reason : str
        Why the float32 numbers (required with ``float32_tolerance``).

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
    from .backends import BACKENDS
    backends = (backends,) if isinstance(backends, str) else tuple(backends)
    if not backends or any(b not in BACKENDS for b in backends):
        raise ValueError(f"claim {id}: backends={backends!r} must be a non-empty subset of {BACKENDS}")
    if float32_tolerance is not None:
        if not (float(float32_tolerance) >= 0):
            raise ValueError(f"claim {id}: float32_tolerance={float32_tolerance!r} must be a number >= 0")
        if not float32_reason:
            raise ValueError(f"claim {id}: float32_tolerance needs a float32_reason")
    if float32_control_threshold is not None and not (float(float32_control_threshold) > 0):
        raise ValueError(f"claim {id}: float32_control_threshold={float32_control_threshold!r} must be a number > 0")

    def register(check):
        c = Claim(id=id, title=title, source=source, statement=statement, status=status, kind=kind,
                  check=check, negative_control=negative_control, tolerance=float(tolerance),
                  tolerance_reason=tolerance_reason, module=getattr(check, "__module__", ""),
                  control_threshold=None if control_threshold is None else float(control_threshold),
                  control_threshold_reason=control_threshold_reason, control_cases=control_cases,
                  backends=backends,
                  float32_tolerance=None if float32_tolerance is None else float(float32_tolerance),
                  float32_control_threshold=None if float32_control_threshold is None
                  else float(float32_control_threshold), float32_reason=float32_reason)
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
