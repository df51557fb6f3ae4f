"""Files written atomically: a temporary file in the target's folder, renamed into place.

An interrupt (Ctrl-C, a kill) at any moment leaves either the old file or the new one, never part of
one; the temporary file is removed when the write does not complete. Below every layer, so the engine's
outputs and the derivation cache (:mod:`theorylab._cache`) share it.
"""
from __future__ import annotations

import os
import tempfile


def atomic_write(path: str, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (``os.replace`` of a finished temporary file).

    Parameters
    ----------
    path : str
        The destination; its folder must exist.
    data : bytes or str
        The whole content (``str`` is written as UTF-8).
    """
    payload = data.encode() if isinstance(data, str) else data
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
