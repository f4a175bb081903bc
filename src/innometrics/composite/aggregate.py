"""Aggregation: combine children into their parent, level by level (COINr ``Aggregate``).

Each method is a pure function ``f(X, w, **params) -> y`` of a matrix ``X``
(units x children, ``NaN`` = missing) and weights ``w`` (one per child), registered
as ``("aggregate", name)``. Weights are relative (rescaled to sum to 1 over the
children present in a row). Missing children are skipped as in COINr: the weighted
arithmetic, geometric and harmonic means use the children present; a row with no
child present gives ``NaN``. COINr's generalised mean does not skip missing children
(its ``sum`` has no ``na.rm``), so a row with a missing child gives ``NaN`` there too.

Reference: COINr 1.1.14, ``R/aggregate.R`` (``a_amean``, ``a_gmean``, ``a_hmean``,
``a_genmean``, ``outrankMatrix``, ``a_copeland``); OECD/JRC Handbook (2008), section 6;
the R package Compind (``ci_bod``, ``ci_mpi``) for Benefit of the Doubt and Mazziotta-Pareto.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from innometrics.composite.params import NONZERO, PROPORTION, check_params, declare, one_of
from innometrics.errors import DataError, SpecError
from innometrics.registry import get_method, register


def _present_weights(X: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights broadcast to ``X`` with 0 where a child is missing, and the mask of present cells."""
    present = ~np.isnan(X)
    W = np.where(present, np.broadcast_to(w, X.shape), 0.0)
    return W, present


@register("aggregate", "arithmetic")
@declare()
def arithmetic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean over the children present (COINr ``a_amean``).

    .. math:: y = \\frac{\\sum_i w_i x_i}{\\sum_i w_i}

    >>> arithmetic(np.array([[1.0, 3.0], [2.0, np.nan]]), np.array([1.0, 1.0]))
    array([2., 2.])
    """
    W, present = _present_weights(X, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sum(W / W.sum(axis=1, keepdims=True) * np.where(present, X, 0.0), axis=1)
    y[~present.any(axis=1)] = np.nan
    return y


@register("aggregate", "geometric")
@declare()
def geometric(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean over the children present (COINr ``a_gmean``).

    .. math:: y = \\exp\\left( \\frac{\\sum_i w_i \\ln x_i}{\\sum_i w_i} \\right)

    All values must be positive (COINr stops otherwise): normalise onto e.g. [1, 100].

    >>> geometric(np.array([[1.0, 4.0]]), np.array([1.0, 1.0]))
    array([2.])
    """
    if np.any(X <= 0):
        raise DataError(
            "the geometric mean needs positive values, but some are zero or negative; "
            "normalise onto a positive range first (e.g. [normalise] range = [1, 100]) or use another aggregation",
            reason="non_positive",
        )
    W, present = _present_weights(X, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.exp(np.sum(W * np.log(np.where(present, X, 1.0)), axis=1) / W.sum(axis=1))
    y[~present.any(axis=1)] = np.nan
    return y


@register("aggregate", "harmonic")
@declare()
def harmonic(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean over the children present (COINr ``a_hmean``).

    .. math:: y = \\frac{\\sum_i w_i}{\\sum_i w_i / x_i}

    Zero values are not allowed (COINr stops).

    >>> harmonic(np.array([[1.0, 4.0]]), np.array([1.0, 1.0]))
    array([1.6])
    """
    if np.any(X == 0):
        raise DataError(
            "the harmonic mean cannot use zero values; normalise onto a positive range first "
            "(e.g. [normalise] range = [1, 100]) or use another aggregation",
            reason="zero_value",
        )
    W, present = _present_weights(X, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = W.sum(axis=1) / np.sum(W / np.where(present, X, 1.0), axis=1)
    y[~present.any(axis=1)] = np.nan
    return y


@register("aggregate", "generalised")
@declare(p=NONZERO)
def generalised(X: np.ndarray, w: np.ndarray, *, p: float = 2.0) -> np.ndarray:
    """Weighted generalised (power) mean (COINr ``a_genmean``).

    .. math:: y = \\left( \\frac{\\sum_i w_i x_i^p}{\\sum_i w_i} \\right)^{1/p}

    ``p = 0`` is refused (a SpecError, as COINr's ``stop``): ``1/p`` is infinite there, and the
    limit ``p -> 0`` is the geometric mean (use ``geometric``). Negative ``p`` needs positive
    values. As in COINr, a row with any missing child gives ``NaN``.

    >>> generalised(np.array([[1.0, 7.0]]), np.array([1.0, 1.0]), p=2)
    array([5.])
    """
    if p == 0:
        # COINr's a_genmean stops here too: 1/p is infinite; the limit p -> 0 is the geometric mean
        raise SpecError("the generalised mean needs p != 0 (p = 0 is the geometric mean: use method \"geometric\")")
    if p < 0 and np.any(X <= 0):
        raise DataError("the generalised mean with negative p needs positive values", reason="non_positive")
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return (np.sum(w * X**p, axis=1) / np.sum(w)) ** (1.0 / p)


def outranking_matrix(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """COINr's ``outrankMatrix``: ``M[i, j]`` = weight share where unit i beats unit j.

    .. math:: M_{ij} = \\sum_k w_k [x_{ik} > x_{jk}] + \\tfrac12 \\sum_k w_k [x_{ik} = x_{jk}]

    for ``i < j`` (pairs with a missing value are left out of the sums), and
    ``M_{ji} = 1 - M_{ij}``; the diagonal is 0. Each of the two sums is accumulated in
    extended precision and rounded to double, as R's ``sum`` of one vector does, and the
    two are then added in double, as R's ``sum(a, b)`` of several arguments does, so
    that exact ties at 0.5 are found as in COINr.
    """
    ld = np.longdouble
    w = np.asarray(w, dtype=float)
    # R's w / sum(w): the total accumulated in long double, the shares divided in double; the
    # shares are then held as long double so that the sums below accumulate in long double
    # (np.where keeps the array's type: a Python 0.0 does not change it in any NumPy version)
    w = (w / float(np.sum(w.astype(ld)))).astype(ld)
    gt = X[:, None, :] > X[None, :, :]
    eq = X[:, None, :] == X[None, :, :]
    s_gt = np.sum(np.where(gt, w, 0.0), axis=2).astype(float)
    s_eq = np.sum(np.where(eq, w, 0.0), axis=2).astype(float)
    # R's sum(a, b / 2, na.rm = TRUE) adds its (already rounded) arguments in double
    upper = s_gt + s_eq / 2
    n = X.shape[0]
    iu = np.triu_indices(n, 1)
    M = np.zeros((n, n))
    M[iu] = upper[iu]
    M.T[iu] = 1.0 - upper[iu]
    return M


@register("aggregate", "copeland")
@declare()
def copeland(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Copeland scores from the outranking matrix (COINr ``a_copeland``).

    Entries of :func:`outranking_matrix` above 0.5 count +1, below 0.5 count -1, equal
    to 0.5 count 0 (the diagonal is 0); a unit's score is its row sum.

    >>> copeland(np.array([[3.0, 3.0], [2.0, 1.0], [1.0, 2.0]]), np.array([1.0, 1.0]))
    array([ 2., -1., -1.])
    """
    M = outranking_matrix(X, w)
    S = np.where(M > 0.5, 1.0, np.where(M < 0.5, -1.0, 0.0))
    np.fill_diagonal(S, 0.0)
    return S.sum(axis=1)


@register("aggregate", "bod")
@declare()
def benefit_of_the_doubt(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Benefit of the Doubt: each unit weighted most favourably (Compind ``ci_bod``; Cherchye et al. 2007).

    For unit :math:`c`, a linear programme chooses its own weights:

    .. math:: CI_c = \\max_{w \\ge 0} \\sum_i w_i x_{ci}
              \\quad \\text{s.t.} \\quad \\sum_i w_i x_{di} \\le 1 \\;\\; \\text{for every unit } d

    so :math:`0 \\le CI_c \\le 1` and the units on the frontier score 1. The spec's
    weights are not used (the method derives its own); a child with weight 0 is left
    out. Rows with a missing child are missing and do not constrain the others (Compind
    needs complete data). Solved with SciPy's HiGHS (``scipy.optimize.linprog``), as
    Compind solves it with ``lpSolve``. The data should be positive (e.g. min-max onto
    [1, 100] or [0, 1]).

    >>> benefit_of_the_doubt(np.array([[1.0, 4.0], [2.0, 2.0], [1.0, 1.0]]), np.array([1.0, 1.0]))
    array([1. , 1. , 0.5])
    """
    from scipy.optimize import linprog

    keep_cols = np.asarray(w, dtype=float) != 0
    A = X[:, keep_cols]
    y = np.full(X.shape[0], np.nan)
    complete = ~np.isnan(A).any(axis=1)
    if not complete.any():
        return y
    if np.any(A[complete] < 0):
        raise DataError("benefit of the doubt needs values >= 0; normalise onto a positive range first", reason="negative")
    C = A[complete]
    for r in np.flatnonzero(complete):
        res = linprog(-A[r], A_ub=C, b_ub=np.ones(C.shape[0]), bounds=(0, None), method="highs")
        # the LP is feasible (w = 0) and bounded (unit r's own constraint bounds its objective),
        # so anything but success (iteration limit, numerical trouble) is an error, not a score
        if res.status != 0:
            raise DataError(f"benefit of the doubt: the linear programme of row {r} was not solved "
                            f"(HiGHS status {res.status}: {res.message})", reason="lp_not_solved")
        y[r] = -res.fun
    return y


@register("aggregate", "mpi")
@declare(penalty=one_of("positive", "negative"))
def mazziotta_pareto(X: np.ndarray, w: np.ndarray, *, penalty: str = "positive") -> np.ndarray:
    """Mazziotta-Pareto Index: the mean of a unit's standardised values penalised by their spread (Compind ``ci_mpi``).

    .. math:: M_c = \\bar z_c, \\quad S_c = \\sqrt{\\tfrac{1}{n-1} \\sum_i (z_{ci} - M_c)^2}, \\quad
              cv_c = S_c / M_c, \\quad MPI_c = M_c (1 \\mp cv_c^2) = M_c \\mp S_c \\, cv_c

    with ``-`` for a ``"positive"`` index (more is better; unbalanced units are
    penalised) and ``+`` for a ``"negative"`` one. The children should be standardised as
    the method expects: ``[normalise] method = "zscore"``, ``mean_sd = [100, 10]``
    (De Muro, Mazziotta & Pareto 2011). As Compind: unweighted (a child with weight 0 is
    left out), the sample variance (``var``, ``n - 1``), a row with a missing child is missing.

    >>> mazziotta_pareto(np.array([[100.0, 100.0], [90.0, 110.0]]), np.array([1.0, 1.0]))
    array([100.,  98.])
    """
    Z = X[:, np.asarray(w, dtype=float) != 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = Z.mean(axis=1)
        s = Z.std(axis=1, ddof=1) if Z.shape[1] > 1 else np.zeros(Z.shape[0])
        cv = s / m
        return m * (1 - cv**2) if penalty == "positive" else m * (1 + cv**2)


def aggregate_rows(
    X: np.ndarray, w: np.ndarray, method: str, *, min_availability: float | None = None, **params: Any
) -> np.ndarray:
    """Aggregate the rows of ``X`` with ``method``; rows with too few children give ``NaN``.

    ``min_availability`` is COINr's ``dat_thresh``: a row whose share of non-missing
    children is below it gives ``NaN`` (not applied to Copeland, which works on the
    whole table, as COINr's ``by_df``).
    """
    func = get_method("aggregate", method)
    w = np.asarray(w, dtype=float)
    if min_availability is None or method == "copeland":
        return np.asarray(func(X, w, **params), dtype=float)
    # COINr's Aggregate.data.frame tests each row first and only calls f_ag on the rows
    # that pass, so a row below the threshold is NA and never reaches f_ag's checks
    # (e.g. a_gmean's stop on zero values)
    share = (~np.isnan(X)).sum(axis=1) / X.shape[1]
    keep = ~(share < min_availability)
    y = np.full(X.shape[0], np.nan)
    if keep.any():
        y[keep] = np.asarray(func(X[keep], w, **params), dtype=float)
    return y


def hierarchy(meta: pd.DataFrame) -> dict[int, list[tuple[str, list[str], np.ndarray]]]:
    """The aggregation groups of each level >= 2, in COINr's order: ``{level: [(parent, children, weights)]}``.

    COINr takes ``unique(Parent)`` of the level below, with iMeta sorted by
    ``(Level, Parent)``, so level-2 aggregates come out in alphabetical order of code;
    children keep their iMeta order.
    """
    ia = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    rows = list(zip(ia["iCode"].astype(str), ia["Parent"], ia["Level"].astype(int), ia["Weight"].astype(float)))
    if not rows:
        return {}
    max_level = max(r[2] for r in rows)
    out: dict[int, list[tuple[str, list[str], np.ndarray]]] = {}
    for level in range(2, max_level + 1):
        below = [r for r in rows if r[2] == level - 1 and not pd.isna(r[1])]
        # R orders text by the locale's collation, close to a case-insensitive order
        parents = sorted(dict.fromkeys(str(r[1]) for r in below), key=lambda c: (c.casefold(), c))
        groups = []
        for parent in parents:
            kids = [r for r in below if str(r[1]) == parent]
            groups.append((parent, [r[0] for r in kids], np.array([r[3] for r in kids], dtype=float)))
        out[level] = groups
    return out


def check_group_weights(groups_by_level: Mapping[int, list[tuple[str, list[str], np.ndarray]]], *,
                        file: Any = None) -> None:
    """A SpecError when every child of an aggregate has weight 0 (or no weight).

    A weighted mean over weights summing to 0 is undefined: the aggregate, and every
    score above it, would be blank with no word of why.
    """
    for level in sorted(groups_by_level):
        for parent, children, w in groups_by_level[level]:
            weights = np.asarray(w, dtype=float)
            if not (np.nansum(np.where(np.isfinite(weights), weights, 0.0)) > 0):
                raise SpecError(
                    f"every child of '{parent}' ({', '.join(children)}) has weight 0, so '{parent}' cannot be "
                    f"aggregated; give at least one of them a positive weight",
                    file=file, key=f"weights.{children[0]}")


def _per_level(value: Any, levels: Sequence[int], key: str, file: Any) -> dict[int, Any]:
    """Spread a setting given once or once per level (list of length n_levels - 1)."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(levels):
            raise SpecError(
                f"give one value for all levels or a list of {len(levels)} (levels {levels[0]}..{levels[-1]}). Got {len(value)}.",
                file=file,
                key=key,
            )
        return dict(zip(levels, value))
    return {lev: value for lev in levels}


def aggregate_frame(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    file: Any = None,
) -> pd.DataFrame:
    """Aggregate normalised indicators up the hierarchy (COINr ``Aggregate.coin``).

    Parameters
    ----------
    data : DataFrame
        Units x indicators (index ``uCode``).
    meta : DataFrame
        iMeta (columns ``Level, iCode, Parent, Weight, Type``) with the weights to use.
    settings : mapping
        The ``[aggregate]`` section: ``method`` (one name or a list per level),
        ``p`` for the generalised mean, ``min_availability`` (COINr ``dat_thresh``).

    Returns
    -------
    DataFrame
        ``data`` with one column per aggregate appended, level by level.
    """
    groups_by_level = hierarchy(meta)
    levels = sorted(groups_by_level)
    if not levels:
        return data.copy()
    methods = _per_level(settings.get("method", "arithmetic"), levels, "aggregate.method", file)
    thresholds = _per_level(settings.get("min_availability"), levels, "aggregate.min_availability", file)
    p_values = _per_level(settings.get("p", 2.0), levels, "aggregate.p", file)
    matrix = data.to_numpy(dtype=float)
    values = {c: matrix[:, j] for j, c in enumerate(data.columns)}
    for level in levels:
        method = methods[level]
        func = get_method("aggregate", method)
        params = {"p": p_values[level]} if method == "generalised" else {}
        if method == "mpi" and settings.get("penalty") is not None:
            params = {"penalty": settings["penalty"]}
        check_params(func, params, file=file, key_prefix="aggregate")
        thr = thresholds[level]
        if thr is not None and not PROPORTION.check(thr):
            raise SpecError(f"min_availability must be a number between 0 and 1. Got {thr!r}.", file=file, key="aggregate.min_availability")
        for parent, children, w in groups_by_level[level]:
            missing = [c for c in children if c not in values]
            if missing:
                raise DataError(
                    f"cannot aggregate '{parent}': children {', '.join(missing)} are not in the data",
                    reason="missing_children",
                )
            X = np.column_stack([values[c] for c in children])
            try:
                values[parent] = aggregate_rows(X, w, method, min_availability=thr, **params)
            except DataError as exc:
                raise DataError(f"aggregating '{parent}' (level {level}) with {method}: {exc}", reason=exc.reason) from None
    return pd.DataFrame(values, index=data.index)
