"""Outlier treatment: Winsorisation with a log fallback (COINr ``Treat``).

For each indicator COINr's default process is:

1. pass if ``|skew| < skew_threshold`` or ``kurtosis < kurtosis_threshold``
   (:func:`check_skew_kurt`); a passing indicator is left alone;
2. otherwise Winsorise (:func:`winsorise`): repeatedly replace the highest value(s)
   by the next highest (when skew >= 0), or the lowest by the next lowest (skew < 0),
   until the indicator passes or ``winsorise_max`` points have been replaced;
3. if it still fails, apply the fallback, a registered method of the ``treat_fallback``
   family: ``log_ct`` (:func:`fallback_log_ct`, the log transform :func:`log_ct` of the
   *original* values, COINr's ``combine_treat = FALSE``) or ``none`` (:func:`fallback_none`).

Skewness and kurtosis are e1071's type 2 (as in Excel and COINr's ``skew``/``kurt``).

Reference: COINr 1.1.14, ``R/treat.R`` (``Treat.numeric``, ``winsorise``, ``log_CT``,
``skew``, ``kurt``, ``check_SkewKurt``); OECD/JRC Handbook (2008), section 3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from innometrics.errors import SpecError
from innometrics.registry import get_method, method_names, register

#: COINr's default treatment settings (``Treat.data.frame``'s ``specs_def``).
DEFAULTS = {
    "winsorise_max": 5,
    "skew_threshold": 2.0,
    "kurtosis_threshold": 3.5,
    "fallback": "log_ct",
    "force_winsorise": False,
    "combine": False,
}


def skew(x: np.ndarray) -> float:
    """Sample skewness, e1071 type 2 (COINr ``skew``), missing values removed.

    .. math:: G_1 = \\frac{\\sqrt{n}\\sum d^3}{(\\sum d^2)^{3/2}} \\frac{\\sqrt{n(n-1)}}{n-2}, \\quad d = x - \\bar x

    ``NaN`` with fewer than 3 values.

    >>> round(skew(np.array([1.0, 2.0, 3.0, 10.0])), 6)
    1.763633
    """
    v = x[~np.isnan(x)]
    n = v.size
    if n < 3:
        return np.nan
    d = v - np.mean(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sqrt(n) * np.sum(d**3) / (np.sum(d**2) ** 1.5)
        return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    """Sample excess kurtosis, e1071 type 2 (COINr ``kurt``), missing values removed.

    .. math:: G_2 = \\frac{((n+1)(r - 3) + 6)(n-1)}{(n-2)(n-3)}, \\quad r = \\frac{n \\sum d^4}{(\\sum d^2)^2}

    ``NaN`` with fewer than 4 values.

    >>> round(kurt(np.array([1.0, 2.0, 3.0, 10.0])), 6)
    3.228
    """
    v = x[~np.isnan(x)]
    n = v.size
    if n < 4:
        return np.nan
    d = v - np.mean(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * np.sum(d**4) / (np.sum(d**2) ** 2)
        return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def check_skew_kurt(x: np.ndarray, skew_threshold: float = 2.0, kurtosis_threshold: float = 3.5) -> bool | None:
    """COINr ``check_SkewKurt``: pass when ``|skew| < skew_threshold`` OR ``kurt < kurtosis_threshold``.

    Returns ``None`` when skew and kurtosis cannot be computed (too few values).
    """
    sk, kt = skew(x), kurt(x)
    if np.isnan(sk):
        # fewer than 3 values, or all equal: the kurtosis is undefined too, so R's NA | NA is NA
        return None
    # bool(): with NumPy thresholds the comparisons give np.bool_, which `is True` would miss
    a = bool(abs(sk) < skew_threshold)
    b = None if np.isnan(kt) else bool(kt < kurtosis_threshold)
    # R's three-valued `|`: TRUE if either is TRUE, NA if undecided (only the kurtosis can be NA here)
    if a or b is True:
        return True
    if b is None:
        return None
    return False


def winsorise(
    x: np.ndarray,
    *,
    winsorise_max: int | None = 5,
    skew_threshold: float = 2.0,
    kurtosis_threshold: float = 3.5,
    force: bool = False,
) -> tuple[np.ndarray, int, np.ndarray]:
    """COINr's Winsorisation loop (``winsorise``).

    Returns the treated values, the number of Winsorised points and a label per point
    (``"winhi"``, ``"winlo"`` or ``""``). As in COINr, the count is the size of the
    current top (plus bottom) group of tied, Winsorised values, which grows by one per
    step for distinct values.

    >>> y, n, _ = winsorise(np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]), winsorise_max=3)
    >>> float(y[-1]), n
    (9.0, 1)
    """
    x = np.array(x, dtype=float, copy=True)
    passing = check_skew_kurt(x, skew_threshold, kurtosis_threshold)
    nwin = 0
    imax: np.ndarray | None = None
    imin: np.ndarray | None = None
    # a defined test (not None) means x has two distinct values at least, so the values left
    # after taking out the highest (lowest) group are never all missing; an undefined one
    # (fewer values, or all equal once Winsorised) stops the loop: there is nothing to test
    while passing is not None and (passing is False or force) and (winsorise_max is None or nwin < winsorise_max):
        if skew(x) >= 0:
            imax = np.flatnonzero(x == np.nanmax(x))
            x[imax] = np.nanmax(np.delete(x, imax))
        else:
            imin = np.flatnonzero(x == np.nanmin(x))
            x[imin] = np.nanmin(np.delete(x, imin))
        nwin = (0 if imax is None else imax.size) + (0 if imin is None else imin.size)
        passing = check_skew_kurt(x, skew_threshold, kurtosis_threshold)
    labels = np.full(x.size, "", dtype=object)
    if imax is not None:
        labels[imax] = "winhi"
    if imin is not None:
        labels[imin] = "winlo"
    return x, nwin, labels


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's "COIN Tool" log transform ``log_CT``.

    .. math:: y = \\ln\\left(x - \\min x + 0.01 (\\max x - \\min x)\\right)

    >>> np.round(log_ct(np.array([0.0, 100.0])), 6)
    array([0.      , 4.615121])
    """
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


@register("treat_fallback", "log_ct")
def fallback_log_ct(
    original: np.ndarray, winsorised: np.ndarray, labels: np.ndarray, *, combine: bool
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """COINr's second treatment ``f2 = log_CT`` for an indicator Winsorisation did not fix.

    Applied to the original values (COINr ``combine_treat = FALSE``: the Winsorisation is
    dropped) or, with ``combine``, to the Winsorised values. Returns the values, the point
    labels and the name of the treatment.

    >>> y, labels, name = fallback_log_ct(np.array([0.0, 100.0]), np.array([0.0, 50.0]),
    ...                                   np.array(["", "winhi"], dtype=object), combine=True)
    >>> np.round(y, 6).tolist(), labels.tolist(), name
    ([-0.693147, 3.921973], ['log_ct', 'winhi+log_ct'], 'winsorise+log_ct')
    """
    if combine:
        return log_ct(winsorised), np.where(labels != "", labels + "+log_ct", "log_ct"), "winsorise+log_ct"
    return log_ct(original), np.full(original.size, "log_ct", dtype=object), "log_ct"


@register("treat_fallback", "none")
def fallback_none(
    original: np.ndarray, winsorised: np.ndarray, labels: np.ndarray, *, combine: bool
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """No second treatment: the Winsorised values stand although the indicator still fails.

    >>> fallback_none(np.array([1.0]), np.array([2.0]), np.array([""], dtype=object), combine=False)[2] is None
    True
    """
    return winsorised, labels, None


def treat_column(x: np.ndarray, settings: Mapping[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """Treat one indicator (COINr ``Treat.numeric``); return the values and what was done.

    The record has ``treatment`` (``"none"``, ``"winsorise"``, ``"log_ct"``),
    ``n_winsorised``, ``skew``/``kurtosis`` before and after, and ``points`` (labels).
    """
    s = {**DEFAULTS, **settings}
    sk_t, ku_t = float(s["skew_threshold"]), float(s["kurtosis_threshold"])
    x = np.asarray(x, dtype=float)
    record: dict[str, Any] = {"skew": skew(x), "kurtosis": kurt(x), "treatment": "none", "n_winsorised": 0}
    passing = check_skew_kurt(x, sk_t, ku_t)
    if passing is None:
        record["treatment"] = "none (too few values to test)"
        return x.copy(), record
    labels = np.full(x.size, "", dtype=object)
    y = x.copy()
    # as COINr's Treat.numeric: only a failing indicator is Winsorised; force_winsorise then
    # keeps going up to winsorise_max points even once the indicator passes
    if passing is False:
        y, nwin, labels = winsorise(
            x, winsorise_max=s["winsorise_max"], skew_threshold=sk_t, kurtosis_threshold=ku_t, force=s["force_winsorise"]
        )
        record.update(treatment="winsorise" if nwin else "none", n_winsorised=int(nwin))
        passing = check_skew_kurt(y, sk_t, ku_t)
        if passing is None:
            return x.copy(), {**record, "treatment": "none (test undefined after Winsorisation)", "n_winsorised": 0}
        if passing is False:
            fallback = get_method("treat_fallback", s["fallback"])
            y_f, labels_f, treatment = fallback(x, y, labels, combine=bool(s["combine"]))
            # COINr's Treat.numeric gives back the untreated vector when the test is undefined
            # after f2; log_ct cannot make it so: its input passed a defined test (two distinct
            # values at least) and the log of x - min + 0.01 (max - min) > 0 keeps them distinct
            if treatment is not None:
                y, labels = y_f, labels_f
                record.update(treatment=treatment)
                if not s["combine"]:
                    record["n_winsorised"] = 0
    record.update(skew_after=skew(y), kurtosis_after=kurt(y), passes=check_skew_kurt(y, sk_t, ku_t))
    record["labels"] = labels
    return y, record


def treat_frame(
    data: pd.DataFrame, settings: Mapping[str, Any], *, file: Any = None
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Treat every indicator of ``data`` (COINr ``Treat.coin`` with global specs).

    ``settings`` keys: ``winsorise_max`` (None = no limit), ``skew_threshold``,
    ``kurtosis_threshold``, ``fallback`` (a ``treat_fallback`` method: ``"log_ct"`` or ``"none"``),
    ``force_winsorise``, ``combine`` (apply the log to the Winsorised values) and
    ``skip`` (codes to leave untreated, COINr's ``indiv_specs = "none"``).

    Returns the treated frame and one record per treated indicator (``iCode``,
    ``treatment``, ``n_winsorised``, skew/kurtosis before and after, ``points``:
    ``{uCode: label}``).
    """
    if settings.get("fallback", "log_ct") not in method_names("treat_fallback"):
        raise SpecError(f"fallback must be one of {', '.join(method_names('treat_fallback'))}. "
                        f"Got {settings.get('fallback')!r}.", file=file, key="treat.fallback")
    skip = set(settings.get("skip") or [])
    unknown = skip - set(data.columns)
    if unknown:
        raise SpecError(f"skip lists codes that are not indicators: {', '.join(sorted(unknown))}.", file=file, key="treat.skip")
    out = {}
    details = []
    for code in data.columns:
        x = data[code].to_numpy(dtype=float)
        if code in skip:
            out[code] = x.copy()
            continue
        # treat_column reads its own keys only (skip, enabled, ... are not among them)
        y, rec = treat_column(x, settings)
        out[code] = y
        if rec["treatment"] != "none":
            labels = rec.pop("labels", None)  # absent when the test is undefined: nothing was treated
            points = {} if labels is None else {str(u): l for u, l in zip(data.index, labels) if l}
            details.append({"iCode": code, **_plain(rec), "points": points})
    return pd.DataFrame(out, index=data.index, columns=data.columns), details


def _plain(rec: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-friendly copy of a treatment record (its labels taken out): NaN becomes None.

    The record holds Python values only: ``skew``/``kurt`` return ``float`` (NaN when
    undefined), the counts are ``int`` and ``check_skew_kurt`` gives ``bool`` or ``None``.
    """
    return {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in rec.items()}
