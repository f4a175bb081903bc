"""Indicators per unit and the ranking: P, P_frac, share, collaboration, citation impact.

All indicators are ratios of per-unit sums produced in one scan by
:func:`~innometrics.rankings.counting.count_units`:

``p_full``, ``p_frac``, ``p_<method>``
    Counts (see :mod:`~innometrics.rankings.counting`).
``share``
    ``p_<method>(u) / W`` with ``W`` the total weight of the records in the period.
    For fractional, first-author and corresponding-author counting the shares of all
    units (``unknown`` included) sum to 1; for full counting ``share`` is the weighted
    proportion of records the unit appears on.
``pp_int_collab``
    ``P_int_collab(u) / P_full(u)``: the proportion of the unit's records (full
    counting, as CWTS's collaboration indicators) with addresses in more than one
    country.
``mcs``
    Mean citation score ``sum_r c_ru cits_r / sum_r c_ru`` over the unit's records
    with a citation count, ``c_ru`` the chosen method's credit (CWTS MCS).
``pp_top10``
    ``sum_r c_ru top_r / sum_r c_ru``, ``top_r`` the record's share in the top 10 %
    cited records of its publication year, ties at the threshold assigned
    fractionally (CWTS PP(top 10%); Waltman & Schreiber 2013).

References
----------
Waltman, L. et al. (2012). The Leiden Ranking 2011/2012: Data collection, indicators,
and interpretation. *JASIST* 63(12), 2419-2432.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from innometrics.rankings.counting import count_column
from innometrics.rankings.credits import UNKNOWN

def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype("float64")
    return (num.astype("float64") / den.where(den != 0)).astype("float64")


def add_indicators(counts: pd.DataFrame, method: str, total: float) -> pd.DataFrame:
    """Add ``share``, ``pp_int_collab``, ``mcs`` and ``pp_top10`` to a count frame.

    Parameters
    ----------
    counts : pandas.DataFrame
        Output of :func:`~innometrics.rankings.counting.count_units`.
    method : str
        The counting method whose count defines the share.
    total : float
        Total weight of the records in the period.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["A"], "p_full": [2.0], "p_frac": [1.5], "cit_weight": [1.5],
    ...                    "cit_sum": [6.0], "top_sum": [0.15], "p_int_collab": [1.0]})
    >>> add_indicators(df, "fractional", 3.0)[["share", "mcs", "pp_top10", "pp_int_collab"]].round(3).values.tolist()
    [[0.5, 4.0, 0.1, 0.5]]
    """
    out = counts.copy()
    col = count_column(method)
    out["share"] = out[col] / total if total else np.nan
    out["pp_int_collab"] = _ratio(out["p_int_collab"], out["p_full"])
    out["mcs"] = _ratio(out["cit_sum"], out["cit_weight"])
    out["pp_top10"] = _ratio(out["top_sum"], out["cit_weight"])
    return out


def competition_rank(values: np.ndarray) -> np.ndarray:
    """Rank descending, ties sharing the lower rank number ("1, 2, 2, 4").

    >>> competition_rank(np.array([5.0, 7.0, 5.0, 1.0])).tolist()
    [2, 1, 2, 4]
    """
    return rankdata(-np.asarray(values, dtype="float64"), method="min").astype("int64")


def rank_table(df: pd.DataFrame, method: str) -> pd.DataFrame:
    """Sort by the method's count (descending, then unit code) and number the ranks.

    ``unknown`` (credit that no address can take) stays in the table so the totals
    reconcile, without a rank, after the ranked units.
    """
    col = count_column(method)
    known = df[df["unit"] != UNKNOWN]
    unknown = df[df["unit"] == UNKNOWN]
    known = known.sort_values([col, "unit"], ascending=[False, True], kind="mergesort")
    ranks = competition_rank(known[col].to_numpy()) if len(known) else np.array([], dtype="int64")
    known = known.assign(rank=pd.array(ranks, dtype="Int64"))
    unknown = unknown.assign(rank=pd.array([pd.NA] * len(unknown), dtype="Int64"))
    return pd.concat([known, unknown], ignore_index=True)


def level_table(counts: pd.DataFrame, names: pd.DataFrame, method: str, total: float,
                *, name_lookup=None) -> pd.DataFrame:
    """The published table of one level: ``rank, unit, name, p_full, p_frac, share, ...``."""
    df = add_indicators(counts, method, total)
    df = df.merge(names, on="unit", how="left") if len(names) else df.assign(name=pd.NA)
    if name_lookup is not None:
        looked_up = df["unit"].map(name_lookup)
        df["name"] = looked_up.where(looked_up.notna(), df["name"])
    df.loc[df["unit"] == UNKNOWN, "name"] = "unknown (no address or institution)"
    df = rank_table(df, method)
    col = count_column(method)
    cols = ["rank", "unit", "name", "p_full", "p_frac", "share"]  # the report's contract prefix
    if col not in cols:
        cols.append(col)  # e.g. p_first_author: the count that ``share`` and ``rank`` use
    cols += ["p_int_collab", "pp_int_collab", "mcs", "pp_top10"]
    return df[cols].reset_index(drop=True)
