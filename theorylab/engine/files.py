"""Output files: atomic writes (:func:`theorylab._files.atomic_write`) and checks that a path can be written.

An interrupt (Ctrl-C, a kill) at any moment leaves either the old file or the new one, never part of
one; the temporary file is removed when the write does not complete.
"""
from __future__ import annotations

import os
import tempfile

from .._files import atomic_write
from .._validation import InputError

__all__ = ["atomic_write", "check_writable_file", "check_writable_dir"]


def check_writable_file(name: str, path: str) -> str:
    """Return ``path`` when a file can be written there; raise :class:`InputError` otherwise.

    Checked before any work starts, so a bad ``--json`` path fails in one line, not after the run.

    Parameters
    ----------
    name : str
        The argument's name, for the message (``--json``).
    path : str
        The file to be written (it may exist; it is replaced atomically).

    Returns
    -------
    str
        ``path`` unchanged.
    """
    if not isinstance(path, str) or not path.strip():
        raise InputError(f"{name}={path!r} is not allowed; give a file path")
    if os.path.isdir(path):
        raise InputError(f"{name}={path!r} is a folder; give a file path")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError(f"{name}={path!r}: folder {folder!r} does not exist")
    _probe(name, path, folder)
    return path


def _probe(name: str, path: str, folder: str) -> None:
    """Create and remove a temporary file in ``folder``: the real test that the write will work."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".theorylab-probe.", dir=folder)
    except OSError as exc:
        raise InputError(f"{name}={path!r} is not writable ({exc.strerror})") from None
    os.close(fd)
    os.unlink(tmp)


def check_writable_dir(name: str, path: str) -> str:
    """Return ``path`` when it is (or can be created as) a writable folder; raise :class:`InputError` otherwise.

    Parameters
    ----------
    name : str
        The argument's name, for the message (``--out``).
    path : str
        The folder.

    Returns
    -------
    str
        ``path`` unchanged.
    """
    if not isinstance(path, str) or not path.strip():
        raise InputError(f"{name}={path!r} is not allowed; give a folder path")
    probe = os.path.abspath(path)
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        raise InputError(f"{name}={path!r}: {probe!r} is a file, not a folder")
    _probe(name, path, probe)
    return path
