"""An index over time (a panel build): paths, rank changes, growth readings and the dimension decomposition.

For a :class:`~innometrics.composite.builds.PanelBuild`:

* :func:`index_paths`: each unit's top score per period, its rank and the change of rank
  since the previous period (positive = moved up);
* :func:`growth_readings`: the score of a period against a base period as a multiple and
  a percentage (a multiple of 3.66 is +266 %, not +366 %) and as a compound annual rate;
* :func:`contributions`: how much each dimension (child of the top aggregate) adds to a
  unit's change since the base period. For an arithmetic top aggregate
  :math:`I_t = \\sum_i \\tilde w_{i,t} x_{i,t}` (weights renormalised over the dimensions
  present) the contributions :math:`c_{i,t} = \\tilde w_{i,t} x_{i,t} - \\tilde w_{i,b} x_{i,b}`
  add up exactly to :math:`I_t - I_b`; other aggregations are not additive and get none.

:func:`write_timeseries` writes them to ``timeseries/`` of a build's output folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from innometrics.composite.aggregate import hierarchy
from innometrics.composite.builds import PanelBuild
from innometrics.errors import SpecError
from innometrics.io.manifest import extend_manifest
from innometrics.io.writers import write_csv


def top_code(panel: PanelBuild) -> str:
    meta = next(iter(panel.builds.values())).meta
    return str(meta.loc[meta["Level"] == meta["Level"].max(), "iCode"].iloc[0])


def index_paths(panel: PanelBuild) -> pd.DataFrame:
    """``uCode, uName, Time, <top>, Rank, rank_change``: one row per unit and period, by unit then period."""
    top = top_code(panel)
    res = panel.results[["uCode", "uName", "Time", "Rank", top]].copy()
    res = res.sort_values(["uCode", "Time"], kind="stable").reset_index(drop=True)
    res["rank_change"] = -res.groupby("uCode")["Rank"].diff()
    return res[["uCode", "uName", "Time", top, "Rank", "rank_change"]]


def base_period_of(panel: PanelBuild) -> Any:
    """The spec's ``[normalise] base_period`` when the build is an index on a period, else the first period."""
    norm = panel.spec.normalise
    periods = list(panel.builds)
    if norm is not None and norm.base_period is not None:
        value = norm.base_period
        return int(value) if isinstance(value, float) and value.is_integer() else value
    return periods[0]


def growth_readings(panel: PanelBuild, *, base: Any = None, period: Any = None) -> pd.DataFrame:
    """Top score of ``period`` (default: the last) against ``base`` (default: :func:`base_period_of`).

    ``multiple = x_period / x_base``, ``percent_change = (multiple - 1) * 100`` and
    ``cagr = multiple ** (1 / (period - base)) - 1`` (periods are years).
    """
    base = base_period_of(panel) if base is None else base
    period = list(panel.builds)[-1] if period is None else period
    for p, key in ((base, "base"), (period, "period")):
        if p not in panel.builds:
            raise SpecError(f"{key} {p!r} is not a period of the build ({', '.join(map(str, panel.builds))}).", key=key)
    top = top_code(panel)
    a = panel.builds[base].stages["aggregated"][top]
    b = panel.builds[period].stages["aggregated"][top]
    units = a.index.union(b.index)
    names = pd.concat([panel.builds[base].units["uName"], panel.builds[period].units["uName"]])
    names = names[~names.index.duplicated()]
    out = pd.DataFrame({"uCode": units, "uName": names.reindex(units).to_numpy(), "base_period": base,
                        "base_value": a.reindex(units).to_numpy(), "period": period, "value": b.reindex(units).to_numpy()})
    with np.errstate(invalid="ignore", divide="ignore"):
        out["multiple"] = out["value"] / out["base_value"]
        out["percent_change"] = (out["multiple"] - 1) * 100
        span = float(period) - float(base)
        out["cagr"] = out["multiple"] ** (1 / span) - 1 if span > 0 else np.nan
    return out


def contributions(panel: PanelBuild, *, base: Any = None) -> pd.DataFrame | None:
    """Each dimension's contribution to the change of the top score since ``base`` (None if not additive).

    Rows ``uCode, Time, dimension, weight_share, score, contribution``; per unit and
    period the contributions sum to ``top(Time) - top(base)``.
    """
    method = panel.spec.section("aggregate").get("method", "arithmetic")
    meta = next(iter(panel.builds.values())).meta
    groups = hierarchy(meta)
    top_level = max(groups)
    top_method = method[-1] if isinstance(method, list) else method
    if top_method != "arithmetic":
        return None
    _, dims, weights = groups[top_level][0]
    base = base_period_of(panel) if base is None else base
    base_agg = panel.builds[base].stages["aggregated"]

    def shares(frame: pd.DataFrame) -> pd.DataFrame:
        present = frame[dims].notna().to_numpy()
        W = np.where(present, weights, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pd.DataFrame(W / W.sum(axis=1, keepdims=True), index=frame.index, columns=dims)

    base_part = (shares(base_agg) * base_agg[dims].fillna(0.0))
    rows = []
    for p, b in panel.builds.items():
        agg = b.stages["aggregated"]
        s = shares(agg)
        part = s * agg[dims].fillna(0.0)
        for unit in agg.index:
            for d in dims:
                ref = base_part.loc[unit, d] if unit in base_part.index else np.nan
                rows.append({"uCode": unit, "Time": p, "dimension": d, "weight_share": s.loc[unit, d],
                             "score": agg.loc[unit, d], "contribution": part.loc[unit, d] - ref})
    return pd.DataFrame(rows)


def write_timeseries(panel: PanelBuild, out_dir: str | os.PathLike) -> dict[str, str]:
    """Write ``timeseries/index_paths.csv``, ``growth.csv`` and (when additive) ``contributions.csv``; list them in the manifest."""
    out = Path(out_dir)
    tables = {"timeseries_paths": "timeseries/index_paths.csv", "timeseries_growth": "timeseries/growth.csv"}
    write_csv(index_paths(panel), out / tables["timeseries_paths"])
    write_csv(growth_readings(panel), out / tables["timeseries_growth"])
    contrib = contributions(panel)
    if contrib is not None:
        tables["timeseries_contributions"] = "timeseries/contributions.csv"
        write_csv(contrib, out / tables["timeseries_contributions"])
    extend_manifest(out, tables, {"step": "timeseries", "method": "index_over_time",
                                  "params": {"base_period": base_period_of(panel), "top": top_code(panel)}})
    return tables
