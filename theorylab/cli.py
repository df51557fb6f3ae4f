"""The ``theorylab`` command: list, verify, show, derive, losses, figures.

Exit codes: 0 all good, 1 a claim failed (or its negative control could not fail), 2 a usage error.
"""
from __future__ import annotations

import argparse
import os
import sys

from ._validation import InputError

# the run budgets (theorylab.engine.claim.BUDGETS, repeated here so that parsing imports no engine; a test
# asserts they agree)
BUDGETS = ("quick", "full", "paper")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line and exit code 2, no traceback
        self.exit(2, f"theorylab: error: {message} (see `theorylab {self.prog.split()[-1]} --help`)\n"
                  if " " in self.prog else f"theorylab: error: {message} (see `theorylab --help`)\n")


def _int_at_least(name, minimum):
    """An argparse type: an integer >= ``minimum``, with a one-line message naming ``name``."""
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            v = None
        if v is None or v < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be an integer >= {minimum}, got {text!r}")
        if v >= 2**63:
            raise argparse.ArgumentTypeError(f"{name} must be below 2**63, got {text!r}")
        return v
    return parse


def _seed_range(text):
    """``A:B`` → the seeds A, A+1, …, B−1 (half-open, as in Python); ``N`` → just N."""
    head, sep, tail = text.partition(":")
    try:
        a = int(head)
        b = int(tail) if sep else a + 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds must look like A:B (integers, 0 <= A < B), got {text!r}") from None
    if a < 0 or b <= a:
        raise argparse.ArgumentTypeError(f"--seeds must look like A:B with 0 <= A < B, got {text!r}")
    if b - a > 10_000:
        raise argparse.ArgumentTypeError(f"--seeds {text!r} spans {b - a} seeds; at most 10000 are allowed")
    return list(range(a, b))


def _seconds(text):
    """An argparse type: a number of seconds >= 0."""
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not (0 <= v < float("inf")):
        raise argparse.ArgumentTypeError(f"--budget must be a number of seconds >= 0, got {text!r}")
    return v


def _pattern(text):
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty pattern is not allowed; give a claim id, glob or paper key "
                                         "('*' for all)")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``theorylab`` command.

    Subcommands: ``list``, ``verify``, ``show``, ``derive``, ``losses`` and ``figures`` (see the README, "Commands").
    Patterns, seeds and counts are validated while parsing; a bad argument prints a one-line error and
    exits with code 2.

    Returns
    -------
    argparse.ArgumentParser
        The parser; ``parse_args`` sets ``command`` to the subcommand's name.
    """
    from . import __version__

    p = _Parser(prog="theorylab", description="Check machine-learning theory numerically, claim by claim.")
    p.add_argument("--version", action="version", version=f"theorylab {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="table of claims (id, paper, statement, source status)")
    ls.add_argument("pattern", nargs="?", default="*", type=_pattern)

    def run_options(q, what):
        q.add_argument("--budget", choices=BUDGETS, default="quick")
        g = q.add_mutually_exclusive_group()
        g.add_argument("--seed", type=_int_at_least("--seed", 0), default=0, help=f"run {what} at this seed (default 0)")
        g.add_argument("--seeds", type=_seed_range, metavar="A:B",
                       help=f"run {what} at every seed A, A+1, ..., B-1 and summarise over seeds")
        q.add_argument("--backend", default="numpy", metavar="NAME",
                       help="array backend: numpy (default), array-api-strict, torch, cupy or jax (installed ones); "
                            "claims that do not declare it are reported SKIPPED")
        q.add_argument("--device", default=None, metavar="DEV",
                       help="the backend's device (default: its default, e.g. cpu; array-api-strict: CPU_DEVICE, "
                            "device1, ...; torch: cuda:0; cupy: 0)")
        q.add_argument("--dtype", default="float64", metavar="float32|float64",
                       help="floating dtype (default float64); claims without a float32 tolerance are SKIPPED in "
                            "float32")

    v = sub.add_parser("verify", help="run claims and their negative controls")
    v.add_argument("patterns", nargs="*", default=["*"], metavar="PATTERN", type=_pattern)
    run_options(v, "each claim")
    where = v.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=_int_at_least("--jobs", 1), default=None,
                       help="worker processes (default: one per core, at most 4; measured fastest on 2 "
                            "cores)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on an existing dask scheduler (tcp://host:8786); needs the dist extra")
    where.add_argument("--cluster", metavar="local[:N]",
                       help="start a dask LocalCluster of N worker processes (default: one per core, at most "
                            "4) for this run and close it after; needs the dist extra")
    v.add_argument("--json", metavar="FILE", help="write all evidence as one JSON file when the run ends")
    v.add_argument("--jsonl", metavar="FILE", help="stream evidence as JSON Lines while the run goes")

    sh = sub.add_parser("show", help="run one claim and print its full record")
    sh.add_argument("claim", type=_pattern, help="a claim id (`theorylab list` shows them)")
    run_options(sh, "the claim")

    d = sub.add_parser("derive", help="calibration analysis of a binary margin loss (a name or a formula)")
    d.add_argument("loss", help="a built-in name (hinge, logistic, exponential, squared, squared_hinge, sigmoid, "
                                "rho_margin, sigmoid(k=K), rho_margin(rho=R)) or a formula in one variable, e.g. "
                                "'log(1+exp(-a))**2'")
    fmt = d.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print pure LaTeX (an align* block) instead of text")
    fmt.add_argument("--json", action="store_true", help="print the analysis as JSON")
    d.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                   help="seconds for the symbolic derivation before the numerical route alone is used (default 20; "
                        "0: numerical only)")

    lo = sub.add_parser("losses", help="the catalogue of literature losses with each loss's verdict and growth")
    lo.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                    help="seconds for each symbolic derivation (default 20; 0: numerical only)")
    lo.add_argument("--json", metavar="FILE", help="also write the analyses as one JSON file")

    f = sub.add_parser("figures", help="regenerate figures (PNG + CSV + JSON provenance)")
    f.add_argument("pattern", nargs="?", default="*", type=_pattern)
    f.add_argument("--out", default=None,
                   help="output folder (default: ./figures of the current folder, where the committed quick-budget "
                        "figures live; ./figures/paper under --budget paper, so paper-scale figures never "
                        "overwrite them; every <id>.json records the budget)")
    f.add_argument("--seed", type=_int_at_least("--seed", 0), default=0)
    f.add_argument("--budget", choices=BUDGETS, default="quick",
                   help="quick (default), full, or paper: the papers' own sizes, meant for --cluster/--scheduler "
                        "(written to ./figures/paper unless --out is given)")
    f.add_argument("--list", action="store_true", help="list the figures instead of drawing them")
    fwhere = f.add_mutually_exclusive_group()
    fwhere.add_argument("--scheduler", metavar="ADDRESS",
                        help="draw each figure as a task on an existing dask scheduler (tcp://host:8786); the files "
                             "come back and are written here; needs the dist extra")
    fwhere.add_argument("--cluster", metavar="local[:N]",
                        help="draw the figures on a dask LocalCluster of N worker processes (default: one per core, "
                             "at most 4) started and closed for this run; needs the dist extra")
    return p


def _cmd_list(args) -> int:
    """Handle ``theorylab list``: print the table of claims matching the pattern.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0.
    """
    from .engine.index import claim_rows
    from .engine.report import plural, table

    claims = claim_rows(args.pattern)
    rows = [[c["id"], c["paper"], c["kind"], c["status"],
             c["statement"] if len(c["statement"]) <= 90 else c["statement"][:87] + "..."] for c in claims]
    print(table(rows, ["claim", "paper", "kind", "source", "statement"]))
    print(plural(len(claims), "claim"))
    return 0


def _seeds(args) -> list[int]:
    return args.seeds if args.seeds is not None else [args.seed]


def _where(args) -> dict:
    """The ``--backend``, ``--device`` and ``--dtype`` of a run, checked (one-line InputError otherwise)."""
    from .engine.backends import check_backend

    backend, device, dtype = check_backend(args.backend, args.device, args.dtype)
    return {"backend": backend, "device": device, "dtype": dtype}


def _cmd_verify(args) -> int:
    """Handle ``theorylab verify``: run claims and their negative controls, print the table, write evidence files.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0 when every claim passed, 1 otherwise, 130 when interrupted.
    """
    import time

    from .engine.cluster import cluster_executor, parse_cluster
    from .engine.discovery import select
    from .engine.evidence_file import JsonLines, write_json
    from .engine.files import check_writable_file
    from .engine.report import Progress, print_table, seeds_table
    from .engine.runner import DEFAULT_JOBS, run, summarize_seeds

    # every argument is checked before any work starts
    select(args.patterns)
    where = _where(args)
    for name in ("json", "jsonl"):
        if getattr(args, name) is not None:
            check_writable_file(f"--{name}", getattr(args, name))
    if args.json is not None and args.jsonl is not None and \
            os.path.abspath(args.json) == os.path.abspath(args.jsonl):
        raise InputError(f"--json and --jsonl name the same file {args.json!r}; give two files")
    seeds = _seeds(args)
    stream = JsonLines(args.jsonl, args.budget, seeds) if args.jsonl else None
    bar = Progress("verify", force=True)

    def progress(done, total, ev):
        if stream is not None:
            stream.add(ev)
        bar(done, total, ev)

    workers = parse_cluster(args.cluster, DEFAULT_JOBS) if args.cluster is not None else None
    t0 = time.perf_counter()
    complete = True
    try:
        if args.scheduler is not None or workers is not None:
            with cluster_executor(scheduler=args.scheduler, workers=workers) as executor:
                results = run(args.patterns, budget=args.budget, seeds=seeds, executor=executor,
                              progress=progress, **where)
        else:
            results = run(args.patterns, budget=args.budget, seeds=seeds, jobs=args.jobs or DEFAULT_JOBS,
                          progress=progress, **where)
    except KeyboardInterrupt as exc:
        results, complete = getattr(exc, "results", []), False
        print(f"theorylab: interrupted; {len(results)} finished record(s) kept", file=sys.stderr)
    wall = time.perf_counter() - t0
    if results:
        print_table(results, wall=wall)
        if len(seeds) > 1:
            print(seeds_table(summarize_seeds(results)))
    if args.json:
        write_json(args.json, args.budget, seeds, results, summarize_seeds(results), complete)
    if not complete:
        return 130
    return 0 if all(r["passed"] or r["verdict"] == "SKIPPED" for r in results) else 1


def _cmd_show(args) -> int:
    """Handle ``theorylab show``: run one claim and print its full record.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0 when it passed at every seed, 1 otherwise.
    """
    from .engine.discovery import select
    from .engine.report import record_text
    from .engine.runner import run

    hits = select(args.claim)
    if len(hits) != 1:
        raise InputError(f"claim {args.claim!r} matches {len(hits)} claims; give one exact id "
                         f"(e.g. {hits[0].id})")
    results = run(hits[0].id, budget=args.budget, seeds=_seeds(args), **_where(args))
    print(record_text(results, hits[0]))
    return 0 if all(r["passed"] or r["verdict"] == "SKIPPED" for r in results) else 1


def _cmd_derive(args) -> int:
    """Handle ``theorylab derive``: print the calibration analysis of a margin loss (text, LaTeX or JSON).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0.
    """
    from .theory.analysis import SYMBOLIC_BUDGET, analyse
    from .theory.analysis_text import analysis_json, analysis_latex, analysis_text

    if not args.loss.strip():
        raise InputError("loss '' is empty; give a loss name or a formula such as 'log(1+exp(-a))**2'")
    a = analyse(args.loss, budget=SYMBOLIC_BUDGET if args.budget is None else args.budget)
    print(analysis_json(a) if args.json else analysis_latex(a) if args.latex else analysis_text(a))
    return 0


def _cmd_losses(args) -> int:
    """Handle ``theorylab losses``: analyse every catalogue loss and print the table (JSON file on request).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0.
    """
    import json

    from ._files import atomic_write
    from .engine.files import check_writable_file
    from .engine.report import Progress, table
    from .theory.analysis import SYMBOLIC_BUDGET
    from .theory.catalogue import analyse_catalogue, catalogue_rows

    out = check_writable_file("--json", args.json) if args.json else None
    progress = Progress("losses", force=True)
    results = analyse_catalogue(budget=SYMBOLIC_BUDGET if args.budget is None else args.budget,
                                progress=progress)
    header, rows = catalogue_rows(results)
    print(table(rows, header))
    if out:
        atomic_write(out, json.dumps([r.to_dict() for r in results], indent=1, default=str) + "\n")
    return 0


def _cmd_figures(args) -> int:
    """Handle ``theorylab figures``: draw the figures matching the pattern, or list them.

    With ``--cluster``/``--scheduler`` every figure is one task on the dask executor (drawn on a worker, its
    files written here as the task finishes); a figure whose task fails is reported and the others go on.
    Under ``--budget paper`` the default output folder is ``figures/paper``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed arguments of the subcommand.

    Returns
    -------
    int
        The exit code: 0, or 1 when a figure failed on the cluster.
    """
    from .engine.figures import render, select_figures
    from .engine.files import check_writable_dir
    from .engine.report import Progress, table

    figs = select_figures(args.pattern)
    if args.list:
        print(table([[f.id, f.title] for f in figs], ["figure", "title"]))
        return 0
    out_arg = args.out if args.out is not None else (os.path.join("figures", "paper") if args.budget == "paper"
                                                     else "figures")
    if args.out is None and args.budget == "paper":
        os.makedirs(out_arg, exist_ok=True)
    out = check_writable_dir("--out", out_arg)
    progress = Progress("figures", force=True)
    failed = {}
    if args.scheduler is not None or args.cluster is not None:
        failed = _figures_on_cluster(args, figs, out, progress)
    else:
        for i, f in enumerate(figs, 1):
            render(f, out, seed=args.seed, budget=args.budget)
            progress(i, len(figs), {"figure_id": f.id})
    for f in figs:
        if f.id not in failed:
            print(f"wrote {os.path.join(out, f.id.replace('/', '__'))}.{{png,csv,json}}")
    for fid, err in failed.items():
        print(f"theorylab: figure {fid} failed on the cluster: {err}", file=sys.stderr)
    return 1 if failed else 0


def _figures_on_cluster(args, figs, out, progress) -> dict:
    """Draw ``figs`` as tasks on a dask executor, writing each one's files as it finishes.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``figures`` arguments (``scheduler``, ``cluster``, ``seed``, ``budget``).
    figs : list of Figure
        The figures to draw.
    out : str
        The output folder.
    progress : callable(done, total, record)
        Called as each figure is written.

    Returns
    -------
    dict of str to str
        The figures whose task failed, with the error (empty when all were written).
    """
    import concurrent.futures as cf

    from .engine.cluster import cluster_executor, parse_cluster
    from .engine.figures import draw_task, write_drawn
    from .engine.runner import DEFAULT_JOBS

    workers = parse_cluster(args.cluster, DEFAULT_JOBS) if args.cluster is not None else None
    failed = {}
    with cluster_executor(scheduler=args.scheduler, workers=workers) as executor:
        futures = {executor.submit(draw_task, f.id, args.seed, args.budget): f.id for f in figs}
        try:
            for done, fut in enumerate(cf.as_completed(futures), 1):
                fid = futures[fut]
                try:
                    write_drawn(fid, fut.result(), out)
                except Exception as exc:  # a failed task is reported; the other figures go on
                    failed[fid] = f"{type(exc).__name__}: {exc}"
                progress(done, len(figs), {"figure_id": fid})
        except KeyboardInterrupt:
            for fut in futures:
                fut.cancel()
            raise
    return failed


def main(argv=None) -> int:
    """Run the ``theorylab`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    An :class:`~theorylab.InputError` raised by a subcommand is printed as one line (exit code 2), and
    an interrupt gives exit code 130; argument errors exit from the parser with code 2.

    Parameters
    ----------
    argv : list of str, optional
        The command-line arguments, without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 all good, 1 a claim failed (or its negative control could not fail), 2 a usage error,
        130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = {"list": _cmd_list, "verify": _cmd_verify, "show": _cmd_show, "derive": _cmd_derive,
               "losses": _cmd_losses, "figures": _cmd_figures}[args.command]
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
