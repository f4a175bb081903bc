"""Growth over time for every unit and indicator of a long panel.

All functions are pure: they take a long panel (``unit, period, indicator, value``)
and return new frames. Undefined results (fewer than two points, a first value of
zero, a change of sign) are NaN with a ``note`` saying why; nothing raises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innometrics.errors import DataError
from innometrics.model import coerce_panel

#: Columns of :func:`compute_trends`, in order.
TREND_COLUMNS = [
    "unit",
    "indicator",
    "first_period",
    "last_period",
    "first_value",
    "last_value",
    "multiple",
    "cagr",
    "n_points",
    "note",
]


def cagr(first_value: float, last_value: float, first_period: float, last_period: float) -> tuple[float, str]:
    """Compound annual growth rate between two observations, with a note when undefined.

    .. math:: \\mathrm{CAGR} = (y_{last} / y_{first})^{1/(t_{last} - t_{first})} - 1

    As COINr's ``CAGR()`` (COINr 1.1.14, ``R/trends.R``): computed from the first and
    the latest non-missing points, and 0 when the two values are equal (which also
    covers 0 -> 0). Undefined cases return NaN and a reason instead of R's ``Inf``/``NaN``.

    >>> round(cagr(48.2, 262.9, 2014, 2023)[0], 6)
    0.207426
    """
    if last_period <= first_period:
        return float("nan"), "fewer than two periods with data"
    if last_value == first_value:
        return 0.0, ""
    if first_value == 0:
        return float("nan"), "first value is 0: growth undefined"
    ratio = last_value / first_value
    if ratio < 0:
        return float("nan"), "values change sign: growth undefined"
    return float(ratio ** (1.0 / (last_period - first_period)) - 1.0), ""


def compute_trends(panel: pd.DataFrame, *, directions: dict[str, float] | None = None) -> pd.DataFrame:
    """First and last observed points, growth multiple and CAGR per unit and indicator.

    Parameters
    ----------
    panel : DataFrame
        Long panel; NaN values are missing points.
    directions : dict, optional
        ``{indicator: +1 or -1}``. When given, CAGR is multiplied by the direction, as
        COINr's ``get_trends()`` does, so that a positive value always means improvement.

    Returns
    -------
    DataFrame
        :data:`TREND_COLUMNS`, one row per unit and indicator (sorted), including pairs
        with fewer than two points (empty values and a ``note``). ``multiple`` is
        ``last_value / first_value``; ``n_points`` counts the non-missing points between
        the first and last period.
    """
    panel = coerce_panel(panel)
    if panel["period"].isna().any():
        raise DataError("trends need a period on every row; some rows have none", reason="missing_period")
    out = []
    for (unit, ind), grp in panel.groupby(["unit", "indicator"], sort=True):
        obs = grp.dropna(subset=["value"]).sort_values("period")
        n = len(obs)
        row = dict(unit=unit, indicator=ind, first_period=pd.NA, last_period=pd.NA, first_value=np.nan,
                   last_value=np.nan, multiple=np.nan, cagr=np.nan, n_points=n, note="")
        if n == 0:
            row["note"] = "no data"
        elif n == 1:
            first = obs.iloc[0]
            row.update(first_period=int(first["period"]), last_period=int(first["period"]),
                       first_value=first["value"], last_value=first["value"],
                       note="only one point: growth undefined")
        else:
            first, last = obs.iloc[0], obs.iloc[-1]
            fv, lv = float(first["value"]), float(last["value"])
            rate, note = cagr(fv, lv, int(first["period"]), int(last["period"]))
            if directions is not None and not np.isnan(rate):
                rate *= float(directions.get(ind, 1.0))
            row.update(first_period=int(first["period"]), last_period=int(last["period"]),
                       first_value=fv, last_value=lv,
                       multiple=(lv / fv) if fv != 0 else np.nan,
                       cagr=rate, note=note)
        out.append(row)
    result = pd.DataFrame(out, columns=TREND_COLUMNS)
    result["first_period"] = result["first_period"].astype("Int64")
    result["last_period"] = result["last_period"].astype("Int64")
    result["n_points"] = result["n_points"].astype("int64")
    return result


def per_capita(
    panel: pd.DataFrame,
    denominator: str,
    *,
    scale: float = 1.0,
    indicators: list[str] | None = None,
    suffix: str | None = None,
) -> pd.DataFrame:
    """Ratios of indicators to a denominator indicator, per ``scale`` units.

    .. math:: r_{u,t,i} = \\mathrm{scale} \\cdot x_{u,t,i} / x_{u,t,\\mathrm{denominator}}

    With ``denominator="population"`` (in persons) and ``scale=10000`` this gives "per
    10,000 people". A zero or missing denominator gives NaN. The result is a long panel
    whose indicator codes get the suffix ``_per_<scale>_<denominator>`` (or ``suffix``).
    """
    panel = coerce_panel(panel)
    den = panel[panel["indicator"] == denominator][["unit", "period", "value"]].rename(columns={"value": "_den"})
    if den.empty:
        raise DataError(
            f"denominator indicator {denominator!r} is not in the panel; "
            f"available: {', '.join(sorted(panel['indicator'].unique()))}",
            column="indicator",
            reason="unknown_indicator",
        )
    num = panel[panel["indicator"] != denominator]
    if indicators is not None:
        num = num[num["indicator"].isin(indicators)]
    merged = num.merge(den, on=["unit", "period"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(merged["_den"].to_numpy(dtype=float) != 0, merged["value"].to_numpy(dtype=float) / merged["_den"].to_numpy(dtype=float) * scale, np.nan)
    tag = suffix if suffix is not None else f"_per_{scale:g}_{denominator}"
    out = merged[["unit", "period", "indicator"]].copy()
    out["indicator"] = out["indicator"] + tag
    out["value"] = ratio
    return coerce_panel(out)


def base_index(panel: pd.DataFrame, base_period: int, *, base_value: float = 100.0) -> pd.DataFrame:
    """Rebase each unit's and indicator's series so that ``base_period`` equals ``base_value``.

    .. math:: I_{u,t,i} = \\mathrm{base\\_value} \\cdot x_{u,t,i} / x_{u,\\mathrm{base},i}

    Series without a non-zero value in the base period become NaN.
    """
    panel = coerce_panel(panel)
    base = panel[panel["period"] == base_period][["unit", "indicator", "value"]].rename(columns={"value": "_base"})
    merged = panel.merge(base, on=["unit", "indicator"], how="left")
    b = merged["_base"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["value"] = np.where((b != 0) & ~np.isnan(b), merged["value"].to_numpy(dtype=float) / b * base_value, np.nan)
    return coerce_panel(merged.drop(columns="_base"))
