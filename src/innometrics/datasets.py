"""Paths of the data sets bundled with the package (see DATA_SOURCES.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def bundled_path(*parts: str) -> Path:
    """Path of a file bundled in ``innometrics/data``, e.g. ``bundled_path("asem", "ASEM_iMeta.csv")``."""
    return Path(str(resources.files("innometrics").joinpath("data", *parts)))
