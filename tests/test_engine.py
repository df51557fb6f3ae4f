"""The claim engine: verdicts, negative controls, determinism, executors, selection."""
import concurrent.futures as cf
import json

import numpy as np
import pytest

import theorylab
from theorylab import InputError
from theorylab.engine import Source, claim, evaluate
from theorylab.engine.claim import _REGISTRY, Tally, claim_seed_sequence, select

SRC = Source("A. Tester", "Engine tests", "none")


def _register(cid, check, kind="bound", tol=1e-9):
    claim(cid, title=cid, source=SRC, statement="test", status="VERIFIED", kind=kind,
          negative_control="scaled", tolerance=tol)(check)
    return _REGISTRY[cid]


def good(ctx):
    t = ctx.tally()
    x = ctx.rng.uniform(0, 1, 50)
    t.add((0.5 if ctx.control else 1.0) * (x + 1) - x, x=x)  # control: 0.5 - 0.5 x < 0 for x > ... fails
    t.add(-0.0 if not ctx.control else -1.0, note="one more")
    return t.outcome()


def cannot_fail(ctx):
    t = ctx.tally()
    t.add(np.ones(3))
    return t.outcome()


def nan_slack(ctx):
    t = ctx.tally()
    t.add(np.array([1.0, np.nan, 2.0]), which=np.arange(3))
    return t.outcome()


def crashes(ctx):
    raise RuntimeError("boom")


def test_verdicts():
    ev = evaluate(_register("enginetest/good", good))
    assert ev.verdict == "PASS" and ev.passed and ev.negative_control_failed
    assert ev.cases == 51
    broken = evaluate(_register("enginetest/cannot-fail", cannot_fail))
    assert broken.verdict == "BROKEN" and not broken.passed
    nan = evaluate(_register("enginetest/nan", nan_slack))
    assert nan.verdict == "FAIL" and nan.worst_case == {"which": 1, "slack_was_nan": True}
    err = evaluate(_register("enginetest/crash", crashes))
    assert err.verdict == "ERROR" and "boom" in err.error and not err.passed


def test_finding_is_reported_as_finding():
    def finding(ctx):
        t = ctx.tally()
        t.add(-1.0 if ctx.control else 0.1)
        return t.outcome(value=1.6, message="loose by 1.6x")

    ev = evaluate(_register("enginetest/finding", finding, kind="finding"))
    assert ev.verdict == "FINDING" and ev.passed and ev.value == 1.6


def test_tally_worst_case_indexing():
    t = Tally()
    t.add(np.array([3.0, -2.0, 1.0]), a=np.array([10, 20, 30]), label="x")
    t.add(5.0, a=99)
    out = t.outcome()
    assert out.worst_slack == -2.0 and out.worst_case == {"a": 20, "label": "x"} and out.cases == 4
    with pytest.raises(RuntimeError):
        Tally().outcome()
    t2 = Tally()
    grid = np.arange(6.0).reshape(2, 3)
    t2.add(np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 4.0]]), g=grid, rows=np.array([[0, 1], [2, 3]]))
    out2 = t2.outcome()
    assert out2.worst_slack == -1.0 and out2.worst_case["g"] == 4.0 and out2.cases == 6


def test_seed_sequence_per_claim_is_stable():
    a = np.random.default_rng(claim_seed_sequence(7, "p/x")).random(3)
    b = np.random.default_rng(claim_seed_sequence(7, "p/x")).random(3)
    c = np.random.default_rng(claim_seed_sequence(7, "p/y")).random(3)
    d = np.random.default_rng(claim_seed_sequence(8, "p/x")).random(3)
    assert np.array_equal(a, b) and not np.array_equal(a, c) and not np.array_equal(a, d)


def test_same_seed_same_evidence_and_executor_agrees():
    one = theorylab.run("bartlett2006/psi-tightness", seed=3)
    two = theorylab.run("bartlett2006/psi-tightness", seed=3)
    strip = lambda evs: [{k: v for k, v in e.items() if k != "seconds"} for e in evs]
    assert strip(one) == strip(two)
    with cf.ThreadPoolExecutor(2) as ex:
        three = theorylab.run("bartlett2006/psi-tightness", seed=3, executor=ex)
    assert strip(one) == strip(three)
    other = theorylab.run("bartlett2006/psi-tightness", seed=4)
    assert other[0]["worst_case"] != one[0]["worst_case"]


def test_process_pool_matches_in_process():
    ids = ["bartlett2006/psi-hinge", "bartlett2006/psi-squared"]
    serial = theorylab.run(ids, jobs=1)
    pooled = theorylab.run(ids, jobs=2)
    assert [e["claim_id"] for e in pooled] == ids
    for a, b in zip(serial, pooled):
        assert a["worst_slack"] == b["worst_slack"] and a["worst_case"] == b["worst_case"]


def test_run_fields_and_json_roundtrip():
    (ev,) = theorylab.run("bartlett2006/psi-hinge")
    for key in ("claim_id", "passed", "kind", "cases", "worst_slack", "worst_case",
                "negative_control_failed", "seconds", "tolerance", "seed", "budget", "backend", "dtype"):
        assert key in ev
    assert json.loads(json.dumps(ev)) == ev


def test_selection_and_bad_arguments():
    assert [c.id for c in select("bartlett2006/psi-h*")] == ["bartlett2006/psi-hinge"]
    assert len(select("bartlett2006")) >= 10
    with pytest.raises(InputError, match="matches no claim"):
        select("no-such-paper/*")
    with pytest.raises(InputError, match="budget"):
        theorylab.run("bartlett2006/psi-hinge", budget="huge")
    with pytest.raises(InputError, match="seed"):
        theorylab.run("bartlett2006/psi-hinge", seed=-1)
    with pytest.raises(InputError, match="jobs"):
        theorylab.run("bartlett2006/psi-hinge", jobs=0)


def test_claim_definition_errors():
    with pytest.raises(ValueError, match="paper-key/short-name"):
        claim("NoSlash", title="", source=SRC, statement="", status="PAPER", kind="bound", negative_control="x")
    with pytest.raises(ValueError, match="negative control"):
        claim("a/b", title="", source=SRC, statement="", status="PAPER", kind="bound", negative_control="")
    with pytest.raises(ValueError, match="status"):
        claim("a/b", title="", source=SRC, statement="", status="MAYBE", kind="bound", negative_control="x")
