"""Verification modules, one per paper: its claims and figures, built on the theorylab package."""
