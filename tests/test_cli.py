"""The command line: list, verify, derive, figures, exit codes, --json schema, bad arguments."""
import json
import subprocess
import sys

import pytest

from theorylab.cli import main

EXE = [sys.executable, "-m", "theorylab.cli"]


def test_list(capsys):
    assert main(["list", "bartlett2006"]) == 0
    out = capsys.readouterr().out
    assert "bartlett2006/psi-bound-gmm" in out and "RECONSTRUCTED" in out


def test_verify_one_claim_with_json(tmp_path, capsys):
    path = tmp_path / "ev.json"
    assert main(["verify", "bartlett2006/psi-hinge", "--jobs", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "bartlett2006/psi-hinge" in out and "PASS" in out and "failed decisively" in out
    data = json.loads(path.read_text())
    assert data["budget"] == "quick" and data["seeds"] == [0]
    (ev,) = data["results"]
    assert ev["claim_id"] == "bartlett2006/psi-hinge" and ev["passed"] is True
    assert ev["negative_control_failed"] is True and ev["cases"] > 0 and ev["kind"] == "identity"


def test_verify_exit_code_1_on_failure(monkeypatch, capsys):
    from theorylab.engine import Source, claim

    def failing(ctx):
        t = ctx.tally()
        t.add(-1.0)
        return t.outcome()

    claim("clitest/fails", title="t", source=Source("a", "b", "c"), statement="s", status="VERIFIED",
          kind="bound", negative_control="n")(failing)
    assert main(["verify", "clitest/fails", "--jobs", "1"]) == 1
    assert "FAIL" in capsys.readouterr().out


@pytest.mark.parametrize("args,needle", [
    (["verify", "no-such-claim"], "matches no claim"),
    (["verify", "--budget", "huge"], "invalid choice"),
    (["verify", "--seed", "-1"], "--seed must be an integer >= 0"),
    (["verify", "--jobs", "0"], "--jobs must be an integer >= 1"),
    (["derive", "cauchy"], "unknown loss 'cauchy'"),
    (["derive", "sigmoid(k=0)"], "k=0"),
    (["derive", "foo(a)"], "undefined function(s) foo"),
    (["derive", "a + b"], "2 free symbols"),
    (["derive", "hinge", "--budget", "-1"], "--budget must be"),
    (["derive", "hinge", "--latex", "--json"], "not allowed with"),
    (["figures", "no-such-figure"], "matches no figure"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_exit_2_with_one_line(args, needle):
    r = subprocess.run(EXE + args, capture_output=True, text=True)
    assert r.returncode == 2, r
    assert needle in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_derive(capsys):
    assert main(["derive", "exponential"]) == 0
    out = capsys.readouterr().out
    assert "1 - sqrt(1 - theta**2)" in out and "2*sqrt(eta)*sqrt(1 - eta)" in out and "verdict            calibrated" in out
    assert main(["derive", "logistic", "--latex"]) == 0
    tex = capsys.readouterr().out
    assert "\\log" in tex and tex.startswith("\\begin{align*}") and tex.isascii()


def test_derive_accepts_formulas_and_prints_json(capsys):
    import json

    assert main(["derive", "max(0, 1 - a) + max(0, -a)", "--budget", "0"]) == 0
    out = capsys.readouterr().out
    assert "not calibrated" in out and "method             numeric" in out and "ψ(0.5) = 0.25" in out
    assert main(["derive", "log(1+exp(-a))**2", "--budget", "0", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["calibrated"] is True and d["growth"]["order"] == 2.0 and d["transform_at"]["1"] == pytest.approx(
        __import__("math").log(2) ** 2, rel=1e-12)
    assert main(["derive", "1 - a", "--budget", "0", "--latex"]) == 0
    assert capsys.readouterr().out.isascii()


def test_figures_twice_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["figures", "bartlett2006/psi-curves", "--out", str(a)]) == 0
    assert main(["figures", "bartlett2006/psi-curves", "--out", str(b)]) == 0
    stem = "bartlett2006__psi-curves"
    for ext in (".csv", ".json", ".png"):
        assert (a / (stem + ext)).read_bytes() == (b / (stem + ext)).read_bytes(), ext
    prov = json.loads((a / (stem + ".json")).read_text())
    assert prov["figure_id"] == "bartlett2006/psi-curves" and "numpy" in prov["versions"]
    header = (a / (stem + ".csv")).read_text().splitlines()[0]
    assert header == "loss,theta,psi"


# --- bad arguments: one line, exit code 2, checked before any work starts (issue 9) ---------------------

def _main(argv, capsys):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse exits directly
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


CLI_BAD = [
    (["verify", ""], "empty pattern"),
    (["verify", "   "], "empty pattern"),
    (["list", ""], "empty pattern"),
    (["list", "no-such-claim"], "matches no claim"),
    (["show", ""], "empty pattern"),
    (["show", "no-such-claim"], "matches no claim"),
    (["show", "bartlett2006/psi"], "give one exact id"),
    (["figures", ""], "empty pattern"),
    (["verify", "--seed", "x"], "--seed must be an integer"),
    (["verify", "--seed", "1.5"], "--seed must be an integer"),
    (["verify", "--seed", "99999999999999999999"], "below 2**63"),
    (["verify", "--seeds", "5:2"], "--seeds must look like A:B"),
    (["verify", "--seeds", "3:3"], "--seeds must look like A:B"),
    (["verify", "--seeds=-1:2"], "--seeds must look like A:B"),
    (["verify", "--seeds", "a:b"], "--seeds must look like A:B"),
    (["verify", "--seeds", "0:100000"], "at most 10000"),
    (["verify", "--seed", "1", "--seeds", "0:2"], "not allowed with argument"),
    (["verify", "--jobs", "-3"], "--jobs must be an integer >= 1"),
    (["verify", "--jobs", "two"], "--jobs must be an integer >= 1"),
    (["verify", "--budget", ""], "invalid choice"),
    (["verify", "--json", ""], "--json=''"),
    (["verify", "--jsonl", ""], "--jsonl=''"),
    (["verify", "--json", "/no/such/folder/ev.json"], "does not exist"),
    (["verify", "--json", "."], "is a folder"),
    (["verify", "--json", "same.json", "--jsonl", "same.json"], "same file"),
    (["verify", "--frobnicate"], "unrecognized arguments"),
    (["show", "bartlett2006/psi-hinge", "--seeds", "2:1"], "--seeds must look like A:B"),
    (["figures", "--seed", "-2"], "--seed must be an integer >= 0"),
    (["figures", "--budget", "huge"], "invalid choice"),
    (["figures", "--out", ""], "--out=''"),
    (["derive", ""], "loss"),
    (["derive", "cauchy"], "unknown loss"),
    (["list", "--json", "x"], "unrecognized arguments"),
    ([], "required"),
]


@pytest.mark.parametrize("args,needle", CLI_BAD, ids=[" ".join(a) or "(none)" for a, _ in CLI_BAD])
def test_bad_cli_arguments(args, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _main(args, capsys)
    assert code == 2, (code, out, err)
    assert needle in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert out == "" and not list(tmp_path.iterdir())  # nothing run, nothing written


@pytest.mark.parametrize("args", [["verify", "bartlett2006/psi-hinge", "--json", "/proc/theorylab-ev.json"],
                                  ["verify", "bartlett2006/psi-hinge", "--jsonl", "/proc/theorylab-ev.jsonl"],
                                  ["figures", "bartlett2006/psi-curves", "--out", "/proc/theorylab-figs"]])
def test_unwritable_outputs_fail_before_work(args, capsys):
    code, out, err = _main(args, capsys)  # /proc takes no new files, even for root
    assert code == 2 and "not writable" in err and out == "", err


def test_version_module_entry_and_figures_list(capsys):
    from theorylab import __version__

    r = subprocess.run([sys.executable, "-m", "theorylab", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == f"theorylab {__version__}"
    code, out, _ = _main(["figures", "--list", "bartlett2006"], capsys)
    assert code == 0 and "bartlett2006/psi-curves" in out


def test_show_prints_the_full_record(capsys):
    code, out, _ = _main(["show", "bartlett2006/psi-hinge", "--seeds", "0:2"], capsys)
    for needle in ("statement", "source", "tolerance", "negative control", "decisive when", "seed 0:",
                   "seed 1:", "worst case", "passed at every seed"):
        assert needle in out, needle


def test_verify_seeds_json_schema_and_progress_without_a_terminal(tmp_path):
    path, lines = tmp_path / "ev.json", tmp_path / "ev.jsonl"
    r = subprocess.run(EXE + ["verify", "bartlett2006/psi-hinge", "bartlett2006/psi-squared", "--seeds", "1:3",
                              "--json", str(path), "--jsonl", str(lines)], capture_output=True, text=True)
    progress = [ln for ln in r.stderr.splitlines() if ln.startswith("verify ")]
    assert len(progress) == 4 and progress[-1].startswith("verify 4/4"), r.stderr
    assert "2 claims × 2 seeds = 4 runs" in r.stdout and "wall" in r.stdout and "s of checks" in r.stdout
    doc = json.loads(path.read_text())
    assert doc["schema"] == "theorylab-evidence" and doc["schema_version"] == 3 and doc["complete"] is True
    assert doc["seeds"] == [1, 2] and {"theorylab", "python", "numpy", "git_commit"} <= set(doc["provenance"])
    assert [(e["claim_id"], e["seed"]) for e in doc["results"]] == [
        ("bartlett2006/psi-hinge", 1), ("bartlett2006/psi-hinge", 2),
        ("bartlett2006/psi-squared", 1), ("bartlett2006/psi-squared", 2)]
    assert [c["seeds"] for c in doc["claims"]] == [2, 2]
    streamed = [json.loads(ln) for ln in lines.read_text().splitlines()]
    assert streamed[0]["schema"] == "theorylab-evidence" and len(streamed) == 5
    strip = lambda e: {k: v for k, v in e.items() if k != "seconds"}
    assert sorted(map(json.dumps, map(strip, streamed[1:]))) == sorted(map(json.dumps, map(strip, doc["results"])))


def test_figures_default_to_the_current_folder(tmp_path):
    r = subprocess.run(EXE + ["figures", "bartlett2006/psi-curves"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "figures" / "bartlett2006__psi-curves.png").exists()


# --- interrupts never leave an unreadable file -------------------------------------------------------

def _readable(folder):
    """Every file in ``folder`` parses (PNG, CSV, JSON, JSON Lines); no temporary file is left."""
    import csv

    import matplotlib.image as mpimg

    for p in folder.iterdir():
        assert not p.name.endswith(".tmp"), f"temporary file left: {p.name}"
        if p.suffix == ".png":
            assert mpimg.imread(p).ndim == 3
        elif p.suffix == ".csv":
            rows = list(csv.reader(p.open()))
            assert rows and len({len(r) for r in rows}) == 1
        elif p.suffix == ".json":
            json.loads(p.read_text())
        elif p.suffix == ".jsonl":
            [json.loads(ln) for ln in p.read_text().splitlines()]


@pytest.mark.parametrize("delay", [1.2, 2.0, 2.8, 3.6, 4.4])
def test_sigint_leaves_only_readable_files(tmp_path, delay):
    import signal
    import time

    figs = tmp_path / "figs"
    figs.mkdir()
    old = {"schema": "theorylab-evidence", "results": []}
    (tmp_path / "ev.json").write_text(json.dumps(old))
    procs = [
        subprocess.Popen(EXE + ["figures", "bartlett2006", "--out", str(figs)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
        subprocess.Popen(EXE + ["verify", "bartlett2006", "zhu2023", "--json", str(tmp_path / "ev.json"),
                                "--jsonl", str(tmp_path / "ev.jsonl")], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]
    time.sleep(delay)
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        p.wait(timeout=120)
    _readable(figs)
    _readable(tmp_path)
    doc = json.loads((tmp_path / "ev.json").read_text())
    if doc != old:  # replaced: then it says whether the run completed
        assert isinstance(doc["complete"], bool) and doc["schema_version"] == 3
