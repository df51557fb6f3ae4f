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
    assert "bartlett2006/psi-hinge" in out and "PASS" in out and "failed (ok)" in out
    data = json.loads(path.read_text())
    assert data["budget"] == "quick" and data["seed"] == 0
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
    assert "1 - sqrt(1 - theta**2)" in out and "2*sqrt(eta)*sqrt(1 - eta)" in out
    assert main(["derive", "logistic", "--latex"]) == 0
    assert "\\log" in capsys.readouterr().out


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
