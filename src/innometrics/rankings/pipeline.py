"""Ranking build: spec -> records -> credits -> per-level tables -> output folder.

>>> # rank_build("examples/rankings/wos.toml")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innometrics import __version__
from innometrics.entities.countries import country_names, fold_ascii
from innometrics.entities.resolve import read_resolved, resolve_records
from innometrics.errors import DataError, SpecError, reading
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
from innometrics.rankings.patents import (PATENT_LEVELS, field_labels, field_matrix, field_recordset, per_million,
                                          person_keys, project, sector_mapping)
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
    #: Extra output tables by file stem (patents: ``fields``, ``per_million``, ``members``).
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

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
    memory_limit: str | None = None,
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
    memory_limit : str, optional
        DuckDB's memory limit for the engine opened here (e.g. ``"10GB"``; see
        :func:`~innometrics.rankings.engines.connect`); not with an open ``engine``.
    """
    if memory_limit is not None and isinstance(engine, Engine):
        raise SpecError("a memory limit is set when the engine is opened; pass the engine's name, "
                        "not an open engine, with memory_limit.", key="memory_limit")
    if not isinstance(spec, RankSpec):
        spec = load_spec(spec)
    log: list[dict[str, Any]] = []
    inputs: list[str] = []
    if recordset is None:
        recordset = read_resolved(spec.records_path, format=spec.records_format,
                                  allow_missing_affiliations=spec.allow_missing_affiliations)
        inputs.append(spec.records_path)
    else:  # records read by the caller may be raw; resolving a resolved set changes nothing
        recordset = resolve_records(recordset)
    log.append({"step": "read", "method": spec.records_format or "auto",
                "params": {"path": spec.records_path, **recordset.counts}})
    if spec.patents is not None:
        return _rank_patents(spec, recordset, engine=engine, log=log, inputs=inputs, memory_limit=memory_limit)
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
    eng = connect(engine, memory_limit=memory_limit) if own_engine else engine
    try:
        needed = {groupings[lv].base if lv in groupings else lv for lv in spec.levels}
        loaded = load_recordset(eng, used, top_proportion=spec.top_proportion, levels=tuple(sorted(needed)))
        log.append({"step": "load", "method": "credits", "params": {"engine": eng.name,
                                                                    "memory_limit": memory_limit,
                                                                    "top_proportion": spec.top_proportion}})
        sources = {lv: (loaded, lv, groupings.get(lv)) for lv in spec.levels}
        result = _rank_loaded(sources, spec, log, registry=registry)
    finally:
        if own_engine:
            eng.close()

    levels, yearly, windows, credits, level_summary, total = result
    rejects, counts, summary = _reconciled_summary(recordset, extra_rejects, len(used.records), eng, spec,
                                                   total, level_summary)
    if institutions_summary is not None:
        summary["institutions"] = institutions_summary
    record_cols = [c for c in ("record_id", "year", "type", "title", "weight", "citations") if c in used.records.columns]
    return RankResult(levels=levels, yearly=yearly, windows=windows, credits=credits, rejects=rejects,
                      summary=summary, log=log, spec=spec, inputs=inputs,
                      records=used.records[record_cols].sort_values("record_id", kind="mergesort").reset_index(drop=True))


def _rank_patents(spec: RankSpec, recordset, *, engine, log: list, inputs: list[str],
                  memory_limit: str | None = None) -> RankResult:
    """A patent build: project applications onto counted units (families), count each level.

    See :mod:`~innometrics.rankings.patents`. ``counts`` are about the applications
    read (``used`` = applications in counted units); ``summary["patents"]`` gives the
    number of units counted.
    """
    from innometrics.records.model import RecordSet

    opts = spec.patents
    rs = recordset
    records = rs.records
    pre_rejects = []
    if opts.date != "priority":
        date_col = f"{opts.date}_date"
        missing = records[date_col].isna()
        reason = "not_granted" if opts.date == "grant" else f"missing_{opts.date}_date"
        pre_rejects = [{"file": None, "row": pd.NA, "record_id": rid, "reason": reason}
                       for rid in records.loc[missing, "record_id"]]
        records = records[~missing]
    keep = set(records["record_id"])
    con = rs.contributors[rs.contributors["record_id"].isin(keep)]
    con = con.assign(name_key=person_keys(con))[["record_id", "position", "role", "country", "identifier", "name",
                                                  "name_key"]]
    registry, institutions_summary = None, None
    if spec.institutions is not None:
        con, registry, institutions_summary = _match_applicants(con, spec, log)
        inputs.append(spec.institutions.registry)
    aff = rs.affiliations[rs.affiliations["record_id"].isin(keep)][["record_id", "position", "city"]]
    rec = records[["record_id", "family_simple", "family_extended", "priority_date", "filing_date",
                   "publication_date", "grant_date"]]

    own_engine = not isinstance(engine, Engine)
    eng = connect(engine, memory_limit=memory_limit) if own_engine else engine
    try:
        tag = eng.fresh_name("pat")
        t_rec = eng.upload(f"{tag}_records", rec)
        t_con = eng.upload(f"{tag}_contributors", con)
        t_aff = eng.upload(f"{tag}_affiliations", aff.astype({"position": "float64"}))
        u_rec, u_con, u_aff, members = project(t_rec, t_con, t_aff, by=opts.by, family=opts.family, date=opts.date)
        units = eng.execute(u_rec).sort_values("record_id", kind="mergesort").reset_index(drop=True)
        u_con = eng.execute(u_con)
        u_aff = eng.execute(u_aff)
        members = eng.execute(members).sort_values("record_id", kind="mergesort").reset_index(drop=True)
        log.append({"step": "patents", "method": "project", "params": {"by": opts.by, "family": opts.family,
                                                                      "date": opts.date, "units": len(units)}})
        projected = RecordSet.from_rows(units, u_con, u_aff, [], read=len(units))
        used, unit_rejects = _filter_records(projected, spec)
        rejected_units = unit_rejects.merge(members, left_on="record_id", right_on="unit_id", suffixes=("_u", ""))
        extra_rejects = pd.concat([pd.DataFrame(pre_rejects, columns=["file", "row", "record_id", "reason"]),
                                   rejected_units[["file", "row", "record_id", "reason"]]], ignore_index=True)
        used_members = members[members["unit_id"].isin(set(used.records["record_id"]))]

        groupings = {g.name: g for g in spec.groupings}

        def on_fields(level: str) -> bool:  # field, sector and groupings of fields use the field load
            return (groupings[level].base if level in groupings else level) in ("field", "sector")

        field_levels = [lv for lv in spec.levels if on_fields(lv)]
        other_levels = [lv for lv in spec.levels if not on_fields(lv)]

        def base_of(level: str) -> str:
            return PATENT_LEVELS[groupings[level].base if level in groupings else level]

        sources: dict[str, tuple] = {}
        needed = sorted({base_of(lv) for lv in other_levels})
        if needed:
            loaded = load_recordset(eng, used, top_proportion=spec.top_proportion, levels=tuple(needed))
            for lv in other_levels:
                g = groupings.get(lv)
                grouping = read_grouping(g.name, base_of(lv), g.file, unmapped=g.unmapped) if g else None
                sources[lv] = (loaded, base_of(lv), grouping)
        if field_levels:
            frs = field_recordset(rs.records[rs.records["record_id"].isin(set(used_members["record_id"]))],
                                  used_members, used.records)
            f_loaded = load_recordset(eng, frs, top_proportion=spec.top_proportion, levels=("institution",))
            for lv in field_levels:
                if lv in groupings:
                    g = groupings[lv]
                    if g.base == "sector":
                        raise DataError(f"grouping '{lv}' maps level 'sector'; map 'field' (two-digit field ids) "
                                        f"instead", reason="schema")
                    grouping = read_grouping(g.name, "institution", g.file, unmapped=g.unmapped)
                else:
                    grouping = Grouping("sector", "institution", sector_mapping()) if lv == "sector" else None
                sources[lv] = (f_loaded, "institution", grouping)
        log.append({"step": "load", "method": "credits", "params": {"engine": eng.name,
                                                                    "memory_limit": memory_limit,
                                                                    "top_proportion": spec.top_proportion}})
        labels = field_labels()
        names_override = {"sector": pd.DataFrame({"unit": labels["sector"].unique(), "name": labels["sector"].unique()})}
        levels, yearly, windows, credits, level_summary, total = _rank_loaded(sources, spec, log, names_override,
                                                                              registry=registry)
    finally:
        if own_engine:
            eng.close()

    extra: dict[str, pd.DataFrame] = {"members": members.rename(columns={"unit_id": "unit_record_id"})}
    if "field" in spec.levels:
        unit_level = next((lv for lv in ("country", "applicant", "city") if lv in spec.levels), None)
        if unit_level is not None:
            uc = credits[credits["level"] == unit_level][["record_id", "unit", "p_full", "p_frac"]]
            fc = credits[credits["level"] == "field"][["record_id", "unit", "p_full", "p_frac"]]
            extra["fields"] = field_matrix(uc, fc, used.records[["record_id", "year"]],
                                           growth_window=opts.growth_window)
            log.append({"step": "fields", "method": "rta", "params": {"level": unit_level,
                                                                      "growth_window": opts.growth_window}})
    if opts.population_file and "country" in spec.levels:
        extra["per_million"] = per_million(yearly["country"], opts.population_file)
        inputs.append(opts.population_file)

    rejects, counts, summary = _reconciled_summary(rs, extra_rejects, len(used_members), eng, spec, total,
                                                   level_summary)
    if institutions_summary is not None:
        summary["institutions"] = institutions_summary
    summary = {
        **summary,
        "patents": {"by": opts.by, "family": opts.family, "date": opts.date, "units_counted": len(used.records),
                    "family_source": {str(k): int(v) for k, v in
                                      rs.records["family_source"].value_counts().sort_index().items()},
                    "table_counts": getattr(rs, "table_counts", {})},
    }
    return RankResult(levels=levels, yearly=yearly, windows=windows, credits=credits, rejects=rejects,
                      summary=summary, log=log, spec=spec, inputs=inputs,
                      records=used.records[["record_id", "year", "weight"]].sort_values(
                          "record_id", kind="mergesort").reset_index(drop=True), extra=extra)


def _match_applicants(con: pd.DataFrame, spec: RankSpec, log: list):
    """Patent applicants that are universities or public research organisations, matched to ROR.

    An applicant who is also one of the record's inventors (an individual applicant) is
    not matched. Matched applicants get ``ror_id`` and the ROR display name as their key
    (:func:`~innometrics.entities.institutions.resolve.resolve_applicants`).
    """
    from innometrics.entities.institutions.resolve import RESEARCH_TYPES, resolve_applicants
    from innometrics.entities.institutions.ror import load_registry

    inst = spec.institutions
    registry = load_registry(inst.registry, cache_dir=inst.cache_dir)

    def plain(names: pd.Series) -> pd.Series:
        return names.map(lambda n: " ".join(re.sub(r"[^A-Z0-9]+", " ", fold_ascii(n).upper()).split())
                         if isinstance(n, str) else None)

    con = con.assign(ror_id=pd.Series(pd.NA, index=con.index, dtype="string"))
    is_app = (con["role"] == "applicant").fillna(False)
    inventors = set(zip(con.loc[~is_app, "record_id"], plain(con.loc[~is_app, "name"])))
    individual = pd.Series([(r, k) in inventors for r, k in zip(con["record_id"], plain(con["name"]))],
                           index=con.index)
    todo = is_app & ~individual
    found, counts = resolve_applicants(con.loc[todo, "name"], con.loc[todo, "country"], registry)
    hit = found["ror_id"].notna()
    con.loc[hit[hit].index, "ror_id"] = found.loc[hit, "ror_id"]
    con.loc[hit[hit].index, "name_key"] = found.loc[hit, "ror_name"]
    counts = {"registry": inst.registry, "registry_sha256": registry.sha256,
              "organisations": int(len(registry.orgs)), "rollup": "none",
              "individual_applicants": int(con.loc[is_app & individual, "name"].nunique()), **counts}
    log.append({"step": "institutions", "method": "ror_match_applicants",
                "params": {"registry": inst.registry, "sha256": registry.sha256,
                           "types": sorted(RESEARCH_TYPES)}})
    return con, registry, counts


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
        moved = mapping[mapping["unit"] != mapping["group"]]
        summary["units_rolled_up"] = int(moved["unit"].nunique())
        summary["units_split_over_several_groups"] = int(mapping["unit"].duplicated(keep=False).groupby(
            mapping["unit"]).any().sum())
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



def _reconciled_summary(recordset, extra_rejects: pd.DataFrame, n_used: int, eng: Engine, spec: RankSpec,
                        total: float, level_summary: dict) -> tuple[pd.DataFrame, dict, dict]:
    """All rejects, the counts (checked: read = used + rejected) and the summary of a build."""
    rejects = pd.concat([recordset.rejects.astype(object), extra_rejects.astype(object)], ignore_index=True)
    n_read = int(recordset.counts.get("read", len(recordset.records) + len(recordset.rejects)))
    counts = {"read": n_read, "used": n_used, "rejected": len(rejects)}
    if counts["read"] != counts["used"] + counts["rejected"]:
        raise DataError(f"record counts do not reconcile: read {counts['read']} != used {counts['used']} + "
                        f"rejected {counts['rejected']}", reason="counts")
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
    return rejects, counts, summary

def _rank_loaded(sources: dict[str, tuple[LoadedRecords, str, Grouping | None]], spec: RankSpec, log: list,
                 names_override: dict[str, pd.DataFrame] | None = None, registry=None):
    """Count every level of ``spec``; ``sources`` gives each level's loaded records, the
    level (or grouping name) queried in them and its grouping."""
    method = spec.method
    col = count_column(method)
    total, n_records = total_weight(next(iter(sources.values()))[0])
    facts_by_load: dict[int, pd.DataFrame] = {}
    country_lookup = country_names()
    levels, yearly, windows, credit_frames, summary = {}, {}, {}, [], {}
    value_cols = ["p_full", "p_frac"] + ([col] if col not in ("p_full", "p_frac") else [])
    for level in spec.levels:
        loaded, query_level, grouping = sources[level]
        if id(loaded) not in facts_by_load:
            f = loaded.engine.execute(loaded.facts.select("record_key", "record_id", "weight"))
            facts_by_load[id(loaded)] = f.sort_values("record_key", kind="mergesort").reset_index(drop=True)
        facts = facts_by_load[id(loaded)]
        counts = count_units(loaded, query_level, method, grouping=grouping)
        names = unit_names(loaded, query_level, grouping=grouping)
        if names_override and level in names_override:
            names = names_override[level]
        lookup = country_lookup if (query_level == "country" and grouping is None) else None
        table = level_table(counts, names, method, total, name_lookup=lookup)
        if level in ("institution", "applicant") and registry is not None:
            table = _institution_columns(table, registry)
        log.append({"step": "count", "method": method, "params": {"level": level,
                                                                   "grouping": grouping.base if grouping else None}})
        pairs = record_unit_credits(loaded, query_level, method, grouping=grouping)
        if spec.resamples:
            intervals = stability_intervals(pairs, facts[["record_key", "weight"]], list(table["unit"]), method,
                                            n_resamples=spec.resamples, seed=spec.seed, coverage=spec.coverage)
            table = table.merge(intervals, on="unit", how="left")
            log.append({"step": "stability", "method": "bootstrap_records",
                        "params": {"level": level, "resamples": spec.resamples, "seed": spec.seed,
                                   "coverage": spec.coverage}})
        levels[level] = table
        y = count_units(loaded, query_level, method, grouping=grouping, by_year=True)
        yearly[level] = y[["unit", "year"] + value_cols].reset_index(drop=True)
        if spec.windows:
            frames = []
            for first, last in spec.windows:
                w = count_units(loaded, query_level, method, period=(first, last), grouping=grouping)
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
    for stem, df in result.extra.items():
        write_csv(round_floats(df), out / f"{stem}.csv")
        tables[stem] = f"{stem}.csv"
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
