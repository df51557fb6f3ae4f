"""The array-API reference code on a real GPU through CuPy (issue 11, item 5): skipped cleanly when CuPy or a
CUDA device is absent (as on this project's CI machine); on a GPU machine (``pip install -e '.[gpu]'``) it runs
the checks that tests/test_tight_xp.py, tests/test_diagonal_net_xp.py, tests/test_icl_xp.py and
tests/test_backends.py run under array-api-strict: values equal to NumPy within a multiple of the dtype's eps,
results on the input's device in its dtype, and every claim that declares cupy passing with evidence that
records cupy."""
from __future__ import annotations

import numpy as np
import pytest

cupy = pytest.importorskip("cupy")
try:
    _N_GPU = cupy.cuda.runtime.getDeviceCount()
except Exception:  # noqa: BLE001 - no driver / no device: nothing to test here
    _N_GPU = 0
if _N_GPU == 0:
    pytest.skip("CuPy is installed but no CUDA device is available", allow_module_level=True)

import array_api_compat.cupy as xp  # noqa: E402
from array_api_compat import device as device_of  # noqa: E402

from theorylab.engine.discovery import all_claims  # noqa: E402
from theorylab.engine.runner import evaluate  # noqa: E402
from theorylab.settings import diagonal_net as dn  # noqa: E402
from theorylab.settings import icl  # noqa: E402
from theorylab.theory import hconsistency as hc  # noqa: E402
from theorylab.theory.tight import candidates as cd  # noqa: E402
from theorylab.theory.tight import kernels as kn  # noqa: E402

DTYPES = ["float64", "float32"]
DECLARING = sorted(i for i, c in all_claims().items() if "cupy" in c.backends)


def _host(a):
    return np.asarray(cupy.asnumpy(a), dtype=np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [3, 6, 10])
def test_tight_candidate_stage_equals_numba(dtype, n):
    rng = np.random.default_rng(n)
    X = np.empty((20_000, n - 1))
    X[:, 0] = rng.uniform(0.0, 1.0, X.shape[0])
    X[:, 1:] = rng.exponential(1.0, (X.shape[0], n - 2)) ** rng.uniform(0.3, 4.0, (X.shape[0], 1))
    P = np.empty((X.shape[0], n))
    kn.map_rows(X, 0.3, n, P)
    for tau in (0.0, 1.0, 1.5, 3.0):
        want = np.empty(X.shape[0])
        kn.regret_rows(P, tau, -1.0, want)
        got = cd.candidate_regrets(xp.asarray(X, dtype=getattr(xp, dtype)), 0.3, n, tau)
        assert device_of(got) == cupy.cuda.Device(0) and got.dtype == getattr(xp, dtype)
        assert np.max(np.abs(_host(got) - want)) <= 4.0 * n * n * float(np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tight_transform_array_path_gives_the_default_value(dtype):
    v, _ = hc.tight_transform(("comp_sum", 1.0), 0.2, 4, rng=np.random.default_rng(3), n_random=2000, n_refine=2)
    va, _ = hc.tight_transform(("comp_sum", 1.0), 0.2, 4, rng=np.random.default_rng(3), n_random=2000, n_refine=2,
                               xp=xp, dtype=getattr(xp, dtype))
    assert abs(va - v) <= 1e-12 * max(1.0, abs(v))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [None, 1])
def test_batched_diagonal_net_equals_numpy(dtype, batch):
    X, Y, _, _, _ = dn.sparse_regression(10, 16, 3, np.random.default_rng(0))
    U0 = np.repeat(np.array([0.1, 0.3, 1.0])[:, None], 16, axis=1)
    steps, n_steps = [0.02, 0.01, 0.005], 200
    A = (lambda a: xp.asarray(np.asarray(a, dtype=dtype)))
    got = dn.run_dynamics_batched(A(X), A(Y), A(U0), A(U0), step=steps, n_steps=n_steps, batch_size=batch,
                                  rng=[np.random.default_rng(s) for s in (1, 2, 3)])
    ref = dn.run_dynamics_batched(X, Y, U0, U0, step=steps, n_steps=n_steps, batch_size=batch,
                                  rng=[np.random.default_rng(s) for s in (1, 2, 3)])
    assert got.beta.dtype == getattr(xp, dtype) and device_of(got.beta) == cupy.cuda.Device(0)
    scale = max(1.0, float(np.max(np.abs(ref.beta))))
    assert np.max(np.abs(_host(got.beta) - ref.beta)) / scale <= 50 * float(np.finfo(dtype).eps) * n_steps


@pytest.mark.parametrize("dtype", DTYPES)
def test_icl_prompts_and_estimator_on_gpu(dtype):
    pr = icl.sample_prompts(4000, 8, 3, np.random.default_rng(0), xp=xp, dtype=getattr(xp, dtype))
    ref = icl.sample_prompts(4000, 8, 3, np.random.default_rng(0))
    assert device_of(pr.x_query) == cupy.cuda.Device(0) and pr.x_query.dtype == getattr(xp, dtype)
    assert np.max(np.abs(_host(pr.x_query) - ref.x_query)) <= 4.0 * float(np.finfo(dtype).eps) * max(
        1.0, float(np.max(np.abs(ref.x_query))))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cid", DECLARING)
def test_declaring_claims_pass_on_the_gpu(cid, dtype):
    c = all_claims()[cid]
    ev = evaluate(c, "quick", 0, backend="cupy", device="0", dtype=dtype)
    if dtype not in c.dtypes:
        assert ev.verdict == "SKIPPED"
        return
    assert ev.verdict == "PASS", (ev.worst_slack, ev.error)
    assert (ev.backend, ev.device, ev.dtype) == ("cupy", "0", dtype)
