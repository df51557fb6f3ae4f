"""theorylab._budget: a computation under a wall-clock budget in a child process, also from a daemonic worker."""
import multiprocessing
import time

from theorylab._budget import call_with_budget


def _square(x):
    return x * x


def _sleep(s):
    time.sleep(s)
    return "woke"


def _boom():
    raise ValueError("first line\nsecond")


def test_outcomes():
    assert call_with_budget(_square, (7,), 30) == ("ok", 49)
    t0 = time.monotonic()
    assert call_with_budget(_sleep, (60,), 0.5) == ("timeout", None)
    assert time.monotonic() - t0 < 20
    assert call_with_budget(_boom, (), 30) == ("error", "ValueError: first line")


def _in_daemon(conn):
    conn.send((multiprocessing.current_process().daemon, call_with_budget(_square, (5,), 30),
               multiprocessing.current_process().daemon))


def test_a_daemonic_worker_can_run_a_budgeted_child():
    # dask's workers are daemonic processes: multiprocessing would refuse their children
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_in_daemon, args=(send,), daemon=True)
    p.start()
    assert recv.poll(120)
    before, outcome, after = recv.recv()
    p.join(30)
    assert before is True and after is True  # the flag is restored
    assert outcome == ("ok", 25)
