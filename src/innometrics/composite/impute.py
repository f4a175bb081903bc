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

from innometrics.composite.params import declare
from innometrics.errors import DataError, SpecError
from innometrics.registry import get_method, register


def _fill(x: np.ndarray, value: float | np.ndarray, where: np.ndarray) -> np.ndarray:
    out = np.array(x, dtype=float, copy=True)
    out[where] = value if np.ndim(value) == 0 else np.asarray(value)[where]
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
