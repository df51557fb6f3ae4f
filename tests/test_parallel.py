"""Tests of theorylab._parallel (process pools, single-threaded BLAS, serial numba kernels for small blocks)."""
import numpy as np

from theorylab._parallel import single_blas_thread


def test_single_blas_thread_limits_and_restores():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    assert before, "no BLAS library found by threadpoolctl"
    with single_blas_thread():
        assert all(n == 1 for n in blas_threads())
        with single_blas_thread():  # nested: still limited, and leaving it does not restore early
            pass
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before


def test_rescan_and_default_executor():
    from threadpoolctl import threadpool_info

    from theorylab._parallel import default_executor
    from theorylab.engine import runner

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    with single_blas_thread(rescan=True):
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before
    assert runner.default_executor is default_executor
    with default_executor(1) as ex:
        assert ex.submit(abs, -3).result() == 3


def test_numba_threads_for_small_blocks_is_one_thread_and_restores():
    import numba

    from theorylab._parallel import SERIAL_BELOW, numba_threads_for

    before = numba.get_num_threads()
    with numba_threads_for(10):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before
    with numba_threads_for(SERIAL_BELOW):
        assert numba.get_num_threads() == before


def test_tight_search_bits_do_not_depend_on_the_thread_count(monkeypatch):
    from theorylab import _parallel
    from theorylab.theory import hconsistency as hc

    def run():
        return hc.tight_transform(("comp_sum", 1.5), 0.4, 5, rng=np.random.default_rng(3), n_random=3000,
                                  n_refine=1)[0]

    serial = run()
    monkeypatch.setattr(_parallel, "SERIAL_BELOW", 0)  # every kernel on all numba threads
    assert run() == serial
