"""Tests of theorylab._parallel (process pools and single-threaded BLAS)."""
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
