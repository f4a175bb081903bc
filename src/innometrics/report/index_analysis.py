"""Audit and sensitivity views of the index report.

Audit (``audit/*.csv``, OECD/JRC Handbook step 7 as COINr's ``get_corr``,
``get_cronbach``, ``get_PCA``): correlation heatmaps, Cronbach's alpha and PCA variance
bars, flagged rows of the long tables. Sensitivity (``sensitivity/rank_intervals.csv``,
``sensitivity/sobol.csv``): median rank with its 5-95 % interval per unit, and Sobol'
first-order and total indices with their confidence intervals (Saltelli et al. 2010).

Long tables (every pair of correlations, every Monte Carlo run) are summarised here
and kept whole in the CSVs and the Excel export, so the report stays small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from innometrics.report.charts import bar_chart, chart_block, grouped_bars, heatmap, interval_chart
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.html import Page, esc, table_html

#: Audit files shown first, in this order; others follow alphabetically.
AUDIT_ORDER = ["correlations", "correlation_flags", "cronbach", "pca", "pca_loadings", "effective_weights",
               "indicator_stats", "denominator_correlations"]
TITLES = {
    "correlations": "Correlations",
    "correlation_flags": "Flagged correlations",
    "cronbach": "Cronbach's alpha",
    "pca": "Principal components",
    "pca_loadings": "PCA loadings",
    "effective_weights": "Effective weights",
    "indicator_stats": "Indicator statistics",
    "denominator_correlations": "Correlations with denominators",
}


def _matrix(pairs: pd.DataFrame, rows: list[str], cols: list[str], *, symmetric: bool) -> np.ndarray:
    pos_r = {c: i for i, c in enumerate(rows)}
    pos_c = {c: i for i, c in enumerate(cols)}
    z = np.full((len(rows), len(cols)), np.nan)
    for a, b, r in zip(pairs["code1"].astype(str), pairs["code2"].astype(str), pairs["correlation"]):
        if a in pos_r and b in pos_c:
            z[pos_r[a], pos_c[b]] = r
        if symmetric and b in pos_r and a in pos_c:
            z[pos_r[b], pos_c[a]] = r
    if symmetric:
        for c in rows:
            if c in pos_c:
                z[pos_r[c], pos_c[c]] = 1.0
    return z


def _ordered(codes, framework_order: list[str]) -> list[str]:
    rank = {c: i for i, c in enumerate(framework_order)}
    return sorted(dict.fromkeys(str(c) for c in codes), key=lambda c: (rank.get(c, len(rank)), c))


def _correlation_views(page: Page, df: pd.DataFrame, names: dict, framework_order: list[str]) -> str | None:
    """Heatmaps from the long correlation table (kind, code1, level1, code2, level2, correlation)."""
    need = [find_column(df, c) for c in ("kind", "code1", "code2", "correlation", "level1", "level2")]
    if any(c is None for c in need):
        return None
    kind, code1, code2, corr, level1, level2 = need
    df = df.rename(columns={kind: "kind", code1: "code1", code2: "code2", corr: "correlation", level1: "level1", level2: "level2"})
    blocks = []

    def add(pairs, row_codes, col_codes, title, symmetric):
        if not len(pairs):
            return
        rows, cols = _ordered(row_codes, framework_order), _ordered(col_codes, framework_order)
        z = _matrix(pairs, rows, cols, symmetric=symmetric)
        # Codes on the axes (the framework tree above gives their names): every label fits.
        fig = heatmap(z.tolist(), cols, rows, title=title, zmin=-1, zmax=1)
        blocks.append(chart_block(page, fig, label=title))

    within = df[(df["kind"] == "within_group") & (df["level1"] == 1) & (df["level2"] == 1)]
    codes = list(within["code1"]) + list(within["code2"])
    add(within, codes, codes, "Indicators within the same aggregate (Pearson r; blank: different aggregates)", True)
    upward = df[df["kind"].isin(["with_parent", "with_ancestor"]) & (df["level1"] == 1)]
    add(upward, upward["code1"], upward["code2"], "Indicators with their aggregates", False)
    aggs = df[(df["level1"] >= 2) & (df["level2"] >= 2)]
    codes = list(aggs["code1"]) + list(aggs["code2"])
    add(aggs, codes, codes, "Aggregates with each other", True)
    if not blocks:
        return None
    return "".join(blocks) + f'<p class="note">Every pair, with p-values and flags: audit/correlations.csv ({len(df):,} rows).</p>'


def _as_matrix(df: pd.DataFrame) -> tuple[np.ndarray, list, list] | None:
    """A square correlation-like table (labels + one numeric column per label), or None."""
    text_cols = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    num_cols = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    if len(text_cols) == 1 and len(num_cols) >= 2 and len(df) >= 2:
        rows = df[text_cols[0]].astype(str).tolist()
        if set(rows) & {str(c) for c in num_cols}:
            return df[num_cols].to_numpy(dtype=float), [str(c) for c in num_cols], rows
    return None


def _flagged(df: pd.DataFrame) -> pd.DataFrame | None:
    flags = [c for c in df.columns if str(c).lower().startswith("flag")]
    if not flags:
        return None
    bad = np.zeros(len(df), dtype=bool)
    for c in flags:
        values = df[c].astype(str).str.lower()
        bad |= ~values.isin(["ok", "", "nan", "none", "false"])
    return df[bad]


def _variance_bar(page, df, label_col, value_col, title):
    fig = bar_chart(df[label_col].astype(str).tolist(), pd.to_numeric(df[value_col], errors="coerce").tolist(),
                    title=title, value_title=str(value_col))
    return chart_block(page, fig, label=title)


def audit_sections(results: ResultsDir, page: Page, names: dict, framework_order: list[str]) -> None:
    """Add the audit sections when ``audit/`` exists."""
    rels = {rel for rel in results.tables.values() if rel.replace("\\", "/").startswith("audit/") and rel.endswith(".csv")}
    audit_dir = results.path / "audit"
    if audit_dir.is_dir():
        rels |= {f"audit/{p.name}" for p in audit_dir.glob("*.csv")}
    if not rels:
        return
    stems = {rel.rsplit("/", 1)[-1].removesuffix(".csv"): rel for rel in rels}
    order = [s for s in AUDIT_ORDER if s in stems] + sorted(s for s in stems if s not in AUDIT_ORDER)
    page.add("Statistical audit", "<p>Correlations between indicators and aggregates, internal consistency "
             "(Cronbach's alpha) and principal components, as in the OECD/JRC Handbook's audit step. "
             "Long tables show their flagged rows; the CSVs and the Excel export hold every row.</p>")
    for stem in order:
        rel = stems[stem]
        df = results.table(rel)
        if df is None or not len(df):
            continue
        title = TITLES.get(stem, stem.replace("_", " "))
        body = _audit_body(page, stem, rel, df, names, framework_order)
        if body:
            page.add(title, body, level=3)


def _audit_body(page, stem, rel, df, names, framework_order) -> str:
    long_correlations = "corr" in stem and stem != "correlation_flags" and find_column(df, "code1") is not None
    if long_correlations:
        views = _correlation_views(page, df, names, framework_order)
        if views:
            return views
    matrix = _as_matrix(df) if "alpha" not in stem and "cronbach" not in stem else None
    if matrix is not None:
        z, xs, ys = matrix
        finite = z[np.isfinite(z)]
        bounded = finite.size > 0 and finite.min() >= -1 and finite.max() <= 1
        fig = heatmap(z.tolist(), xs, ys, title=stem.replace("_", " "),
                      zmin=-1 if bounded else None, zmax=1 if bounded else None)
        return chart_block(page, fig, label=stem)
    body = ""
    label_col = find_column(df, "aggregate", "iCode", "component", "code") or df.columns[0]
    alpha = find_column(df, "alpha_indicators", "alpha", "alpha_children")
    if ("cronbach" in stem or "alpha" in stem) and alpha:
        body += _variance_bar(page, df, label_col, alpha, "Cronbach's alpha (0.7 and above: consistent)")
    share = find_column(df, "pc1_variance_share", "variance_explained", "explained_variance_ratio", "proportion")
    if stem == "pca" and share:
        body += _variance_bar(page, df, label_col, share, "Variance explained by the first principal component")
    flagged = _flagged(df) if stem in ("indicator_stats", "denominator_correlations") else None
    if flagged is not None:
        body += (f"<p>{len(flagged):,} of {len(df):,} rows flagged (every row: {esc(rel)}).</p>"
                 + (table_html(flagged, table_id=page.new_id("table"), max_rows=300) if len(flagged) else ""))
        return body
    return body + table_html(df, table_id=page.new_id("table"), max_rows=300, searchable=len(df) > 15)


def sensitivity_sections(results: ResultsDir, page: Page, names: dict) -> None:
    """Add rank intervals and Sobol' indices when ``sensitivity/`` exists."""
    ri = results.table(results.tables.get("sensitivity/rank_intervals", "sensitivity/rank_intervals.csv"))
    sobol = results.table(results.tables.get("sensitivity/sobol", "sensitivity/sobol.csv"))
    if ri is None and sobol is None:
        return
    page.add("Sensitivity analysis", "<p>How much the ranks move when the uncertain choices of the build "
             "(weights, normalisation, aggregation ...) vary at random; every Monte Carlo run is in "
             "sensitivity/runs.csv when the build wrote it.</p>")
    if ri is not None and len(ri):
        page.add("Rank intervals", _rank_intervals(page, ri, names), level=3)
    if sobol is not None and len(sobol):
        page.add("Sobol indices", _sobol(page, sobol), level=3)


def _rank_intervals(page: Page, ri: pd.DataFrame, names: dict) -> str:
    unit = find_column(ri, "uCode", "unit", "code") or ri.columns[0]
    med = find_column(ri, "median_rank", "median", "rank_median", "q50")
    lo = find_column(ri, "rank_q05", "q05", "q5", "p05", "lower", "low", "lo")
    hi = find_column(ri, "rank_q95", "q95", "p95", "upper", "high", "hi")
    nominal = find_column(ri, "nominal_rank", "nominal", "rank")
    df = ri.copy()
    df[unit] = df[unit].astype(str)
    body = ""
    if med and lo and hi:
        df = df.sort_values([nominal or med, unit], kind="stable")
        fig = interval_chart([names.get(c, c) for c in df[unit]], df[med].tolist(), df[lo].tolist(), df[hi].tolist(),
                             title="Median rank with its 5-95 % interval", value_title="rank",
                             nominal=df[nominal].tolist() if nominal and nominal != med else None)
        body = chart_block(page, fig, label="rank intervals")
    else:
        body = '<p class="note">No median / 5 % / 95 % rank columns found; shown as a table.</p>'
    keep = [c for c in (unit, find_column(df, "uName", "name"), nominal, med, lo, hi,
                        find_column(df, "rank_interval_width"), find_column(df, "n_runs")) if c]
    shown = df[list(dict.fromkeys(keep))] if med and lo and hi else df
    return body + table_html(shown, table_id=page.new_id("table"), max_rows=500)


def _sobol(page: Page, sobol: pd.DataFrame) -> str:
    label = find_column(sobol, "factor", "parameter", "name", "input", "param") or sobol.columns[0]
    series, lows, highs = [], [], []
    for title, col in (("first order S1", find_column(sobol, "S1", "Si", "first_order")),
                       ("total order ST", find_column(sobol, "ST", "STi", "total_order"))):
        if col is None:
            continue
        series.append((title, pd.to_numeric(sobol[col], errors="coerce").tolist()))
        lo, hi = find_column(sobol, f"{col}_ci_low", f"{col}_conf_low"), find_column(sobol, f"{col}_ci_high", f"{col}_conf_high")
        lows.append(pd.to_numeric(sobol[lo], errors="coerce").tolist() if lo else None)
        highs.append(pd.to_numeric(sobol[hi], errors="coerce").tolist() if hi else None)
    body = ""
    if series:
        fig = grouped_bars(sobol[label].astype(str).tolist(), series, title="Sobol' sensitivity indices",
                           value_title="share of output variance", error_low=lows, error_high=highs)
        note = ('<p class="note">Bars: confidence intervals from bootstrap resampling. S1 is the share of the '
                "output variance due to one factor alone; ST adds its interactions.</p>")
        body = chart_block(page, fig, label="Sobol indices") + note
    return body + table_html(sobol, table_id=page.new_id("table"), searchable=False)
