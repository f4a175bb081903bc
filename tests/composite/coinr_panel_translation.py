"""A loop-based translation of COINr 1.1.14's ``impute_panel`` and ``Impute.purse``, independent of the engine.

Written from COINr's R source (bluefoxr/COINr, ``R/impute.R``: ``impute_panel``,
``Impute.purse``) and its documentation of ``imp_type = "linear-constant"`` (the fix of
COINr issue #63), statement by statement on a long table of rows (dicts):

* ``latest``: years sorted decreasing; for each year, each unit with a missing value
  looks at the older years (at most ``max_time`` of them, nearest first) in the
  *original* data and copies the values it lacks, stopping when its row is complete.
* ``constant`` / ``linear``: per unit, rows ordered by time, per indicator
  ``stats::approx(x, y, xout = x, rule = 2, method = imp_type)`` (here with SciPy's
  ``interp1d``: ``"previous"`` for R's constant with ``f = 0``); a series with no value
  is skipped; ``linear`` with one value stops, as R's approx does.
* ``linear-constant``: linear, but a series with one value is that value throughout.
"""
import math

import numpy as np
from scipy.interpolate import interp1d

NA = float("nan")


def isna(v):
    return v != v


def impute_panel(rows, cols, imp_type="latest", max_time=None):
    """``impute_panel(iData, imp_type, max_time)$iData_imp`` on ``rows`` (list of dicts with Time, uCode)."""
    rows = [dict(r) for r in rows]
    if imp_type == "latest":
        original = {(r["Time"], r["uCode"]): r for r in [dict(x) for x in rows]}
        yrs = sorted({r["Time"] for r in rows}, reverse=True)
        for use_year in yrs:
            older = [y for y in yrs if y < use_year]
            if not older:
                continue
            if max_time is not None:
                older = older[: min(max_time, len(older))]
            for r in rows:
                if r["Time"] != use_year or not any(isna(r[c]) for c in cols):
                    continue
                for oldyr in older:
                    old = original.get((oldyr, r["uCode"]))
                    if old is None:
                        continue
                    for c in cols:
                        if isna(r[c]):
                            r[c] = old[c]
                    if not any(isna(r[c]) for c in cols):
                        break
        return rows
    units = list(dict.fromkeys(r["uCode"] for r in rows))
    for u in units:
        mine = sorted([r for r in rows if r["uCode"] == u], key=lambda r: r["Time"])
        x = [float(r["Time"]) for r in mine]
        for c in cols:
            y = [r[c] for r in mine]
            known = [(xi, yi) for xi, yi in zip(x, y) if not isna(yi)]
            if not known:
                continue  # "cannot impute ... because all NA values"
            if imp_type == "linear-constant" and len(known) == 1:
                y_imp = [known[0][1]] * len(y)
            elif len(known) == 1 and imp_type in ("linear", "linear-constant"):
                raise ValueError("need at least two non-NA values to interpolate")
            elif len(known) == 1:
                y_imp = [known[0][1]] * len(y)
            else:
                kx, ky = zip(*known)
                kind = "previous" if imp_type == "constant" else "linear"
                f = interp1d(kx, ky, kind=kind, bounds_error=False, fill_value=(ky[0], ky[-1]), assume_sorted=True)
                y_imp = [float(f(xi)) for xi in x]
            for r, v, old in zip(mine, y_imp, y):
                r[c] = old if not isna(old) else v
    return rows


def n_minmax(x, l_u):
    ok = [v for v in x if not isna(v)]
    lo, hi = min(ok), max(ok)
    return [(v - lo) / (hi - lo) * (l_u[1] - l_u[0]) + l_u[0] for v in x]


def a_amean(x, w):
    pairs = [(v, wi) for v, wi in zip(x, w) if not isna(v)]
    if not pairs:
        return NA
    sw = sum(wi for _, wi in pairs)
    return sum(v * wi / sw for v, wi in pairs)


def a_gmean(x, w):
    pairs = [(v, wi) for v, wi in zip(x, w) if not isna(v)]
    if not pairs:
        return NA
    sw = sum(wi for _, wi in pairs)
    return math.exp(sum(wi * math.log(v) for v, wi in pairs) / sw)


def aggregate(values, meta, f):
    """COINr ``Aggregate``: level by level, each parent from its children with iMeta weights."""
    ia = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    out = dict(values)
    for lev in range(2, int(ia["Level"].max()) + 1):
        below = ia[ia["Level"] == lev - 1]
        for parent in dict.fromkeys(below["Parent"]):
            kids = below[below["Parent"] == parent]
            out[parent] = f([out[k] for k in kids["iCode"]], [float(w) for w in kids["Weight"]])
    return out


def as_array(rows, col):
    return np.array([r[col] for r in rows], dtype=float)
