"""The ``manifest.json`` every build writes into its output folder.

It makes a result traceable to its inputs (paths and SHA-256 of every input file), to
the spec and to each step with its parameters, and it tells the report generator what
kind of result the folder holds. It contains no timestamps, so equal inputs give
byte-identical manifests.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from innometrics import __version__
from innometrics.io.writers import write_json


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_record(path: str | os.PathLike, **extra: Any) -> dict[str, Any]:
    """``{"path", "sha256", ...}`` for one input file."""
    return {"path": str(path), "sha256": file_sha256(path), **extra}


def build_manifest(
    kind: str,
    *,
    inputs: list[dict[str, Any]],
    counts: dict[str, int],
    tables: dict[str, str],
    log: list[dict[str, Any]] | None = None,
    spec: dict[str, Any] | None = None,
    spec_text: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Assemble a manifest dictionary (see the output-folder contract in the README)."""
    return {
        "kind": kind,
        "created_by": f"innometrics {__version__}",
        "spec": spec,
        "spec_text": spec_text,
        "inputs": inputs,
        "counts": counts,
        "tables": tables,
        "log": log or [],
        **extra,
    }


def write_manifest(out_dir: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` into ``out_dir`` atomically."""
    return write_json(manifest, Path(out_dir) / "manifest.json")


def extend_manifest(out_dir: str | os.PathLike, tables: dict[str, str], log_entry: dict[str, Any]) -> Path:
    """Add ``tables`` and one step to the ``manifest.json`` already in ``out_dir``.

    A step of the same name replaces the earlier entry, so re-running an analysis into
    the same folder keeps one record of it.
    """
    import json

    path = Path(out_dir) / "manifest.json"
    if path.exists():
        manifest = json.loads(path.read_text(encoding="utf-8"))
    else:
        manifest = build_manifest("unknown", inputs=[], counts={}, tables={})
    manifest.setdefault("tables", {}).update(tables)
    manifest["log"] = [e for e in manifest.get("log", []) if e.get("step") != log_entry["step"]] + [log_entry]
    return write_json(manifest, path)
