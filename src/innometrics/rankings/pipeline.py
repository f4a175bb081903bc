"""Ranking build: spec -> records -> credits -> per-level tables -> output folder.

>>> # rank_build("examples/rankings/wos.toml")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innometrics import __version__
from innometrics.entities.countries import country_names
from innometrics.errors import DataError, reading
from innometrics.io.manifest import file_sha256
from innometrics.io.writers import write_csv, write_json
from innometrics.rankings.counting import (
    DECIMALS,
    Grouping,
    round_floats,
    count_column,
    count_units,
    read_grouping,
    record_unit_credits,
    total_weight,
    unit_names,
)
from innometrics.rankings.credits import UNKNOWN, LoadedRecords, load_recordset
from innometrics.rankings.engines import Engine, connect
from innometrics.rankings.indicators import level_table
from innometrics.rankings.spec import RankSpec, load_spec
from innometrics.rankings.stability import stability_intervals



@dataclass
class RankResult:
    """The result of :func:`rank_build`.

    Attributes
    ----------
    levels : dict of str to DataFrame
        ``rank, unit, name, p_full, p_frac, [p_<method>,] share, p_int_collab,
        pp_int_collab, mcs, pp_top10`` (+ ``*_lb, *_ub`` stability intervals).
    yearly : dict of str to DataFrame
        ``unit, year, p_full, p_frac, [p_<method>]`` per year.
    windows : dict of str to DataFrame
        ``window, unit, p_full, p_frac, [p_<method>], share`` per extra window.
    credits : DataFrame
        ``level, record_id, unit, p_full, p_frac, [p_<method>]``: the drill-down.
    rejects : DataFrame
        ``file, row, record_id, reason``: read rejects plus records outside the years.
    summary : dict
    log : list of dict
    spec : RankSpec
    """

    levels: dict[str, pd.DataFrame]
    yearly: dict[str, pd.DataFrame]
    windows: dict[str, pd.DataFrame]
    credits: pd.DataFrame
    rejects: pd.DataFrame
    summary: dict[str, Any]
    log: list[dict[str, Any]]
    spec: RankSpec
    inputs: list[str] = field(default_factory=list)
    records: pd.DataFrame | None = None  # the used records (id, year, type, title, weight, citations)

    def __repr__(self) -> str:
        c = self.summary["counts"]
        lines = [
            f"RankResult(method={self.spec.method}, engine={self.summary['engine']}, "
            f"years={self.summary['years']})",
            f"  records: read={c['read']} used={c['used']} rejected={c['rejected']}; "
            f"total weight {self.summary['total_weight']:g}",
        ]
        col = count_column(self.spec.method)
        for level, df in self.levels.items():
            top = df[df["rank"].notna()].head(3)
            tops = ", ".join(f"{r.unit} {getattr(r, col):.4g}" for r in top.itertuples())
            lines.append(f"  {level}: {int(df['rank'].notna().sum())} units; top: {tops}")
        return "\n".join(lines)


def _filter_records(rs, spec: RankSpec):
    """Apply weights and the years window; return (records used, extra rejects)."""
    records = rs.records.copy()
    rejects = []
    if spec.weights_file:
        with reading(spec.weights_file, "weights file"):
            wf = pd.read_csv(spec.weights_file, dtype={"record_id": str})
        if "record_id" not in wf.columns or spec.weight_column not in wf.columns:
            raise DataError(f"weights file needs columns 'record_id' and '{spec.weight_column}'; found "
                            f"{list(wf.columns)}", file=spec.weights_file, reason="schema")
        weights = pd.to_numeric(wf.set_index("record_id")[spec.weight_column], errors="coerce")
        records["weight"] = records["record_id"].map(weights)
        bad = records["weight"].isna() | (records["weight"] < 0)
        for rid in records.loc[bad, "record_id"]:
            rejects.append({"file": spec.weights_file, "row": pd.NA, "record_id": rid, "reason": "missing_weight"})
        records = records[~bad]
    elif spec.weight_column != "weight":
        if spec.weight_column not in records.columns:
            raise DataError(f"records have no column '{spec.weight_column}'; give weights_file with record_id "
                            f"and '{spec.weight_column}' columns", column=spec.weight_column, reason="schema")
        records["weight"] = pd.to_numeric(records[spec.weight_column], errors="coerce")
    if spec.years is not None:
        first, last = spec.years
        no_year = records["year"].isna()
        outside = ~no_year & ~records["year"].between(first, last)
        for rid in records.loc[no_year, "record_id"]:
            rejects.append({"file": None, "row": pd.NA, "record_id": rid, "reason": "missing_year"})
        for rid in records.loc[outside, "record_id"]:
            rejects.append({"file": None, "row": pd.NA, "record_id": rid, "reason": "outside_years"})
        records = records[~(no_year | outside)]
    keep = set(records["record_id"])
    from innometrics.records.model import RecordSet

    used = RecordSet(
        records=records.reset_index(drop=True),
        contributors=rs.contributors[rs.contributors["record_id"].isin(keep)].reset_index(drop=True),
        affiliations=rs.affiliations[rs.affiliations["record_id"].isin(keep)].reset_index(drop=True),
        rejects=rs.rejects,
        counts=dict(rs.counts),
        sources=list(rs.sources),
    )
    return used, pd.DataFrame(rejects, columns=["file", "row", "record_id", "reason"])


def rank_build(
    spec: RankSpec | dict | str | os.PathLike,
    *,
    engine: Engine | str | None = None,
    recordset=None,
) -> RankResult:
    """Build the rankings described by ``spec``.

    Parameters
    ----------
    spec : RankSpec, dict or path
        The spec (see :mod:`~innometrics.rankings.spec`).
    engine : Engine or str, optional
        An open engine, or a name for :func:`~innometrics.rankings.engines.connect`
        (default DuckDB in memory).
    recordset : RecordSet, optional
        Records already read (``records.path`` is then not read).
    """
    if not isinstance(spec, RankSpec):
        spec = load_spec(spec)
    log: list[dict[str, Any]] = []
    inputs: list[str] = []
    if recordset is None:
        from innometrics.records.read import read_records

        recordset = read_records(spec.records_path, format=spec.records_format,
                                 allow_missing_affiliations=spec.allow_missing_affiliations)
        inputs.append(spec.records_path)
    log.append({"step": "read", "method": spec.records_format or "auto",
                "params": {"path": spec.records_path, **recordset.counts}})
    used, extra_rejects = _filter_records(recordset, spec)
    log.append({"step": "select", "method": "years", "params": {"years": list(spec.years) if spec.years else None,
                                                                "weights_file": spec.weights_file,
                                                                "weight_column": spec.weight_column}})
    groupings: dict[str, Grouping] = {
        g.name: read_grouping(g.name, g.base, g.file, unmapped=g.unmapped) for g in spec.groupings
    }
    registry, institutions_summary = None, None
    if spec.institutions is not None:
        used, registry, institutions_summary, rollup = _resolve_institutions(used, spec, log)
        inputs.append(spec.institutions.registry)
        if rollup is not None and "institution" in spec.levels:
            groupings["institution"] = rollup
    inputs += [g.file for g in spec.groupings] + ([spec.weights_file] if spec.weights_file else [])

    own_engine = not isinstance(engine, Engine)
    eng = connect(engine) if own_engine else engine
    try:
        needed = {groupings[lv].base if lv in groupings else lv for lv in spec.levels}
        loaded = load_recordset(eng, used, top_proportion=spec.top_proportion, levels=tuple(sorted(needed)))
        log.append({"step": "load", "method": "credits", "params": {"engine": eng.name,
                                                                    "top_proportion": spec.top_proportion}})
        result = _rank_loaded(loaded, used, spec, groupings, log, registry=registry)
    finally:
        if own_engine:
            eng.close()

    rejects = pd.concat([recordset.rejects.astype(object), extra_rejects.astype(object)], ignore_index=True)
    n_read = int(recordset.counts.get("read", len(recordset.records) + len(recordset.rejects)))
    counts = {"read": n_read, "used": len(used.records), "rejected": len(rejects)}
    if counts["read"] != counts["used"] + counts["rejected"]:
        raise DataError(f"record counts do not reconcile: read {counts['read']} != used {counts['used']} + "
                        f"rejected {counts['rejected']}", reason="counts")
    levels, yearly, windows, credits, level_summary, total = result
    summary = {
        "counts": counts,
        "engine": eng.name,
        "method": spec.method,
        "years": list(spec.years) if spec.years else None,
        "total_weight": total,
        "levels": level_summary,
        "reject_reasons": {str(k): int(v) for k, v in rejects["reason"].value_counts().sort_index().items()},
        "stability": ({"resamples": spec.resamples, "seed": spec.seed, "coverage": spec.coverage}
                      if spec.resamples else None),
    }
    if institutions_summary is not None:
        summary["institutions"] = institutions_summary
    record_cols = [c for c in ("record_id", "year", "type", "title", "weight", "citations") if c in used.records.columns]
    return RankResult(levels=levels, yearly=yearly, windows=windows, credits=credits, rejects=rejects,
                      summary=summary, log=log, spec=spec, inputs=inputs,
                      records=used.records[record_cols].sort_values("record_id", kind="mergesort").reset_index(drop=True))


def _resolve_institutions(used, spec: RankSpec, log: list):
    """Match the used records' affiliations to the spec's ROR registry; the roll-up grouping when asked."""
    import dataclasses

    from innometrics.entities.institutions.matcher import shared_matcher
    from innometrics.entities.institutions.resolve import resolve_affiliations, rollup_mapping
    from innometrics.entities.institutions.ror import load_registry

    inst = spec.institutions
    registry = load_registry(inst.registry, cache_dir=inst.cache_dir)
    aff, counts = resolve_affiliations(used.affiliations, shared_matcher(registry))
    used = dataclasses.replace(used, affiliations=aff)
    log.append({"step": "institutions", "method": "ror_match",
                "params": {"registry": inst.registry, "sha256": registry.sha256, "rollup": inst.rollup}})
    summary = {"registry": inst.registry, "registry_sha256": registry.sha256, "organisations": int(len(registry.orgs)),
               "rollup": inst.rollup, **counts}
    rollup = None
    if inst.rollup != "none":
        mapping = rollup_mapping(registry, aff, inst.rollup)
        summary["units_rolled_up"] = int((mapping["unit"] != mapping["group"]).sum())
        rollup = Grouping(name="institution", base="institution", mapping=mapping, unmapped="keep")
    return used, registry, summary, rollup


def _institution_columns(table: pd.DataFrame, registry) -> pd.DataFrame:
    """``matched``, ``country`` and ``city`` of each institution unit (from the registry for ROR units)."""
    from innometrics.entities.institutions.resolve import institution_details

    details = institution_details(registry, table["unit"]).rename(columns={"ror_country": "country",
                                                                           "ror_city": "city"})
    details["matched"] = details["matched"].astype("boolean")
    details.loc[details["unit"] == UNKNOWN, "matched"] = pd.NA  # no affiliation at all: neither
    return table.merge(details, on="unit", how="left")


def _rank_loaded(loaded: LoadedRecords, used, spec: RankSpec, groupings: dict[str, Grouping], log: list,
                 registry=None):
    method = spec.method
    col = count_column(method)
    total, n_records = total_weight(loaded)
    facts = loaded.engine.execute(loaded.facts.select("record_key", "record_id", "weight"))
    facts = facts.sort_values("record_key", kind="mergesort").reset_index(drop=True)
    levels, yearly, windows, credit_frames, summary = {}, {}, {}, [], {}
    value_cols = ["p_full", "p_frac"] + ([col] if col not in ("p_full", "p_frac") else [])
    for level in spec.levels:
        grouping = groupings.get(level)
        counts = count_units(loaded, level, method, grouping=grouping)
        names = unit_names(loaded, level, grouping=grouping)
        lookup = country_names() if (level == "country" and grouping is None) else None
        table = level_table(counts, names, method, total, name_lookup=lookup)
        if level == "institution" and registry is not None:
            table = _institution_columns(table, registry)
        log.append({"step": "count", "method": method, "params": {"level": level,
                                                                   "grouping": grouping.base if grouping else None}})
        pairs = record_unit_credits(loaded, level, method, grouping=grouping)
        if spec.resamples:
            intervals = stability_intervals(pairs, facts[["record_key", "weight"]], list(table["unit"]), method,
                                            n_resamples=spec.resamples, seed=spec.seed, coverage=spec.coverage)
            table = table.merge(intervals, on="unit", how="left")
            log.append({"step": "stability", "method": "bootstrap_records",
                        "params": {"level": level, "resamples": spec.resamples, "seed": spec.seed,
                                   "coverage": spec.coverage}})
        levels[level] = table
        y = count_units(loaded, level, method, grouping=grouping, by_year=True)
        yearly[level] = y[["unit", "year"] + value_cols].reset_index(drop=True)
        if spec.windows:
            frames = []
            for first, last in spec.windows:
                w = count_units(loaded, level, method, period=(first, last), grouping=grouping)
                w_total, _ = total_weight(loaded, period=(first, last))
                w = w.assign(window=f"{first}-{last}", share=(w[col] / w_total) if w_total else np.nan)
                frames.append(w[["window", "unit"] + value_cols + ["share"]])
            windows[level] = pd.concat(frames, ignore_index=True)
        drill = pairs.merge(facts[["record_key", "record_id"]], on="record_key", how="left")
        credit_frames.append(drill.assign(level=level)[["level", "record_id", "unit"] + value_cols])
        summary[level] = {
            "units": int(table["rank"].notna().sum()),
            f"sum_{col}": float(round(table[col].sum(), DECIMALS)),
            "sum_p_frac": float(round(table["p_frac"].sum(), DECIMALS)),
            "unknown_p_frac": float(round(table.loc[table["unit"] == UNKNOWN, "p_frac"].sum(), DECIMALS)),
            # each engine sum is rounded to DECIMALS, so allow that rounding per unit
            "reconciled": bool(abs(table["p_frac"].sum() - total)
                               <= 1e-9 * max(1.0, abs(total)) + len(table) * 10.0 ** -DECIMALS),
        }
    credits = pd.concat(credit_frames, ignore_index=True) if credit_frames else pd.DataFrame()
    credits = credits.sort_values(["level", "record_id", "unit"], kind="mergesort").reset_index(drop=True)
    return levels, yearly, windows, credits, summary, total


def write_rank(result: RankResult, out_dir: str | os.PathLike) -> Path:
    """Write a ranking build into ``out_dir`` (tables, rejects, summary, manifest).

    Files: ``<level>.csv``, ``yearly_<level>.csv``, ``windows_<level>.csv`` (when
    windows are given), ``credits.csv``, ``records.csv``, ``rejects.csv``,
    ``summary.json`` and ``manifest.json`` (kind ``rank``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, str] = {}
    for level, df in result.levels.items():
        write_csv(round_floats(df), out / f"{level}.csv")
        tables[level] = f"{level}.csv"
        write_csv(round_floats(result.yearly[level]), out / f"yearly_{level}.csv")
        tables[f"yearly_{level}"] = f"yearly_{level}.csv"
        if level in result.windows:
            write_csv(round_floats(result.windows[level]), out / f"windows_{level}.csv")
            tables[f"windows_{level}"] = f"windows_{level}.csv"
    write_csv(round_floats(result.credits), out / "credits.csv")
    tables["credits"] = "credits.csv"
    write_csv(result.rejects, out / "rejects.csv")
    tables["rejects"] = "rejects.csv"
    if result.records is not None:
        # Year, type and title of every used record, for the drill-down from a unit to its records.
        write_csv(result.records, out / "records.csv")
        tables["records"] = "records.csv"
    write_json(result.summary, out / "summary.json")
    manifest = {
        "kind": "rank",
        "created_by": f"innometrics {__version__}",
        "spec": result.spec.to_dict(),
        "spec_text": result.spec.text,
        "inputs": [{"path": p, "sha256": file_sha256(p) if Path(p).is_file() else None} for p in result.inputs],
        "counts": result.summary["counts"],
        "tables": tables,
        "summary": "summary.json",
        "log": result.log,
    }
    write_json(manifest, out / "manifest.json")
    return out
