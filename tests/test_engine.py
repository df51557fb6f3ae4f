"""The claim engine: verdicts, negative controls, determinism, executors, selection."""
import concurrent.futures as cf
import dataclasses
import json

import numpy as np
import pytest

import theorylab
from theorylab import InputError
from theorylab.engine import Source, claim, evaluate
from theorylab.engine.claim import _REGISTRY, Tally, claim_seed_sequence
from theorylab.engine.discovery import select

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


# --- the trust rules (issue 9): first-call worst case, decisive controls, shared fixtures ----------------

from theorylab.engine.claim import shared_fixture  # noqa: E402
from theorylab.engine.runner import run, summarize_seeds  # noqa: E402


def test_tally_first_call_sets_worst_and_later_calls_only_replace_when_worse():
    t = Tally()
    t.add(-1.0)
    t.add(5.0)
    assert t.outcome().worst_slack == -1.0
    t = Tally()
    t.add(5.0, a=1)
    t.add(-1.0)
    out = t.outcome()
    assert out.worst_slack == -1.0 and out.worst_case == {}
    t = Tally()
    t.add(np.array([np.inf, 2.0]), a=np.array([1, 2]))
    assert t.outcome().worst_finite_slack == 2.0 and t.outcome().nonfinite == 1


def test_measured_values_are_reported_but_not_fingerprinted():
    a, b = Tally(), Tally()
    a.add(np.array([1.0, -2.0]), measured={"lhs": np.array([3.0, 4.0])}, x=np.array([0.1, 0.2]))
    b.add(np.array([1.0, -9.0]), measured={"lhs": np.array([7.0, 8.0])}, x=np.array([0.1, 0.2]))
    assert a.outcome().fingerprint == b.outcome().fingerprint
    assert a.outcome().worst_case == {"x": 0.2, "lhs": 4.0}
    c = Tally()
    c.add(np.array([1.0, -2.0]), x=np.array([0.1, 0.3]))
    assert c.outcome().fingerprint != a.outcome().fingerprint


def _control_check(control_slacks, control_x=None):
    def check(ctx):
        t = ctx.tally()
        x = np.array([0.1, 0.2, 0.3])
        if ctx.control:
            t.add(np.asarray(control_slacks, float), x=x if control_x is None else control_x)
        else:
            t.add(np.ones(3), x=x)
        return t.outcome()
    return check


@pytest.mark.parametrize("name,slacks,x,kw,verdict,control", [
    ("decisive", [1.0, -1e-3, 0.5], None, {}, "PASS", "decisive"),
    ("hair", [1.0, -2e-9, 0.5], None, {}, "WEAK", "weak"),           # below −tol, above −10·tol
    ("nan-only", [1.0, np.nan, 0.5], None, {}, "WEAK", "weak"),
    ("inf-only", [1.0, -np.inf, 0.5], None, {}, "WEAK", "weak"),
    ("other-cases", [1.0, -1.0, 0.5], np.array([0.1, 0.2, 0.4]), {}, "WEAK", "weak"),
    ("declared-other-cases", [1.0, -1.0, 0.5], np.array([0.1, 0.2, 0.4]),
     {"control_cases": "test: the control draws its own cases"}, "PASS", "decisive"),
    ("passes", [1.0, 0.0, 0.5], None, {}, "BROKEN", "passed"),
])
def test_control_must_fail_decisively(name, slacks, x, kw, verdict, control):
    cid = f"enginetest/control-{name}"
    claim(cid, title=cid, source=SRC, statement="test", status="VERIFIED", kind="bound",
          negative_control="wrong", tolerance=1e-9, **kw)(_control_check(slacks, x))
    ev = evaluate(_REGISTRY[cid])
    assert (ev.verdict, ev.negative_control_verdict) == (verdict, control), ev.negative_control_note
    assert ev.passed == (verdict == "PASS")
    if name == "decisive":
        assert ev.negative_control_margin == pytest.approx(1e-3 / 1e-8)
    if verdict == "WEAK":
        assert ev.negative_control_note


def test_zero_tolerance_needs_a_declared_threshold():
    claim("enginetest/tol0-undeclared", title="t", source=SRC, statement="s", status="VERIFIED", kind="bound",
          negative_control="wrong")(_control_check([1.0, -5.0, 1.0]))
    ev = evaluate(_REGISTRY["enginetest/tol0-undeclared"])
    assert ev.verdict == "WEAK" and "control_threshold" in ev.negative_control_note
    claim("enginetest/tol0-declared", title="t", source=SRC, statement="s", status="VERIFIED", kind="bound",
          negative_control="wrong", control_threshold=3.0, control_threshold_reason="3 SE")(
        _control_check([1.0, -5.0, 1.0]))
    ev = evaluate(_REGISTRY["enginetest/tol0-declared"])
    assert ev.verdict == "PASS" and ev.negative_control_margin == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="control_threshold"):
        claim("a/b", title="", source=SRC, statement="", status="PAPER", kind="bound", negative_control="x",
              control_threshold=0.0)


def test_shared_fixture_is_seeded_by_name_not_by_caller():
    calls = []

    def make(rng, budget):
        calls.append(budget)
        return {"x": rng.standard_normal(4)}

    a = shared_fixture("enginetest/fixture", make, seed=5, budget="quick")
    b = shared_fixture("enginetest/fixture", make, seed=5, budget="quick")
    assert a is b and calls == ["quick"]
    expected = np.random.default_rng(claim_seed_sequence(5, "shared:enginetest/fixture")).standard_normal(4)
    assert np.array_equal(a["x"], expected)
    with pytest.raises(ValueError, match="read-only"):
        a["x"][0] = 1.0
    other = shared_fixture("enginetest/fixture", make, seed=6, budget="quick")
    assert not np.array_equal(other["x"], a["x"])
    with pytest.raises(ValueError, match="built by both"):
        shared_fixture("enginetest/fixture", lambda rng, budget: 1, seed=5, budget="quick")


class _LosingExecutor(cf.ThreadPoolExecutor):
    """Loses every task of `bartlett2006/psi-squared`, as a worker that died would."""

    def submit(self, fn, *args, **kwargs):
        if "psi-squared" in str(args[0]):
            fut = cf.Future()
            fut.set_exception(cf.process.BrokenProcessPool("worker died"))
            return fut
        return super().submit(fn, *args, **kwargs)


def test_a_lost_task_is_an_error_record_and_the_others_are_kept():
    with _LosingExecutor(2) as ex:
        evs = run(["bartlett2006/psi-hinge", "bartlett2006/psi-squared"], executor=ex)
    by = {e["claim_id"]: e for e in evs}
    assert by["bartlett2006/psi-squared"]["verdict"] == "ERROR"
    assert "worker died" in by["bartlett2006/psi-squared"]["error"]
    assert by["bartlett2006/psi-hinge"]["cases"] > 0


def test_seeds_run_every_claim_at_every_seed_and_summarise():
    def check(ctx):
        t = ctx.tally()
        x = ctx.rng.uniform(0, 1)
        t.add((-1.0 if ctx.control else 1.0) * (x + 0.1), x=x)
        return t.outcome()

    claim("enginetest/seeds", title="t", source=SRC, statement="s", status="VERIFIED", kind="bound",
          negative_control="wrong", tolerance=1e-3)(check)
    evs = run("enginetest/seeds", seeds=range(3, 7))
    assert [e["seed"] for e in evs] == [3, 4, 5, 6]
    (row,) = summarize_seeds(evs)
    assert row["passes"] == 4 and row["seeds"] == 4
    slacks = {e["seed"]: e["worst_slack"] for e in evs}
    assert row["worst_slack"] == min(slacks.values()) and slacks[row["worst_seed"]] == row["worst_slack"]
    with pytest.raises(InputError, match="seeds"):
        run("enginetest/seeds", seeds=[1, 1])
    with pytest.raises(InputError, match="seeds"):
        run("enginetest/seeds", seeds=[-1])
    with pytest.raises(InputError, match="pattern"):
        run("")


def test_discovery_is_safe_under_threads_in_a_fresh_process():
    import subprocess
    import sys

    code = ("import concurrent.futures as cf, theorylab\n"
            "ids = ['bartlett2006/psi-hinge', 'zhu2023/ldr-symmetry', 'woodworth2020/dual-newton-argmin', "
            "'pesme2021/multiplicative-identity']\n"
            "with cf.ThreadPoolExecutor(4) as ex:\n"
            "    evs = theorylab.run(ids, executor=ex)\n"
            "print(sorted(e['verdict'] for e in evs if e['verdict'] == 'ERROR'), len(evs))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[] 4", r.stdout + r.stderr


def test_a_pool_runs_verification_claims_and_keeps_ad_hoc_claims_in_process():
    def check(ctx):
        t = ctx.tally()
        t.add(-1.0 if ctx.control else 1.0, x=1)
        return t.outcome()

    claim("enginetest/ad-hoc", title="t", source=SRC, statement="s", status="VERIFIED", kind="bound",
          negative_control="wrong", tolerance=1e-3)(check)
    ids = ["enginetest/ad-hoc", "bartlett2006/psi-hinge", "bartlett2006/psi-squared"]
    evs = run(ids, jobs=2)
    assert [e["claim_id"] for e in evs] == sorted(ids)
    assert all(e["verdict"] == "PASS" for e in evs), [(e["claim_id"], e["verdict"], e["error"][:80]) for e in evs]


def test_a_script_read_from_stdin_runs_in_process():
    """Spawned workers re-import __main__, impossible for `python -`: the runner then stays in-process."""
    import subprocess
    import sys

    code = ("import theorylab\n"
            "evs = theorylab.run(['bartlett2006/psi-hinge', 'zhu2023/ldr-symmetry'], jobs=2)\n"
            "print([e['verdict'] for e in evs])\n")
    r = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "['PASS', 'PASS']", r.stdout + r.stderr


def _with_cases(reuse):
    """A check whose expensive part draws from the claim's stream; ``reuse`` decides whether it uses ctx.cases."""
    calls = []

    def check(ctx):
        def make():
            calls.append(ctx.control)
            return {"x": ctx.rng.uniform(0, 1, 20)}

        cases = ctx.cases("draws", make) if reuse else make()
        after = ctx.rng.uniform(0, 1, 5)  # a draw after the cases: the control must see the same one
        t = ctx.tally()
        t.add((0.5 if ctx.control else 1.0) * (cases["x"] + 1) - cases["x"], x=cases["x"])
        t.add(after + (-2.0 if ctx.control else 0.0), after=after)
        return t.outcome()

    return check, calls


def test_cases_are_computed_once_and_the_evidence_is_unchanged():
    check_once, once = _with_cases(True)
    check_twice, twice = _with_cases(False)
    c = _register("enginetest/cases-once", check_once)
    ev_once = evaluate(c, "quick", 3).to_dict()
    ev_twice = evaluate(dataclasses.replace(c, check=check_twice), "quick", 3).to_dict()  # same id, same stream
    assert once == [False] and twice == [False, True]
    for d in (ev_once, ev_twice):
        d.pop("seconds")
    assert ev_once == ev_twice and ev_once["verdict"] == "PASS"


def test_cases_are_read_only_for_the_check():
    def mutates(ctx):
        cases = ctx.cases("draws", lambda: ctx.rng.uniform(0, 1, 3))
        cases[0] = 2.0
        return ctx.tally().outcome()

    ev = evaluate(_register("enginetest/cases-mutated", mutates), "quick", 0)
    assert ev.verdict == "ERROR" and "read-only" in str(ev.to_dict())


class _RecordingExecutor(cf.ThreadPoolExecutor):
    """Records the order in which claims are submitted."""

    def __init__(self):
        super().__init__(max_workers=1)
        self.order = []

    def submit(self, fn, *args, **kwargs):
        self.order.append(args[0])
        return super().submit(fn, *args, **kwargs)


def test_pool_gets_the_slowest_claims_first_by_the_last_runs_times(tmp_path, monkeypatch):
    monkeypatch.setenv("THEORYLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("THEORYLAB_CACHE", raising=False)
    ids = ["bartlett2006/psi-hinge", "bartlett2006/psi-squared", "bartlett2006/psi-logistic"]
    first = run(ids, executor=_RecordingExecutor())
    times = json.loads((tmp_path / "claim-seconds.json").read_text())
    assert set(times) == {f"quick:{i}" for i in ids}
    fake = {"quick:bartlett2006/psi-hinge": 1.0, "quick:bartlett2006/psi-squared": 3.0}  # psi-logistic unknown
    (tmp_path / "claim-seconds.json").write_text(json.dumps(fake))
    ex = _RecordingExecutor()
    second = run(ids, executor=ex)
    assert ex.order == ["bartlett2006/psi-logistic", "bartlett2006/psi-squared", "bartlett2006/psi-hinge"]
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in first]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in second]  # order never changes evidence
    (tmp_path / "claim-seconds.json").write_text("not json")  # unreadable: ignored, rewritten
    run(ids[:1], executor=_RecordingExecutor())
    assert "quick:bartlett2006/psi-hinge" in json.loads((tmp_path / "claim-seconds.json").read_text())


def test_paper_budget_picks_the_paper_size_and_falls_back_to_full():
    from theorylab.cli import BUDGETS as CLI_BUDGETS
    from theorylab.engine.claim import BUDGETS
    from theorylab.engine.context import Context

    assert CLI_BUDGETS == BUDGETS == ("quick", "full", "paper")
    rng = np.random.default_rng(0)
    pick = {b: Context(rng=rng, budget=b, control=False, seed=0).pick for b in BUDGETS}
    assert [pick[b](1, 2, 3) for b in BUDGETS] == [1, 2, 3]
    assert [pick[b](1, 2) for b in BUDGETS] == [1, 2, 2]
    with pytest.raises(InputError, match="budget='huge'"):
        run("*", budget="huge")
