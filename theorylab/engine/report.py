"""Plain-text tables and a progress line for the terminal."""
from __future__ import annotations

import sys
import time


def _fmt_slack(x) -> str:
    if isinstance(x, str):
        return x
    if x is None or x != x:
        return "nan"
    if x == 0:
        return "0"
    return f"{x:+.3g}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain-text table: the header, a line of dashes, then the rows, in left-aligned columns.

    Parameters
    ----------
    rows : list of list
        The rows; each has one cell per header column (cells are shown with ``str``).
    header : list of str
        The column names.

    Returns
    -------
    str
        The table, without a trailing newline; trailing spaces are stripped from each line.
    """
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def control_text(r: dict) -> str:
    """How the negative control of one evidence record fared, in a few words.

    ``decisive ×12`` means the control's worst finite slack was 12 times past the decisive threshold.

    Parameters
    ----------
    r : dict
        An evidence record (its ``negative_control_verdict`` and ``negative_control_margin``).

    Returns
    -------
    str
        ``"failed decisively ×M"``, ``"WEAK ×M"``, ``"PASSED (could not fail)"``, or ``"-"`` when the
        check raised an error (the margin is left out when it is not a number).
    """
    verdict = r.get("negative_control_verdict", "-")
    margin = r.get("negative_control_margin")
    m = "" if margin is None or isinstance(margin, str) or margin != margin else f" ×{margin:.3g}"
    if verdict == "decisive":
        return f"failed decisively{m}"
    if verdict == "weak":
        return f"WEAK{m}"
    if verdict == "passed":
        return "PASSED (could not fail)"
    return "-"


def plural(n: int, word: str) -> str:
    """``1 claim``, ``2 claims``.

    Parameters
    ----------
    n : int
        The count.
    word : str
        The singular noun; an ``s`` is appended unless ``n`` is 1.

    Returns
    -------
    str
        The count followed by the noun.
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def results_table(results: list[dict]) -> str:
    """The evidence of a run as a table, followed by findings, notes on weak controls, and errors.

    Parameters
    ----------
    results : list of dict
        Evidence records.

    Returns
    -------
    str
        One row per record (claim, result, cases, worst slack, seconds, negative control), then a
        "findings and notes" block and an "errors" block when there are any.
    """
    rows = []
    for r in results:
        ctrl = control_text(r)
        slack = _fmt_slack(r["worst_slack"])
        if r["verdict"] == "FINDING" and r.get("value") is not None:
            slack = f"{slack}  [{r['value']:.4g}]"
        rows.append([r["claim_id"], r["verdict"], str(r["cases"]), slack, f"{r['seconds']:.2f}", ctrl])
    body = table(rows, ["claim", "result", "cases", "worst slack", "seconds", "negative control"])
    notes = [f"  {r['claim_id']}: {r['message']}" for r in results if r.get("message")]
    skipped = [r for r in results if r["verdict"] == "SKIPPED"]
    if skipped:
        notes.append(f"  {plural(len(skipped), 'record')} SKIPPED: the claim does not declare backend "
                     f"{skipped[0].get('backend')} or dtype {skipped[0].get('dtype')} (not run, neither passed nor "
                     f"failed)")
    notes += [f"  {r['claim_id']}: negative control: {r['negative_control_note']}" for r in results
              if r.get("negative_control_note")]
    errors = [f"  {r['claim_id']}: {r['error'].splitlines()[0]}" for r in results if r.get("error")]
    parts = [body]
    if notes:
        parts.append("findings and notes:\n" + "\n".join(notes))
    if errors:
        parts.append("errors:\n" + "\n".join(errors))
    return "\n".join(parts)


def summary_line(results: list[dict], wall: float | None = None) -> str:
    """``83 claims: 13 FINDING, 70 PASS; wall 45.1 s, 62.5 s of checks``.

    Parameters
    ----------
    results : list of dict
        Evidence records; with several seeds the line also counts seeds and runs.
    wall : float, optional
        The run's wall-clock time in seconds (left out when None).

    Returns
    -------
    str
        The number of claims, the count per verdict, and the timings.
    """
    counts: dict[str, int] = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    total = sum(float(r["seconds"]) for r in results)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    seeds = sorted({r["seed"] for r in results})
    what = plural(len({r["claim_id"] for r in results}), "claim")
    if len(seeds) > 1:
        what += f" × {plural(len(seeds), 'seed')} = {plural(len(results), 'run')}"
    timing = f"{total:.1f} s of checks" if wall is None else f"wall {wall:.1f} s, {total:.1f} s of checks"
    return f"{what}: {summary or 'nothing run'}; {timing}"


def print_table(results: list[dict], file=None, wall: float | None = None) -> None:
    """Print :func:`results_table` and :func:`summary_line`.

    Parameters
    ----------
    results : list of dict
        Evidence records.
    file : file-like, optional
        Where to print (default: standard output).
    wall : float, optional
        The run's wall-clock time in seconds, for the summary line.
    """
    file = file or sys.stdout
    print(results_table(results), file=file)
    print(summary_line(results, wall), file=file)


class Progress:
    """A one-line progress bar on stderr: ``[#####.....] 5/10 claim-id``.

    On a terminal the bar is redrawn in place; otherwise it is silent unless ``force`` is set, and then
    prints one plain line per finished item. Call it as ``progress(done, total, item)``, where ``item``
    is an evidence record, a dict with ``figure_id``, or anything printable.

    Parameters
    ----------
    label : str
        The word before the bar (e.g. ``"verify"``).
    file : file-like, optional
        Where to write (default: standard error).
    force : bool
        Print one line per item even when ``file`` is not a terminal.
    width : int
        The bar's width in characters.
    """

    def __init__(self, label: str, file=None, force: bool = False, width: int = 28):
        self.label, self.file, self.width = label, file or sys.stderr, width
        self.tty = hasattr(self.file, "isatty") and self.file.isatty()
        self.force = force
        self.t0 = time.perf_counter()

    def __call__(self, done: int, total: int, item) -> None:
        name = item.get("claim_id", item.get("figure_id", "")) if isinstance(item, dict) else str(item)
        frac = done / max(total, 1)
        bar = "#" * int(round(frac * self.width))
        msg = f"{self.label} [{bar.ljust(self.width, '.')}] {done}/{total} {time.perf_counter() - self.t0:5.1f}s {name}"
        if self.tty:
            end = "\n" if done == total else ""
            self.file.write("\r\033[K" + msg + end)
            self.file.flush()
        elif self.force:  # not a terminal: one plain line per finished item
            verdict = item.get("verdict", "") if isinstance(item, dict) else ""
            seed = f" seed {item['seed']}" if isinstance(item, dict) and "seed" in item and "claim_id" in item else ""
            print(f"{self.label} {done}/{total} {time.perf_counter() - self.t0:.1f}s {name}{seed} {verdict}".rstrip(),
                  file=self.file, flush=True)


def seeds_table(rows: list[dict]) -> str:
    """Per-claim summary over seeds (:func:`~theorylab.engine.runner.summarize_seeds`) as a table.

    Parameters
    ----------
    rows : list of dict
        The per-claim summaries returned by :func:`~theorylab.engine.runner.summarize_seeds`.

    Returns
    -------
    str
        The table (passes/seeds, verdicts, worst slack and its seed, weakest control margin and its
        seed, slowest time), followed by how many claims passed at every seed.
    """
    out = []
    for r in rows:
        verdicts = ", ".join(f"{v} {k}" for k, v in sorted(r["verdicts"].items()))
        margin = r["min_control_margin"]
        if r["worst_seed"] is None:  # every seed SKIPPED
            out.append([r["claim_id"], f"{r['passes']}/{r['seeds']}", verdicts, "-", "-", "-", "-", "-"])
            continue
        out.append([r["claim_id"], f"{r['passes']}/{r['seeds']}", verdicts, _fmt_slack(r["worst_slack"]),
                    str(r["worst_seed"]), "nan" if margin != margin else f"×{margin:.3g}",
                    str(r["min_control_margin_seed"]), f"{r['slowest_seconds']:.2f}"])
    body = table(out, ["claim", "passes", "verdicts", "worst slack", "at seed", "weakest control",
                       "at seed", "slowest s"])
    skipped = sum(r.get("skipped", 0) == r["seeds"] for r in rows)
    ok = sum(r["passes"] == r["seeds"] for r in rows)
    tail = f" ({skipped} skipped: not declared for this backend or dtype)" if skipped else ""
    return body + f"\n{ok} of {plural(len(rows) - skipped, 'claim')} passed at every seed{tail}"


def record_text(results: list[dict], claim) -> str:
    """One claim's full record (``theorylab show``): statement, source, rules, and its evidence per seed.

    Parameters
    ----------
    results : list of dict
        The claim's evidence records, one per seed (at least one).
    claim : Claim
        The claim they belong to.

    Returns
    -------
    str
        The claim's fields, then each seed's verdict, cases, worst case and control, and, with several
        seeds, the :func:`seeds_table` summary.
    """
    r0 = results[0]
    lines = [
        f"claim              {claim.id}",
        f"title              {claim.title}",
        f"statement          {claim.statement}",
        f"source             {claim.source}",
        f"status             {claim.status}",
        f"kind               {claim.kind}",
        f"tolerance          {claim.tolerance:g} ({claim.tolerance_reason})",
        f"negative control   {claim.negative_control}",
        f"decisive when      control's worst finite slack <= -{claim.decisive_threshold:g}"
        + (f" ({claim.control_threshold_reason})" if claim.control_threshold_reason else
           " (10 x tolerance)" if claim.control_threshold is None else ""),
        f"control cases      {claim.control_cases or 'the same cases as the claim (checked by fingerprint)'}",
        f"budget             {r0['budget']}",
    ]
    if (r0.get("backend"), r0.get("device"), r0.get("dtype")) != ("numpy", "cpu", "float64"):
        lines.append(f"ran on             {r0.get('backend')} on {r0.get('device')} in {r0.get('dtype')}"
                     + (f" (SKIPPED: {r0['skipped_reason']})" if r0.get("skipped_reason") else ""))
    for r in results:
        lines += [
            "",
            f"seed {r['seed']}: {r['verdict']}  ({r['seconds']:.2f} s, spawn key {r['spawn_key']})",
            f"  cases            {r['cases']}",
            f"  worst slack      {_fmt_slack(r['worst_slack'])}",
            f"  worst case       {r['worst_case']}",
            f"  control          {control_text(r)}: worst slack {_fmt_slack(r['negative_control_worst_slack'])} "
            f"over {r['negative_control_cases']} cases",
            f"  control's worst  {r['negative_control_worst_case']}",
        ]
        if r.get("negative_control_note"):
            lines.append(f"  control note     {r['negative_control_note']}")
        if r.get("value") is not None:
            lines.append(f"  value            {r['value']:.6g}")
        if r.get("message"):
            lines.append(f"  message          {r['message']}")
        if r.get("error"):
            lines.append(f"  error            {r['error'].splitlines()[0]}")
    if len(results) > 1:
        from .runner import summarize_seeds

        lines += ["", seeds_table(summarize_seeds(results))]
    return "\n".join(lines)


def run_module(module_name: str, budget: str = "quick", seed: int = 0) -> int:
    """Run the claims defined in one verification module; print a table; return the exit code.

    Used by ``python verifications/<paper>.py``.

    Parameters
    ----------
    module_name : str
        The module's ``__name__``.
    budget : {"quick", "full", "paper"}
        The run budget.
    seed : int
        The run seed.

    Returns
    -------
    int
        0 when every claim passed, 1 otherwise.
    """
    from .claim import claims_in_module
    from .runner import evaluate

    claims = claims_in_module(module_name)
    results = [evaluate(c, budget, seed).to_dict() for c in sorted(claims, key=lambda c: c.id)]
    print_table(results)
    return 0 if all(r["passed"] or r["verdict"] == "SKIPPED" for r in results) else 1
