"""Claims on dask.distributed: the same evidence as the local pool, failed tasks as ERROR records, the CLI options."""
import json

import pytest

distributed = pytest.importorskip("distributed")

import theorylab  # noqa: E402
from theorylab._validation import InputError  # noqa: E402
from theorylab.cli import main  # noqa: E402
from theorylab.engine import Source, claim  # noqa: E402
from theorylab.engine.claim import _REGISTRY  # noqa: E402
from theorylab.engine.cluster import cluster_executor, parse_cluster  # noqa: E402

SUBSET = ["zhu2023/ldr-symmetry", "tyurin2024/*", "ozair2019/*", "granziol2022/eta-max-sublinear"]


def _strip(records):
    """Evidence without the fields that may differ between machines (timings)."""
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


cluster_test = pytest.mark.cluster  # deselected by default (tens of seconds of worker start-up); CI runs -m cluster


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


def test_parse_cluster():
    assert parse_cluster("local", 3) == 3
    assert parse_cluster("local:2", 3) == 2
    for bad in ("local:0", "remote", "local:x", "local:", ""):
        with pytest.raises(InputError, match="--cluster"):
            parse_cluster(bad, 2)


@cluster_test
def test_same_evidence_on_a_local_cluster_as_in_process(cluster):
    here = theorylab.run(SUBSET, seeds=[0, 1], jobs=1)
    with cluster_executor(scheduler=cluster.scheduler_address) as ex:
        there = theorylab.run(SUBSET, seeds=[0, 1], executor=ex)
    assert len(here) == len(there) >= 8
    assert all(r["passed"] for r in there)
    assert _strip(here) == _strip(there)


@cluster_test
def test_same_evidence_on_in_process_dask():
    here = theorylab.run(SUBSET[:2], seeds=[2], jobs=1)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
        there = theorylab.run(SUBSET[:2], seeds=[2], executor=client.get_executor(pure=False))
    assert _strip(here) == _strip(there)


@cluster_test
def test_a_task_that_fails_on_a_worker_is_an_error_record_and_the_run_goes_on(cluster):
    # registered only in this process: a worker cannot find it, so its task raises there
    @claim("testonly/not-on-workers", title="t", source=Source("a", "b", "c"), statement="s", status="VERIFIED",
           kind="identity", tolerance=1e-12, negative_control="none")
    def check(ctx):  # pragma: no cover - runs nowhere
        raise AssertionError
    try:
        with cluster_executor(scheduler=cluster.scheduler_address) as ex:
            res = theorylab.run(["testonly/not-on-workers", "zhu2023/ldr-symmetry"], executor=ex)
    finally:
        _REGISTRY.pop("testonly/not-on-workers")
    by = {r["claim_id"]: r for r in res}
    assert by["testonly/not-on-workers"]["verdict"] == "ERROR"
    assert "did not complete on the executor" in by["testonly/not-on-workers"]["error"]
    assert by["zhu2023/ldr-symmetry"]["passed"]


@cluster_test
def test_cli_scheduler_gives_the_local_pool_evidence(cluster, tmp_path, capsys):
    a, b = tmp_path / "pool.json", tmp_path / "dask.json"
    assert main(["verify", "tyurin2024/*", "--seeds", "0:2", "--jobs", "1", "--json", str(a)]) == 0
    assert main(["verify", "tyurin2024/*", "--seeds", "0:2", "--scheduler", cluster.scheduler_address,
                 "--json", str(b)]) == 0
    ra, rb = json.loads(a.read_text())["results"], json.loads(b.read_text())["results"]
    assert _strip(ra) == _strip(rb) and len(ra) == 4


@cluster_test
def test_cli_cluster_local_runs_and_closes(tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    assert main(["verify", "zhu2023/ldr-symmetry", "--cluster", "local:1", "--jsonl", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    assert any(x.get("claim_id") == "zhu2023/ldr-symmetry" for x in lines)


def test_cli_errors_are_one_line(capsys, monkeypatch):
    from theorylab.engine import cluster as cl

    monkeypatch.setattr(cl, "CONNECT_TIMEOUT", 2.0)
    assert main(["verify", "zhu2023/ldr-symmetry", "--cluster", "local:0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--cluster" in err
    with pytest.raises(SystemExit):
        main(["verify", "--jobs", "2", "--cluster", "local:2"])
    assert "not allowed with argument" in capsys.readouterr().err
    assert main(["verify", "zhu2023/ldr-symmetry", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[-1].startswith("theorylab: ") and "no dask scheduler answered" in err


def test_missing_dask_is_a_one_line_error(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    assert main(["verify", "zhu2023/ldr-symmetry", "--cluster", "local:1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pip install 'theorylab[dist]'" in err


@cluster_test
def test_ctrl_c_on_a_cluster_keeps_what_finished(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "theorylab", "verify", "zhu2023/*", "mao2023/*", "--cluster",
                             "local:2", "--jsonl", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and sum('"claim_id"' in x for x in out.read_text().splitlines()) >= 1:
            break
        time.sleep(0.5)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr[-2000:]
    assert "finished record(s) kept" in stderr
    kept = [x for x in out.read_text().splitlines() if '"claim_id"' in x]
    assert 1 <= len(kept) < 28  # of 28 claims: some finished, the rest were cancelled


@cluster_test
def test_symbolic_work_runs_on_daemonic_workers(cluster):
    # dask workers are daemonic; the sympy derivations run in a budgeted child process (theorylab._budget), which
    # multiprocessing refuses to daemons unless allowed: with the disk cache off, the child must start there
    import os

    with distributed.Client(cluster.scheduler_address) as client:
        client.run(os.environ.__setitem__, "THEORYLAB_CACHE", "0")
        try:
            with cluster_executor(scheduler=cluster.scheduler_address) as ex:
                res = theorylab.run(["bartlett2006/psi-hinge", "bartlett2006/growth-linear"], executor=ex)
        finally:
            client.run(os.environ.pop, "THEORYLAB_CACHE", None)
    assert [r["verdict"] for r in res] == ["PASS", "PASS"], [r.get("error") for r in res]
