"""Finds the verification modules (one per paper) and imports them, which registers their claims."""
from __future__ import annotations

import importlib
import pkgutil

_LOADED = False


def load_verifications() -> list[str]:
    """Import every module of the ``verifications`` package once; return their names."""
    global _LOADED
    import verifications

    names = sorted(m.name for m in pkgutil.iter_modules(verifications.__path__) if not m.name.startswith("_"))
    if not _LOADED:
        for name in names:
            importlib.import_module(f"verifications.{name}")
        _LOADED = True
    return names
