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
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip()
    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def results_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        ctrl = "failed (ok)" if r["negative_control_failed"] else "PASSED (could not fail)"
        if r["verdict"] == "ERROR":
            ctrl = "-"
        slack = _fmt_slack(r["worst_slack"])
        if r["verdict"] == "FINDING" and r.get("value") is not None:
            slack = f"{slack}  [{r['value']:.4g}]"
        rows.append([r["claim_id"], r["verdict"], str(r["cases"]), slack, f"{r['seconds']:.2f}", ctrl])
    body = table(rows, ["claim", "result", "cases", "worst slack", "seconds", "negative control"])
    notes = [f"  {r['claim_id']}: {r['message']}" for r in results if r.get("message")]
    errors = [f"  {r['claim_id']}: {r['error'].splitlines()[0]}" for r in results if r.get("error")]
    parts = [body]
    if notes:
        parts.append("findings and notes:\n" + "\n".join(notes))
    if errors:
        parts.append("errors:\n" + "\n".join(errors))
    return "\n".join(parts)


def print_table(results: list[dict], file=None) -> None:
    file = file or sys.stdout
    print(results_table(results), file=file)
    counts: dict[str, int] = {}
    for r in results:
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    total = sum(r["seconds"] for r in results)
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    print(f"{len(results)} claims: {summary}; {total:.1f} s of checks", file=file)


class Progress:
    """A one-line progress bar on stderr: ``[#####.....] 5/10 claim-id``; silent when not a terminal
    unless ``force`` is set (then one line per step)."""

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
        elif self.force:
            print(msg, file=self.file)
