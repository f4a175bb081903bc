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
    # Vectorised: one sort, then first/last/count per (unit, indicator) over non-missing points.
    pairs = panel[["unit", "indicator"]].drop_duplicates().sort_values(["unit", "indicator"], kind="stable")
    obs = panel.dropna(subset=["value"]).sort_values(["unit", "indicator", "period"], kind="stable")
    grouped = obs.groupby(["unit", "indicator"], sort=True)
    stats = grouped.agg(
        first_period=("period", "first"),
        last_period=("period", "last"),
        first_value=("value", "first"),
        last_value=("value", "last"),
        n_points=("value", "size"),
    ).reset_index()
    out = pairs.merge(stats, on=["unit", "indicator"], how="left")
    out["n_points"] = out["n_points"].fillna(0).astype("int64")
    fv = out["first_value"].to_numpy(dtype=float)
    lv = out["last_value"].to_numpy(dtype=float)
    fp = out["first_period"].to_numpy(dtype=float, na_value=np.nan)
    lp = out["last_period"].to_numpy(dtype=float, na_value=np.nan)
    rates, notes = [], []
    for n, a, b, ta, tb in zip(out["n_points"], fv, lv, fp, lp):
        if n == 0:
            rates.append(np.nan), notes.append("no data")
        elif n == 1:
            rates.append(np.nan), notes.append("only one point: growth undefined")
        else:
            rate, note = cagr(a, b, ta, tb)
            rates.append(rate), notes.append(note)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["multiple"] = np.where((out["n_points"] >= 2) & (fv != 0), lv / fv, np.nan)
    rate_arr = np.asarray(rates, dtype=float)
    if directions is not None:
        rate_arr = rate_arr * out["indicator"].map(lambda i: float(directions.get(i, 1.0))).to_numpy(dtype=float)
    out["cagr"] = rate_arr
    out["note"] = notes
    out["first_period"] = out["first_period"].astype("Int64")
    out["last_period"] = out["last_period"].astype("Int64")
    out["unit"] = out["unit"].astype(object)
    out["indicator"] = out["indicator"].astype(object)
    return out[TREND_COLUMNS].reset_index(drop=True)


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

    Raises
    ------
    DataError
        When no observation of the panel is in ``base_period``.
    """
    panel = coerce_panel(panel)
    if len(panel) and not (panel["period"] == base_period).any():
        periods = sorted(set(panel["period"].dropna().astype(int)))
        shown = ", ".join(str(p) for p in periods[:12]) + (", ..." if len(periods) > 12 else "")
        raise DataError(f"base period {base_period} is not in the panel; choose one of its periods ({shown})",
                        column="period", reason="base_period")
    base = panel[panel["period"] == base_period][["unit", "indicator", "value"]].rename(columns={"value": "_base"})
    merged = panel.merge(base, on=["unit", "indicator"], how="left")
    b = merged["_base"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["value"] = np.where((b != 0) & ~np.isnan(b), merged["value"].to_numpy(dtype=float) / b * base_value, np.nan)
    return coerce_panel(merged.drop(columns="_base"))
