"""What drives an index: leave-one-out rank changes, build comparisons, a unit's strengths and weaknesses.

Each tool is a registered method of the ``analysis`` family, taking built indices
(:class:`~innometrics.composite.builds.IndexBuild`):

* :func:`remove_elements` (COINr ``remove_elements``): rebuild with each indicator (or
  each aggregate of a level) given weight 0 in turn; scores, ranks and rank changes of
  the target, and the mean absolute rank change per removed element.
* :func:`compare_builds` (COINr ``compare_coins``): the ranks of one code in two builds
  of the same units, and their differences.
* :func:`strengths_weaknesses` (COINr ``get_str_weak``): a unit's best- and worst-ranked
  indicators.

Ranks are R's ``rank(-x, ties.method = "min", na.last = "keep")``: highest score 1.

Reference: COINr 1.1.14, ``R/audit_tools.R`` (``remove_elements``), ``R/compare.R``
(``compare_coins``), ``R/results.R`` (``get_str_weak``, ``rank_df``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from innometrics.composite.builds import IndexBuild
from innometrics.composite.pipeline import rebuild
from innometrics.composite.weight import weights_table
from innometrics.errors import SpecError
from innometrics.io.manifest import extend_manifest
from innometrics.io.writers import write_csv
from innometrics.registry import register


def rank_desc(x: np.ndarray | pd.Series) -> np.ndarray:
    """R's ``rank(-x, ties.method = "min", na.last = "keep")``: highest value 1, ties share the best rank."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    out[ok] = rankdata(-x[ok], method="min")
    return out


def _top_code(build: IndexBuild) -> str:
    m = build.meta[build.meta["Type"] == "Aggregate"]
    if m.empty:
        raise SpecError("the build has no aggregate: run [aggregate] first.", key="aggregate")
    return str(m.loc[m["Level"] == m["Level"].max(), "iCode"].iloc[0])


def _scores(build: IndexBuild, code: str, stage: str) -> pd.Series:
    if stage not in build.stages:
        raise SpecError(f"the build has no stage '{stage}'; stages: {', '.join(build.stages)}.", key="stage")
    frame = build.stages[stage]
    if code not in frame.columns:
        raise SpecError(f"'{code}' is not a column of the {stage} stage.", key="code")
    return frame[code]


@dataclass(frozen=True)
class LeaveOneOut:
    """Result of :func:`remove_elements` (COINr's list of the same names).

    ``scores``, ``ranks``, ``rank_changes``, ``abs_rank_changes``: one row per unit
    (sorted by uCode), one column ``Nominal`` then one per removed element.
    ``mean_abs_change``: per column, the mean over units of the absolute rank change.
    """

    level: int
    target: str
    scores: pd.DataFrame
    ranks: pd.DataFrame
    rank_changes: pd.DataFrame
    abs_rank_changes: pd.DataFrame
    mean_abs_change: pd.Series


@register("analysis", "remove_elements")
def remove_elements(build: IndexBuild, level: int, *, target: str | None = None, stage: str = "aggregated") -> LeaveOneOut:
    """Leave one element out at a time (COINr ``remove_elements``): leave-one-indicator-out
    (``level = 1``) or leave-one-pillar-out (``level = 2``) rank changes.

    For each element :math:`e` of ``level`` (in iMeta order) the build is redone with
    :math:`w_e = 0` (other weights unchanged; weights renormalise over the rest), and

    .. math:: \\Delta r_{u,e} = r_u^{nominal} - r_u^{(-e)}, \\qquad
              \\overline{|\\Delta r|}_e = \\frac{1}{n} \\sum_u |\\Delta r_{u,e}|

    A positive change means the unit falls when ``e`` is removed (it needed ``e``).
    ``target`` defaults to the top aggregate.
    """
    top = target or _top_code(build)
    levels = sorted(int(v) for v in build.meta.loc[build.meta["Type"] == "Aggregate", "Level"].unique())
    if not levels or level not in range(1, max(levels)):
        raise SpecError(f"level must be between 1 (indicators) and {max(levels, default=2) - 1} (one below the top). Got {level!r}.",
                        key="level")
    wt = weights_table(build.meta)
    codes = [str(c) for c in wt.loc[wt["Level"] == level, "iCode"]]
    nominal = _scores(build, top, stage)
    scores = {"Nominal": nominal}
    for code in codes:
        scores[code] = _scores(rebuild(build, weights={code: 0.0}), top, stage).reindex(nominal.index)
    table = pd.DataFrame(scores).sort_index(kind="stable")
    ranks = table.apply(lambda s: pd.Series(rank_desc(s), index=s.index))
    changes = ranks.apply(lambda s: ranks["Nominal"] - s)
    absolute = changes.abs()
    return LeaveOneOut(level=level, target=top, scores=table, ranks=ranks, rank_changes=changes,
                       abs_rank_changes=absolute, mean_abs_change=absolute.mean(axis=0, skipna=False))


@register("analysis", "compare")
def compare_builds(first: IndexBuild, second: IndexBuild, *, code: str | None = None, stage: str = "aggregated") -> pd.DataFrame:
    """Ranks of ``code`` in two builds and their difference (COINr ``compare_coins``).

    Columns ``uCode, rank_1, rank_2, diff, abs_diff`` with ``diff = rank_1 - rank_2``
    (positive: the unit ranks better in the second build), sorted by uCode; units are
    matched by code (a unit in one build only has a missing rank in the other).
    """
    code = code or _top_code(first)
    a = _scores(first, code, stage)
    b = _scores(second, code, stage)
    r1 = pd.Series(rank_desc(a), index=a.index)
    r2 = pd.Series(rank_desc(b), index=b.index)
    units = sorted(set(a.index) | set(b.index))
    out = pd.DataFrame({"uCode": units, "rank_1": r1.reindex(units).to_numpy(), "rank_2": r2.reindex(units).to_numpy()})
    out["diff"] = out["rank_1"] - out["rank_2"]
    out["abs_diff"] = out["diff"].abs()
    return out


def _signif(v: float, digits: int) -> float:
    """R's ``signif``."""
    if not np.isfinite(v) or v == 0:
        return v
    return float(f"{v:.{digits}g}")


@register("analysis", "strengths_weaknesses")
def strengths_weaknesses(
    build: IndexBuild,
    unit: str,
    *,
    stage: str = "raw",
    top: int = 5,
    bottom: int = 5,
    report_level: int = 2,
    adjust_direction: bool | None = None,
    drop_lowest: bool = True,
    sig_figs: int | None = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A unit's ``top`` best- and ``bottom`` worst-ranked indicators (COINr ``get_str_weak``).

    Each indicator is ranked over units (highest 1) after multiplying by its direction
    (by default only for the raw stage, whose values are not yet reversed); the unit's
    ranks are sorted ascending (ties keep COINr's iMeta order: by parent, then file order), indicators where the unit has
    no value or, with ``drop_lowest``, the worst rank of all units are left out. Tables:
    ``Code, Name, Parent`` (the level-``report_level`` aggregate), ``Rank, Value``
    (the stage's value, to ``sig_figs`` significant figures) and ``Unit``.
    """
    data = build.stages.get(stage)
    if data is None:
        raise SpecError(f"the build has no stage '{stage}'; stages: {', '.join(build.stages)}.", key="stage")
    if unit not in data.index:
        raise SpecError(f"unit '{unit}' is not in the {stage} stage.", key="unit")
    ind = build.meta[build.meta["Type"] == "Indicator"].set_index("iCode", drop=False)
    # COINr's Meta$Ind is sorted by (Level, Parent); ties in rank keep that order
    ordered = sorted(ind.index, key=lambda c: (str(ind.loc[c, "Parent"]).casefold(), str(ind.loc[c, "Parent"])))
    codes = [c for c in ordered if c in data.columns]
    if adjust_direction is None:
        adjust_direction = stage == "raw"
    ranks = {}
    for c in codes:
        x = data[c].to_numpy(dtype=float) * (float(ind.loc[c, "Direction"]) if adjust_direction else 1.0)
        ranks[c] = pd.Series(rank_desc(x), index=data.index)
    mine = pd.Series({c: ranks[c][unit] for c in codes}).dropna()
    if drop_lowest:
        mine = mine[[mine[c] != np.nanmax(ranks[c].to_numpy()) for c in mine.index]]
    mine = mine.sort_values(kind="stable")
    parent_at = _ancestor_at(build.meta, report_level)

    def table(chosen: list[str]) -> pd.DataFrame:
        values = [data.loc[unit, c] for c in chosen]
        return pd.DataFrame({
            "Code": chosen,
            "Name": [ind.loc[c, "iName"] for c in chosen],
            "Parent": [parent_at.get(c) for c in chosen],
            "Rank": [int(mine[c]) for c in chosen],
            "Value": [_signif(float(v), sig_figs) if sig_figs is not None else float(v) for v in values],
            "Unit": [ind.loc[c, "Unit"] for c in chosen],
        })

    return table(list(mine.index[:top])), table(list(mine.index[len(mine) - bottom:]))


def _ancestor_at(meta: pd.DataFrame, level: int) -> dict[str, Any]:
    parent = dict(zip(meta["iCode"].astype(str), meta["Parent"]))
    lev = dict(zip(meta["iCode"].astype(str), meta["Level"]))
    out = {}
    for code, lv in lev.items():
        cur = code
        while cur is not None and not pd.isna(cur) and lev.get(cur, 0) < level:
            cur = parent.get(cur)
        out[code] = cur if cur is not None and not pd.isna(cur) and lev.get(cur) == level else None
    return out


def write_leave_one_out(result: LeaveOneOut, out_dir: str | os.PathLike) -> dict[str, str]:
    """Write ``leave_one_out/{scores,ranks,rank_changes,mean_abs_change}.csv`` and list them in the manifest."""
    out = Path(out_dir)
    tables = {
        "leave_one_out_scores": "leave_one_out/scores.csv",
        "leave_one_out_ranks": "leave_one_out/ranks.csv",
        "leave_one_out_rank_changes": "leave_one_out/rank_changes.csv",
        "leave_one_out_mean_abs_change": "leave_one_out/mean_abs_change.csv",
    }
    for key, frame in (("scores", result.scores), ("ranks", result.ranks), ("rank_changes", result.rank_changes)):
        write_csv(frame.reset_index(names="uCode"), out / tables[f"leave_one_out_{key}"])
    mac = pd.DataFrame({"removed": result.mean_abs_change.index, "mean_abs_rank_change": result.mean_abs_change.to_numpy()})
    write_csv(mac, out / tables["leave_one_out_mean_abs_change"])
    extend_manifest(out, tables, {"step": "leave_one_out", "method": "remove_elements",
                                  "params": {"level": result.level, "target": result.target}})
    return tables
