"""Derivations cached across processes: sympy results on disk, keyed by the arguments and the package source.

A symbolic derivation (a ψ-transform, a growth function) costs seconds and gives the same answer every time,
so :func:`disk_cached` keeps it in memory for the process and in a pickle file for later processes: the
runner's workers, a rerun, the test suite. The key is a SHA-256 of the function's qualified name, a canonical
form of its arguments (``sympy.srepr`` for expressions, ``repr`` for numbers and strings) and a digest of the
whole package's source files with the Python and sympy versions, so a changed formula anywhere in ``theorylab`` invalidates every entry (no stale
answer survives an edit or an upgrade).

Where: ``$THEORYLAB_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/theorylab`` or ``~/.cache/theorylab``
(beside numba's own cache, which lives in the package's ``__pycache__``). ``THEORYLAB_CACHE=0`` turns the disk
cache off (memory only). A file that cannot be read is recomputed and replaced; a folder that cannot be written
is skipped silently: the cache only ever saves time, it never changes an answer or fails a call.
"""
from __future__ import annotations

import functools
import hashlib
from importlib import metadata
import os
import pickle
import sys
from pathlib import Path

from ._files import atomic_write

__all__ = ["cache_dir", "disk_cached", "source_digest", "update_with_tree"]

_FORMAT = 1  # bump when the file layout changes


def cache_dir() -> Path | None:
    """The folder of the derivation cache, or None when the disk cache is off (``THEORYLAB_CACHE=0``).

    Returns
    -------
    pathlib.Path or None
        ``$THEORYLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/theorylab``, else ``~/.cache/theorylab`` (not created
        here).
    """
    if os.environ.get("THEORYLAB_CACHE", "1").strip() == "0":
        return None
    explicit = os.environ.get("THEORYLAB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "theorylab"


@functools.lru_cache(maxsize=1)
def source_digest() -> str:
    """SHA-256 over the package's Python sources (paths and bytes), the Python and sympy versions; once per process.

    Returns
    -------
    str
        Hex digest; it changes whenever any ``theorylab/**/*.py`` file, Python's minor version or sympy changes.
    """
    h = hashlib.sha256(f"{_FORMAT} {sys.version_info[:2]} sympy {metadata.version('sympy')}".encode())
    update_with_tree(h, Path(__file__).resolve().parent)
    return h.hexdigest()


def update_with_tree(h, root: Path) -> None:
    """Feed every ``*.py`` file below ``root`` (relative path, then bytes, in sorted order) into the hash ``h``.

    Parameters
    ----------
    h : hashlib hash object
        Updated in place.
    root : pathlib.Path
        The folder.
    """
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())


def _canonical(v) -> str:
    """A deterministic text form of one argument: srepr for sympy objects, repr otherwise."""
    if hasattr(v, "func") and hasattr(v, "args") and type(v).__module__.startswith("sympy"):
        import sympy as sp
        return "sympy:" + sp.srepr(v)
    if isinstance(v, (tuple, list)):
        return type(v).__name__ + "(" + ",".join(_canonical(x) for x in v) + ")"
    if v is None or isinstance(v, (bool, int, float, str)):
        return type(v).__name__ + ":" + repr(v)
    raise TypeError(f"cannot key the derivation cache on a {type(v).__name__}")


def disk_cached(fn):
    """Decorator: memoise ``fn`` in memory and on disk (see the module docstring for key and location).

    The arguments must be sympy objects, numbers, strings, None or tuples of them; the result must pickle.
    Results are returned as loaded (sympy expressions are immutable, so sharing them is safe).

    Parameters
    ----------
    fn : callable
        A pure function of hashable, canonically printable arguments.

    Returns
    -------
    callable
        The memoised function, with ``cache_clear()`` (memory only) and ``__wrapped__``.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.lru_cache(maxsize=None, typed=True)  # typed: 1 and 1.0 are different keys, as on disk
    def memo(*args):
        folder = cache_dir()
        if folder is None:
            return fn(*args)
        try:
            key = hashlib.sha256("\n".join([source_digest(), name, *map(_canonical, args)]).encode()).hexdigest()
        except TypeError:
            return fn(*args)
        path = folder / "derivations" / f"{key}.pkl"
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # missing, truncated, from another Python: recompute and replace
            pass
        result = fn(*args)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(str(path), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # unwritable folder, unpicklable result: memory cache only
            pass
        return result

    return functools.update_wrapper(memo, fn)
