"""Achievement list build: achievements -> achievement, institution and country lists.

The spec (TOML) of ``innometrics achievements build SPEC --out DIR``:

.. code-block:: toml

    [achievements]
    path = "chip_landmarks.csv"    # CSV or Excel (see innometrics.views.achievements)
    sheet = "Sheet1"               # optional, Excel only

    [count]
    variant = "fractional"         # fractional | full: the order of the unit lists
    levels = ["institution", "country"]

    [select]                       # optional: "Top N in field X over period Y"
    top = 10
    category = "Processor"
    subcategory = "Microprocessor"
    years = [1940, 1999]

Outputs (:func:`write_achievement_lists`): ``achievements.csv`` (ranked within
category), ``<level>.csv`` (``rank, unit, name, p_full, p_frac, share, v_sum_full,
v_sum_frac, n_scored``), ``drilldown.csv`` (unit -> achievements), ``rejects.csv``,
``summary.json`` and ``manifest.json`` (kind ``achievements``).

The unit lists count the main contributors' units with the ranking engine
(:func:`~innometrics.views.achievements.load_main_contributors`): ``p_full`` is
the number of achievements on which the unit is credited (full counting), ``p_frac``
the fractional credit ``sum_r 1 / (|M_r| k_i)``; ``v_sum_full = sum_r V_r`` over the
unit's scored achievements and ``v_sum_frac = sum_r p_frac(u, r) V_r``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innometrics.entities.countries import country_names
from innometrics.errors import SpecError
from innometrics.io.specfiles import astuple_source, read_spec_source
from innometrics.io.manifest import build_manifest, input_record, write_manifest
from innometrics.io.writers import write_csv, write_json
from innometrics.views.achievements import (
    AchievementSet,
    load_main_contributors,
    order_achievements,
    read_achievements,
    select_top,
)
from innometrics.rankings.counting import DECIMALS, record_unit_credits, round_floats, unit_names
from innometrics.rankings.credits import BASE_LEVELS, UNKNOWN

_ALLOWED = {
    "achievements": {"path", "sheet"},
    "count": {"variant", "levels"},
    "select": {"top", "category", "subcategory", "years"},
}


@dataclass(frozen=True)
class AchievementSpec:
    """A validated achievement-list spec (see the module docstring)."""

    path: str
    sheet: str | int | None = None
    variant: str = "fractional"
    levels: tuple[str, ...] = ("institution", "country")
    top: int | None = None
    category: str | None = None
    subcategory: str | None = None
    years: tuple[int, int] | None = None
    file: str | None = None
    text: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"achievements": {"path": self.path},
                             "count": {"variant": self.variant, "levels": list(self.levels)}}
        if self.sheet is not None:
            d["achievements"]["sheet"] = self.sheet
        select = {k: v for k, v in (("top", self.top), ("category", self.category),
                                    ("subcategory", self.subcategory),
                                    ("years", list(self.years) if self.years else None)) if v is not None}
        if select:
            d["select"] = select
        return d


def load_achievement_spec(source: str | os.PathLike | dict) -> AchievementSpec:
    """Read and validate an achievement-list spec (TOML file or dict).

    Raises
    ------
    SpecError
        Unknown sections or keys, a missing path, a bad variant, level, top or years.
    """
    data, file, text, base = astuple_source(read_spec_source(source))
    unknown = set(data) - set(_ALLOWED)
    if unknown:
        raise SpecError(f"unknown section(s) {sorted(unknown)}; allowed: {', '.join(_ALLOWED)}", file=file,
                        key=sorted(unknown)[0])
    for section, allowed in _ALLOWED.items():
        sec = data.get(section, {})
        if not isinstance(sec, dict):
            raise SpecError("must be a table", file=file, key=section)
        extra = set(sec) - allowed
        if extra:
            raise SpecError(f"unknown key(s) {sorted(extra)}; allowed: {', '.join(sorted(allowed))}", file=file,
                            key=f"{section}.{sorted(extra)[0]}")
    ach = data.get("achievements", {})
    if "path" not in ach:
        raise SpecError("missing; give the achievement table (CSV or Excel)", file=file, key="achievements.path")
    path = ach["path"] if Path(ach["path"]).is_absolute() else str((base / ach["path"]).resolve())
    count = data.get("count", {})
    variant = count.get("variant", "fractional")
    if variant not in ("fractional", "full"):
        raise SpecError(f"must be 'fractional' or 'full'; got {variant!r}", file=file, key="count.variant")
    levels = count.get("levels", ["institution", "country"])
    if isinstance(levels, str):
        levels = [levels]
    if not isinstance(levels, list) or not levels or any(lv not in BASE_LEVELS for lv in levels):
        raise SpecError(f"must be a list of levels among {', '.join(BASE_LEVELS)}; got {levels!r}", file=file,
                        key="count.levels")
    sel = data.get("select", {})
    top = sel.get("top")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise SpecError(f"must be a positive whole number; got {top!r}", file=file, key="select.top")
    years = sel.get("years")
    if years is not None:
        if isinstance(years, int) and not isinstance(years, bool):
            years = [years, years]
        if (not isinstance(years, list) or len(years) != 2 or not all(isinstance(y, int) for y in years)
                or years[0] > years[1]):
            raise SpecError(f"must be a year or [first, last]; got {years!r}", file=file, key="select.years")
        years = (int(years[0]), int(years[1]))
    return AchievementSpec(path=path, sheet=ach.get("sheet"), variant=variant, levels=tuple(levels), top=top,
                           category=sel.get("category"), subcategory=sel.get("subcategory"), years=years,
                           file=file, text=text)


@dataclass
class AchievementLists:
    """Result of :func:`build_achievement_lists`."""

    achievements: pd.DataFrame
    levels: dict[str, pd.DataFrame]
    drilldown: pd.DataFrame
    rejects: pd.DataFrame
    summary: dict[str, Any]
    log: list[dict[str, Any]]
    spec: AchievementSpec | None = None


def _names_of_main(aset: AchievementSet) -> pd.DataFrame:
    roles = aset.roles
    aff = aset.recordset.affiliations
    main = roles[roles["is_main"]]
    m_aff = main.merge(aff, on="record_id", suffixes=("", "_a"))
    m_aff = m_aff[m_aff["position"] == m_aff["position_a"].astype("float64")]

    def join(values) -> str:
        seen = []
        for v in values:
            if isinstance(v, str) and v and v not in seen:
                seen.append(v)
        return "; ".join(seen)

    out = pd.DataFrame({"record_id": aset.achievements["record_id"]})
    out["main_contributors"] = out["record_id"].map(main.groupby("record_id")["name"].agg(join))
    out["contributors"] = out["record_id"].map(roles.groupby("record_id")["name"].agg(join))
    out["main_institutions"] = out["record_id"].map(m_aff.groupby("record_id")["institution"].agg(join))
    out["main_countries"] = out["record_id"].map(m_aff.groupby("record_id")["country"].agg(join))
    return out


def achievement_list(aset: AchievementSet) -> pd.DataFrame:
    """The achievement list ranked within category (by V, then year, then id)."""
    ach = order_achievements(aset.achievements)
    ach = ach.sort_values("category", kind="mergesort")
    ach.insert(1, "rank_in_category", ach.groupby("category").cumcount() + 1)
    ach = ach.merge(_names_of_main(aset), on="record_id", how="left")
    lead = ["category", "rank_in_category", "record_id", "work", "subcategory", "period", "year", "V", "n_impact",
            "main_contributors", "main_institutions", "main_countries", "contributors"]
    rest = [c for c in ach.columns if c not in lead and c != "row"]
    return ach[lead + rest].reset_index(drop=True)


def unit_lists(aset: AchievementSet, levels=("institution", "country"), *, variant: str = "fractional",
               engine=None) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Institution / country lists and the drill-down, counted by main contributors.

    Returns ``({level: table}, drilldown)``; tables are ranked by ``p_frac``
    (``variant="fractional"``) or ``p_full`` (``"full"``), ties sharing the lower rank
    and ordered by unit; ``unknown`` (main contributors without affiliation) is kept
    unranked so the fractional credits sum to the number of achievements.
    """
    from innometrics.rankings.engines import Engine, connect
    from innometrics.rankings.indicators import competition_rank

    own = not isinstance(engine, Engine)
    eng = connect(engine) if own else engine
    try:
        loaded = load_main_contributors(eng, aset)
        facts = eng.execute(loaded.facts.select("record_key", "record_id"))
        tables, drills = {}, []
        scores = aset.achievements.set_index("record_id")["V"]
        n_total = float(len(aset.achievements))
        for level in levels:
            pairs = record_unit_credits(loaded, level, "main_contributors")
            pairs = pairs.merge(facts, on="record_key", how="left")
            pairs["V"] = pairs["record_id"].map(scores).astype("float64")
            scored = pairs["V"].notna()
            pairs["v_full"] = np.where(scored & (pairs["p_full"] > 0), pairs["V"], 0.0)
            pairs["v_frac"] = np.where(scored, pairs["p_frac"] * pairs["V"].fillna(0.0), 0.0)
            pairs["scored"] = (scored & (pairs["p_full"] > 0)).astype("int64")
            agg = pairs.groupby("unit", sort=True).agg(p_full=("p_full", "sum"), p_frac=("p_frac", "sum"),
                                                       v_sum_full=("v_full", "sum"), v_sum_frac=("v_frac", "sum"),
                                                       n_scored=("scored", "sum")).reset_index()
            names = unit_names(loaded, level)
            agg = agg.merge(names, on="unit", how="left")
            if level == "country":
                lookup = country_names()
                agg["name"] = agg["unit"].map(lookup).fillna(agg["name"])
            agg.loc[agg["unit"] == UNKNOWN, "name"] = "unknown (main contributor without affiliation)"
            agg["share"] = agg["p_frac" if variant == "fractional" else "p_full"] / n_total if n_total else np.nan
            col = "p_frac" if variant == "fractional" else "p_full"
            known = agg[agg["unit"] != UNKNOWN].sort_values([col, "unit"], ascending=[False, True], kind="mergesort")
            known = known.assign(rank=pd.array(competition_rank(known[col].to_numpy()), dtype="Int64"))
            unknown = agg[agg["unit"] == UNKNOWN].assign(rank=pd.array([pd.NA] * int((agg["unit"] == UNKNOWN).sum()),
                                                                       dtype="Int64"))
            table = pd.concat([known, unknown], ignore_index=True)
            tables[level] = table[["rank", "unit", "name", "p_full", "p_frac", "share", "v_sum_full", "v_sum_frac",
                                   "n_scored"]]
            drill = pairs[["record_id", "unit", "p_full", "p_frac", "V"]].assign(level=level)
            drills.append(drill)
    finally:
        if own:
            eng.close()
    drill = pd.concat(drills, ignore_index=True) if drills else pd.DataFrame()
    info = aset.achievements[["record_id", "category", "work", "period"]]
    drill = drill.merge(info, on="record_id", how="left")
    drill = drill[["level", "unit", "record_id", "category", "work", "period", "p_full", "p_frac", "V"]]
    drill = drill.sort_values(["level", "unit", "record_id"], kind="mergesort").reset_index(drop=True)
    return tables, drill


def build_achievement_lists(spec: AchievementSpec | dict | str | os.PathLike, *, engine=None) -> AchievementLists:
    """Read the achievement table, select, and build the three lists and the drill-down."""
    if not isinstance(spec, AchievementSpec):
        spec = load_achievement_spec(spec)
    log: list[dict[str, Any]] = []
    aset = read_achievements(spec.path, sheet=spec.sheet)
    log.append({"step": "read", "method": "achievement_table", "params": {"path": spec.path,
                                                                          **aset.recordset.counts}})
    selected = select_top(aset.achievements, spec.top, category=spec.category, subcategory=spec.subcategory,
                          years=spec.years)
    rejected = selected.attrs["rejected"]
    log.append({"step": "select", "method": "top_n", "params": {"top": spec.top, "category": spec.category,
                                                                "subcategory": spec.subcategory,
                                                                "years": list(spec.years) if spec.years else None}})
    used = aset.subset(selected["record_id"])
    tables, drill = unit_lists(used, spec.levels, variant=spec.variant, engine=engine)
    log.append({"step": "count", "method": "main_contributors", "params": {"variant": spec.variant,
                                                                           "levels": list(spec.levels)}})
    rejects = pd.DataFrame({"file": aset.file, "row": rejected["row"].astype("Int64"),
                            "record_id": rejected["record_id"], "reason": rejected["reason"]})
    counts = {"read": int(aset.recordset.counts["read"]), "used": len(used.achievements), "rejected": len(rejects)}
    summary = {
        "counts": counts,
        "variant": spec.variant,
        "impact_columns": aset.impact_columns,
        "scored_achievements": int(used.achievements["V"].notna().sum()),
        "main_contributors": int(used.roles["is_main"].sum()),
        "contributors": len(used.roles),
        "levels": {lv: {"units": int(t["rank"].notna().sum()),
                        "sum_p_frac": float(round(t["p_frac"].sum(), DECIMALS)),
                        "reconciled": bool(abs(t["p_frac"].sum() - counts["used"]) <= 1e-9 * max(1, counts["used"]))}
                   for lv, t in tables.items()},
    }
    return AchievementLists(achievements=achievement_list(used), levels=tables, drilldown=drill, rejects=rejects,
                            summary=summary, log=log, spec=spec)


def write_achievement_lists(result: AchievementLists, out_dir: str | os.PathLike) -> Path:
    """Write the lists, drill-down, rejects, summary and ``manifest.json`` (kind ``achievements``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {"achievements": "achievements.csv"}
    write_csv(round_floats(result.achievements), out / "achievements.csv")
    for level, df in result.levels.items():
        write_csv(round_floats(df), out / f"{level}.csv")
        tables[level] = f"{level}.csv"
    write_csv(round_floats(result.drilldown), out / "drilldown.csv")
    tables["drilldown"] = "drilldown.csv"
    write_csv(result.rejects, out / "rejects.csv")
    tables["rejects"] = "rejects.csv"
    write_json(result.summary, out / "summary.json")
    spec = result.spec
    inputs = [input_record(spec.path)] if spec is not None and Path(spec.path).is_file() else []
    manifest = build_manifest("achievements", inputs=inputs, counts=result.summary["counts"], tables=tables,
                              log=result.log, spec=spec.to_dict() if spec else None,
                              spec_text=spec.text if spec else None, summary="summary.json")
    write_manifest(out, manifest)
    return out
