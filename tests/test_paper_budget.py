"""The ``paper`` budget: the CLI accepts it, ``ctx.pick`` gives the paper size, Zheng et al.'s claim and figure run
the paper's grid (with a stand-in for the expensive sweeps), and ``theorylab figures`` writes paper-scale figures
to ``figures/paper`` and the same files on a LocalCluster as here."""
import json

import numpy as np
import pytest

import theorylab
from theorylab.cli import build_parser, main
from theorylab.engine import FigureResult, Source, claim, figure
from theorylab.engine.claim import _REGISTRY
from theorylab.engine.context import clear_shared_fixtures
from theorylab.engine.figures import _FIGURES, all_figures, draw
from theorylab.settings.sample_complexity import first_below, geometric_grid

SRC = Source("a", "b", "c")


def test_cli_accepts_the_paper_budget_for_verify_and_figures():
    p = build_parser()
    a = p.parse_args(["verify", "zheng2023/*", "--budget", "paper", "--cluster", "local:2"])
    assert a.budget == "paper" and a.cluster == "local:2"
    f = p.parse_args(["figures", "zheng2023/*", "--budget", "paper", "--cluster", "local:1"])
    assert f.budget == "paper" and f.cluster == "local:1" and f.out is None
    f = p.parse_args(["figures", "--scheduler", "tcp://h:8786"])
    assert f.scheduler == "tcp://h:8786" and f.budget == "quick"
    with pytest.raises(SystemExit) as exc:  # one place to run, not two
        p.parse_args(["figures", "--cluster", "local", "--scheduler", "tcp://h:8786"])
    assert exc.value.code == 2
    assert "figures/paper" in p._subparsers._group_actions[0].choices["figures"].format_help()


def test_figures_rejects_a_bad_cluster_spec_in_one_line(capsys):
    assert main(["figures", "zheng2023/m-star", "--cluster", "remote"]) == 2
    assert "--cluster 'remote' is not allowed" in capsys.readouterr().err


def test_pick_gives_the_paper_size_under_the_paper_budget_and_full_without_one():
    def check(ctx):
        t = ctx.tally()
        t.add(1.0)
        return t.outcome(value=ctx.pick(quick=1, full=2, paper=3) * 10 + ctx.pick(quick=1, full=2))

    claim("papertest/pick", title="t", source=SRC, statement="s", status="VERIFIED", kind="identity",
          tolerance=0.0, tolerance_reason="exact", negative_control="n", control_threshold=1.0,
          control_threshold_reason="t")(check)
    try:
        got = {b: theorylab.run("papertest/pick", budget=b, jobs=1)[0]["value"] for b in ("quick", "full", "paper")}
    finally:
        _REGISTRY.pop("papertest/pick")
    assert got == {"quick": 11, "full": 22, "paper": 32}


def test_figures_under_the_paper_budget_go_to_figures_paper(tmp_path, monkeypatch, capsys):
    @figure("papertest/pick", title="t", source=SRC)
    def make(ctx):
        from theorylab.engine.plotstyle import new_figure

        fig, ax = new_figure(width=2, height=2)
        n = ctx.pick(quick=1, full=2, paper=3)
        ax.plot([0, 1], [0, n])
        return FigureResult(fig, {"n": [n]})

    monkeypatch.chdir(tmp_path)
    try:
        assert main(["figures", "papertest/pick"]) == 0
        assert main(["figures", "papertest/pick", "--budget", "paper"]) == 0
    finally:
        _FIGURES.pop("papertest/pick")
    quick, paper = tmp_path / "figures", tmp_path / "figures" / "paper"
    assert (quick / "papertest__pick.csv").read_text() == "n\n1\n"  # the committed quick figure is untouched
    assert (paper / "papertest__pick.csv").read_text() == "n\n3\n"
    assert json.loads((paper / "papertest__pick.json").read_text())["budget"] == "paper"
    assert (paper / "papertest__pick.png").stat().st_size > 0
    assert "figures/paper/papertest__pick" in capsys.readouterr().out


@pytest.fixture
def fake_sweeps(monkeypatch):
    """Zheng's sample_complexity replaced by a synthetic sweep: m*_NB = 5K, m*_LR = K·d (repetitions jittered)."""
    import verifications.zheng2023_dis_vs_gen as Z

    calls = []

    def fake(mix, learner, eps_inf, rng, reps=5, **kw):
        K, d = mix.n_classes, mix.dim
        calls.append((K, d, learner, reps))
        true = 5 * K if learner == "nb" else K * d
        sizes = geometric_grid(K, 4 * true)
        cross = np.searchsorted(sizes, true) + rng.integers(-1, 2, size=reps)  # per-repetition crossing index
        target = eps_inf + 0.01
        errors = np.where(np.arange(sizes.size)[None, :] >= cross[:, None], target - 0.005, target + 0.05)
        return {"sizes": sizes, "errors": errors, "target": target,
                "m_star": first_below(errors.mean(0), sizes, target)}

    monkeypatch.setattr(Z, "sample_complexity", fake)
    clear_shared_fixtures()
    yield calls
    clear_shared_fixtures()  # no stand-in result may outlive the test


def test_zheng_claim_runs_the_papers_grid_under_the_paper_budget(fake_sweeps):
    (ev,) = theorylab.run("zheng2023/m-star-log-vs-linear", budget="paper", jobs=1)
    grid = {(K, d, lr, 5) for K in (2, 3, 5, 7) for d in (100, 200, 400, 1000) for lr in ("nb", "lr")}
    assert set(fake_sweeps) == grid and len(fake_sweeps) == len(grid)
    assert ev["passed"] and ev["negative_control_failed"]
    assert all(f"K={K}, dims [100, 200, 400, 1000]" in ev["message"] for K in (2, 3, 5, 7))
    assert "main_simulation.sh" in ev["source"]
    del fake_sweeps[:]
    theorylab.run("zheng2023/m-star-log-vs-linear", budget="quick", jobs=1)  # quick: K = 2, its own dims
    assert {(K, d) for K, d, _, _ in fake_sweeps} == {(2, d) for d in (20, 40, 80, 160)}


def test_zheng_m_star_figure_has_one_panel_per_k_under_the_paper_budget(fake_sweeps):
    drawn = draw(all_figures()["zheng2023/m-star"], budget="paper")
    header, *rows = drawn["csv"].splitlines()
    assert header == "series,d,m_star,K"
    assert {int(r.split(",")[3]) for r in rows} == {2, 3, 5, 7}
    assert drawn["provenance"]["budget"] == "paper" and drawn["png"][:4] == b"\x89PNG"


@pytest.mark.cluster
def test_figures_on_a_local_cluster_write_the_same_files(tmp_path):
    pytest.importorskip("distributed")
    here, there = tmp_path / "here", tmp_path / "there"
    fid = "mao2023/f6-regret-scatter"  # a few seconds, no symbolic derivation
    assert main(["figures", fid, "--out", str(here)]) == 0
    assert main(["figures", fid, "--out", str(there), "--cluster", "local:1"]) == 0
    names = sorted(p.name for p in here.iterdir())
    assert names == sorted(p.name for p in there.iterdir()) and len(names) == 3
    for name in names:
        assert (here / name).read_bytes() == (there / name).read_bytes(), name
