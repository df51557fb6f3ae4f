"""The ``theorylab`` command: list, verify, derive, figures.

Exit codes: 0 all good, 1 a claim failed (or its negative control could not fail), 2 a usage error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from ._validation import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit code 2, no traceback
        self.exit(2, f"theorylab: error: {message} (see `theorylab {self.prog.split()[-1]} --help`)\n"
                  if " " in self.prog else f"theorylab: error: {message} (see `theorylab --help`)\n")


def _nonneg_int(name):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= 0, got {text!r}") from None
        if v < 0:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= 0, got {text!r}")
        return v
    return parse


def _pos_int(name):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= 1, got {text!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= 1, got {text!r}")
        return v
    return parse


def _default_figures_dir() -> str:
    """The repository's ``figures/`` folder when run from a checkout, else ``./figures``."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.isdir(os.path.join(here, "verifications")) and os.path.isfile(os.path.join(here, "pyproject.toml")):
        return os.path.join(here, "figures")
    return os.path.abspath("figures")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="theorylab", description="Check machine-learning theory numerically, claim by claim.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="table of claims (id, paper, statement, source status)")
    ls.add_argument("pattern", nargs="?", default="*")

    v = sub.add_parser("verify", help="run claims and their negative controls")
    v.add_argument("patterns", nargs="*", default=["*"], metavar="PATTERN")
    v.add_argument("--budget", choices=("quick", "full"), default="quick")
    v.add_argument("--seed", type=_nonneg_int("--seed"), default=0)
    v.add_argument("--jobs", type=_pos_int("--jobs"), default=max(1, min(4, os.cpu_count() or 1)),
                   help="worker processes (default: CPU count, at most 4)")
    v.add_argument("--json", metavar="FILE", help="write all evidence as JSON")

    d = sub.add_parser("derive", help="symbolic calibration analysis of a binary margin loss")
    d.add_argument("loss", help="hinge, logistic, exponential, squared, squared_hinge, sigmoid, rho_margin, "
                                "sigmoid(k=K), rho_margin(rho=R)")
    d.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text")

    f = sub.add_parser("figures", help="regenerate figures (PNG + CSV + JSON provenance)")
    f.add_argument("pattern", nargs="?", default="*")
    f.add_argument("--out", default=None, help="output folder (default: the repository's figures/)")
    f.add_argument("--seed", type=_nonneg_int("--seed"), default=0)
    f.add_argument("--budget", choices=("quick", "full"), default="quick")
    return p


def cmd_list(args) -> int:
    from .engine.claim import select
    from .engine.report import table

    claims = select(args.pattern)
    rows = [[c.id, c.paper, c.kind, c.status, c.statement if len(c.statement) <= 90 else c.statement[:87] + "..."]
            for c in claims]
    print(table(rows, ["claim", "paper", "kind", "source", "statement"]))
    print(f"{len(claims)} claims")
    return 0


def cmd_verify(args) -> int:
    from .engine.claim import select
    from .engine.report import Progress, print_table
    from .engine.runner import run

    select(args.patterns)  # fail fast, before any worker starts, on a pattern that matches nothing
    results = run(args.patterns, budget=args.budget, seed=args.seed, jobs=args.jobs,
                  progress=Progress("verify"))
    print_table(results)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"budget": args.budget, "seed": args.seed, "results": results}, fh, indent=2)
            fh.write("\n")
    return 0 if all(r["passed"] for r in results) else 1


def _derivation_text(loss: str, latex: bool) -> str:
    import sympy as sp

    from .theory.calibration import derive

    c = derive(loss)

    def s(e):
        return e if isinstance(e, str) else (sp.latex(e) if latex else sp.sstr(e))

    lines = [
        f"loss               φ(α) = {s(c.loss)}",
        f"conditional risk   C_η(α) = {s(c.conditional_risk)}",
        f"minimiser (η>½)    α*(η) = {s(c.minimiser)}",
        f"optimal risk       H(η) = {s(c.H)}   (η ≥ ½; H(η) = H(1−η))",
        f"wrong-sign risk    H⁻(η) = {s(c.H_minus)}   (η > ½; attained at α = {s(c.wrong_sign_minimiser)})",
        f"ψ̃(θ)               {s(c.psi_tilde)}",
        f"ψ(θ)               {s(c.psi)}" + ("" if c.psi_tilde_is_convex else "   (convex closure, numerical)"),
        f"series at θ = 0    ψ(θ) = {s(c.series)} + O(θ⁶)",
    ]
    if c.inverse_bound is not None:
        lines.append(f"excess-risk bound  R(f) − R* ≤ ψ⁻¹(R_φ(f) − R_φ*) = {s(c.inverse_bound)}, ε = R_φ(f) − R_φ*")
    else:
        lines.append("excess-risk bound  R(f) − R* ≤ ψ⁻¹(ε), ε = R_φ(f) − R_φ* (ψ⁻¹ has no closed form; "
                     "invert numerically)")
    lines.append(f"                   ψ⁻¹(ε) ≈ {s(c.inverse_leading)} as ε → 0")
    return "\n".join(lines)


def cmd_derive(args) -> int:
    print(_derivation_text(args.loss, args.latex))
    return 0


def cmd_figures(args) -> int:
    from .engine.figures import render, select_figures
    from .engine.report import Progress

    figs = select_figures(args.pattern)
    out = args.out or _default_figures_dir()
    progress = Progress("figures")
    for i, f in enumerate(figs, 1):
        render(f, out, seed=args.seed, budget=args.budget)
        progress(i, len(figs), {"figure_id": f.id})
    for f in figs:
        print(f"wrote {os.path.join(out, f.id.replace('/', '__'))}.{{png,csv,json}}")
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = {"list": cmd_list, "verify": cmd_verify, "derive": cmd_derive, "figures": cmd_figures}[args.command]
    try:
        return handler(args)
    except InputError as exc:
        print(f"theorylab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("theorylab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
