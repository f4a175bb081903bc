"""Report sections for an index over time and for leave-one-out analysis.

Reads the tables that :func:`innometrics.composite.timeseries.write_timeseries` and
:func:`innometrics.composite.influence.write_leave_one_out` add to an index folder:

* ``timeseries/index_paths.csv``: each unit's index per period, drawn as lines with the
  base line at 100 when the build is an index on a base period; rank changes between
  the first and the last period;
* ``timeseries/growth.csv``: the reading of each unit as a multiple and a percentage
  (``x3.66 (+266 %)``) and a compound annual growth rate;
* ``timeseries/contributions.csv``: the change since the base split by dimension,
  stacked bars (they add up to the change for an arithmetic top aggregate);
* ``leave_one_out/*.csv``: the mean absolute rank shift per removed element and the
  spread of the units' shifts (COINr ``remove_elements``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from innometrics.report.charts import (
    HIGHLIGHT_COLOURS,
    bar_chart,
    base_layout,
    chart_block,
    line_chart,
    plot_text,
    switch_block,
)
from innometrics.report.context import ResultsDir
from innometrics.report.format import format_growth, format_percent
from innometrics.report.html import Page, esc, table_html


def _names(paths: pd.DataFrame) -> dict[str, str]:
    return {str(c): str(n) for c, n in zip(paths["uCode"], paths["uName"])}


def timeseries_sections(results: ResultsDir, page: Page) -> None:
    """Index over time, growth readings, rank changes and the dimension decomposition (if the tables exist)."""
    paths = results.table(results.tables.get("timeseries_paths", "timeseries/index_paths.csv"))
    if paths is None or not len(paths):
        return
    paths["uCode"] = paths["uCode"].astype(str)
    top = [c for c in paths.columns if c not in ("uCode", "uName", "Time", "Rank", "rank_change")][0]
    names = _names(paths)
    step = next((e for e in results.manifest.get("log", []) if isinstance(e, dict) and e.get("step") == "timeseries"), {})
    base = (step.get("params") or {}).get("base_period")
    highlight = [h for h in results.highlight_list() if h in names]
    series = [{"name": names[u], "x": g["Time"].tolist(), "y": g[top].tolist(), "highlight": u in highlight}
              for u, g in paths.groupby("uCode", sort=True)]
    fig = line_chart(series, title=f"{top} over time", y_title="index" if base is not None else "score")
    indexed = base is not None and np.allclose(paths.loc[paths["Time"] == base, top].dropna(), 100.0)
    if indexed:
        fig.add_shape(type="line", xref="paper", x0=0, x1=1, y0=100, y1=100, line={"color": "#5b6475", "width": 1, "dash": "dot"})
    page.add("Index over time", (f"<p>{len(names):,} units, {paths['Time'].nunique()} periods"
                                 + (f"; every unit is 100 in {esc(base)} (dotted line)." if indexed else ".") + "</p>")
             + chart_block(page, fig, label="index over time"))

    growth = results.table(results.tables.get("timeseries_growth", "timeseries/growth.csv"))
    if growth is not None and len(growth):
        g = growth.sort_values("multiple", ascending=False, kind="stable").copy()
        g["reading"] = [format_growth(m) for m in g["multiple"]]
        g["per year"] = [format_percent(c) if pd.notna(c) else "" for c in g["cagr"]]
        first = g.iloc[0]
        lead = ""
        if highlight and highlight[0] in set(g["uCode"].astype(str)):
            row = g[g["uCode"].astype(str) == highlight[0]].iloc[0]
            lead = (f"<p><strong>{esc(row['uName'])}</strong>: {row['base_value']:.1f} in {esc(row['base_period'])}, "
                    f"{row['value']:.1f} in {esc(row['period'])}: {esc(format_growth(row['multiple']))}, "
                    f"{esc(format_percent(row['cagr']))} a year. A multiple of x3.66 is an increase of 266 %.</p>")
        cols = ["uCode", "uName", "base_value", "value", "reading", "per year"]
        page.add("Growth since the base", lead + f"<p>Highest: {esc(first['uName'])} {esc(first['reading'])}.</p>"
                 + table_html(g[cols], table_id=page.new_id("table"),
                              headers={"uCode": "code", "uName": "unit", "base_value": f"{first['base_period']}",
                                       "value": f"{first['period']}"}))

    periods = sorted(paths["Time"].unique())
    if len(periods) > 1:
        wide = paths.pivot(index="uCode", columns="Time", values="Rank")
        moves = pd.DataFrame({"uCode": wide.index, "unit": [names[u] for u in wide.index],
                              f"rank {periods[0]}": wide[periods[0]].to_numpy(), f"rank {periods[-1]}": wide[periods[-1]].to_numpy()})
        moves["places gained"] = moves[f"rank {periods[0]}"] - moves[f"rank {periods[-1]}"]
        moves = moves.sort_values("places gained", ascending=False, kind="stable")
        page.add("Rank changes", f"<p>Rank of {esc(top)} in {periods[0]} and {periods[-1]} (positive: moved up); "
                 "period by period in <code>timeseries/index_paths.csv</code>.</p>"
                 + table_html(moves, table_id=page.new_id("table")))

    contrib = results.table(results.tables.get("timeseries_contributions", "timeseries/contributions.csv"))
    if contrib is not None and len(contrib):
        page.add("Dimension decomposition", _decomposition(page, contrib, names, highlight, top, base))


def _stacked(categories: list[str], parts: dict[str, list[float]], *, title: str, horizontal: bool) -> go.Figure:
    fig = go.Figure()
    for i, (dim, values) in enumerate(parts.items()):
        kw = {"y": [plot_text(c) for c in categories], "x": values, "orientation": "h"} if horizontal else \
             {"x": categories, "y": values}
        fig.add_trace(go.Bar(name=plot_text(dim), marker={"color": HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)]},
                             hovertemplate="%{fullData.name}: %{" + ("x" if horizontal else "y") + ":,.1f}<extra></extra>", **kw))
    layout = base_layout(title, height=max(320, 60 + 20 * len(categories)) if horizontal else 380, barmode="relative")
    if horizontal:
        layout["yaxis"] = {"autorange": "reversed", "type": "category"}
    fig.update_layout(layout)
    return fig


def _decomposition(page: Page, contrib: pd.DataFrame, names: dict, highlight: list[str], top: str, base) -> str:
    contrib = contrib.copy()
    contrib["uCode"] = contrib["uCode"].astype(str)
    last = contrib["Time"].max()
    at = contrib[contrib["Time"] == last].pivot_table(index="uCode", columns="dimension", values="contribution", sort=False)
    order = at.sum(axis=1).sort_values(ascending=False).index
    dims = list(dict.fromkeys(contrib["dimension"]))
    fig = _stacked([names.get(u, u) for u in order], {d: at.loc[order, d].tolist() for d in dims},
                   title=f"Change of {top} since {base}, by dimension ({last})", horizontal=True)
    variants = []
    for u in highlight or list(order[:3]):
        mine = contrib[contrib["uCode"] == u]
        if not len(mine):
            continue
        wide = mine.pivot_table(index="Time", columns="dimension", values="contribution", sort=False)
        variants.append((names.get(u, u), _stacked([str(t) for t in wide.index], {d: wide[d].tolist() for d in dims if d in wide},
                                                   title=f"{names.get(u, u)}: change since {base} by dimension", horizontal=False)))
    body = ("<p>Each dimension's share of the change of the index since the base: its weight share times its own "
            "index, minus the same in the base period. The parts add up to the change (arithmetic aggregation).</p>"
            + chart_block(page, fig, label="decomposition"))
    if variants:
        body += "<p>Over time, for one unit:</p>" + switch_block(page, variants, label="Unit")
    return body


def leave_one_out_sections(results: ResultsDir, page: Page, names: dict) -> None:
    """The leave-one-out rank-shift charts (COINr ``remove_elements``), if the tables exist."""
    mac = results.table(results.tables.get("leave_one_out_mean_abs_change", "leave_one_out/mean_abs_change.csv"))
    changes = results.table(results.tables.get("leave_one_out_rank_changes", "leave_one_out/rank_changes.csv"))
    if mac is None or not len(mac):
        return
    mac = mac[mac["removed"] != "Nominal"].sort_values("mean_abs_rank_change", ascending=False, kind="stable")
    step = next((e for e in results.manifest.get("log", []) if isinstance(e, dict) and e.get("step") == "leave_one_out"), {})
    params = step.get("params") or {}
    fig = bar_chart(mac["removed"].tolist(), mac["mean_abs_rank_change"].tolist(),
                    title="Mean absolute rank shift when the element is removed", value_title="places")
    body = (f"<p>Each element of level {esc(params.get('level', '?'))} is removed in turn (weight 0) and "
            f"{esc(params.get('target', 'the index'))} is rebuilt; the larger the shift, the more the ranking depends "
            "on that element.</p>" + chart_block(page, fig, label="mean rank shift"))
    if changes is not None and len(changes):
        box = go.Figure()
        for code in mac["removed"]:
            if code in changes.columns:
                box.add_trace(go.Box(y=changes[code].tolist(), name=plot_text(code), boxpoints="all", jitter=0.4,
                                     pointpos=0, marker={"size": 4, "color": "#1f5fae"}, line={"color": "#5b6475"},
                                     text=[plot_text(names.get(str(u), u)) for u in changes["uCode"]],
                                     hovertemplate="%{text}: %{y:+d}<extra>%{fullData.name}</extra>"))
        box.update_layout(base_layout("Rank shift of each unit (nominal rank - rank without the element)", height=420,
                                      showlegend=False, yaxis={"title": {"text": "places (+ = falls without it)"}}))
        body += chart_block(page, box, label="rank shifts")
    page.add("Leave one out", body)
