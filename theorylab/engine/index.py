"""The claim index: what ``theorylab list`` prints, read from a JSON file instead of importing every paper.

Importing the verification modules (sympy, SciPy, matplotlib, numba) takes seconds; the list of claims changes
only when the sources change. So the index (id, paper, kind, source status, statement of every claim) is written
to the derivation cache folder (:func:`theorylab._cache.cache_dir`) after a full import, keyed by a digest of the
package and of the ``verifications`` sources, and read back while that key still matches. It is never written
when a verification module failed to import (that failure must show on every run), and ignored when unreadable.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

from .._cache import cache_dir, source_digest, update_with_tree
from .._files import atomic_write
from .claim import match_ids

__all__ = ["claim_rows"]

_FIELDS = ("id", "paper", "kind", "status", "statement")


def _verifications_digest() -> str | None:
    """SHA-256 of the ``verifications`` package's sources (paths and bytes), found without importing it."""
    spec = importlib.util.find_spec("verifications")
    if spec is None or not spec.submodule_search_locations:
        return None
    h = hashlib.sha256()
    for folder in spec.submodule_search_locations:
        root = Path(folder).resolve()
        h.update(str(root).encode())
        update_with_tree(h, root)
    return h.hexdigest()


def _read(path: Path, key: str) -> list[dict] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("claims"), list):
        return None
    return data["claims"]


def claim_rows(patterns="*") -> list[dict]:
    """The claims matching ``patterns``, as dicts of id, paper, kind, status and statement, sorted by id.

    Parameters
    ----------
    patterns : str or sequence of str
        As for :func:`theorylab.engine.discovery.select`.

    Returns
    -------
    list of dict
        One row per matching claim.

    Raises
    ------
    InputError
        When a pattern is empty or matches nothing (the same messages as ``select``).
    """
    folder, vdigest = cache_dir(), _verifications_digest()
    key = None if vdigest is None else hashlib.sha256(f"{source_digest()} {vdigest}".encode()).hexdigest()
    path = None if folder is None or key is None else folder / "claim-index.json"
    rows = None if path is None else _read(path, key)
    if rows is None:
        from .discovery import IMPORT_ERRORS, all_claims

        rows = [{f: (c.id if f == "id" else getattr(c, f)) for f in _FIELDS} for c in all_claims().values()]
        if path is not None and not IMPORT_ERRORS:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(str(path), json.dumps({"key": key, "claims": rows}, ensure_ascii=False))
            except OSError:  # an unwritable cache only costs time
                pass
    by_id = {r["id"]: r for r in rows}
    return [by_id[i] for i in match_ids(patterns, by_id, "claim")]
