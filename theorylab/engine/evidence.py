"""Evidence records of claim runs: what a check measured (Outcome, built by a Tally) and the full Evidence record.

A check adds its cases to a :class:`Tally` (slack per case, the worst case, the case fingerprint) and returns
its :class:`Outcome`; the runner judges the statement and its negative control and writes one
:class:`Evidence` per claim run, whose :meth:`Evidence.to_dict` is the ``--json`` record (schema version
:data:`SCHEMA_VERSION`, file format in :mod:`.evidence_file`). The rules are in :mod:`.claim`.
"""
from __future__ import annotations

import dataclasses
import html
import json
import math
import zlib
from typing import Any

import numpy as np

from .backends import is_host_array, to_numpy


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

    def _repr_html_(self) -> str:
        """The outcome as an HTML table (notebooks display it): cases, worst slack and case, the fingerprint."""
        rows = [("cases", f"{self.cases}" + (f" ({self.nonfinite} NaN/∞)" if self.nonfinite else "")),
                ("worst slack", html.escape(_num(self.worst_slack))),
                ("worst finite slack", html.escape(_num(self.worst_finite_slack))),
                ("worst case", _case_html(self.worst_case)),
                ("case fingerprint", f"<code>{html.escape(self.fingerprint)}</code>")]
        if self.value is not None or self.message:
            rows.append(("value", html.escape(_num(self.value))))
            rows.append(("message", html.escape(self.message)))
        return f"<table class='theorylab-outcome'>{_rows_html(rows)}</table>"


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


_VERDICT_COLOURS = {"PASS": "#1a7f37", "FINDING": "#0969da", "FAIL": "#cf222e", "BROKEN": "#8250df",
                    "WEAK": "#bc4c00", "ERROR": "#57606a", "SKIPPED": "#57606a"}


def _num(x, signed: bool = True) -> str:
    """A number for display: three significant digits (with its sign when ``signed``); NaN, ±inf and None spelled out."""
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "−inf"
    return "0" if x == 0 else (f"{x:+.3g}" if signed else f"{x:.3g}").replace("-", "−")


def _case_html(case: dict) -> str:
    """A worst case as compact, escaped JSON (long values cut), or an em dash when there is none."""
    if not case:
        return "—"
    text = json.dumps(_jsonable(case), ensure_ascii=False)
    if len(text) > 400:
        text = text[:400] + " …"
    return f"<code>{html.escape(text)}</code>"


def _rows_html(rows) -> str:
    """``(label, html)`` pairs as table rows (the labels are escaped, the cells are already HTML)."""
    return "".join(f"<tr><th style='text-align:left;vertical-align:top;padding-right:1em;white-space:nowrap'>{html.escape(k)}</th>"
                   f"<td style='text-align:left'>{v}</td></tr>" for k, v in rows)


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
        if not is_host_array(slack):  # an array of another backend (any device): judged on the host
            slack = to_numpy(slack)
        case = {k: v if is_host_array(v) else to_numpy(v) for k, v in case.items()}
        if measured:
            measured = {k: v if is_host_array(v) else to_numpy(v) for k, v in measured.items()}
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

SCHEMA_VERSION = 3  # 3: the SKIPPED verdict and the ``device`` field
VERDICTS = ("PASS", "FINDING", "FAIL", "BROKEN", "WEAK", "ERROR", "SKIPPED")


@dataclasses.dataclass
class Evidence:
    """The full record of one claim run: the ``--json`` output and ``theorylab.run`` return these.

    Verdicts: PASS (held on every case, control failed decisively), FINDING (the same, for a measured
    number), FAIL (the statement was violated), BROKEN (the negative control passed: the check could
    not fail), WEAK (the control failed, but not decisively: only through NaN/∞, by less than the
    decisive threshold, or on other cases than the claim), ERROR (the check crashed), SKIPPED (the claim does
    not declare the run's backend or dtype, so it was not run at all: neither a pass nor a failure).

    Attributes
    ----------
    claim_id, title, kind, status, statement : str
        Copied from the :class:`Claim`.
    source : str
        The claim's :class:`Source` as one line of text.
    passed : bool
        True when the verdict is PASS or FINDING.
    verdict : {"PASS", "FINDING", "FAIL", "BROKEN", "WEAK", "ERROR", "SKIPPED"}
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
    budget : {"quick", "full", "paper"}
        The run budget.
    backend : str
        The array backend the check ran on (``numpy``, ``array-api-strict``, ``torch``, ``cupy``, ``jax``).
    dtype : str
        The floating-point type the check ran in (``float64`` or ``float32``).
    seconds : float
        Time taken by the statement and its control together.
    error : str
        The exception and a short traceback when the verdict is ERROR; empty otherwise.
    shared_fixtures : list of str
        Names of the shared fixtures (``ctx.shared``) the check and its control used.
    device : str
        The device of the backend the check ran on (``cpu`` for NumPy, ``device1`` say for array-api-strict).
    skipped_reason : str
        Why the claim was not run (verdict SKIPPED); empty otherwise.
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
    device: str = "cpu"
    skipped_reason: str = ""

    def to_dict(self) -> dict:
        """The record as plain JSON values (non-finite floats as strings such as ``'-inf'``).

        Returns
        -------
        dict
            Every field by name, with NumPy values turned into plain Python ones.
        """
        return _jsonable(dataclasses.asdict(self))

    def _repr_html_(self) -> str:
        """The record as an HTML table (notebooks display it): the verdict, both sides of the rule, the control.

        Returns
        -------
        str
            A ``<div>`` with the claim id and a coloured verdict, then the statement and source, the worst slack
            against the tolerance and the worst case, the negative control (statement, verdict, margin, worst
            slack against the threshold, note), a finding's value and message, an error, and the run's seed,
            budget and seconds.
        """
        esc = html.escape
        colour = _VERDICT_COLOURS.get(self.verdict, "#57606a")
        badge = (f"<span style='background:{colour};color:white;padding:0.1em 0.5em;border-radius:0.3em;"
                 f"font-weight:bold'>{esc(self.verdict)}</span>")
        held = ("not run (error)" if self.verdict == "ERROR" else
                f"not run ({self.skipped_reason})" if self.verdict == "SKIPPED" else
                "held" if self.worst_slack >= -self.tolerance else "violated")
        rows = [("statement", esc(self.statement)), ("source", esc(self.source)),
                ("status, kind", esc(f"{self.status}, {self.kind}")),
                ("statement's check", esc(f"{held}: worst slack {_num(self.worst_slack)} against tolerance "
                                          f"{_num(self.tolerance, False)} over {self.cases} cases")),
                ("tolerance reason", esc(self.tolerance_reason)),
                ("worst case", _case_html(self.worst_case)),
                ("negative control", esc(self.negative_control)),
                ("control's verdict", esc(f"{self.negative_control_verdict}: margin ×{_num(self.negative_control_margin, False)}"
                                          f" (worst slack {_num(self.negative_control_worst_slack)}, decisive at "
                                          f"≤ −{_num(self.negative_control_threshold, False)}, "
                                          f"{self.negative_control_cases} cases)")),
                ("control's worst case", _case_html(self.negative_control_worst_case))]
        if self.negative_control_note:
            rows.append(("control note", esc(self.negative_control_note)))
        if self.value is not None or self.message:
            rows.append(("finding", esc(f"{_num(self.value)}: {self.message}" if self.value is not None
                                        else self.message)))
        if self.error:
            rows.append(("error", f"<pre style='white-space:pre-wrap'>{esc(self.error)}</pre>"))
        rows.append(("run", esc(f"seed {self.seed}, budget {self.budget}, {self.backend} on {self.device} in "
                                f"{self.dtype}, {self.seconds:.3g} s")))
        title = f"<b>{esc(self.claim_id)}</b> — {esc(self.title)} {badge}"
        return f"<div class='theorylab-evidence'><p>{title}</p><table>{_rows_html(rows)}</table></div>"


__all__ = ["Outcome", "Tally", "Evidence", "SCHEMA_VERSION", "VERDICTS"]
