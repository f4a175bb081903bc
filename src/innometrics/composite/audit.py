"""Statistical audit of a composite index build (OECD/JRC Handbook, step 7).

Everything here reads a finished :class:`~innometrics.composite.pipeline.IndexBuild`
(its ``stages``, COINr-style ``meta`` and ``log``) and returns plain DataFrames;
:func:`write_audit` writes them as CSV files into ``out_dir/audit/``.

The definitions follow COINr 1.1.14 where COINr has them:

* skewness and kurtosis: ``COINr::skew`` / ``COINr::kurt`` (e1071 type 2, Excel's
  ``SKEW`` / ``KURT``), flag ``|skew| > 2 and kurt > 3.5`` as ``get_stats``;
* correlations: Pearson on pairwise-complete observations with ``cor.test`` p-values
  (``get_corr``); high within-group correlations ``> 0.9`` (``get_corr_flags``
  defaults) and negative ones ``< -0.4`` (the threshold of COINr's analysis vignette);
* Cronbach's alpha: ``get_cronbach`` (pairwise-complete covariance matrix);
* PCA: ``get_PCA`` (``prcomp(center = TRUE, scale = TRUE)`` on complete rows).

Effective weights are not a COINr function: they are the correlation-based
importance of the JRC audits of the Global Innovation Index (Paruolo, Saisana and
Saltelli 2013, "Ratings and rankings: voodoo or science?", JRSS A 176(3)), where the
first-order effect of child ``i`` on its aggregate ``y`` is estimated by the squared
Pearson correlation ``r_i**2`` and normalised within the aggregate.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from innometrics.composite.treat import kurt, skew  # COINr skew/kurt (e1071 type 2)
from innometrics.io.writers import write_csv

#: Stage names in build order (the contract of :mod:`innometrics.composite.pipeline`).
STAGE_ORDER = ("raw", "denominated", "imputed", "screened", "treated", "normalised", "aggregated")

#: Files written by :func:`write_audit`, relative to the output folder.
AUDIT_TABLES = {
    "audit_indicator_stats": "audit/indicator_stats.csv",
    "audit_correlations": "audit/correlations.csv",
    "audit_correlation_flags": "audit/correlation_flags.csv",
    "audit_cronbach": "audit/cronbach.csv",
    "audit_pca": "audit/pca.csv",
    "audit_pca_loadings": "audit/pca_loadings.csv",
    "audit_effective_weights": "audit/effective_weights.csv",
    "audit_denominator_correlations": "audit/denominator_correlations.csv",
}


# --------------------------------------------------------------------------- reliability, PCA
def cronbach_alpha(X: np.ndarray | pd.DataFrame) -> float:
    """Cronbach's alpha as ``COINr::get_cronbach``.

    With ``C`` the covariance matrix of the ``k`` columns (pairwise-complete
    observations, denominator ``n - 1``), ``sigma_all = sum(C)`` and the mean
    off-diagonal covariance ``sigma_av = (sigma_all - trace(C)) / (k (k - 1))``,
    ``alpha = k**2 sigma_av / sigma_all``. Fewer than two columns give NaN.

    >>> round(cronbach_alpha(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])), 6)
    0.947368
    """
    frame = pd.DataFrame(np.asarray(X, dtype=float))
    k = frame.shape[1]
    if k < 2:
        return float("nan")
    cov = frame.cov(min_periods=2).to_numpy()
    sig_all = np.nansum(cov)
    if sig_all == 0:
        return float("nan")
    sig_av = (sig_all - np.nansum(np.diag(cov))) / (k * (k - 1))
    return float(k**2 * sig_av / sig_all)


def principal_components(X: np.ndarray | pd.DataFrame) -> dict[str, Any]:
    """PCA of standardised columns as ``COINr::get_PCA`` (``prcomp(scale = TRUE)``).

    Rows with any missing value are removed (``na.omit``); each column is centred and
    divided by its sample standard deviation; the principal components are the right
    singular vectors of the standardised matrix. The share of variance explained by
    component ``j`` is ``lambda_j / sum(lambda)``, the eigenvalues of the correlation
    matrix. The sign of each component is fixed so that its loadings sum to a
    non-negative number (prcomp's sign is arbitrary).

    Returns
    -------
    dict
        ``variance_share`` (array), ``eigenvalues`` (array), ``loadings`` (columns x
        components), ``n_used`` (complete rows).
    """
    A = np.asarray(X, dtype=float)
    A = A[~np.isnan(A).any(axis=1)]
    n, k = A.shape
    if k < 2 or n < 3:
        return {"variance_share": np.full(max(k, 1), np.nan), "eigenvalues": np.full(max(k, 1), np.nan),
                "loadings": np.full((k, max(k, 1)), np.nan), "n_used": n}
    sd = A.std(axis=0, ddof=1)
    if np.any(sd == 0):
        return {"variance_share": np.full(k, np.nan), "eigenvalues": np.full(k, np.nan),
                "loadings": np.full((k, k), np.nan), "n_used": n}
    Z = (A - A.mean(axis=0)) / sd
    _, s, vt = np.linalg.svd(Z, full_matrices=False)
    eig = s**2 / (n - 1)
    loadings = vt.T
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    loadings = loadings * signs
    m = eig.size
    eig_full = np.zeros(k)
    eig_full[:m] = eig
    load_full = np.zeros((k, k))
    load_full[:, :m] = loadings
    return {"variance_share": eig_full / eig_full.sum(), "eigenvalues": eig_full,
            "loadings": load_full, "n_used": n}


def pearson_with_p(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """Pearson correlation on pairwise-complete observations and its ``cor.test`` p-value.

    ``t = r sqrt((n - 2) / (1 - r**2))`` on ``n - 2`` degrees of freedom, two-sided.
    Returns ``(r, p, n)``; fewer than 3 complete pairs or a constant series give NaN.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    n = int(ok.sum())
    if n < 3:
        return float("nan"), float("nan"), n
    xs, ys = x[ok], y[ok]
    dx, dy = xs - xs.mean(), ys - ys.mean()
    den = np.sqrt(np.sum(dx**2) * np.sum(dy**2))
    if den == 0:
        return float("nan"), float("nan"), n
    r = float(np.clip(np.sum(dx * dy) / den, -1.0, 1.0))
    if abs(r) == 1.0:
        return r, 0.0, n
    t = r * np.sqrt((n - 2) / (1 - r**2))
    p = float(2 * sps.t.sf(abs(t), n - 2))
    return r, p, n


# --------------------------------------------------------------------------- hierarchy helpers
def _framework(meta: pd.DataFrame) -> pd.DataFrame:
    """Indicator and aggregate rows of an iMeta table: ``iCode, Level, Parent, Weight``."""
    kind = meta["Type"].astype(str) if "Type" in meta.columns else pd.Series("Indicator", index=meta.index)
    fw = meta.loc[kind.isin(["Indicator", "Aggregate"]), ["iCode", "Level", "Parent", "Weight"]].copy()
    fw["Level"] = fw["Level"].astype(int)
    fw["Parent"] = fw["Parent"].where(fw["Parent"].notna(), None)
    return fw.reset_index(drop=True)


def _children(fw: pd.DataFrame) -> dict[str, list[str]]:
    """Aggregate code -> its children codes, in iMeta order."""
    out: dict[str, list[str]] = {}
    for code, parent in zip(fw["iCode"], fw["Parent"]):
        if parent is not None and isinstance(parent, str):
            out.setdefault(parent, []).append(code)
    return out


def _ancestors(fw: pd.DataFrame) -> dict[str, list[str]]:
    parent_of = {c: p for c, p in zip(fw["iCode"], fw["Parent"]) if isinstance(p, str)}
    out = {}
    for code in fw["iCode"]:
        chain, seen, cur = [], {code}, code
        while cur in parent_of and parent_of[cur] not in seen:
            cur = parent_of[cur]
            seen.add(cur)
            chain.append(cur)
        out[code] = chain
    return out


def _descendant_indicators(fw: pd.DataFrame, code: str) -> list[str]:
    kids = _children(fw)
    level1 = set(fw.loc[fw["Level"] == 1, "iCode"])
    out, stack = [], [code]
    while stack:
        cur = stack.pop(0)
        for child in kids.get(cur, []):
            (out.append(child) if child in level1 else stack.append(child))
    order = {c: i for i, c in enumerate(fw["iCode"])}
    return sorted(out, key=order.__getitem__)


def _stage(build: Any, name: str) -> pd.DataFrame | None:
    return build.stages.get(name) if hasattr(build, "stages") else None


def _analysis_stage(build: Any) -> pd.DataFrame:
    """The aggregated stage (normalised indicators plus every aggregate)."""
    for name in ("aggregated", "normalised"):
        frame = _stage(build, name)
        if frame is not None:
            return frame
    return list(build.stages.values())[-1]


# --------------------------------------------------------------------------- indicator statistics
def _treatment_notes(build: Any) -> dict[str, str]:
    """Per-indicator treatment text from the build log's ``treat`` record.

    The pipeline logs ``details = {"treated": [{"iCode", "treatment", "n_winsorised", ...}]}``.
    """
    notes: dict[str, str] = {}
    for entry in getattr(build, "log", []) or []:
        if not isinstance(entry, Mapping) or entry.get("step") != "treat":
            continue
        details = entry.get("details") if isinstance(entry.get("details"), Mapping) else {}
        records = details.get("treated", entry.get("treated", []))
        for rec in records if isinstance(records, list) else []:
            if not isinstance(rec, Mapping) or "iCode" not in rec:
                continue
            text = str(rec.get("treatment", "treated"))
            n_win = rec.get("n_winsorised")
            if n_win:
                text += f" ({n_win} point{'s' if n_win != 1 else ''} winsorised)"
            notes[str(rec["iCode"])] = text
    return notes


def indicator_statistics(
    build: Any, *, skew_threshold: float = 2.0, kurt_threshold: float = 3.5, avail_threshold: float = 0.65
) -> pd.DataFrame:
    """One row per indicator: availability, moments before and after treatment.

    Columns: ``iCode, Parent, n_units, n_available, missing_share, min, max, mean,
    median, std, skew, kurtosis, flag_availability, flag_skew_kurt`` on the data the
    treatment step received (COINr ``get_stats`` on that stage; std with ``n - 1``),
    ``treated`` (the treated stage differs from its input), ``treatment`` (the build
    log's description), ``skew_treated, kurtosis_treated`` and ``flag_skew_kurt_treated``.
    Missing share and availability are taken from the raw stage.
    """
    fw = _framework(build.meta)
    indicators = list(fw.loc[fw["Level"] == 1, "iCode"])
    names = [n for n in STAGE_ORDER if n in build.stages]
    raw = build.stages[names[0]]
    pre_name = None
    if "treated" in names:
        pre_name = names[names.index("treated") - 1] if names.index("treated") > 0 else None
    else:
        pre_name = next((n for n in reversed(names) if n not in ("normalised", "aggregated")), names[0])
    pre = build.stages[pre_name] if pre_name else raw
    post = build.stages.get("treated")
    notes = _treatment_notes(build)
    parent = dict(zip(fw["iCode"], fw["Parent"]))
    rows = []
    for code in indicators:
        r = raw[code].to_numpy(dtype=float) if code in raw.columns else np.array([])
        x = pre[code].to_numpy(dtype=float) if code in pre.columns else np.array([])
        xv = x[~np.isnan(x)]
        n_units = int(r.size)
        n_avail = int(np.sum(~np.isnan(r)))
        frc_avail = n_avail / n_units if n_units else float("nan")
        sk, kt = skew(x), kurt(x)
        row = {
            "iCode": code, "Parent": parent.get(code), "stage": pre_name,
            "n_units": n_units, "n_available": n_avail,
            "missing_share": 1 - frc_avail if n_units else float("nan"),
            "min": float(xv.min()) if xv.size else np.nan, "max": float(xv.max()) if xv.size else np.nan,
            "mean": float(xv.mean()) if xv.size else np.nan,
            "median": float(np.median(xv)) if xv.size else np.nan,
            "std": float(xv.std(ddof=1)) if xv.size > 1 else np.nan,
            "n_nonzero": int(np.sum(xv != 0)), "n_unique": int(np.unique(xv).size),
            "skew": sk, "kurtosis": kt,
            "flag_availability": "ok" if frc_avail >= avail_threshold else "LOW",
            "flag_skew_kurt": "OUT" if (abs(sk) > skew_threshold and kt > kurt_threshold) else "ok",
        }
        if post is not None and code in post.columns:
            y = post[code].reindex(pre.index).to_numpy(dtype=float)
            changed = ~((x == y) | (np.isnan(x) & np.isnan(y)))
            row["treated"] = bool(changed.any())
            row["n_points_changed"] = int(changed.sum())
            row["treatment"] = notes.get(code, "changed" if changed.any() else "none")
            skt, ktt = skew(post[code].to_numpy(dtype=float)), kurt(post[code].to_numpy(dtype=float))
            row["skew_treated"], row["kurtosis_treated"] = skt, ktt
            row["flag_skew_kurt_treated"] = "OUT" if (abs(skt) > skew_threshold and ktt > kurt_threshold) else "ok"
        else:
            row.update(treated=False, n_points_changed=0, treatment="no treatment step",
                       skew_treated=sk, kurtosis_treated=kt, flag_skew_kurt_treated=row["flag_skew_kurt"])
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- correlations
def correlations(
    build: Any,
    *,
    high_threshold: float = 0.9,
    negative_threshold: float = -0.4,
    weak_threshold: float = 0.3,
    pval: float = 0.05,
) -> pd.DataFrame:
    """Pearson correlations that follow the framework, with flags.

    Four kinds of pairs, all on the aggregated stage:

    * ``within_group``: every pair of siblings (same parent) at each level, once
      (upper triangle), as ``get_corr_flags(grouplev = level + 1)``;
    * ``with_parent``: each indicator or aggregate with its parent;
    * ``with_ancestor``: each one with its grandparent and higher aggregates
      (``get_corr(withparent = "family")``);
    * ``with_other_parent``: each one with the other aggregates of its parent's level
      (``get_corr(Levels = c(l, l + 1))`` off the framework), as the JRC audits check
      whether an indicator would fit better in another pillar.

    ``flag``: ``collinear`` for within-group ``r > high_threshold`` (COINr default
    0.9), ``negative`` for ``r < negative_threshold``, ``weak`` for a parent or
    ancestor correlation below ``weak_threshold`` and ``not_significant`` for one whose
    ``cor.test`` p-value exceeds ``pval`` (an indicator that does not move its
    aggregate); for ``with_other_parent`` only ``stronger_than_parent`` (r above the
    correlation with its own parent) is flagged. Otherwise ``ok``; every pair keeps
    its p-value.
    """
    data = _analysis_stage(build)
    fw = _framework(build.meta)
    fw = fw[fw["iCode"].isin(data.columns)]
    level = dict(zip(fw["iCode"], fw["Level"]))
    kids = _children(fw)
    anc = _ancestors(fw)
    rows = []

    def add(kind, group, a, b):
        r, p, n = pearson_with_p(data[a].to_numpy(), data[b].to_numpy())
        if np.isnan(r):
            flag = "undefined"
        elif kind == "within_group" and r > high_threshold:
            flag = "collinear"
        elif r < negative_threshold:
            flag = "negative"
        elif kind != "within_group" and r < weak_threshold:
            flag = "weak"
        elif kind != "within_group" and p > pval:
            flag = "not_significant"
        else:
            flag = "ok"
        rows.append({"kind": kind, "group": group, "code1": a, "level1": level[a], "code2": b,
                     "level2": level[b], "correlation": r, "p_value": p, "n": n, "flag": flag})

    for parent, children in kids.items():
        present = [c for c in children if c in level]
        for i, a in enumerate(present):
            for b in present[i + 1:]:
                add("within_group", parent, a, b)
    for code in fw["iCode"]:
        chain = [a for a in anc.get(code, []) if a in level]
        for j, a in enumerate(chain):
            add("with_parent" if j == 0 else "with_ancestor", a, code, a)
    own = {r["code1"]: r["correlation"] for r in rows if r["kind"] == "with_parent"}
    for code in fw["iCode"]:
        if code not in own:
            continue
        parent_level = level[code] + 1
        for other in fw.loc[fw["Level"] == parent_level, "iCode"]:
            if other in kids and other != anc[code][0]:
                r, p, n = pearson_with_p(data[code].to_numpy(), data[other].to_numpy())
                flag = "stronger_than_parent" if r > own[code] else ("undefined" if np.isnan(r) else "ok")
                rows.append({"kind": "with_other_parent", "group": other, "code1": code, "level1": level[code],
                             "code2": other, "level2": parent_level, "correlation": r, "p_value": p, "n": n,
                             "flag": flag})
    return pd.DataFrame(rows, columns=["kind", "group", "code1", "level1", "code2", "level2",
                                       "correlation", "p_value", "n", "flag"])


def correlation_flags(corr: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`correlations` whose flag is not ``ok``."""
    return corr[corr["flag"] != "ok"].reset_index(drop=True)


def denominator_correlations(build: Any, *, threshold: float = 0.6) -> pd.DataFrame:
    """Correlations of raw indicators with the denominators (COINr ``get_denom_corr``).

    Pearson on pairwise-complete observations; ``flag = "high"`` when
    ``|r| > threshold`` (COINr's default 0.6), a hint that the indicator may need
    denominating by that denominator. Empty when the build has no denominators.
    """
    cols = ["iCode", "denominator", "correlation", "n", "flag"]
    denoms = getattr(build, "denominators", None)
    raw = build.stages.get("raw")
    if denoms is None or raw is None or denoms.shape[1] == 0:
        return pd.DataFrame(columns=cols)
    fw = _framework(build.meta)
    rows = []
    for code in fw.loc[fw["Level"] == 1, "iCode"]:
        if code not in raw.columns:
            continue
        x = raw[code].to_numpy(dtype=float)
        for den in denoms.columns:
            r, _, n = pearson_with_p(x, denoms[den].reindex(raw.index).to_numpy(dtype=float))
            rows.append({"iCode": code, "denominator": str(den), "correlation": r, "n": n,
                         "flag": "high" if abs(r) > threshold else "ok"})
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- per aggregate
def cronbach_table(build: Any) -> pd.DataFrame:
    """Cronbach's alpha of each aggregate: over its direct children and over its indicators."""
    data = _analysis_stage(build)
    fw = _framework(build.meta)
    kids = _children(fw)
    level = dict(zip(fw["iCode"], fw["Level"]))
    rows = []
    for code in fw.loc[fw["Level"] > 1, "iCode"]:
        children = [c for c in kids.get(code, []) if c in data.columns]
        inds = [c for c in _descendant_indicators(fw, code) if c in data.columns]
        rows.append({"aggregate": code, "level": level[code], "n_children": len(children),
                     "alpha_children": cronbach_alpha(data[children]) if children else np.nan,
                     "n_indicators": len(inds),
                     "alpha_indicators": cronbach_alpha(data[inds]) if inds else np.nan})
    return pd.DataFrame(rows)


def pca_tables(build: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PCA of each aggregate's direct children: variance shares and first-component loadings."""
    data = _analysis_stage(build)
    fw = _framework(build.meta)
    kids = _children(fw)
    level = dict(zip(fw["iCode"], fw["Level"]))
    summary, loadings = [], []
    for code in fw.loc[fw["Level"] > 1, "iCode"]:
        children = [c for c in kids.get(code, []) if c in data.columns]
        res = principal_components(data[children]) if children else None
        share = res["variance_share"] if res else np.array([np.nan])
        eig = res["eigenvalues"] if res else np.array([np.nan])
        summary.append({
            "aggregate": code, "level": level[code], "n_children": len(children),
            "n_units_used": res["n_used"] if res else 0,
            "pc1_variance_share": float(share[0]),
            "pc2_variance_share": float(share[1]) if share.size > 1 else np.nan,
            "n_eigenvalues_above_1": int(np.sum(eig > 1)) if not np.isnan(eig).all() else 0,
        })
        if res:
            for child, value in zip(children, res["loadings"][:, 0]):
                loadings.append({"aggregate": code, "iCode": child, "pc1_loading": float(value)})
    return pd.DataFrame(summary), pd.DataFrame(loadings, columns=["aggregate", "iCode", "pc1_loading"])


def effective_weights(build: Any) -> pd.DataFrame:
    """Correlation-based importance of each child in its aggregate (JRC GII audits).

    For aggregate ``y`` with children ``x_i`` and nominal weights ``w_i``:
    ``S_i = r(x_i, y)**2`` (the first-order effect of a linear relation,
    Paruolo et al. 2013), ``effective_weight_i = S_i / sum_j S_j`` and
    ``nominal_weight_i = w_i / sum_j w_j``; ``ratio = effective / nominal`` shows
    children that matter more (> 1) or less (< 1) than their weight says.
    """
    data = _analysis_stage(build)
    fw = _framework(build.meta)
    kids = _children(fw)
    weight = dict(zip(fw["iCode"], fw["Weight"].astype(float)))
    level = dict(zip(fw["iCode"], fw["Level"]))
    rows = []
    for code in fw.loc[fw["Level"] > 1, "iCode"]:
        if code not in data.columns:
            continue
        children = [c for c in kids.get(code, []) if c in data.columns]
        r = np.array([pearson_with_p(data[c].to_numpy(), data[code].to_numpy())[0] for c in children])
        s = r**2
        w = np.array([weight[c] for c in children])
        s_sum, w_sum = np.nansum(s), w.sum()
        for c, ri, si, wi in zip(children, r, s, w):
            eff = si / s_sum if s_sum > 0 else np.nan
            nom = wi / w_sum if w_sum else np.nan
            rows.append({"aggregate": code, "level": level[code], "iCode": c, "nominal_weight": nom,
                         "correlation": ri, "r_squared": si, "effective_weight": eff,
                         "ratio": eff / nom if nom else np.nan})
    return pd.DataFrame(rows, columns=["aggregate", "level", "iCode", "nominal_weight", "correlation",
                                       "r_squared", "effective_weight", "ratio"])


# --------------------------------------------------------------------------- all together
#: Settings of the spec's optional ``[audit]`` section (the correlation thresholds).
AUDIT_SETTINGS = {
    "high_threshold": "collinear within a group above this correlation (COINr default 0.9)",
    "negative_threshold": "negative below this correlation (default -0.4)",
    "weak_threshold": "weak parent or ancestor correlation below this (default 0.3)",
    "pval": "significance level of parent and ancestor correlations (COINr default 0.05)",
}


def check_audit_settings(settings: Mapping[str, Any] | None, *, file: Any = None) -> dict[str, float]:
    """Validate an ``[audit]`` section: known keys, numbers between -1 and 1."""
    from innometrics.errors import SpecError

    settings = dict(settings or {})
    for key, value in settings.items():
        if key not in AUDIT_SETTINGS:
            raise SpecError(f"unknown key '{key}'; allowed: {', '.join(AUDIT_SETTINGS)}.", file=file, key=f"audit.{key}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1 <= value <= 1:
            raise SpecError(f"'{key}' must be a number between -1 and 1 ({AUDIT_SETTINGS[key]}). Got {value!r}.",
                            file=file, key=f"audit.{key}")
    return {k: float(v) for k, v in settings.items()}


def audit(build: Any, **thresholds: float) -> dict[str, pd.DataFrame]:
    """Every audit table of ``build``, keyed like :data:`AUDIT_TABLES`."""
    corr = correlations(build, **thresholds)
    pca, loads = pca_tables(build)
    return {
        "audit_indicator_stats": indicator_statistics(build),
        "audit_correlations": corr,
        "audit_correlation_flags": correlation_flags(corr),
        "audit_cronbach": cronbach_table(build),
        "audit_pca": pca,
        "audit_pca_loadings": loads,
        "audit_effective_weights": effective_weights(build),
        "audit_denominator_correlations": denominator_correlations(build),
    }


def write_audit(build: Any, out_dir: str | os.PathLike, **thresholds: float) -> dict[str, str]:
    """Write every audit table to ``out_dir/audit/*.csv``; return ``{table: relative path}``."""
    out = Path(out_dir)
    tables = audit(build, **thresholds)
    for key, frame in tables.items():
        write_csv(frame, out / AUDIT_TABLES[key])
    return dict(AUDIT_TABLES)
