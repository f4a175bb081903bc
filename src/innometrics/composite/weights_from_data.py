"""Weights derived from the data: first principal component, or optimised to target correlations.

Both are registered in the ``weights`` family and return ``{code: weight}`` for the codes
of one level, ready for ``rebuild(build, weights=...)`` or a spec's ``[weights]`` table.

Reference: COINr 1.1.14, ``R/PCA.R`` (``get_PCA``) and ``R/weights.R``
(``get_opt_weights``, ``weights2corr``); Becker et al. (2017), Ecological Indicators 80,
12-22 (weights that balance the correlations with the index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from innometrics.composite.aggregate import aggregate_frame
from innometrics.composite.builds import IndexBuild
from innometrics.composite.weight import apply_weights, weights_table
from innometrics.errors import DataError, SpecError
from innometrics.registry import register


def _level_data(build: IndexBuild, stage: str, level: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Columns of ``stage`` for the codes of ``level`` and each code's parent."""
    if stage not in build.stages:
        raise SpecError(f"the build has no stage '{stage}'; stages: {', '.join(build.stages)}.", key="stage")
    meta = build.meta[build.meta["Type"].isin(["Indicator", "Aggregate"])]
    at = meta[meta["Level"] == level]
    if at.empty:
        raise SpecError(f"no indicator or aggregate at level {level}.", key="level")
    codes = [str(c) for c in at["iCode"]]
    frame = build.stages[stage]
    absent = [c for c in codes if c not in frame.columns]
    if absent:
        raise SpecError(f"the {stage} stage lacks {', '.join(absent)}: use a stage that holds level {level}.", key="stage")
    return frame[codes], dict(zip(codes, at["Parent"]))


@register("weights", "pca")
def pca_weights(build: IndexBuild, *, level: int = 1, stage: str = "normalised", by_groups: bool = True) -> dict[str, float]:
    """Loadings of the first principal component as weights (COINr ``get_PCA(..., by_groups = TRUE)$Weights``).

    Within each aggregation group of ``level`` (or over the whole level with
    ``by_groups = False``), the units with no missing value are standardised and the
    weights are the first eigenvector :math:`v_1` of their correlation matrix, that is
    R's ``prcomp(x, center = TRUE, scale = TRUE)$rotation[, 1]`` (unit length,
    :math:`\\sum_i v_{1i}^2 = 1`). The sign of a principal component is arbitrary (R's
    follows its LAPACK build); here it is fixed so that the loadings sum to a positive
    number, which is what a weight needs. COINr warns that such weights can be
    unbalanced or negative; use them with care.
    """
    frame, parents = _level_data(build, stage, level)
    groups = {}
    for code, parent in parents.items():
        groups.setdefault(parent if by_groups else "All", []).append(code)
    out: dict[str, float] = {}
    for group, codes in groups.items():
        X = frame[codes].dropna().to_numpy(dtype=float)
        if X.shape[0] < 2 or len(codes) < 2:
            raise DataError(f"PCA of group '{group}' needs at least two complete units and two codes; "
                            f"it has {X.shape[0]} and {len(codes)}", reason="too_small")
        sd = X.std(axis=0, ddof=1)
        if np.any(sd == 0):
            raise DataError(f"PCA of group '{group}': {codes[int(np.flatnonzero(sd == 0)[0])]} is constant", reason="constant")
        Z = (X - X.mean(axis=0)) / sd
        _, _, vt = np.linalg.svd(Z, full_matrices=False)
        v = vt[0] if vt[0].sum() >= 0 else -vt[0]
        out.update({c: float(w) for c, w in zip(codes, v)})
    return out


@dataclass(frozen=True)
class OptimisedWeights:
    """Result of :func:`optimised_weights`: the weights and, per code, desired vs obtained shares."""

    weights: dict[str, float]
    table: pd.DataFrame
    converged: bool
    iterations: int


def _correlations(X: pd.DataFrame, y: pd.Series, method: str) -> np.ndarray:
    return np.array([X[c].corr(y, method=method) for c in X.columns])


@register("weights", "optimised")
def optimised_weights(
    build: IndexBuild,
    *,
    level: int,
    targets: Sequence[float] | str = "equal",
    correlation: str = "pearson",
    goal: str = "balance",
    tolerance: float = 1e-8,
    max_iter: int = 5000,
) -> OptimisedWeights:
    """Weights of one level optimised so that each code's correlation with the index matches a target share
    (COINr ``get_opt_weights``, Becker et al. 2017).

    With :math:`c_i(w)` the correlation of code :math:`i` (level ``level``) with the top
    aggregate after re-aggregating with weights :math:`w` (normalised to sum 1) and
    :math:`t_i` the target importances (normalised to sum 1), ``goal = "balance"``
    minimises

    .. math:: \\log \\frac{1}{n} \\sum_i \\left(t_i - \\frac{c_i}{\\sum_j c_j}\\right)^2

    and ``goal = "infomax"`` maximises :math:`\\sum_i c_i`. Nelder-Mead from the targets
    (balance) or the current weights (infomax), as COINr's ``optim``; COINr's default
    relative tolerance 0.1 stops at the start point on its example, so the default here
    is 1e-8. ``correlation``: ``pearson``, ``spearman`` or ``kendall``.
    """
    if goal not in ("balance", "infomax"):
        raise SpecError(f"goal must be 'balance' or 'infomax'. Got {goal!r}.", key="goal")
    if correlation not in ("pearson", "spearman", "kendall"):
        raise SpecError(f"correlation must be 'pearson', 'spearman' or 'kendall'. Got {correlation!r}.", key="correlation")
    if "normalised" not in build.stages:
        raise SpecError("optimised weights re-aggregate the normalised stage: the build needs [normalise].", key="normalise")
    wt = weights_table(build.meta)
    codes = [str(c) for c in wt.loc[wt["Level"] == level, "iCode"]]
    if not codes:
        raise SpecError(f"no indicator or aggregate at level {level}.", key="level")
    if isinstance(targets, str):
        if targets != "equal":
            raise SpecError(f"targets must be \"equal\" or one number per code of level {level}. Got {targets!r}.", key="targets")
        t = np.ones(len(codes))
    else:
        t = np.asarray(targets, dtype=float)
        if t.shape != (len(codes),):
            raise SpecError(f"targets needs {len(codes)} numbers (level {level}: {', '.join(codes)}). Got {len(t)}.", key="targets")
    t = t / t.sum()
    top = str(build.meta.loc[build.meta["Level"] == build.meta["Level"].max(), "iCode"].iloc[0])
    normalised = build.stages["normalised"]
    settings = build.spec.section("aggregate")

    def correlations(w: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        w = w / w.sum()
        meta = apply_weights(build.meta, dict(zip(codes, map(float, w))))
        agg = aggregate_frame(normalised, meta, settings)
        return _correlations(agg[codes], agg[top], correlation), agg

    def objective(w: np.ndarray) -> float:
        if np.any(w < 0) or w.sum() <= 0:
            return np.inf  # apply_weights accepts weights >= 0 only
        c, _ = correlations(w)
        if goal == "infomax":
            return -float(np.sum(c))
        return float(np.log(max(np.mean((t - c / c.sum()) ** 2), 1e-300)))

    start = t if goal == "balance" else wt.loc[wt["Level"] == level, "Weight"].to_numpy(dtype=float)
    res = minimize(objective, start, method="Nelder-Mead",
                   options={"xatol": tolerance, "fatol": tolerance, "maxiter": max_iter, "maxfev": max_iter})
    w = res.x / res.x.sum()
    c, _ = correlations(w)
    table = pd.DataFrame({"iCode": codes, "desired": t if goal == "balance" else np.nan,
                          "obtained": c / c.sum() if goal == "balance" else c, "weight": w})
    return OptimisedWeights(weights=dict(zip(codes, map(float, w))), table=table, converged=bool(res.success),
                            iterations=int(res.nit))
