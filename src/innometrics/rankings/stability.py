"""Stability intervals (CWTS Leiden Ranking): bootstrap over records.

Each of ``B`` resamples draws ``N`` records with replacement from the ``N`` records of
the period (multinomial counts ``m_b``), recomputes every indicator and every rank,
and the interval is read from the sorted resampled values. Everything is linear in
the resample counts, so with the per-record per-unit credit matrix ``X`` (records x
units, sparse) a block of resamples is one product ``M X`` (``M``: resamples x
records): 1,000 resamples of 10^5 records take well under a second.

Interval bounds follow CWTS's ``CalcStabilityIntervals``: with coverage ``1 - a``,
the lower bound is the sorted value at index ``floor(a/2 * B)`` and the upper bound
the one at ``floor((1 - a/2) * B)`` (0-based; indices 25 and 975 for B = 1,000).

Differences from CWTS, by design: CWTS resamples each university's publications
separately (per-unit bootstrap); we resample the whole record set once per
resample so that units are ranked against each other within one resample, which is
what an interval of the *rank* needs (Leiden Ranking methodology, "stability
intervals"; Colliander & Ahlgren 2011, *J. Informetrics* 5(1), 101-113).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from innometrics.errors import SpecError
from innometrics.rankings.counting import DECIMALS, count_column
from innometrics.rankings.credits import UNKNOWN

SUM_COLUMNS = ("p_full", "p_frac", "cit_weight", "cit_sum", "top_sum", "p_int_collab")
#: Most resample counts held at once (resamples x records, float64): ~160 MB.
MAX_BLOCK_COUNTS = 20_000_000


def block_size(block: int, n_records: int) -> int:
    """Resamples per matrix product: ``block``, capped so that ``block x n_records`` stays
    within :data:`MAX_BLOCK_COUNTS`, and at least 1.

    >>> block_size(100, 1000), block_size(100, 500_000), block_size(100, 10**9)
    (100, 40, 1)
    """
    return max(1, min(int(block), MAX_BLOCK_COUNTS // max(n_records, 1)))


def bound_indices(n_resamples: int, coverage: float) -> tuple[int, int]:
    """CWTS bound indices into the sorted resampled values.

    >>> bound_indices(1000, 0.95)
    (25, 975)
    """
    alpha = 1.0 - coverage
    eps = 1e-9  # (1 - 0.9) / 2 * 200 is 9.999999999999998 in binary floating point
    lo = int(np.floor(alpha / 2 * n_resamples + eps))
    hi = int(np.floor((1 - alpha / 2) * n_resamples + eps))
    return lo, min(hi, n_resamples - 1)


def _bounds(values: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the CWTS bounds over the resamples where the indicator is defined.

    A ratio (mean citations, PP(top 10%)) is undefined in a resample that drew none of
    the unit's records; such resamples are left out (NaN sorts last), and the bound
    indices are taken over the ``v`` defined values. A column never defined is NaN (its
    sorted values are all NaN, and both indices stay 0).
    """
    ordered = np.sort(values, axis=0)
    valid = np.sum(~np.isnan(values), axis=0)
    lo = np.zeros(values.shape[1], dtype=np.int64)
    hi = np.zeros(values.shape[1], dtype=np.int64)
    for j, v in enumerate(valid):
        if v:
            lo[j], hi[j] = bound_indices(int(v), coverage)
    lb = np.take_along_axis(ordered, lo[None, :], axis=0)[0]
    ub = np.take_along_axis(ordered, hi[None, :], axis=0)[0]
    return lb, ub


def stability_intervals(
    pair_credits: pd.DataFrame,
    record_weights: pd.DataFrame,
    units: list[str],
    method: str,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    coverage: float = 0.95,
    block: int = 100,
) -> pd.DataFrame:
    """Bootstrap intervals of every indicator and of the rank of each unit.

    Parameters
    ----------
    pair_credits : pandas.DataFrame
        ``record_key, unit`` and the per-pair sums (``p_full, p_frac, p_<method>,
        cit_weight, cit_sum, top_sum, p_int_collab``), from
        :func:`~innometrics.rankings.counting.record_unit_credits`.
    record_weights : pandas.DataFrame
        ``record_key, weight`` of every record of the period (the resampled population).
    units : list of str
        Units to report, in output order.
    method : str
        The counting method that defines ``share`` and the rank.
    n_resamples, seed, coverage : int, int, float
        Number of resamples, seed of :func:`numpy.random.default_rng`, interval coverage.
    block : int
        Resamples per matrix product (memory: ``block x records`` floats; capped by
        :func:`block_size`). The draws, so the result, do not depend on it.

    Returns
    -------
    pandas.DataFrame
        ``unit`` then ``<indicator>_lb, <indicator>_ub`` for ``p_<method>``, ``p_full``,
        ``p_frac``, ``share``, ``pp_int_collab``, ``mcs``, ``pp_top10`` and ``rank``.
    """
    if int(n_resamples) < 1:
        raise SpecError(f"stability resamples must be a positive whole number; got {n_resamples}",
                        key="stability.resamples")
    if not 0 < coverage < 1:
        raise SpecError(f"stability coverage must be between 0 and 1; got {coverage}", key="stability.coverage")
    col = count_column(method)
    keys = np.sort(record_weights["record_key"].to_numpy())
    n = len(keys)
    weights = record_weights.set_index("record_key").loc[keys, "weight"].to_numpy(dtype="float64")
    unit_index = {u: j for j, u in enumerate(units)}
    pc = pair_credits[pair_credits["unit"].isin(unit_index)]
    rows = np.searchsorted(keys, pc["record_key"].to_numpy())
    cols = pc["unit"].map(unit_index).to_numpy()
    names = [col] + [c for c in SUM_COLUMNS if c != col]
    mats = {
        c: sparse.csr_matrix((pc[c].to_numpy(dtype="float64"), (rows, cols)), shape=(n, len(units)))
        for c in names
    }
    ranked = np.array([u != UNKNOWN for u in units])
    rng = np.random.default_rng(seed)
    out = {k: [] for k in (col, "p_full", "p_frac", "share", "pp_int_collab", "mcs", "pp_top10", "rank")}
    done = 0
    block = block_size(block, n)
    while done < n_resamples:
        b = min(block, n_resamples - done)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype("float64") if n else np.zeros((b, 0))
        sums = {c: np.asarray((mats[c].T @ counts.T).T) for c in names}
        total = counts @ weights
        for count in dict.fromkeys((col, "p_full", "p_frac")):  # each once, also when col is one of them
            out[count].append(sums[count])
        with np.errstate(divide="ignore", invalid="ignore"):
            out["share"].append(sums[col] / total[:, None])
            out["pp_int_collab"].append(np.where(sums["p_full"] > 0, sums["p_int_collab"] / sums["p_full"], np.nan))
            out["mcs"].append(np.where(sums["cit_weight"] > 0, sums["cit_sum"] / sums["cit_weight"], np.nan))
            out["pp_top10"].append(np.where(sums["cit_weight"] > 0, sums["top_sum"] / sums["cit_weight"], np.nan))
        rank = np.full(sums[col].shape, np.nan)
        if ranked.any():
            from scipy.stats import rankdata

            # rounded like the engine sums, so float noise never breaks a tie
            rank[:, ranked] = rankdata(-np.round(sums[col][:, ranked], DECIMALS), axis=1, method="min")
        out["rank"].append(rank)
        done += b
    result = {"unit": list(units)}
    for name, blocks in out.items():
        lb, ub = _bounds(np.vstack(blocks), coverage)
        result[f"{name}_lb"] = lb
        result[f"{name}_ub"] = ub
    df = pd.DataFrame(result)
    for c in ("rank_lb", "rank_ub"):
        df[c] = pd.array([pd.NA if np.isnan(v) else int(v) for v in df[c]], dtype="Int64")
    return df
