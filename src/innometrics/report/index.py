"""Report for a composite index build (COINr-style).

Reads ``results.csv`` (``uCode, uName``, one column per aggregate, the rank; with a
``Time`` column the latest period is shown), the framework from ``weights.csv`` when it
carries ``Parent`` (COINr iMeta layout: ``Level, iCode, iName, Direction, Weight, Parent,
Type``), else from a ``meta`` table of the folder or the spec's ``data.meta`` input (checked
against its SHA-256 in the manifest) with the build's weights from ``weights.csv``
(``iCode, Level, Weight``); optional ``audit/*.csv`` and ``sensitivity/*.csv``
(:mod:`innometrics.report.index_analysis`). Shows the framework tree, the ranking with
pillar scores, the top units, a unit profile against the group median, the audit and
the sensitivity analysis (OECD/JRC Handbook on Constructing Composite Indicators, 2008).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.errors import DataError
from innometrics.report.charts import bar_chart, chart_block, grouped_bars, switch_block
from innometrics.report.context import ResultsDir, find_column, read_csv
from innometrics.report.format import format_number
from innometrics.report.html import Page, esc, table_html
from innometrics.report.index_analysis import audit_sections, sensitivity_sections
from innometrics.report import maps
from innometrics.report.pages import fmt_value, lead_table, register_page, top_sentence
from innometrics.report.panel_index import leave_one_out_sections, timeseries_sections

TOP_N = 20


def _verified_input(results: ResultsDir, key: str) -> tuple[pd.DataFrame | None, str]:
    """The spec's ``data.<key>`` input file, used only when its SHA-256 matches the manifest's record.

    Returns the table (or None) and a note saying where it came from or why it is not used.
    """
    spec = results.manifest.get("spec") if isinstance(results.manifest.get("spec"), dict) else {}
    path = (spec.get("data") or {}).get(key) if isinstance(spec.get("data"), dict) else None
    if not path:
        return None, ""
    path = Path(path)
    if not path.is_absolute():
        path = results.path / path
    recorded = {str(i.get("path")): i.get("sha256") for i in results.manifest.get("inputs") or [] if isinstance(i, dict)}
    if not path.is_file():
        return None, f"The build's input {path} is not found."
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if recorded.get(str(path)) not in (None, digest):
        return None, f"The input {path} changed since the build (SHA-256 differs); not used."
    return read_csv(path), f"read from the build's input {path.name} (SHA-256 {digest[:12]}...)"


def _input_meta(results: ResultsDir) -> tuple[pd.DataFrame | None, str]:
    """The indicator metadata (COINr iMeta) the build read, for the framework's parents and names:
    a ``meta`` table of the folder, else the spec's ``data.meta`` input (checked by SHA-256)."""
    rel = results.tables.get("meta")
    if rel and results.has(rel):
        return results.table(rel), ""
    meta, note = _verified_input(results, "meta")
    if meta is None:
        return None, (note.replace("not used.", "framework tree not drawn.") if note else "")
    return meta, f"Framework {note}."


def _unit_groups(results: ResultsDir, codes: pd.Series) -> tuple[pd.DataFrame | None, str]:
    """Group columns (``*_group``, COINr's iData layout) of the units, from the spec's
    ``data.indicators`` input (checked by SHA-256); the latest ``Time`` when it is a panel."""
    data, note = _verified_input(results, "indicators")
    if data is None:
        return None, ""
    code = find_column(data, "uCode", "unit", "code")
    groups = [c for c in data.columns if str(c).lower().endswith("_group")]
    if code is None or not groups:
        return None, ""
    time = find_column(data, "Time", "period")
    if time is not None:
        data = data.sort_values(time, kind="stable").drop_duplicates(code, keep="last")
    data = data.assign(**{code: data[code].astype(str)}).set_index(code)[groups]
    return data.reindex(codes.astype(str)).reset_index(drop=True), f"Unit groups {note}."


def _meta(results: ResultsDir) -> tuple[pd.DataFrame | None, str]:
    """Framework rows (code, name, level, weight, parent, direction, type) and a note on their source."""
    meta = results.table(results.tables.get("weights", "weights.csv"))
    note = ""
    if meta is None or not len(meta) or find_column(meta, "Parent", "parent") is None:
        extra, note = _input_meta(results)
        if extra is not None and find_column(extra, "iCode", "code") is not None:
            if meta is not None and len(meta) and find_column(meta, "iCode", "code") and find_column(meta, "Weight", "weight"):
                # The build's weights (after overrides) win over the input's.
                w = meta.set_index(find_column(meta, "iCode", "code"))[find_column(meta, "Weight", "weight")]
                extra = extra.copy()
                code, weight = find_column(extra, "iCode", "code"), find_column(extra, "Weight", "weight") or "Weight"
                extra[weight] = [w.get(c, v) for c, v in zip(extra[code], extra.get(weight, pd.Series(np.nan, index=extra.index)))]
            meta = extra
    if meta is None or not len(meta):
        return None, note
    cols = {k: find_column(meta, *names) for k, names in {
        "code": ("iCode", "code"), "name": ("iName", "name"), "level": ("Level", "level"),
        "weight": ("Weight", "weight"), "parent": ("Parent", "parent"), "direction": ("Direction", "direction"),
        "type": ("Type", "type"),
    }.items()}
    if cols["code"] is None:
        return None, note
    out = pd.DataFrame({k: (meta[c] if c else np.nan) for k, c in cols.items()})
    out["code"] = out["code"].astype(str)
    out["parent"] = out["parent"].where(out["parent"].notna(), None)
    out["parent"] = [None if p is None or str(p).strip() in ("", "nan") else str(p) for p in out["parent"]]
    out["name"] = [str(n) if pd.notna(n) else c for n, c in zip(out["name"], out["code"])]
    out["level"] = pd.to_numeric(out["level"], errors="coerce")
    out["weight"] = pd.to_numeric(out["weight"], errors="coerce")
    # Keep only framework rows: indicators and aggregates (COINr also lists denominators, groups).
    if out["type"].notna().any():
        keep = out["type"].astype(str).str.lower().isin(["indicator", "aggregate"]) | out["type"].isna()
        out = out[keep]
    return out.reset_index(drop=True), note


def _tree(meta: pd.DataFrame) -> str:
    children: dict[str | None, list[int]] = {}
    codes = set(meta["code"])
    for i, p in enumerate(meta["parent"]):
        children.setdefault(p if p in codes else None, []).append(i)

    def node(i: int, seen: frozenset) -> str:
        r = meta.iloc[i]
        siblings = meta.iloc[children.get(r["parent"] if r["parent"] in codes else None, [])]
        total = siblings["weight"].sum()
        share = f" ({r['weight'] / total * 100:.0f} % of parent)" if pd.notna(r["weight"]) and total > 0 and len(siblings) > 1 else ""
        weight = f'<span class="w">weight {esc(format_number(r["weight"]))}{esc(share)}</span>' if pd.notna(r["weight"]) else ""
        direction = ' <span class="badge" title="lower is better">lower is better</span>' if r["direction"] == -1 else ""
        kids = "" if r["code"] in seen else "".join(node(j, seen | {r["code"]}) for j in children.get(r["code"], []))
        inner = f"<ul>{kids}</ul>" if kids else ""
        return f'<li>{esc(r["name"])} <span class="code">{esc(r["code"])}</span> {weight}{direction}{inner}</li>'

    roots = children.get(None, [])
    roots = sorted(roots, key=lambda i: -(meta.iloc[i]["level"] if pd.notna(meta.iloc[i]["level"]) else 0))
    return f'<ul class="tree">{"".join(node(i, frozenset()) for i in roots)}</ul>'


def _score_columns(results_df: pd.DataFrame, meta: pd.DataFrame | None) -> tuple[list[str], str | None, list[str]]:
    """(aggregate columns from the top level down, the top index, the pillar columns)."""
    numeric = [c for c in results_df.columns if pd.api.types.is_numeric_dtype(results_df[c]) and not str(c).lower().startswith("rank")]
    if meta is not None and meta["level"].notna().any():
        levels = meta.set_index("code")["level"].to_dict()
        aggs = [c for c in numeric if levels.get(str(c), 0) >= 2]
        aggs.sort(key=lambda c: -levels[str(c)])
        top = aggs[0] if aggs else None
        pillar_level = 2
        pillars = [c for c in aggs if levels[str(c)] == pillar_level]
        return aggs, top, pillars
    aggs = numeric
    return aggs, (aggs[0] if aggs else None), aggs[1:]


@register_page("index", "Composite index")
def render(results: ResultsDir, page: Page) -> None:
    """Add the index sections to ``page``: the answer (headline, top units, map or bars), the ranking,
    the unit profile, then the framework, the audit and the sensitivity analysis."""
    res_rel = results.tables.get("results", "results.csv")
    res = results.table(res_rel, required=True).copy()
    if not len(res.columns) or not any(pd.api.types.is_numeric_dtype(res[c]) for c in res.columns):
        raise DataError("results.csv has no score columns; rebuild the index", file=results.file(res_rel),
                        reason="missing_column")
    period_note = ""
    time_col = find_column(res, "Time", "period")
    if time_col is not None and res[time_col].nunique() > 1:
        latest = res[time_col].max()
        period_note = f" Period {latest} (the latest of {res[time_col].nunique()}; every period is in results.csv)."
        res = res[res[time_col] == latest].copy()
    code_col = find_column(res, "uCode", "unit", "code") or res.columns[0]
    name_col = find_column(res, "uName", "name", "unit_name")
    res[code_col] = res[code_col].astype(str)
    names = {c: (str(n) if name_col and pd.notna(n) else c) for c, n in zip(res[code_col], res[name_col] if name_col else res[code_col])}
    meta, meta_note = _meta(results)
    meta_names = meta.set_index("code")["name"].to_dict() if meta is not None else {}
    aggs, top, pillars = _score_columns(res, meta)
    rank_col = find_column(res, f"Rank_{top}" if top else "Rank", "Rank", "rank")
    if rank_col is None and top is not None:
        rank_col = "rank"
        res[rank_col] = res[top].rank(ascending=False, method="min").astype("Int64")
    if rank_col is not None:
        res = res.sort_values([rank_col, code_col], kind="stable", na_position="last")

    title = meta_names.get(top, top) if top else "Index"
    overview = (
        f"<p>{len(res):,} units scored on {esc(title)}"
        + (f", built from {int((meta['level'] == 1).sum()):,} indicators" if meta is not None else "")
        + (f" in {len(pillars):,} pillars" if pillars else "") + "." + esc(period_note) + "</p>"
    )

    group_cols = [c for c in res.columns if str(c).lower().endswith("_group") or str(c).lower() in ("group", "region")]
    group_note = ""
    if not group_cols:
        groups, group_note = _unit_groups(results, res[code_col])
        if groups is not None:
            res = pd.concat([res.reset_index(drop=True), groups], axis=1)
            group_cols = list(groups.columns)
    cols = [c for c in [rank_col, code_col, name_col] if c] + group_cols[:4] + aggs
    headers = {c: f"{meta_names.get(str(c), c)}" for c in aggs}
    headers.update({code_col: "code", **({name_col: "unit"} if name_col else {})})

    if top is not None:
        ranked = res.dropna(subset=[top])
        unit_names = [names[c] for c in ranked[code_col]]
        values = [fmt_value(top, res[top], v) for v in ranked[top]]
        headline = top_sentence(unit_names, values, n_units=len(ranked), what=f"units on {title}", measure="a score of")
        headline += esc(f" Scores run from 0 to 100 (best); {len(pillars):,} pillars" if pillars else "") + (
            "." if pillars else "") + esc(period_note)
        top_rows = ranked.sort_values(top, ascending=False, kind="stable").head(TOP_N)
        codes = maps.mappable_countries(ranked[code_col])
        if len(codes) >= max(3, len(ranked) // 2):
            sub = ranked[ranked[code_col].isin(codes)]
            fig = maps.choropleth(page, sub[code_col].tolist(), sub[top].tolist(), [names[c] for c in sub[code_col]],
                                  title=f"{title} by country", value_title="score",
                                  hover_values=[fmt_value(top, res[top], v) for v in sub[top]])
            chart = chart_block(page, fig, label="map of the index")
        else:
            fig = bar_chart([names[c] for c in top_rows[code_col]], top_rows[top].tolist(),
                            title=f"Top {len(top_rows)} units: {title}", value_title="score")
            chart = chart_block(page, fig, label="top units")
        lead_cols = [c for c in [rank_col, name_col or code_col, top] if c]
        page.set_lead(headline, lead_table(page, ranked, lead_cols, headers=headers), chart)
    page.add("Overview", overview)
    page.add("Ranking", table_html(res[cols], table_id=page.new_id("table"), headers=headers)
             + (f'<p class="note">{esc(group_note)}</p>' if group_note else ""))

    if top is not None:
        top_rows = res.dropna(subset=[top]).sort_values(top, ascending=False, kind="stable").head(TOP_N)
        fig = bar_chart([names[c] for c in top_rows[code_col]], top_rows[top].tolist(),
                        title=f"Top {len(top_rows)} units: {title}", value_title="score")
        page.add("Top units", chart_block(page, fig, label="top units"))

    if pillars:
        page.add("Unit profile", _profile(page, res, code_col, names, pillars, meta_names, group_cols))

    timeseries_sections(results, page)  # an index over time: its paths and growth come before the method parts

    if meta is not None:
        has_tree = meta["parent"].notna().any()
        page.add("Framework", "<p>Indicators and aggregates with their weights (share of the parent in brackets).</p>"
                 + (f'<p class="note">{esc(meta_note)}</p>' if meta_note else "")
                 + (_tree(meta) if has_tree else '<p class="note">The weights table has no parents; no tree to draw.</p>'))
    elif meta_note:
        page.add("Framework", f'<p class="note">{esc(meta_note)}</p>')

    framework_order = _framework_order(meta) if meta is not None else []
    audit_sections(results, page, {**meta_names}, framework_order)
    sensitivity_sections(results, page, names)
    leave_one_out_sections(results, page, names)
    _rejects(results, page, names)


def _framework_order(meta: pd.DataFrame) -> list[str]:
    """Codes in tree order (depth first from the top), so related indicators sit together."""
    children: dict[str | None, list[str]] = {}
    codes = set(meta["code"])
    for c, p in zip(meta["code"], meta["parent"]):
        children.setdefault(p if p in codes else None, []).append(c)
    order: list[str] = []

    def walk(code, seen):
        for child in children.get(code, []):
            if child not in seen:
                walk(child, seen | {child})
        if code is not None:
            order.append(code)

    walk(None, frozenset())
    return order


def _rejects(results: ResultsDir, page: Page, names: dict) -> None:
    rejects = results.table(results.tables.get("rejects", "rejects.csv"))
    if rejects is None:
        return
    if not len(rejects):
        page.add("Units left out", "<p>No unit was left out of the index.</p>")
        return
    page.add("Units left out", f"<p>{len(rejects):,} units were left out, each with its reason.</p>"
             + table_html(rejects, table_id=page.new_id("table"), max_rows=500))


def _profile(page, res, code_col, names, pillars, meta_names, group_cols) -> str:
    labels = [meta_names.get(p, p) for p in pillars]
    scores = res[pillars].apply(pd.to_numeric, errors="coerce")
    overall = scores.median(skipna=True)
    values = np.concatenate([scores.to_numpy(dtype=float).ravel()])
    finite = values[np.isfinite(values)]
    value_range = None
    if finite.size and finite.min() >= 0 and finite.max() <= 100:
        value_range = [0, 100]
    # The broadest grouping (fewest groups, at least two) gives the most telling group median.
    sizes = {g: res[g].nunique() for g in group_cols}
    usable = [g for g in group_cols if sizes[g] >= 2]
    group = min(usable, key=lambda g: (sizes[g], group_cols.index(g))) if usable else None
    variants = []
    for i in range(len(res)):
        code = res[code_col].iloc[i]
        series = [(names[code], scores.iloc[i].tolist()), ("median of all units", overall.tolist())]
        if group is not None and pd.notna(res[group].iloc[i]):
            g = res[group].iloc[i]
            series.append((f"median of {group} = {g}", scores[res[group] == g].median(skipna=True).tolist()))
        fig = grouped_bars(labels, series, title=f"{names[code]}: pillar scores", value_title="score", value_range=value_range)
        variants.append((f"{names[code]} ({code})", fig))
    return "<p>Pillar scores of one unit against the median of all units" + (
        f" and of its {esc(group)}" if group else "") + ". Choose a unit:</p>" + switch_block(page, variants, label="Unit")
