"""Theory: calibration and ψ-transforms, H-consistency transforms and the tight transform, gaps, growth, and
:func:`analyse` (what the theory says about any one loss). Submodules load on first use (PEP 562)."""
from __future__ import annotations

__all__ = ["analyse"]


def __getattr__(name):
    if name == "analyse":
        from .analysis import analyse
        return analyse
    raise AttributeError(f"module 'theorylab.theory' has no attribute {name!r}")
