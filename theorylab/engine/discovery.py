"""Finds the verification modules (one per paper) and imports them, which registers their claims.

A module that fails to import does not hide the others: it is registered as one claim,
``<module>/import``, whose check re-raises the import error, so ``theorylab verify`` reports it as ERROR
(exit code 1) and ``theorylab list`` shows it.
"""
from __future__ import annotations

import importlib
import pkgutil
import threading
import traceback

from .claim import _REGISTRY, Claim, Source, claim, match_ids

_LOADED = False
_LOCK = threading.RLock()  # re-entrant: a verification module may itself ask for the registry
IMPORT_ERRORS: dict[str, str] = {}


def _register_import_error(name: str, exc: BaseException) -> None:
    detail = f"{type(exc).__name__}: {exc}"
    IMPORT_ERRORS[name] = detail + "\n" + traceback.format_exc(limit=4)

    def check(ctx):
        raise ImportError(f"verifications.{name} failed to import: {detail}")

    check.__module__ = f"verifications.{name}"
    claim(f"{name.replace('_', '-').lower()}/import", title=f"import verifications.{name}",
          source=Source("theorylab", "verification module", f"verifications/{name}.py"),
          statement=f"verifications/{name}.py imports", status="VERIFIED", kind="identity",
          negative_control="none: this entry only reports an import error")(check)


def load_verifications() -> list[str]:
    """Import every module of the ``verifications`` package once; return their names.

    Safe under threads: a second thread waits until the first has imported every module (the loaded
    flag is set only after the imports finish), so no caller sees a half-filled registry.

    Returns
    -------
    list of str
        The verification module names, sorted.
    """
    global _LOADED
    import verifications

    names = sorted(m.name for m in pkgutil.iter_modules(verifications.__path__) if not m.name.startswith("_"))
    if _LOADED:
        return names
    with _LOCK:
        if not _LOADED:
            for name in names:
                try:
                    importlib.import_module(f"verifications.{name}")
                except Exception as exc:  # reported as an ERROR claim, never skipped silently
                    _register_import_error(name, exc)
            _LOADED = True
    return names


def all_claims() -> dict[str, Claim]:
    """Every registered claim, by id (the verification modules are imported first).

    A verification module that failed to import appears as one ``<module>/import`` claim whose check
    re-raises the import error.

    Returns
    -------
    dict of str to Claim
        The claims, keyed and sorted by id.
    """
    load_verifications()
    return dict(sorted(_REGISTRY.items()))


def select(patterns, claims: dict[str, Claim] | None = None) -> list[Claim]:
    """Claims whose id matches any pattern: an exact id, a glob (``bartlett2006/*``), a paper key, or a substring.

    Parameters
    ----------
    patterns : str or sequence of str
        The patterns (see :func:`~theorylab.engine.claim.match_ids`).
    claims : dict, optional
        The claims to choose from (default: every registered claim).

    Returns
    -------
    list of Claim
        Sorted by id.

    Raises
    ------
    InputError
        When a pattern is empty or matches nothing.
    """
    if claims is None:
        claims = all_claims()
    return [claims[i] for i in match_ids(patterns, claims, "claim")]
