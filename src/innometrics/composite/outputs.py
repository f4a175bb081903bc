"""Write a built index to an output folder (read by the report generator).

Layout of ``out_dir``::

    stages/<stage>.csv   raw, denominated, ... aggregated: uCode then one column per code
                         (panels: uCode, Time, codes)
    results.csv          uCode, uName, [Time,] Rank, every aggregate (top level first)
    weights.csv          iCode, Level, Weight (COINr layout)
    meta.csv             the iMeta used (COINr layout, weights after the spec's overrides)
    screening.csv        data availability per unit and whether it was kept (if screened)
    rejects.csv          uCode, [Time,] reason: units left out of the index
    log.json             every step with its resolved parameters and details
    manifest.json        kind "index", spec, inputs with SHA-256, counts, tables, log

All files go through :mod:`innometrics.io.writers` (atomic); the same inputs and spec
give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innometrics import __version__
from innometrics.composite.builds import IndexBuild, PanelBuild
from innometrics.composite.spec import STAGE_OF_STEP
from innometrics.composite.weight import weights_table
from innometrics.io.manifest import file_sha256
from innometrics.io.writers import write_csv, write_json


#: Every stage name a build can write.
STAGE_NAMES = ("raw", *STAGE_OF_STEP.values())


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def _stage_frame(frame: pd.DataFrame, period: Any = None) -> pd.DataFrame:
    out = frame.reset_index()
    if period is not None:
        out.insert(1, "Time", period)
    return out


def _rejects(b: IndexBuild, period: Any = None) -> pd.DataFrame:
    rows = []
    if b.screening is not None:
        for u in b.rejected:
            s = b.screening.loc[u]
            rows.append({"uCode": u, "reason": f"screened out: data availability {s['Dat_Avail']:.4f}, non-zero share {s['Non_Zero']:.4f}"})
    out = pd.DataFrame(rows, columns=["uCode", "reason"])
    if period is not None:
        out.insert(1, "Time", period)
    return out


def write_build(build: IndexBuild | PanelBuild, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write ``build`` to ``out_dir``; return ``{table name: path}`` of the files written."""
    out = Path(out_dir)
    single = isinstance(build, IndexBuild)
    builds = {build.period: build} if single else build.builds
    first = next(iter(builds.values()))
    spec = build.spec
    tables: dict[str, str] = {}
    written: dict[str, Path] = {}

    stage_names = list(first.stages)
    # a stage file left by an earlier build with more steps would contradict the manifest
    for stale in STAGE_NAMES:
        if stale not in stage_names and (out / "stages" / f"{stale}.csv").exists():
            (out / "stages" / f"{stale}.csv").unlink()
    for stage in stage_names:
        if single:
            frame = _stage_frame(first.stages[stage])
        else:
            frame = pd.concat([_stage_frame(b.stages[stage], p) for p, b in builds.items()], ignore_index=True)
        rel = f"stages/{stage}.csv"
        written[stage] = write_csv(frame, out / rel)
        tables[f"stages/{stage}"] = rel

    written["results"] = write_csv(build.results, out / "results.csv")
    tables["results"] = "results.csv"
    written["weights"] = write_csv(weights_table(first.meta), out / "weights.csv")
    tables["weights"] = "weights.csv"
    written["meta"] = write_csv(first.meta, out / "meta.csv")
    tables["meta"] = "meta.csv"
    if first.screening is not None:
        scr = []
        for p, b in builds.items():
            s = b.screening.reset_index()
            if not single:
                s.insert(1, "Time", p)
            scr.append(s)
        written["screening"] = write_csv(pd.concat(scr, ignore_index=True), out / "screening.csv")
        tables["screening"] = "screening.csv"
    rejects = pd.concat([_rejects(b, None if single else p) for p, b in builds.items()], ignore_index=True)
    written["rejects"] = write_csv(rejects, out / "rejects.csv")
    tables["rejects"] = "rejects.csv"

    if single:
        log: list[dict[str, Any]] = first.log
    else:
        log = list(build.log) + [{**r, "period": p} for p, b in builds.items() for r in b.log]
    log = _jsonable(log)
    written["log"] = write_json({"spec": spec.to_dict(), "steps": log}, out / "log.json")
    tables["log"] = "log.json"

    n_read = sum(len(b.stages["raw"]) for b in builds.values())
    n_used = int(len(build.results))
    files = [spec.data.indicators, spec.data.meta] + ([spec.data.units] if spec.data.units else [])
    inputs = [{"path": str(p), "sha256": file_sha256(p)} for p in files]
    manifest = {
        "kind": "index",
        "created_by": f"innometrics {__version__}",
        "spec": spec.to_dict(),
        "spec_text": spec.text,
        "inputs": inputs,
        "counts": {"read": n_read, "used": n_used, "rejected": n_read - n_used},
        "tables": tables,
        "periods": [p for p in builds] if not single else None,
        "log": [{"step": r["step"], "method": r["method"], "params": r["params"]} for r in log],
    }
    written["manifest"] = write_json(_jsonable(manifest), out / "manifest.json")
    return written
