"""Run a computation under a wall-clock budget in a child process: symbolic work that may hang never hangs us.

sympy can take minutes (or recurse without end) on an innocent-looking loss; a thread cannot be stopped, so the
work runs in a forked child (``spawn`` where ``fork`` does not exist) that is killed when the budget is spent.
The outcome is a tuple: ``("ok", result)``, ``("timeout", None)`` or ``("error", "Type: first line")``, never
an exception, so the caller can fall back to a numerical route with the reason in hand.
"""
from __future__ import annotations

import contextlib
import multiprocessing

__all__ = ["call_with_budget"]


def _child(conn, fn, args):
    try:
        result = ("ok", fn(*args))
    except BaseException as exc:  # RecursionError, NotImplementedError, PolynomialError, ...: all are "failed"
        text = str(exc).strip().splitlines()
        result = ("error", f"{type(exc).__name__}: {text[0][:160] if text else ''}".rstrip(": "))
    try:
        conn.send(result)
    except Exception as exc:  # an unpicklable result
        conn.send(("error", f"{type(exc).__name__}: the result could not be sent back ({exc})"))
    finally:
        conn.close()


@contextlib.contextmanager
def _children_allowed():
    """Let a daemonic process (a dask worker, by default) start the budgeted child.

    multiprocessing refuses children of daemonic processes because they would be orphaned if the parent were
    terminated; the child here is killed and joined before :func:`call_with_budget` returns, so it never outlives
    the call. The flag is restored at once.
    """
    config = multiprocessing.current_process()._config
    daemon = config.get("daemon", False)
    if daemon:
        config["daemon"] = False
    try:
        yield
    finally:
        if daemon:
            config["daemon"] = daemon


def call_with_budget(fn, args: tuple, seconds: float):
    """``fn(*args)`` in a child process, stopped after ``seconds``.

    Parameters
    ----------
    fn : callable
        A module-level function (picklable under ``spawn``); its result must pickle.
    args : tuple
        Its arguments.
    seconds : float
        The wall-clock budget (> 0).

    Returns
    -------
    tuple
        ``("ok", result)``, ``("timeout", None)`` or ``("error", message)`` (message: exception type and the
        first line of its text).
    """
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    with _children_allowed():
        proc.start()
    send.close()
    try:
        if recv.poll(seconds):
            try:
                outcome = recv.recv()
            except EOFError:
                outcome = ("error", f"the child process died (exit code {proc.exitcode})")
        else:
            outcome = ("timeout", None)
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    return outcome
