"""``theorylab verify --backend NAME --device DEV --dtype float32|float64`` (issue 11, item 3).

Claims declare the backends they support (``@claim(..., backends=...)``) and float32 support by a float32
tolerance; anything else is SKIPPED (neither passed nor failed), never run on NumPy instead. The evidence records
the backend, device and dtype the check really ran on; at the default backend (numpy, cpu, float64) a converted
claim's evidence is bit-identical to its NumPy version's.
"""
from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from theorylab import InputError
from theorylab.cli import main
from theorylab.engine import Source, claim
from theorylab.engine.backends import check_backend, installed_backends, resolve, to_numpy
from theorylab.engine.claim import _REGISTRY
from theorylab.engine.discovery import all_claims
from theorylab.engine import context as context_module
from theorylab.engine import evidence as evidence_module
from theorylab.engine.report import seeds_table
from theorylab.engine.runner import evaluate, run, summarize_seeds

xps = pytest.importorskip("array_api_strict")
from array_api_compat import array_namespace, device as device_of  # noqa: E402

SRC = Source("a", "b", "c")
STRICT = {"backend": "array-api-strict", "device": "device1"}
CONVERTED = ("zhu2023/ldr-symmetry", "zhu2023/ldr-kl-limits", "zhu2023/ldr-kl-closed-form", "vonoswald2023/construction",
             "mao2023/compsum-softmax-form")
# every verification claim that declares array-api-strict (registry-driven; the converted ones at least)
DECLARING = sorted(i for i, c in all_claims().items() if "array-api-strict" in c.backends)


def _declared(ctx):
    """A claim on any declared backend: it records what it ran on and asserts the arrays are on the run's device."""
    xp = ctx.xp
    x = ctx.asarray(ctx.rng.normal(size=50))
    assert array_namespace(x) is array_namespace(xp.zeros(1, device=ctx.device))
    assert device_of(x) == ctx.device and x.dtype == ctx.dtype
    err = xp.abs(xp.sum(x * x) - xp.linalg.vector_norm(x) ** 2) / xp.sum(x * x)
    if ctx.control:
        err = err + 0.1
    t = ctx.tally()
    t.add(-err, n=50)
    return t.outcome()


def _numpy_only(ctx):  # pragma: no cover - must never run off NumPy
    raise AssertionError("a claim that does not declare the backend ran")


@pytest.fixture(autouse=True, scope="module")
def _test_claims():
    """Two claims of this module, registered while its tests run (not at import: the registry-driven tests of
    other modules must not collect them)."""
    claim("backendtest/declared", title="t", source=SRC, statement="Σx² = ‖x‖²", status="VERIFIED",
          kind="identity", tolerance=1e-13, tolerance_reason="rounding", negative_control="Σx² = ‖x‖² + 0.1",
          control_threshold=1e-2, control_threshold_reason="the control is off by 0.1",
          backends=("numpy", "array-api-strict"), float32_tolerance=1e-5, float32_reason="50 float32 terms")(_declared)
    claim("backendtest/numpy-only", title="t", source=SRC, statement="s", status="VERIFIED", kind="identity",
          tolerance=1e-12, negative_control="n")(_numpy_only)
    yield
    for cid in ("backendtest/declared", "backendtest/numpy-only"):
        _REGISTRY.pop(cid, None)


def _uninstalled():
    return next((b for b in ("cupy", "torch", "jax") if importlib.util.find_spec(b) is None), None)


# ------------------------------------------------------------------------------------------------- lookup, CLI

def test_lookup_and_devices():
    b = resolve("array-api-strict", "device1", "float32")
    assert b.xp is xps and b.device == xps.Device("device1") and b.dtype == xps.float32
    assert check_backend("numpy") == ("numpy", "cpu", "float64")
    assert check_backend("array-api-strict") == ("array-api-strict", "CPU_DEVICE", "float64")
    assert "numpy" in installed_backends() and "array-api-strict" in installed_backends()
    a = xps.asarray([1.0, 2.0], device=xps.Device("device1"))
    assert np.array_equal(to_numpy(a), [1.0, 2.0])


@pytest.mark.parametrize("kwargs,needle", [
    ({"backend": "fortran"}, "--backend 'fortran' is not known"),
    ({"backend": "array-api-strict", "device": "gpu7"}, "--device 'gpu7' is not a device of array-api-strict"),
    ({"backend": "numpy", "device": "cuda"}, "--device 'cuda' is not a device of numpy"),
    ({"backend": "numpy", "dtype": "float16"}, "--dtype 'float16' is not allowed"),
])
def test_bad_backend_device_dtype(kwargs, needle):
    with pytest.raises(InputError, match=needle):
        check_backend(**kwargs)
    with pytest.raises(InputError, match=needle):
        run("backendtest/declared", **kwargs)


@pytest.mark.parametrize("args,needle", [
    (["--backend", "fortran"], "is not known; choose one of numpy, array-api-strict"),
    (["--backend", "array-api-strict", "--device", "gpu7"], "is not a device of array-api-strict; it has CPU_DEVICE"),
    (["--dtype", "float16"], "choose float32 or float64"),
])
def test_cli_errors_are_one_line(args, needle, capsys):
    for command in ("verify", "show"):
        assert main([command, "zhu2023/ldr-symmetry", *args]) == 2
        out, err = capsys.readouterr()
        assert needle in err and len(err.strip().splitlines()) == 1 and out == "", err


def test_cli_uninstalled_backend(capsys):
    name = _uninstalled()
    if name is None:
        pytest.skip("cupy, torch and jax are all installed")
    assert main(["verify", "zhu2023/ldr-symmetry", "--backend", name]) == 2
    err = capsys.readouterr().err
    assert f"--backend {name} is not installed" in err and len(err.strip().splitlines()) == 1


def test_claim_declarations_are_validated():
    with pytest.raises(ValueError, match="backends"):
        claim("backendtest/bad", title="t", source=SRC, statement="s", status="VERIFIED", kind="identity",
              tolerance=1e-12, negative_control="n", backends=("numpy", "fortran"))
    with pytest.raises(ValueError, match="float32_reason"):
        claim("backendtest/bad", title="t", source=SRC, statement="s", status="VERIFIED", kind="identity",
              tolerance=1e-12, negative_control="n", float32_tolerance=1e-5)
    c = _REGISTRY["backendtest/declared"]
    assert c.dtypes == ("float64", "float32") and _REGISTRY["backendtest/numpy-only"].dtypes == ("float64",)
    c32 = c.in_dtype("float32")
    assert (c32.tolerance, c32.decisive_threshold) == (1e-5, 1e-2) and c.in_dtype("float64") is c


# ------------------------------------------------------------------------------------------ SKIPPED, evidence

@pytest.mark.parametrize("where", [STRICT, {**STRICT, "dtype": "float32"}, {"backend": "numpy", "dtype": "float32"}])
def test_undeclared_claim_is_skipped_never_run(where):
    ev = evaluate(_REGISTRY["backendtest/numpy-only"], "quick", 0, **where).to_dict()
    assert ev["verdict"] == "SKIPPED" and ev["passed"] is False and ev["cases"] == 0 and ev["error"] == ""
    assert ev["backend"] == where["backend"] and ev["dtype"] == where.get("dtype", "float64")
    assert ev["device"] == where.get("device", "cpu") and "declares" in ev["skipped_reason"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_declared_claim_runs_on_the_device_and_records_it(dtype):
    ev = evaluate(_REGISTRY["backendtest/declared"], "quick", 0, dtype=dtype, **STRICT).to_dict()
    assert ev["verdict"] == "PASS", ev
    assert (ev["backend"], ev["device"], ev["dtype"]) == ("array-api-strict", "device1", dtype)
    assert ev["tolerance"] == (1e-13 if dtype == "float64" else 1e-5)
    assert ev["skipped_reason"] == "" and ev["negative_control_verdict"] == "decisive"


def test_default_evidence_fields():
    ev = evaluate(_REGISTRY["backendtest/declared"], "quick", 0).to_dict()
    assert (ev["backend"], ev["device"], ev["dtype"], ev["verdict"]) == ("numpy", "cpu", "float64", "PASS")


def test_skipped_counts_as_neither_pass_nor_failure(tmp_path, capsys):
    out = tmp_path / "ev.json"
    rc = main(["verify", "backendtest/", "--backend", "array-api-strict", "--device", "device1", "--dtype",
               "float32", "--seeds", "0:2", "--jobs", "1", "--json", str(out)])
    text = capsys.readouterr().out
    assert rc == 0 and "SKIPPED" in text and "1 of 1 claim passed at every seed (1 skipped" in text
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == 3
    assert {(r["claim_id"], r["verdict"], r["device"], r["dtype"]) for r in doc["results"]} == {
        ("backendtest/declared", "PASS", "device1", "float32"), ("backendtest/numpy-only", "SKIPPED", "device1",
                                                                  "float32")}
    rows = {r["claim_id"]: r for r in summarize_seeds(doc["results"])}
    assert rows["backendtest/numpy-only"]["skipped"] == 2 and rows["backendtest/declared"]["skipped"] == 0
    assert "passed at every seed" in seeds_table(list(rows.values()))


def test_cli_show_takes_the_backend(capsys):
    assert main(["show", "backendtest/declared", "--backend", "array-api-strict", "--device", "device1"]) == 0
    assert "array-api-strict on device1 in float64" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ converted claims

@pytest.fixture(scope="module")
def converted():
    claims = all_claims()
    return {i: claims[i] for i in DECLARING}


def test_the_converted_claims_declare_the_backend():
    assert set(CONVERTED) <= set(DECLARING)
    assert _REGISTRY["zhu2023/ldr-symmetry"].dtypes == ("float64", "float32")
    assert _REGISTRY["zhu2023/ldr-kl-limits"].dtypes == ("float64",)


@pytest.mark.parametrize("cid", DECLARING)
def test_float32_declarations_are_judged_decisively(cid, converted):
    c = converted[cid]
    if "float32" in c.dtypes:
        c32 = c.in_dtype("float32")
        assert c32.float32_reason and c32.decisive_threshold > c32.tolerance >= c.tolerance


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("cid", DECLARING)
def test_converted_claim_on_device1(cid, dtype, converted, monkeypatch):
    c = converted[cid]
    if dtype not in c.dtypes:
        assert evaluate(c, "quick", 0, dtype=dtype, **STRICT).verdict == "SKIPPED"
        return
    seen = []

    def spy(a):
        seen.append((array_namespace(a), device_of(a), a.dtype))
        return to_numpy(a)

    # every array the tallies (or ctx.to_numpy) bring back to the host passes here
    monkeypatch.setattr(evidence_module, "to_numpy", spy)
    monkeypatch.setattr(context_module, "to_numpy", spy)
    ev = evaluate(c, "quick", 0, dtype=dtype, **STRICT)
    assert ev.verdict == ("FINDING" if c.kind == "finding" else "PASS"), (ev.worst_slack, ev.error)
    assert (ev.backend, ev.device, ev.dtype) == ("array-api-strict", "device1", dtype)
    # the results were computed by array-api-strict on device1, in the run's floating dtype
    assert seen and all(ns is xps and dev == xps.Device("device1") for ns, dev, _ in seen)
    assert any(dt == getattr(xps, dtype) for _, _, dt in seen)
    assert all(dt != getattr(xps, "float64" if dtype == "float32" else "float32") for _, _, dt in seen)


# the float64 NumPy evidence of the converted claims before conversion (HEAD's NumPy code, seed 0 and 1)
GOLDEN = {("zhu2023/ldr-symmetry", 0): (-2.2204460492503126e-16, 943.8541554229429),
          ("zhu2023/ldr-symmetry", 1): (-2.2204460492503126e-16, 930.3353422362729),
          ("zhu2023/ldr-kl-limits", 0): (9.986669114531973e-13, 36.41178389476264),
          ("zhu2023/ldr-kl-limits", 1): (1.0009385623100897e-12, 35.740443732582996),
          ("zhu2023/ldr-kl-closed-form", 0): (-1.0538985665413446e-13, 23025.850929940465),
          ("zhu2023/ldr-kl-closed-form", 1): (-1.283417816466681e-13, 21972.245773362196),
          ("vonoswald2023/construction", 0): (-7.10664715804438e-16, 9905969823.750772),
          ("vonoswald2023/construction", 1): (-2.049848932022667e-15, 9425435709.392855),
          ("mao2023/compsum-softmax-form", 0): (-9.863833228296696e-16, 1.913606576631504e+20),
          ("mao2023/compsum-softmax-form", 1): (-9.735161162982988e-16, 2.3659304665624132e+16)}


@pytest.mark.parametrize("cid,seed", sorted(GOLDEN))
def test_numpy_default_unchanged(cid, seed, converted):
    ev = evaluate(converted[cid], "quick", seed)
    assert (ev.backend, ev.device, ev.dtype) == ("numpy", "cpu", "float64")
    assert (ev.worst_slack, ev.negative_control_margin) == GOLDEN[cid, seed]
