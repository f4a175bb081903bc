"""Synthetic results folders of every kind, written by the tests themselves.

The folders follow the output-directory contract (manifest.json + tables), so the
report tests do not depend on the trends, index or ranking builds. With
``hostile=True`` unit names, titles and spec text carry HTML/JS injection attempts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hostile_strings import ATTR, CLOSE_PRE, HOSTILE, SCRIPT  # noqa: F401


def _write_manifest(folder: Path, kind: str, tables: dict, *, spec_text: str, extra: dict | None = None,
                    spec: dict | None = None, more_inputs: list | None = None) -> None:
    inputs = [{"path": "inputs/data.csv", "sha256": hashlib.sha256(b"data").hexdigest()}] + (more_inputs or [])
    manifest = {
        "kind": kind,
        "created_by": "innometrics 0.1.0",
        "spec": spec or {"title": None},
        "spec_text": spec_text,
        "inputs": inputs,
        "counts": {"read": 10, "used": 8, "rejected": 2},
        "tables": tables,
        "log": [{"step": "read", "method": "csv", "params": {"path": "inputs/data.csv"}},
                {"step": "compute", "method": kind, "params": {"note": SCRIPT}}],
    }
    manifest.update(extra or {})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")


# -- trends -----------------------------------------------------------------------------

BEIJING_PATENTS = {2014: 48.2, 2023: 262.9}


def make_trends_dir(folder: Path, *, hostile: bool = False) -> Path:
    """Eight provinces + the national total, two indicators (one per-capita), 2014-2023."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {"CN": "China (national total)", "CN-BJ": "Beijing", "CN-SH": "Shanghai", "CN-GD": "Guangdong",
             "CN-JS": "Jiangsu", "CN-ZJ": "Zhejiang", "CN-SC": "Sichuan", "CN-HB": "Hubei", "CN-XZ": "Tibet"}
    if hostile:
        names["CN-SC"] = SCRIPT
        names["CN-HB"] = ATTR
    rng = np.random.default_rng(0)
    rows = []
    years = list(range(2014, 2024))
    for unit in names:
        for ind, (a, b) in {"patents_per_10k": (5.0, 60.0), "contract_value": (10.0, 900.0)}.items():
            start = float(rng.uniform(a, b))
            growth = float(rng.uniform(1.02, 1.25))
            for k, year in enumerate(years):
                value = start * growth**k
                if unit == "CN-BJ" and ind == "patents_per_10k":
                    value = 48.2 * (262.9 / 48.2) ** (k / 9)
                if unit == "CN-XZ" and year < 2022:
                    value = np.nan  # only two points
                rows.append({"unit": unit, "period": year, "indicator": ind, "value": round(value, 4)})
    panel = pd.DataFrame(rows)
    panel.loc[(panel.unit == "CN-BJ") & (panel.indicator == "patents_per_10k") & (panel.period == 2023), "value"] = 262.9
    panel["unit_name"] = panel["unit"].map(names)
    ind_names = {"patents_per_10k": "Patents per 10,000 people", "contract_value": "Technology contract value"}
    if hostile:
        ind_names["contract_value"] = "Contract value " + SCRIPT
    panel["indicator_name"] = panel["indicator"].map(ind_names)
    trends = []
    for (unit, ind), g in panel.dropna(subset=["value"]).groupby(["unit", "indicator"], sort=True):
        g = g.sort_values("period")
        first, last = g.iloc[0], g.iloc[-1]
        mult = last.value / first.value
        cagr = mult ** (1 / (last.period - first.period)) - 1
        trends.append({"unit": unit, "indicator": ind, "first_period": first.period, "last_period": last.period,
                       "first_value": first.value, "last_value": last.value, "multiple": mult, "cagr": cagr,
                       "n_points": len(g), "note": ATTR if hostile and unit == "CN-XZ" else ""})
    trends.append({"unit": "CN-NEW", "indicator": "patents_per_10k", "first_period": 2023, "last_period": 2023,
                   "first_value": 1.0, "last_value": 1.0, "multiple": np.nan, "cagr": np.nan, "n_points": 1,
                   "note": "fewer than two points"})
    _csv(pd.DataFrame(trends), folder / "trends.csv")
    _csv(panel, folder / "panel.csv")
    indicators = pd.DataFrame({"code": list(ind_names), "name": list(ind_names.values()),
                               "unit": ["per 10,000 people", "billion yuan"], "denominator": ["population", ""]})
    _csv(indicators, folder / "indicators.csv")
    _write_manifest(folder, "trends", {"trends": "trends.csv", "panel": "panel.csv", "indicators": "indicators.csv"},
                    spec_text=CLOSE_PRE if hostile else "[trends]\nper = 'population'\n",
                    extra={"highlight": ["CN-BJ", "CN", "CN-SC", "CN-HB"] if hostile else ["CN-BJ", "CN", "CN-SH"]})
    return folder


# -- index -------------------------------------------------------------------------------

def make_index_dir(folder: Path, *, hostile: bool = False, n_units: int = 8, n_pillars: int = 4,
                   per_pillar: int = 3, audit: bool = True, sensitivity: bool = True, full_weights: bool = False) -> Path:
    """A three-level framework (indicators -> pillars -> two sub-indices -> Index), laid out as
    ``innometrics index build / audit / sensitivity`` write it: weights.csv in COINr's
    ``iCode, Level, Weight`` layout (the parents come from the iMeta input named in the
    spec, checked by SHA-256) unless ``full_weights``; audit and sensitivity tables as
    the composite package writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    codes = [f"U{i:02d}" for i in range(n_units)]
    names = [f"Unit {i}" for i in range(n_units)]
    if hostile:
        names[1], names[2] = SCRIPT, ATTR
    groups = ["A" if i % 2 else "B" for i in range(n_units)]
    ind_codes = [f"P{p}_I{j}" for p in range(n_pillars) for j in range(per_pillar)]
    pillars = [f"P{p}" for p in range(n_pillars)]
    subs = ["Conn", "Sust"]
    meta = [{"Level": 1, "iCode": c, "iName": f"Indicator {c}", "Direction": -1 if c.endswith("I0") else 1,
             "Weight": 1.0, "Parent": c.split("_")[0], "Type": "Indicator"} for c in ind_codes]
    meta += [{"Level": 2, "iCode": p, "iName": SCRIPT if hostile and k == 0 else f"Pillar {p}", "Direction": 1,
              "Weight": 1.0, "Parent": subs[k % 2], "Type": "Aggregate"} for k, p in enumerate(pillars)]
    meta += [{"Level": 3, "iCode": s, "iName": f"Sub-index {s}", "Direction": 1, "Weight": 1.0, "Parent": "Index",
              "Type": "Aggregate"} for s in subs]
    meta += [{"Level": 4, "iCode": "Index", "iName": "Innovation Index", "Direction": 1, "Weight": 1.0,
              "Parent": None, "Type": "Aggregate"}]
    meta += [{"Level": None, "iCode": "GDP_group", "iName": "GDP group", "Direction": None, "Weight": None,
              "Parent": None, "Type": "Group"}]
    meta = pd.DataFrame(meta)
    meta_path = folder / "inputs" / "iMeta.csv"
    _csv(meta, meta_path)
    weights = meta[meta["Type"].isin(["Indicator", "Aggregate"])].copy()
    weights.loc[weights["iCode"] == "P1", "Weight"] = 2.0  # a weight override of the build
    if full_weights:
        _csv(weights, folder / "weights.csv")
    else:
        _csv(weights[["iCode", "Level", "Weight"]].astype({"Level": int}), folder / "weights.csv")
    norm = pd.DataFrame(rng.uniform(0, 100, (n_units, len(ind_codes))), columns=ind_codes)
    res = pd.DataFrame({"uCode": codes, "uName": names, "GDP_group": groups})
    for p in pillars:
        res[p] = norm[[c for c in ind_codes if c.startswith(p + "_")]].mean(axis=1)
    for k, s in enumerate(subs):
        res[s] = res[[p for j, p in enumerate(pillars) if j % 2 == k]].mean(axis=1)
    res["Index"] = res[subs].mean(axis=1)
    res.insert(2, "Rank", res["Index"].rank(ascending=False, method="min").astype(int))
    _csv(res, folder / "results.csv")
    stages = {}
    for stage, frame in {"raw": norm * 3.0, "normalised": norm}.items():
        _csv(frame.assign(uCode=codes)[["uCode"] + ind_codes], folder / "stages" / f"{stage}.csv")
        stages[f"stages/{stage}"] = f"stages/{stage}.csv"
    tables = {"results": "results.csv", "weights": "weights.csv", **stages}
    if audit:
        tables.update(_audit_tables(folder, norm, res, ind_codes, pillars, subs, rng))
    if sensitivity:
        nominal = res["Rank"].to_numpy()
        ri = pd.DataFrame({"uCode": codes, "uName": names, "target": "Index", "nominal_score": res["Index"],
                           "nominal_rank": nominal, "mean_rank": nominal + 0.25, "median_rank": nominal,
                           "rank_q05": np.maximum(nominal - 2, 1), "rank_q95": np.minimum(nominal + 3, n_units)})
        _csv(ri, folder / "sensitivity" / "rank_intervals.csv")
        _csv(pd.DataFrame({"factor": ["pillar_weights", "normalisation", "aggregation"], "kind": "weights",
                           "S1": [0.2, 0.3, 0.1], "S1_ci_low": [0.1, 0.2, 0.0], "S1_ci_high": [0.3, 0.4, 0.2],
                           "ST": [0.3, 0.5, 0.2], "ST_ci_low": [0.2, 0.4, 0.1], "ST_ci_high": [0.4, 0.6, 0.3]}),
             folder / "sensitivity" / "sobol.csv")
        tables.update({"sensitivity/rank_intervals": "sensitivity/rank_intervals.csv",
                       "sensitivity/sobol": "sensitivity/sobol.csv"})
    (folder / "log.json").write_text(json.dumps([{"step": "normalise", "method": "minmax", "params": {}}]))
    meta_sha = hashlib.sha256(meta_path.read_bytes()).hexdigest()
    _write_manifest(folder, "index", tables, spec_text=CLOSE_PRE if hostile else "[normalise]\nmethod = 'minmax'\n",
                    spec={"data": {"indicators": "inputs/data.csv", "meta": str(meta_path)}},
                    more_inputs=[{"path": str(meta_path), "sha256": meta_sha}])
    return folder


def _audit_tables(folder, norm, res, ind_codes, pillars, subs, rng) -> dict:
    """Audit tables in the layout of innometrics.composite.audit.write_audit, plus a square matrix."""
    rows = []
    scores = pd.concat([norm, res[pillars + subs + ["Index"]]], axis=1)
    parent = {c: c.split("_")[0] for c in ind_codes} | {p: subs[k % 2] for k, p in enumerate(pillars)} | {s: "Index" for s in subs}
    level = {c: 1 for c in ind_codes} | {p: 2 for p in pillars} | {s: 3 for s in subs} | {"Index": 4}
    for agg in pillars + subs + ["Index"]:
        kids = [c for c, p in parent.items() if p == agg]
        for i, a in enumerate(kids):
            for b in kids[i + 1:]:
                rows.append({"kind": "within_group", "group": agg, "code1": a, "level1": level[a], "code2": b,
                             "level2": level[b], "correlation": scores[a].corr(scores[b]), "p_value": 0.5, "n": len(norm), "flag": "ok"})
    for c in parent:
        up, first = parent[c], True
        while up is not None:
            rows.append({"kind": "with_parent" if first else "with_ancestor", "group": up, "code1": c, "level1": level[c],
                         "code2": up, "level2": level[up], "correlation": scores[c].corr(scores[up]), "p_value": 0.01,
                         "n": len(norm), "flag": "ok"})
            up, first = parent.get(up), False
    _csv(pd.DataFrame(rows), folder / "audit" / "correlations.csv")
    _csv(pd.DataFrame({"aggregate": pillars, "level": 2, "n_children": 3,
                       "alpha_indicators": rng.uniform(0.5, 0.9, len(pillars)).round(4)}), folder / "audit" / "cronbach.csv")
    _csv(pd.DataFrame({"aggregate": pillars, "level": 2, "pc1_variance_share": rng.uniform(0.3, 0.8, len(pillars)).round(4)}),
         folder / "audit" / "pca.csv")
    stats = pd.DataFrame({"iCode": ind_codes, "skew": rng.normal(0, 1, len(ind_codes)).round(3),
                          "flag_availability": "ok", "flag_skew_kurt": ["OUT" if k == 1 else "ok" for k in range(len(ind_codes))]})
    _csv(stats, folder / "audit" / "indicator_stats.csv")
    _csv(norm.corr().rename_axis("iCode").reset_index(), folder / "audit" / "corr_matrix.csv")
    return {f"audit_{n}": f"audit/{n}.csv" for n in ("correlations", "cronbach", "pca", "indicator_stats", "corr_matrix")}


# -- rank ---------------------------------------------------------------------------------

def make_rank_dir(folder: Path, *, hostile: bool = False, n_records: int = 60, with_records: bool = True) -> Path:
    """Countries and institutions levels, yearly tables, credits (and records) for drill-down,
    in the layout ``innometrics rank build`` writes (stability bounds ``<col>_lb/_ub``)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    countries = ["CHN", "USA", "DEU", "GBR", "JPN"]
    insts = {f"I{i}": f"Institute {i}" for i in range(8)}
    if hostile:
        insts["I1"], insts["I2"] = SCRIPT, ATTR
    inst_country = {k: countries[i % len(countries)] for i, k in enumerate(insts)}
    records, credits = [], []
    for r in range(n_records):
        rid = f"R{r:04d}"
        title = SCRIPT if hostile and r == 0 else f"Paper {r} on topic {r % 7}"
        records.append({"record_id": rid, "year": 2018 + r % 5, "type": "article", "title": title,
                        "citations": int(rng.integers(0, 50)), "source_format": "wos"})
        units = sorted(rng.choice(list(insts), size=int(rng.integers(1, 4)), replace=False))
        for u in units:
            credits.append({"level": "institutions", "record_id": rid, "unit": u, "p_full": 1.0,
                            "p_frac": 1.0 / len(units)})
        cs = sorted({inst_country[u] for u in units})
        for c in cs:
            credits.append({"level": "countries", "record_id": rid, "unit": c, "p_full": 1.0,
                            "p_frac": 1.0 / len(cs)})
    records = pd.DataFrame(records)
    credits = pd.DataFrame(credits)
    merged = credits.merge(records[["record_id", "year"]], on="record_id")
    tables = {}
    for level, label in (("countries", None), ("institutions", insts)):
        sub = merged[merged.level == level]
        g = sub.groupby("unit").agg(p_full=("p_full", "sum"), p_frac=("p_frac", "sum")).reset_index()
        g["share"] = g["p_frac"] / g["p_frac"].sum()
        g["pp_top10"] = 0.1
        g = g.sort_values(["p_frac", "unit"], ascending=[False, True], kind="stable")
        g.insert(0, "rank", np.arange(1, len(g) + 1))
        g.insert(2, "name", g["unit"].map(label) if label else g["unit"])
        for col, (lo, hi) in {"p_frac": (0.8, 1.2), "share": (0.8, 1.2), "pp_top10": (0.5, 1.5)}.items():
            g[f"{col}_lb"], g[f"{col}_ub"] = g[col] * lo, g[col] * hi
        g["rank_lb"], g["rank_ub"] = np.maximum(g["rank"] - 1, 1), g["rank"] + 1
        _csv(g, folder / f"{level}.csv")
        y = sub.groupby(["unit", "year"]).agg(p_full=("p_full", "sum"), p_frac=("p_frac", "sum")).reset_index()
        _csv(y, folder / f"yearly_{level}.csv")
        tables[level] = f"{level}.csv"
        tables[f"yearly_{level}"] = f"yearly_{level}.csv"
    if with_records:
        _csv(records, folder / "records.csv")
        tables["records"] = "records.csv"
    _csv(credits, folder / "credits.csv")
    rejects = pd.DataFrame({"file": ["in.txt", "in.txt"], "row": [3, 9], "record_id": [None, "X1"],
                            "reason": ["no_year", SCRIPT if hostile else "no_address"]})
    _csv(rejects, folder / "rejects.csv")
    (folder / "summary.json").write_text(json.dumps({"records": n_records, "counting": "fractional",
                                                     "levels": {"countries": {"units": 5, "reconciled": True}},
                                                     "note": ATTR if hostile else "ok"}))
    tables.update({"credits": "credits.csv", "rejects": "rejects.csv"})
    _write_manifest(folder, "rank", tables, spec_text=CLOSE_PRE if hostile else "[counting]\nmethod = 'fractional'\n")
    return folder


# -- achievement lists ----------------------------------------------------------------------

def make_achievements_dir(folder: Path, *, hostile: bool = False) -> Path:
    """An achievement list with institution and country lists, as ``innometrics achievements build`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    works = pd.DataFrame({
        "category": ["Architecture", "Architecture", "Device"],
        "rank_in_category": [1, 2, 1],
        "record_id": ["A01", "A02", "A03"],
        "work": [SCRIPT if hostile else "von Neumann architecture", "Harvard architecture", "Point-contact transistor"],
        "period": ["1940s", "1940s", "1947"], "year": [1940, 1940, 1947],
        "V": [3.5, float("nan"), 2.25],
        "main_contributors": ["John von Neumann", ATTR if hostile else "Howard Aiken; Grace Hopper", "John Bardeen; Walter Brattain"],
        "main_institutions": ["Institute for Advanced Study", "Harvard University", "Bell Telephone Laboratories"],
        "main_countries": ["USA", "USA", "USA"],
        "source": ["Computer History Museum", "HistoryofInformation.com", "Nobel Prize 1956"],
    })
    _csv(works, folder / "achievements.csv")
    insts = pd.DataFrame({"rank": [1, 2, 2], "unit": ["Bell Labs", "Harvard", "IAS"],
                          "name": ["Bell Telephone Laboratories", SCRIPT if hostile else "Harvard University", "Institute for Advanced Study"],
                          "p_full": [1.0, 1.0, 1.0], "p_frac": [1.0, 1.0, 1.0], "share": [1 / 3] * 3})
    _csv(insts, folder / "institution.csv")
    _csv(pd.DataFrame({"rank": [1], "unit": ["USA"], "name": ["United States"], "p_full": [3.0], "p_frac": [3.0], "share": [1.0]}),
         folder / "country.csv")
    drill = pd.DataFrame({"level": ["institution"] * 3 + ["country"] * 3, "unit": ["IAS", "Harvard", "Bell Labs"] + ["USA"] * 3,
                          "record_id": ["A01", "A02", "A03"] * 2, "category": ["Architecture", "Architecture", "Device"] * 2,
                          "work": list(works["work"]) * 2, "p_full": 1.0, "p_frac": 1.0, "V": [3.5, None, 2.25] * 2})
    _csv(drill, folder / "drilldown.csv")
    _csv(pd.DataFrame(columns=["file", "row", "record_id", "reason"]), folder / "rejects.csv")
    (folder / "summary.json").write_text(json.dumps({"counts": {"read": 3, "used": 3, "rejected": 0}, "variant": "fractional"}))
    _write_manifest(folder, "achievements", {"achievements": "achievements.csv", "country": "country.csv",
                                             "drilldown": "drilldown.csv", "institution": "institution.csv",
                                             "rejects": "rejects.csv"},
                    spec_text=CLOSE_PRE if hostile else "[count]\nvariant = 'fractional'\n")
    return folder


# -- any other kind ------------------------------------------------------------------------

def make_cities_dir(folder: Path, *, hostile: bool = False) -> Path:
    """Kind "cities" as ``views cities`` writes it: ranked cities with coordinates, the geocoding table."""
    folder.mkdir(parents=True, exist_ok=True)
    cities = pd.DataFrame({
        "rank": [1, 2, 3, None], "unit": ["Munich (DE 2867714)", "Beijing (CN 1816670)", "Leiden (NL 2751773)", "Xyz, ABC"],
        "name": [SCRIPT if hostile else "Munich", "Beijing", ATTR if hostile else "Leiden", "Xyz"],
        "country": ["DEU", "CHN", "NLD", "ABC"], "latitude": [48.13743, 39.9075, 52.15833, None],
        "longitude": [11.57549, 116.39723, 4.49306, None], "count": [30.0, 25.0, 12.0, 1.0],
        "share": [18.4, 16.8, 7.5, 0.5], "share_of_world": [0.0369, 0.0336, 0.015, 0.001],
        "located": [True, True, True, False]})
    _csv(cities, folder / "cities.csv")
    geo = pd.DataFrame({"unit": ["Munich, DEU", "Beijing, CHN"], "city": [SCRIPT if hostile else "Munich", "Beijing"],
                        "geonameid": [2867714, 1816670], "latitude": [48.13743, 39.9075], "longitude": [11.57549, 116.39723],
                        "population": [1260391, 18960744], "match": ["name", "name"]})
    _csv(geo, folder / "geocoded.csv")
    _write_manifest(folder, "cities", {"cities": "cities.csv", "geocoded": "geocoded.csv"},
                    spec_text=CLOSE_PRE if hostile else "[cities]\n")
    (folder / "summary.json").write_text(json.dumps({"rank_by": "share", "records": 10, "city_units": 4,
                                                     "city_units_located": 3}), encoding="utf-8")
    return folder


def make_generic_dir(folder: Path, *, hostile: bool = False) -> Path:
    """A kind no page is registered for ("custom_tables"): a ranked table, an unranked one, a missing one."""
    folder.mkdir(parents=True, exist_ok=True)
    cities = pd.DataFrame({"rank": [1, 2, 3], "unit": ["Munich (DE 2867714)", "Beijing (CN 1816670)", "Leiden (NL 2751773)"],
                           "name": [SCRIPT if hostile else "Munich", "Beijing", ATTR if hostile else "Leiden"],
                           "count": [30.0, 25.0, 12.0], "share": [18.4, 16.8, 7.5], "year": [2023, 2023, 2023]})
    _csv(cities, folder / "cities.csv")
    notes = pd.DataFrame({"city": [SCRIPT if hostile else "AHWAZ", "Aalborg"], "match": ["alternate", "name"]})
    _csv(notes, folder / "geocoded.csv")
    _write_manifest(folder, "custom_tables", {"cities": "cities.csv", "geocoded": "geocoded.csv",
                                              SCRIPT if hostile else "other": "missing.csv"},
                    spec_text=CLOSE_PRE if hostile else "[cities]\n")
    return folder


MAKERS = {"trends": make_trends_dir, "index": make_index_dir, "rank": make_rank_dir,
          "achievements": make_achievements_dir, "cities": make_cities_dir, "generic": make_generic_dir}


@pytest.fixture
def make_results(tmp_path):
    """``make_results(kind, hostile=False, **kw)`` -> a fresh results folder."""

    def make(kind: str, *, hostile: bool = False, **kw) -> Path:
        return MAKERS[kind](tmp_path / f"{kind}{'-hostile' if hostile else ''}", hostile=hostile, **kw)

    return make
