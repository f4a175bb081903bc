"""The trends job: read a panel, derive ratios and indices, compute trends, write a bundle.

:func:`run_trends` is what ``innometrics trends`` and the demo call; it returns a
:class:`TrendsResult` whose tables are plain DataFrames, so it works the same in a
notebook.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from innometrics.io.manifest import build_manifest, input_record, write_manifest
from innometrics.io.panels import PanelRead, read_indicator_meta, read_panel
from innometrics.io.writers import write_csv, write_table
from innometrics.panel.trends import base_index, compute_trends, per_capita


@dataclass
class TrendsResult:
    """Trends of a panel, with everything needed to trace and report them."""

    trends: pd.DataFrame
    panel: pd.DataFrame
    units: pd.DataFrame
    indicators: pd.DataFrame | None
    rejects: pd.DataFrame
    counts: dict[str, int]
    inputs: list[dict]
    log: list[dict] = field(default_factory=list)
    indexed: pd.DataFrame | None = None
    highlight: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"<TrendsResult {len(self.trends)} unit-indicator pairs "
            f"({self.trends['unit'].nunique()} units, {self.trends['indicator'].nunique()} indicators); "
            f"read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}>"
        )


def derive(
    panel: pd.DataFrame,
    *,
    per: str | None = None,
    scale: float = 1.0,
    per_indicators: list[str] | None = None,
    base_period: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[dict]]:
    """Add per-capita series to ``panel`` and compute a base-period index; return the log too."""
    log: list[dict] = []
    if per is not None:
        ratios = per_capita(panel, per, scale=scale, indicators=per_indicators)
        panel = pd.concat([panel, ratios], ignore_index=True)
        log.append({"step": "per_capita", "method": "ratio",
                    "params": {"denominator": per, "scale": scale, "indicators": per_indicators}})
    indexed = None
    if base_period is not None:
        indexed = base_index(panel, base_period)
        log.append({"step": "base_index", "method": "rebase", "params": {"base_period": base_period, "base_value": 100}})
    return panel, indexed, log


def with_ratio_metadata(indicators: pd.DataFrame, panel: pd.DataFrame, per: str, scale: float) -> pd.DataFrame:
    """Add metadata rows for the ``<code>_per_<scale>_<per>`` ratio series of ``panel``.

    Name and unit say what the ratio is ("... per 10,000 Resident population"), so
    reports label per-capita views properly.
    """
    meta = indicators.set_index("code", drop=False)
    suffix = f"_per_{scale:g}_{per}"
    den_name = meta["name"].get(per) if "name" in meta else None
    den_label = str(den_name) if isinstance(den_name, str) and den_name else per
    rows = []
    for code in sorted(set(panel["indicator"])):
        if not code.endswith(suffix) or code in meta.index:
            continue
        base = code[: -len(suffix)]
        row = meta.loc[base].to_dict() if base in meta.index else {"code": base}
        name = row.get("name") if isinstance(row.get("name"), str) else base
        unit = row.get("unit") if isinstance(row.get("unit"), str) else ""
        row.update(code=code, name=f"{name} per {scale:,g} {den_label.lower()}",
                   unit=f"{unit} per {scale:,g} {den_label.lower()}".strip(), denominator=per)
        rows.append(row)
    if not rows:
        return indicators
    return pd.concat([indicators, pd.DataFrame(rows)], ignore_index=True)


def run_trends(
    panel_path: str | os.PathLike,
    *,
    meta_path: str | os.PathLike | None = None,
    per: str | None = None,
    scale: float = 1.0,
    per_indicators: list[str] | None = None,
    base_period: int | None = None,
    directional: bool = False,
    layout: str = "auto",
    encoding: str = "utf-8",
    strict: bool = False,
    allow_infinite: bool = False,
) -> TrendsResult:
    """Read ``panel_path`` (and optional metadata) and compute trends.

    Infinite values are rejected as ``non_finite`` unless ``allow_infinite``.

    See :func:`innometrics.panel.trends.compute_trends` for the definitions. With
    ``directional=True`` CAGR is multiplied by each indicator's direction from the
    metadata, as COINr's ``get_trends`` does.
    """
    meta = read_indicator_meta(meta_path, encoding=encoding) if meta_path is not None else None
    known = None
    if meta is not None:
        known = list(meta["code"]) if meta["type"].isna().all() else list(meta.loc[meta["type"].isna() | meta["type"].isin(["Indicator", "Denominator"]), "code"])
    read: PanelRead = read_panel(panel_path, layout=layout, encoding=encoding, indicators=known, strict=strict,
                                 allow_infinite=allow_infinite)
    inputs = [input_record(panel_path)] + ([input_record(meta_path)] if meta_path is not None else [])
    log = [{"step": "read", "method": read.layout, "params": {"path": str(panel_path), "encoding": encoding, "strict": strict}}]
    return trends_from_panel(read.panel, units=read.units, indicators=meta, rejects=read.rejects,
                             read=read.read, inputs=inputs, log=log, per=per, scale=scale,
                             per_indicators=per_indicators, base_period=base_period, directional=directional)


def trends_from_panel(
    panel: pd.DataFrame,
    *,
    units: pd.DataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    rejects: pd.DataFrame | None = None,
    read: int | None = None,
    inputs: list[dict] | None = None,
    log: list[dict] | None = None,
    per: str | None = None,
    scale: float = 1.0,
    per_indicators: list[str] | None = None,
    base_period: int | None = None,
    directional: bool = False,
    highlight: list[str] | None = None,
) -> TrendsResult:
    """Compute trends for an in-memory panel (the notebook entry point)."""
    from innometrics.io.panels import REJECT_COLUMNS

    rejects = rejects if rejects is not None else pd.DataFrame(columns=REJECT_COLUMNS)
    used = len(panel)
    panel, indexed, derive_log = derive(panel, per=per, scale=scale, per_indicators=per_indicators, base_period=base_period)
    if per is not None and indicators is not None:
        indicators = with_ratio_metadata(indicators, panel, per, scale)
    directions = None
    if directional and indicators is not None:
        directions = dict(zip(indicators["code"], indicators["direction"].fillna(1.0)))
    trends = compute_trends(panel, directions=directions)
    steps = list(log or []) + derive_log + [{"step": "trends", "method": "first_last_cagr", "params": {"directional": directional}}]
    return TrendsResult(
        trends=trends,
        panel=panel,
        units=units if units is not None else pd.DataFrame({"code": sorted(panel["unit"].unique())}),
        indicators=indicators,
        rejects=rejects,
        counts={"read": int(read if read is not None else used + len(rejects)), "used": used, "rejected": len(rejects)},
        inputs=inputs or [],
        log=steps,
        indexed=indexed,
        highlight=list(highlight or []),
    )


def index_panel_path(out: str | os.PathLike) -> Path:
    """Where file mode writes the base-period index: ``trends.csv`` -> ``trends.index_panel.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.index_panel{out.suffix}")


#: ``--out`` paths with these extensions receive the trends table alone, not a folder.
TABLE_SUFFIXES = frozenset({".csv", ".parquet", ".pq", ".xlsx"})


def write_trends(result: TrendsResult, out: str | os.PathLike) -> Path:
    """Write the trends table to a file, or a full bundle to a folder.

    ``out`` with a table extension (``.csv``, ``.parquet``, ``.xlsx``) receives the trends
    table only (and ``<name>.rejects.csv`` beside it when rows were rejected, and
    ``<name>.index_panel<ext>`` with a base period). Any other
    path is a folder receiving ``trends.csv``, ``panel.csv``, ``units.csv``,
    ``indicators.csv``, ``rejects.csv``, ``index_panel.csv`` (with a base period) and
    ``manifest.json``.
    """
    out = Path(out)
    if out.suffix.lower() in TABLE_SUFFIXES:
        write_table(result.trends, out)
        if len(result.rejects):
            write_csv(result.rejects, out.with_suffix(".rejects.csv"))
        if result.indexed is not None:
            write_table(result.indexed, index_panel_path(out))
        return out
    out.mkdir(parents=True, exist_ok=True)
    tables = {"trends": "trends.csv", "panel": "panel.csv", "units": "units.csv", "rejects": "rejects.csv"}
    write_csv(result.trends, out / "trends.csv")
    panel = result.panel
    if "name" in result.units.columns:
        panel = panel.merge(result.units[["code", "name"]].rename(columns={"code": "unit", "name": "unit_name"}), on="unit", how="left")
    write_csv(panel, out / "panel.csv")
    write_csv(result.units, out / "units.csv")
    write_csv(result.rejects, out / "rejects.csv")
    if result.indicators is not None:
        write_csv(result.indicators, out / "indicators.csv")
        tables["indicators"] = "indicators.csv"
    if result.indexed is not None:
        write_csv(result.indexed, out / "index_panel.csv")
        tables["index_panel"] = "index_panel.csv"
    write_manifest(out, build_manifest("trends", inputs=result.inputs, counts=result.counts, tables=tables,
                                       log=result.log, highlight=result.highlight))
    return out
