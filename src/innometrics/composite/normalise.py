"""Normalisation: bring every indicator onto a common scale (COINr ``Normalise``).

Each method is a small pure function of one column ``x`` (``numpy`` float array,
``NaN`` = missing, which passes through as ``NaN``) registered as
``("normalise", name)``. Direction reversal happens before the method, exactly as
in COINr's ``Normalise.numeric``: the column is multiplied by its direction (1 or
-1) and the method then sees ``x * direction``.

Reference: COINr 1.1.14, ``R/normalise.R`` (functions ``n_minmax``, ``n_zscore``,
``n_rank``, ``n_prank``, ``n_borda``, ``n_dist2max``, ``n_dist2ref``,
``n_dist2targ``, ``n_goalposts``, ``n_fracmax``); OECD/JRC Handbook on Constructing
Composite Indicators (2008), section 5.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from innometrics.composite.params import (
    BOOLEAN,
    DIRECTION,
    INCREASING_PAIR,
    INDEX,
    MEAN_SD,
    NUMBER,
    Rule,
    check_params,
    declare,
)
from innometrics.errors import SpecError
from innometrics.registry import get_method, register


def _min_max(x: np.ndarray) -> tuple[float, float]:
    ok = ~np.isnan(x)
    if not ok.any():
        return np.nan, np.nan
    return float(np.min(x[ok])), float(np.max(x[ok]))


def _rank_min(x: np.ndarray) -> np.ndarray:
    """R's ``rank(x, ties.method = "min", na.last = "keep")`` ("sport" ranking)."""
    out = np.full(x.shape, np.nan)
    ok = ~np.isnan(x)
    if ok.any():
        out[ok] = rankdata(x[ok], method="min")
    return out


@register("normalise", "minmax")
@declare(range=INCREASING_PAIR)
def minmax(x: np.ndarray, *, range: tuple[float, float] = (0.0, 100.0)) -> np.ndarray:  # noqa: A002
    """Min-max scaling onto ``[l, u]`` (COINr ``n_minmax``).

    .. math:: y = \\frac{x - \\min x}{\\max x - \\min x} (u - l) + l

    A constant column gives ``NaN`` (0/0), as in COINr.

    >>> minmax(np.array([1.0, 2.0, 3.0]))
    array([  0.,  50., 100.])
    """
    lo, hi = _min_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - lo) / (hi - lo) * (range[1] - range[0]) + range[0]


@register("normalise", "zscore")
@declare(mean_sd=MEAN_SD)
def zscore(x: np.ndarray, *, mean_sd: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """Standardisation to mean ``m`` and standard deviation ``s`` (COINr ``n_zscore``).

    .. math:: y = \\frac{x - \\bar x}{\\mathrm{sd}(x)} s + m

    with the *sample* standard deviation (denominator ``n - 1``), missing values ignored.

    >>> zscore(np.array([1.0, 2.0, 3.0]))
    array([-1.,  0.,  1.])
    """
    ok = x[~np.isnan(x)]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.mean(ok) if ok.size else np.nan
        sd = np.std(ok, ddof=1) if ok.size > 1 else np.nan
        return (x - mean) / sd * mean_sd[1] + mean_sd[0]


@register("normalise", "rank")
@declare()
def rank(x: np.ndarray) -> np.ndarray:
    """Ranks, highest value = highest rank, ties get the minimum rank (COINr ``n_rank``).

    >>> rank(np.array([10.0, 30.0, 10.0, np.nan]))
    array([ 1.,  3.,  1., nan])
    """
    return _rank_min(x)


@register("normalise", "prank")
@declare()
def prank(x: np.ndarray) -> np.ndarray:
    """Percentile ranks ``(rank - 1) / (n - 1)``, ``n`` = non-missing count (COINr ``n_prank``).

    >>> prank(np.array([10.0, 30.0, 20.0]))
    array([0. , 1. , 0.5])
    """
    n = int((~np.isnan(x)).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return (_rank_min(x) - 1.0) / (n - 1)


@register("normalise", "borda")
@declare()
def borda(x: np.ndarray) -> np.ndarray:
    """Borda scores ``rank - 1`` with minimum ranks for ties (COINr ``n_borda``).

    >>> borda(np.array([10.0, 30.0, 20.0]))
    array([0., 2., 1.])
    """
    return _rank_min(x) - 1.0


@register("normalise", "dist2max")
@declare()
def dist2max(x: np.ndarray) -> np.ndarray:
    """Distance to the maximum, in [0, 1] (COINr ``n_dist2max``).

    .. math:: y = 1 - \\frac{\\max x - x}{\\max x - \\min x}

    >>> dist2max(np.array([0.0, 5.0, 10.0]))
    array([0. , 0.5, 1. ])
    """
    lo, hi = _min_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (hi - x) / (hi - lo)


@register("normalise", "dist2ref")
@declare(ref_index=INDEX, cap_max=BOOLEAN)
def dist2ref(x: np.ndarray, *, ref_index: int, cap_max: bool = False) -> np.ndarray:
    """Distance to the value of a reference unit ``x_ref = x[ref_index]`` (COINr ``n_dist2ref``).

    .. math:: y = 1 - \\frac{x_{ref} - x}{x_{ref} - \\min x}

    ``ref_index`` is 0-based (COINr's ``iref`` is 1-based); values above the reference
    are capped at 1 when ``cap_max``. A missing reference value gives all ``NaN``.

    >>> dist2ref(np.array([0.0, 5.0, 10.0]), ref_index=1)
    array([0., 1., 2.])
    """
    if ref_index >= x.size:
        raise SpecError(f"The 'ref_index' parameter of normalise.dist2ref must be below {x.size}. Got {ref_index}.")
    lo, _ = _min_max(x)
    ref = x[ref_index]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (ref - x) / (ref - lo)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


@register("normalise", "dist2targ")
@declare(target=NUMBER, direction=DIRECTION, cap_max=BOOLEAN)
def dist2targ(x: np.ndarray, *, target: float, direction: int = 1, cap_max: bool = False) -> np.ndarray:
    """Distance to a target (COINr ``n_dist2targ``).

    .. math:: y = \\frac{x - \\min x}{x_{targ} - \\min x} \\; (direction = 1), \\qquad
              y = \\frac{\\max x - x}{\\max x - x_{targ}} \\; (direction = -1)

    Values beyond the target are capped at 1 when ``cap_max``. When indicators are
    reversed before normalising (the default in the pipeline), the target arrives
    multiplied by the direction and ``direction`` stays 1, as in COINr.

    >>> dist2targ(np.array([0.0, 5.0, 10.0]), target=5.0)
    array([0., 1., 2.])
    """
    lo, hi = _min_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (x - lo) / (target - lo) if direction == 1 else (hi - x) / (hi - target)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


@register("normalise", "goalposts")
@declare(lower=NUMBER, upper=NUMBER, scale=NUMBER, direction=DIRECTION, trunc2posts=BOOLEAN)
def goalposts(
    x: np.ndarray, *, lower: float, upper: float, scale: float = 1.0, direction: int = 1, trunc2posts: bool = True
) -> np.ndarray:
    """Fraction of the way from the lower to the upper goalpost, times ``scale`` (COINr ``n_goalposts``).

    .. math:: y = \\frac{x - GP_{low}}{GP_{high} - GP_{low}} a \\; (direction = 1), \\qquad
              y = \\frac{x - GP_{high}}{GP_{low} - GP_{high}} a \\; (direction = -1)

    Values outside the goalposts are truncated to [0, 1] before scaling when ``trunc2posts``.

    >>> goalposts(np.array([0.0, 5.0, 20.0]), lower=0, upper=10, scale=100)
    array([  0.,  50., 100.])
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        if direction == -1:
            y = (x - upper) / (lower - upper)
        else:
            y = (x - lower) / (upper - lower)
    if trunc2posts:
        y = np.where(y > 1, 1.0, y)
        y = np.where(y < 0, 0.0, y)
    return y * scale


@register("normalise", "fracmax")
@declare()
def fracmax(x: np.ndarray) -> np.ndarray:
    """Fraction of the maximum ``x / max(x)`` (COINr ``n_fracmax``).

    >>> fracmax(np.array([1.0, 2.0, 4.0]))
    array([0.25, 0.5 , 1.  ])
    """
    _, hi = _min_max(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / hi


@register("normalise", "scaled")
@declare(bounds=INCREASING_PAIR, scale_factor=NUMBER)
def scaled(x: np.ndarray, *, bounds: tuple[float, float] = (0.0, 100.0), scale_factor: float = 100.0) -> np.ndarray:
    """Linear rescaling by fixed bounds (COINr ``n_scaled``; not min-max).

    .. math:: y = \\frac{x - l}{u - l} \\, a

    with ``bounds = [l, u]`` and ``scale_factor`` :math:`a`; unlike min-max, the bounds
    are fixed numbers, so a value's score does not depend on the other units.

    >>> scaled(np.array([0.0, 5.0, 20.0]), bounds=(0, 10))
    array([  0.,  50., 200.])
    """
    lo, hi = bounds
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x - lo) / (hi - lo) * scale_factor


_BASE_VALUES = Rule("one base value per unit (a 1-d array)", lambda v: np.ndim(v) == 1)


@register("normalise", "index")
@declare(base=_BASE_VALUES, direction=DIRECTION)
def index(x: np.ndarray, *, base: np.ndarray, direction: int = 1) -> np.ndarray:
    """Index on a base: 100 times the value over the value of the base (base = 100).

    .. math:: y = 100 \\frac{x}{x_{base}} \\; (direction = 1), \\qquad
              y = 100 \\frac{x_{base}}{x} \\; (direction = -1)

    ``base`` holds, for each unit, the value it is indexed on: usually the same unit in a
    base period (a growth index: 2.66 times the base reads 266), or a reference unit. A
    negative indicator is inverted rather than negated, so that halving a cost reads
    200. Undefined cases (a missing or zero base; a zero value of a negative indicator)
    are missing. This is the "distance to a reference" normalisation
    :math:`x^t_{qc} / x^{t_0}_{qc}` of the OECD/JRC Handbook on Constructing Composite
    Indicators (2008), section 5 ("indicisation"); COINr has no such method.

    >>> index(np.array([50.0, 80.0, 3.0]), base=np.array([40.0, 40.0, 0.0]))
    array([125., 200.,  nan])
    >>> index(np.array([50.0, 20.0]), base=np.array([40.0, 40.0]), direction=-1)
    array([ 80., 200.])
    """
    x = np.asarray(x, dtype=float)
    base = np.broadcast_to(np.asarray(base, dtype=float), x.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 100.0 * x / base if direction == 1 else 100.0 * base / x
    undefined = np.isnan(base) | (base == 0) | ((direction == -1) & (x == 0))
    return np.where(undefined, np.nan, y)


def _index_bases(data: pd.DataFrame, code: str, settings: Mapping[str, Any], *, file: Any) -> np.ndarray:
    """For each row of ``data`` the value it is indexed on (:func:`index`).

    Rows are ``(Time, uCode)`` for a panel or ``uCode`` for one period. The base is the
    row's own unit in ``base_period`` and/or the unit named by ``base = "unit:CODE"``
    (in the row's period unless ``base_period`` is set).
    """
    base_period = settings.get("base_period")
    ref = settings.get("base")
    ref_unit = str(ref).split(":", 1)[1] if ref is not None else None
    col = data[code]
    panel = isinstance(data.index, pd.MultiIndex)
    if panel:
        lookup = {(t, str(u)): v for (t, u), v in col.items()}
        periods = set(data.index.get_level_values("Time"))
        if base_period is not None and base_period not in periods:
            raise SpecError(f"base_period {base_period!r} is not a period of the data ({', '.join(map(str, sorted(periods)))}).",
                            file=file, key="normalise.base_period")
        units = {str(u) for u in data.index.get_level_values("uCode")}
    else:
        if base_period is not None:
            raise SpecError("base_period needs a panel: build with [data] period = \"all\".", file=file, key="normalise.base_period")
        lookup = {(None, str(u)): v for u, v in col.items()}
        units = {str(u) for u in data.index}
    if ref_unit is not None and ref_unit not in units:
        raise SpecError(f"base unit '{ref_unit}' is not among the units ({', '.join(sorted(units)[:8])}, ...).",
                        file=file, key="normalise.base")
    out = np.empty(len(data))
    for i, key in enumerate(data.index):
        t, u = key if panel else (None, key)
        out[i] = lookup.get((base_period if base_period is not None else t, ref_unit or str(u)), np.nan)
    return out


def index_notes(before: pd.DataFrame, after: pd.DataFrame, codes: list[str]) -> dict[str, list[str]]:
    """Cells that had a value but whose index is undefined (missing or zero base), per indicator."""
    notes: dict[str, list[str]] = {}
    for code in codes:
        lost = before[code].notna() & after[code].isna()
        if lost.any():
            notes[str(code)] = ["@".join(map(str, k[::-1])) if isinstance(k, tuple) else str(k) for k in before.index[lost]]
    return notes


def normalise_column(x: np.ndarray, method: str, *, direction: int = 1, **params: Any) -> np.ndarray:
    """Normalise one column: reverse by ``direction`` then apply ``method`` (COINr ``Normalise.numeric``).

    >>> normalise_column(np.array([1.0, 2.0, 3.0]), "minmax", direction=-1)
    array([100.,  50.,   0.])
    """
    if direction not in (1, -1):
        raise SpecError(f"an indicator direction must be 1 or -1. Got {direction!r}.")
    func = get_method("normalise", method)
    return np.asarray(func(np.asarray(x, dtype=float) * direction, **params), dtype=float)


#: Parameters of each method that the spec may set for all indicators at once.
_GLOBAL_KEYS = {
    "minmax": ("range",),
    "zscore": ("mean_sd",),
    "rank": (),
    "prank": (),
    "borda": (),
    "dist2max": (),
    "dist2ref": ("reference", "cap_max"),
    "dist2targ": ("target", "cap_max"),
    "goalposts": ("goalposts", "trunc2posts"),
    "fracmax": (),
    "index": ("base_period", "base"),
    "scaled": ("bounds", "scale_factor"),
}


def _meta_numbers(meta_row: Mapping[str, Any], columns: tuple[str, ...], *, method: str, key: str, file: Any) -> list[float]:
    """The numbers of ``columns`` in one indicator's iMeta row, or a SpecError naming what is missing."""
    code = meta_row.get("iCode")
    missing = [c for c in columns if c not in meta_row or pd.isna(meta_row.get(c))]
    if missing:
        raise SpecError(
            f"normalise method '{method}' reads iMeta columns {', '.join(columns)} ({key} = \"meta\"), but indicator "
            f"'{code}' lacks {', '.join(missing)}; add them to iMeta (or the metadata table) or give {key} as numbers.",
            file=file, key=f"normalise.{key}",
        )
    try:
        return [float(meta_row[c]) for c in columns]
    except (TypeError, ValueError):
        raise SpecError(f"iMeta columns {', '.join(columns)} of indicator '{code}' must be numbers. "
                        f"Got {[meta_row[c] for c in columns]!r}.", file=file, key=f"normalise.{key}") from None


def _as_bool(value: Any, *, code: Any, column: str, file: Any) -> bool:
    """An iMeta logical cell (R writes TRUE/FALSE; CSV readers may give bools, 0/1 or text)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().upper()
    if text in ("TRUE", "T", "1"):
        return True
    if text in ("FALSE", "F", "0"):
        return False
    raise SpecError(
        f"iMeta column {column} must be TRUE or FALSE, but indicator '{code}' has {value!r}.", file=file, key="normalise"
    )


def method_params_for(
    method: str,
    settings: Mapping[str, Any],
    meta_row: Mapping[str, Any],
    *,
    units: pd.Index,
    file: Any = None,
) -> dict[str, Any]:
    """Resolve the keyword parameters of ``method`` for one indicator.

    ``settings`` is the ``[normalise]`` section (without ``method``); ``meta_row`` the
    indicator's iMeta row. Per-indicator values read from iMeta follow COINr's
    ``get_iMeta_norm_paras``: a target is multiplied by the direction, and goalposts
    of a negative indicator are negated and swapped, because the data arrive reversed.
    """
    direction = int(meta_row.get("Direction", 1) or 1)
    code = meta_row.get("iCode")
    params: dict[str, Any] = {}
    if method == "minmax" and "range" in settings:
        rng = settings["range"]
        params["range"] = tuple(rng) if rng != "meta" else tuple(
            _meta_numbers(meta_row, ("minmax_lower", "minmax_upper"), method=method, key="range", file=file))
    elif method == "zscore" and "mean_sd" in settings:
        msd = settings["mean_sd"]
        params["mean_sd"] = tuple(msd) if msd != "meta" else tuple(
            _meta_numbers(meta_row, ("zscore_mean", "zscore_sd"), method=method, key="mean_sd", file=file))
    elif method == "scaled":
        bounds = settings.get("bounds", [0.0, 100.0])
        if bounds == "meta":
            # COINr's get_iMeta_norm_paras reads npara only; the scale factor stays the spec's (100)
            params["bounds"] = tuple(_meta_numbers(meta_row, ("scaled_lower", "scaled_upper"), method=method, key="bounds", file=file))
        else:
            params["bounds"] = tuple(bounds)
        if "scale_factor" in settings:
            params["scale_factor"] = float(settings["scale_factor"])
    elif method == "dist2ref":
        ref = settings.get("reference")
        if ref is None:
            raise SpecError("normalise method 'dist2ref' needs 'reference' = a unit code (uCode).", file=file, key="normalise.reference")
        if str(ref) not in units:
            raise SpecError(
                f"reference unit '{ref}' is not among the units being normalised ({', '.join(map(str, units[:8]))}, ...).",
                file=file,
                key="normalise.reference",
            )
        params["ref_index"] = int(units.get_loc(str(ref)))
        params["cap_max"] = bool(settings.get("cap_max", False))
    elif method == "dist2targ":
        target = settings.get("target", "meta")
        if target == "meta":
            value = meta_row.get("Target")
            if value is None or pd.isna(value):
                raise SpecError(
                    f"normalise method 'dist2targ' reads targets from iMeta's Target column, but indicator '{code}' has none; "
                    "fill the Target column or set 'target' to a number.",
                    file=file,
                    key="normalise.target",
                )
            params["target"] = float(value) * direction
            cap = settings.get("cap_max")
            # COINr's get_iMeta_norm_paras: cap_max from iMeta's dist2targ_cap_max (FALSE if absent)
            if cap is None and not pd.isna(meta_row.get("dist2targ_cap_max", np.nan)):
                cap = _as_bool(meta_row["dist2targ_cap_max"], code=code, column="dist2targ_cap_max", file=file)
            params["cap_max"] = bool(cap) if cap is not None else False
        else:
            params["target"] = float(target)
            params["cap_max"] = bool(settings.get("cap_max", False))
    elif method == "goalposts":
        posts = settings.get("goalposts", "meta")
        trunc = settings.get("trunc2posts")
        if posts == "meta":
            needed = ("goalpost_lower", "goalpost_upper", "goalpost_scale")
            missing = [c for c in needed if c not in meta_row or pd.isna(meta_row.get(c))]
            if missing:
                raise SpecError(
                    f"normalise method 'goalposts' reads iMeta columns {', '.join(needed)}, but indicator '{code}' lacks "
                    f"{', '.join(missing)}; add them or set goalposts = [lower, upper, scale].",
                    file=file,
                    key="normalise.goalposts",
                )
            lo, hi = float(meta_row["goalpost_lower"]), float(meta_row["goalpost_upper"])
            if direction == -1:
                lo, hi = -hi, -lo
            params.update(lower=lo, upper=hi, scale=float(meta_row["goalpost_scale"]))
            if trunc is None and "goalpost_trunc2posts" in meta_row and not pd.isna(meta_row["goalpost_trunc2posts"]):
                trunc = _as_bool(meta_row["goalpost_trunc2posts"], code=code, column="goalpost_trunc2posts", file=file)
        else:
            params.update(lower=float(posts[0]), upper=float(posts[1]), scale=float(posts[2]))
        if trunc is not None:
            params["trunc2posts"] = bool(trunc)
    return params


def normalise_frame(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    file: Any = None,
) -> pd.DataFrame:
    """Normalise every indicator column of ``data`` (COINr ``Normalise.coin``).

    Parameters
    ----------
    data : DataFrame
        Units x indicators (index ``uCode``).
    meta : DataFrame
        iMeta rows indexed by iCode (``Direction`` and, for some methods, ``Target``
        or goalpost columns).
    settings : mapping
        The ``[normalise]`` section: ``method`` plus its parameters, optional
        ``directions = false`` to ignore iMeta directions, and ``individual`` =
        ``{code = {method = ..., ...}}`` exceptions (COINr's ``indiv_specs``).
    """
    method = settings.get("method", "minmax")
    use_directions = settings.get("use_directions", True)
    individual = settings.get("individual", {}) or {}
    unknown = [c for c in individual if c not in data.columns]
    if unknown:
        raise SpecError(
            f"individual settings name codes that are not indicators: {', '.join(unknown)}.", file=file, key="normalise.individual"
        )
    out = {}
    for code in data.columns:
        col_settings = dict(settings)
        if code in individual:
            col_settings = dict(individual[code])
        col_method = col_settings.get("method", method)
        row = meta.loc[code].to_dict() if code in meta.index else {}
        row["iCode"] = code
        direction = int(row.get("Direction", 1)) if use_directions else 1
        if col_method == "index":
            func = get_method("normalise", "index")
            base = _index_bases(data, code, col_settings, file=file)
            out[code] = func(data[code].to_numpy(dtype=float), base=base, direction=direction)
            continue
        params = method_params_for(col_method, col_settings, row, units=data.index, file=file)
        func = get_method("normalise", col_method)
        check_params(func, params, file=file, key_prefix="normalise")
        out[code] = normalise_column(data[code].to_numpy(dtype=float), col_method, direction=direction, **params)
    return pd.DataFrame(out, index=data.index, columns=data.columns)


def allowed_settings(method: str) -> tuple[str, ...]:
    """Spec keys that ``method`` understands (besides ``method``)."""
    return _GLOBAL_KEYS[method]
