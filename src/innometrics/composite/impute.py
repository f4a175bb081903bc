"""Imputation of missing values, one indicator column at a time (COINr ``Impute``).

Each method is a pure function ``f(x, *, groups=None) -> x_imputed`` of one column
(``NaN`` = missing) registered as ``("impute", name)``; only missing cells change.
Group methods take ``groups`` (one label per unit; units with a missing label are
left as they are, as COINr's ``skip_f_na``); a group with no observed value leaves
its missing cells missing.

Reference: COINr 1.1.14, ``R/impute.R`` (``Impute.data.frame``, ``i_mean``,
``i_median``, ``i_mean_grp``, ``i_median_grp``); OECD/JRC Handbook (2008), section 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from innometrics.composite.params import INDEX, check_params, declare
from innometrics.errors import DataError, SpecError
from innometrics.registry import get_method, register


def _fill(x: np.ndarray, value: float, where: np.ndarray) -> np.ndarray:
    """A copy of ``x`` with ``value`` in the cells ``where``."""
    out = np.array(x, dtype=float, copy=True)
    out[where] = value
    return out


def _group_fill(x: np.ndarray, groups: Any, stat) -> np.ndarray:
    if groups is None:
        raise SpecError("group imputation needs a grouping column: set [impute] group = \"<column of iData>\".")
    labels = pd.Series(np.asarray(groups, dtype=object))
    if len(labels) != x.size:
        raise DataError(f"the grouping variable has {len(labels)} values for {x.size} units", reason="length")
    out = np.array(x, dtype=float, copy=True)
    known = labels.notna().to_numpy()
    for label in pd.unique(labels[known]):
        in_group = (labels == label).to_numpy() & known
        vals = out[in_group]
        obs = vals[~np.isnan(vals)]
        if obs.size == 0:
            continue
        vals[np.isnan(vals)] = stat(obs)
        out[in_group] = vals
    return out


@register("impute", "none")
@declare()
def none(x: np.ndarray, *, groups: Any = None) -> np.ndarray:
    """No imputation: missing values stay missing.

    >>> none(np.array([1.0, np.nan]))
    array([ 1., nan])
    """
    return np.array(x, dtype=float, copy=True)


@register("impute", "mean")
@declare()
def mean(x: np.ndarray, *, groups: Any = None) -> np.ndarray:
    """Replace missing values by the mean of the observed values (COINr ``i_mean``).

    >>> mean(np.array([1.0, np.nan, 3.0]))
    array([1., 2., 3.])
    """
    miss = np.isnan(x)
    return _fill(x, float(np.mean(x[~miss])) if (~miss).any() else np.nan, miss)


@register("impute", "median")
@declare()
def median(x: np.ndarray, *, groups: Any = None) -> np.ndarray:
    """Replace missing values by the median of the observed values (COINr ``i_median``).

    The median of an even count is the mean of the two middle values, as in R.

    >>> median(np.array([1.0, np.nan, 3.0, 10.0]))
    array([ 1.,  3.,  3., 10.])
    """
    miss = np.isnan(x)
    return _fill(x, float(np.median(x[~miss])) if (~miss).any() else np.nan, miss)


@register("impute", "mean_group")
@declare()
def mean_group(x: np.ndarray, *, groups: Any = None) -> np.ndarray:
    """Replace missing values by the mean of the unit's group (COINr ``i_mean_grp``).

    >>> mean_group(np.array([1.0, np.nan, 3.0, 10.0, np.nan]), groups=["a", "a", "a", "b", "b"])
    array([ 1.,  2.,  3., 10., 10.])
    """
    return _group_fill(x, groups, np.mean)


@register("impute", "median_group")
@declare()
def median_group(x: np.ndarray, *, groups: Any = None) -> np.ndarray:
    """Replace missing values by the median of the unit's group (COINr ``i_median_grp``).

    >>> median_group(np.array([1.0, np.nan, 3.0, 10.0]), groups=["a", "a", "a", "a"])
    array([ 1.,  3.,  3., 10.])
    """
    return _group_fill(x, groups, np.median)


def impute_frame(
    data: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    units: pd.DataFrame | None = None,
    file: Any = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Impute every column of ``data`` with the method in ``settings`` (COINr ``Impute.coin``).

    Returns the imputed frame and the number of cells filled per indicator. A column
    with no observed value at all is left missing, as in COINr (``Impute.numeric``
    warns "Input is all NAs - cannot impute. Returning vector of NAs." and goes on);
    the pipeline's log lists the cells still missing.
    """
    method = settings.get("method", "mean")
    func = get_method("impute", method)
    groups = None
    if method.endswith("_group"):
        group = settings.get("group")
        if not group:
            raise SpecError(f"impute method '{method}' needs 'group' = a group column of iData.", file=file, key="impute.group")
        if units is None or group not in units.columns:
            known = ", ".join(c for c in (units.columns if units is not None else []) if c != "uName") or "(none)"
            raise SpecError(f"group column '{group}' is not in iData. Group columns: {known}.", file=file, key="impute.group")
        groups = units.loc[data.index, group].to_numpy(dtype=object)
    out = {}
    filled: dict[str, int] = {}
    for code in data.columns:
        x = data[code].to_numpy(dtype=float)
        miss = np.isnan(x)
        if not miss.any() or method == "none":
            out[code] = x.copy()
            continue
        if miss.all():
            # COINr Impute.numeric: warning, the vector is returned unchanged
            out[code] = x.copy()
            filled[code] = 0
            continue
        y = func(x, groups=groups)
        # only missing cells may change (COINr restores the observed values the same way)
        y[~miss] = x[~miss]
        out[code] = y
        filled[code] = int((miss & ~np.isnan(y)).sum())
    return pd.DataFrame(out, index=data.index, columns=data.columns), filled


# --------------------------------------------------------------------------- panel imputation
#
# COINr's impute_panel (used by Impute.purse with f_i = "impute_panel") fills each
# unit's time series of each indicator from the unit's own other periods. Each
# method below takes one series: ``times`` (the panel's periods, ascending),
# ``y`` (the unit's values in those periods, NaN = missing or unit absent) and
# returns the filled series; only missing cells change.

PANEL_TYPES = ("latest", "constant", "linear", "linear-constant")


def _observed(times: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The observed periods and values of a series, both as floats."""
    ok = ~np.isnan(y)
    return np.asarray(times, dtype=float)[ok], np.asarray(y, dtype=float)[ok]


def _approx_constant(t_obs: np.ndarray, y_obs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """R's ``approx(method = "constant", f = 0, rule = 2)``: the last observation at or before ``t``,
    the first observation before the first time observed."""
    # the index of the last observation at or before t: at most t_obs.size - 1, and -1 before
    # the first observation, which takes the first instead
    pos = np.searchsorted(t_obs, t, side="right") - 1
    return y_obs[np.maximum(pos, 0)]


def _approx_linear(t_obs: np.ndarray, y_obs: np.ndarray, t: np.ndarray) -> np.ndarray:
    """R's ``approx(method = "linear", rule = 2)``, term for term as R's ``approx1``:
    ``y_i + (y_j - y_i) * ((v - x_i) / (x_j - x_i))``, ends held constant.

    Written by hand (not ``np.interp``) so the floating-point operations are R's.
    """
    out = np.empty(t.shape, dtype=float)
    for k, v in enumerate(np.asarray(t, dtype=float)):
        if v <= t_obs[0]:
            out[k] = y_obs[0]
            continue
        if v >= t_obs[-1]:
            out[k] = y_obs[-1]
            continue
        j = int(np.searchsorted(t_obs, v, side="left"))
        if t_obs[j] == v:
            out[k] = y_obs[j]
            continue
        i = j - 1
        out[k] = y_obs[i] + (y_obs[j] - y_obs[i]) * ((v - t_obs[i]) / (t_obs[j] - t_obs[i]))
    return out


@register("impute_panel", "latest")
@declare(max_time=INDEX)
def panel_latest(times: np.ndarray, y: np.ndarray, *, max_time: int | None = None) -> np.ndarray:
    """Last observation carried forward, at most ``max_time`` periods back (COINr ``impute_panel``, ``"latest"``).

    A missing value in period :math:`t_k` takes the unit's observed value of the nearest
    earlier period :math:`t_{k-1}, t_{k-2}, \\dots, t_{k-m}` (``m = max_time`` periods of
    the panel, all by default). Only observed values are carried (not values imputed
    themselves), and nothing is carried backwards: a series that starts missing stays
    missing until its first observation.

    >>> panel_latest(np.array([2018, 2019, 2020, 2021]), np.array([np.nan, 1.0, np.nan, np.nan]), max_time=1)
    array([nan,  1.,  1., nan])
    """
    out = np.array(y, dtype=float, copy=True)
    back = len(out) if max_time is None else int(max_time)
    for k in np.flatnonzero(np.isnan(y)):
        for lag in range(1, back + 1):
            if k - lag < 0:
                break
            if not np.isnan(y[k - lag]):
                out[k] = y[k - lag]
                break
    return out


@register("impute_panel", "constant")
@declare()
def panel_constant(times: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Step interpolation over time (COINr ``impute_panel``, ``"constant"``: R ``approx(method = "constant", rule = 2)``).

    A gap takes the last observed value before it; periods before the first
    observation take the first observed value (unlike ``latest``). A series with one
    observation is that value throughout; a series with none stays missing.

    >>> panel_constant(np.array([1, 2, 3, 4]), np.array([np.nan, 5.0, np.nan, 7.0]))
    array([5., 5., 5., 7.])
    """
    t_obs, y_obs = _observed(times, y)
    if y_obs.size == 0:
        return np.array(y, dtype=float, copy=True)
    # at an observed period the step function is that observation: observed values stay as they are
    return _approx_constant(t_obs, y_obs, np.asarray(times, dtype=float))


@register("impute_panel", "linear")
@declare()
def panel_linear(times: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Linear interpolation over time (COINr ``impute_panel``, ``"linear"``: R ``approx(method = "linear", rule = 2)``).

    .. math:: y(t) = y_i + (y_j - y_i) \\frac{t - t_i}{t_j - t_i}, \\qquad t_i < t < t_j

    between the nearest observed periods :math:`t_i, t_j`; before the first and after the
    last observation the end value is held. A series with a single observation cannot
    be interpolated (R stops: "need at least two non-NA values to interpolate"): use
    ``linear-constant``. A series with none stays missing.

    >>> panel_linear(np.array([2018, 2019, 2020, 2021]), np.array([np.nan, 1.0, np.nan, 5.0]))
    array([1., 1., 3., 5.])
    """
    t_obs, y_obs = _observed(times, y)
    if y_obs.size == 0:
        return np.array(y, dtype=float, copy=True)
    if y_obs.size == 1:
        raise DataError(
            "linear panel imputation needs at least two observed values in a series (R's approx stops here); "
            "use type = \"linear-constant\" to fill single-value series with their value",
            reason="single_value_series",
        )
    # at an observed period the interpolation is that observation: observed values stay as they are
    return _approx_linear(t_obs, y_obs, np.asarray(times, dtype=float))


@register("impute_panel", "linear-constant")
@declare()
def panel_linear_constant(times: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``linear`` where a series has two or more observations, ``constant`` where it has one
    (COINr ``impute_panel``, ``"linear-constant"``, the fix of COINr issue #63).

    >>> panel_linear_constant(np.array([1, 2, 3]), np.array([np.nan, 4.0, np.nan]))
    array([4., 4., 4.])
    """
    if int((~np.isnan(y)).sum()) == 1:
        return panel_constant(times, y)
    return panel_linear(times, y)


def impute_panel_frame(
    stacked: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    file: Any = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Impute a panel stacked as ``(Time, uCode)`` rows x indicator columns (COINr ``impute_panel``).

    Each unit's series of each indicator runs over all periods of the panel (a period in
    which the unit is absent counts as missing and is not filled: there is no row to
    fill). ``settings`` is the ``[impute]`` section: ``type`` (default ``"latest"``, as
    COINr) and ``max_time`` (``latest`` only; COINr's ``constant`` and ``linear`` ignore
    it, and so do we, with a note in the details).

    Returns the imputed frame (same rows) and details: cells filled per indicator,
    series that had no value (left missing, as COINr's "cannot impute ... because all
    NA values" note), and for ``latest`` how many values came from each lag.
    """
    kind = settings.get("type", "latest")
    func = get_method("impute_panel", kind)
    params = {"max_time": settings["max_time"]} if kind == "latest" and settings.get("max_time") is not None else {}
    check_params(func, params, file=file, key_prefix="impute")
    periods = sorted(pd.unique(stacked.index.get_level_values("Time")))
    if len(periods) < 2:
        raise SpecError(
            "panel imputation needs at least two periods (COINr: \"only one time point of data is available\").",
            file=file, key="impute.method",
        )
    times = np.asarray(periods, dtype=float)
    out = stacked.astype(float).copy()
    filled: dict[str, int] = {}
    empty_series: dict[str, list[str]] = {}
    # one row per unit, one column per period; absent unit-periods are not filled
    exists = pd.Series(True, index=stacked.index).unstack("Time").reindex(columns=periods)
    exists = exists.notna().to_numpy()
    for code in stacked.columns:
        wide = stacked[code].unstack("Time").reindex(columns=periods)
        values = wide.to_numpy(dtype=float)
        result = values.copy()
        for r, unit in enumerate(wide.index):
            y = values[r]
            if not np.isnan(y[exists[r]]).any():
                continue
            if np.isnan(y).all():
                empty_series.setdefault(str(code), []).append(str(unit))
                continue
            try:
                result[r] = func(times, y, **params)
            except DataError as exc:
                raise DataError(f"{exc.args[0]}. Unit '{unit}', indicator '{code}'.", reason=exc.reason) from None
        # back to the stacked rows: a unit-period absent from the panel has no row, so what the
        # method put there is dropped by the reindex (the levels keep their names, Time and uCode)
        back = pd.DataFrame(result, index=wide.index, columns=periods).stack(future_stack=True)
        back.index = back.index.reorder_levels([1, 0])
        new = back.reindex(stacked.index).to_numpy(dtype=float)
        old = stacked[code].to_numpy(dtype=float)
        out[code] = np.where(np.isnan(old), new, old)
        filled[str(code)] = int((np.isnan(old) & ~np.isnan(new)).sum())
    details: dict[str, Any] = {
        "type": kind,
        "imputed_cells": {c: n for c, n in filled.items() if n},
        "n_imputed": int(sum(filled.values())),
        "series_without_values": {c: u for c, u in empty_series.items()},
    }
    if kind != "latest" and settings.get("max_time") is not None:
        details["note"] = f"max_time is used by type 'latest' only; COINr's impute_panel ignores it for '{kind}'."
    return out, details
