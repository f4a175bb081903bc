"""Plotly figures for reports, serialised to JSON and drawn by one inlined plotly.js.

Figures are built with :mod:`plotly.graph_objects` (which validates every property),
then reduced to plain JSON: the default template is dropped (plotly.js has its own
defaults, and the template would cost ~10 kB per chart) and floats keep seven
significant digits. The page embeds each figure in a JSON block
(:func:`innometrics.report.html.json_script`) and draws it with ``Plotly.newPlot``.

Plotly draws text (trace names, tick labels, hover text) through its own small
HTML parser, which understands tags such as ``<b>`` and ``<a href>`` and decodes
entities; every data string is therefore passed through :func:`plot_text`
(``html.escape``) so that a unit named ``<b>x</b>`` is drawn literally.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from innometrics.report.html import Page, esc, json_script, to_jsonable

from innometrics.report.palette import BAR_COLOUR, HIGHLIGHT_COLOURS, PEER_COLOUR  # noqa: F401  (re-exported)
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, sans-serif", "size": 12}


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped inside the installed ``plotly`` package (offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def plot_text(value: Any) -> str:
    """Escape a data string for Plotly's text renderer (drawn literally, never as markup)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _html.escape(str(value), quote=False)


def figure_json(fig: go.Figure | dict) -> dict:
    """Plain-JSON ``{"data": [...], "layout": {...}}`` without the template."""
    spec = fig.to_plotly_json() if isinstance(fig, go.Figure) else dict(fig)
    layout = dict(spec.get("layout") or {})
    layout.pop("template", None)
    return to_jsonable({"data": list(spec.get("data") or []), "layout": layout})


def base_layout(title: str | None = None, *, height: int = 380, **extra: Any) -> dict:
    """Common layout: readable margins, white background, legend under the plot."""
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 48 if title else 20, "b": 50},
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": {"gridcolor": "#eceef2", "zeroline": False, "automargin": True},
        "yaxis": {"gridcolor": "#eceef2", "zeroline": False, "automargin": True},
    }
    if title:
        layout["title"] = {"text": plot_text(title), "x": 0, "xanchor": "left", "font": {"size": 15}}
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def chart_block(page: Page, fig: go.Figure | dict, *, label: str = "") -> str:
    """Markup drawing ``fig``: an empty ``div.chart`` plus its JSON block."""
    chart_id = page.new_id("chart")
    spec = figure_json(fig)
    height = int(spec["layout"].get("height") or 380)
    aria = f' role="img" aria-label="{esc(label)}"' if label else ""
    return (
        f'<div class="chart" id="{chart_id}" data-fig="{chart_id}-fig" style="height:{height}px"{aria}></div>'
        + json_script(spec, f"{chart_id}-fig")
    )


def switch_block(page: Page, variants: Sequence[tuple[str, go.Figure | dict]], *, label: str) -> str:
    """A select box switching one chart between ``variants`` (label, figure).

    The first variant is drawn on load; all variants travel as one JSON block.
    """
    if not variants:
        return ""
    chart_id = page.new_id("chart")
    select_id = page.new_id("select")
    specs = [figure_json(fig) for _, fig in variants]
    compact = _compact_variants(specs)
    options = "".join(f'<option value="{i}">{esc(name)}</option>' for i, (name, _) in enumerate(variants))
    height = int(specs[0]["layout"].get("height") or 380)
    return (
        f'<div class="controls"><label for="{select_id}">{esc(label)}</label> '
        f'<select id="{select_id}" class="switch" data-target="{chart_id}" data-variants="{chart_id}-variants">'
        f"{options}</select></div>"
        f'<div class="chart" id="{chart_id}" data-fig="{chart_id}-fig" style="height:{height}px"></div>'
        + json_script(specs[0], f"{chart_id}-fig")
        + json_script(compact, f"{chart_id}-variants")
    )


def _compact_variants(specs: list[dict]) -> dict:
    """Variants as differences from the first one (top-level keys of each trace and of the layout).

    The page rebuilds variant ``i`` as ``{**base.data[k], **items[i].data[k]}`` for its
    ``items[i].n`` traces and ``{**base.layout, **items[i].layout}``; the switch costs
    a few hundred bytes per unit instead of a whole figure.
    """
    base = specs[0]
    items = []
    for spec in specs:
        traces = []
        for k, trace in enumerate(spec["data"]):
            ref = base["data"][k] if k < len(base["data"]) else {}
            traces.append({key: value for key, value in trace.items() if ref.get(key) != value})
        layout = {key: value for key, value in spec["layout"].items() if base["layout"].get(key) != value}
        items.append({"n": len(spec["data"]), "data": traces, "layout": layout})
    return {"base": base, "items": items}


def line_chart(
    series: Sequence[dict],
    *,
    title: str,
    y_title: str = "",
    x_title: str = "",
    height: int = 400,
    reverse_y: bool = False,
) -> go.Figure:
    """Lines over time; highlighted series in colour, the others as thin grey peers.

    A series with gaps (years between its points without a value, e.g. 2014 and 2023
    only) is drawn as its points joined by a dashed line, so it does not read as
    measured every year.

    Parameters
    ----------
    series : sequence of dict
        ``{"name": str, "x": list, "y": list, "highlight": bool, "colour": str}``; names are
        escaped here; ``colour`` (from :meth:`Page.colour`) keeps a unit's colour across charts.
    reverse_y : bool
        Lower is better (ranks): the y axis runs downwards, best on top.
    """
    fig = go.Figure()
    peers = [s for s in series if not s.get("highlight")]
    highlighted = [s for s in series if s.get("highlight")]
    for i, s in enumerate(peers):
        fig.add_trace(
            go.Scatter(
                x=list(s["x"]), y=list(s["y"]), name=plot_text(s["name"]), mode="lines",
                line={"color": PEER_COLOUR, "width": 1}, opacity=0.8,
                legendgroup="peers", showlegend=i == 0 and bool(highlighted),
                hovertemplate="%{fullData.name}<br>%{x}: %{y:,.4~g}<extra></extra>",
            )
        )
    if peers and highlighted:
        fig.data[0].name = plot_text(f"Other units ({len(peers)})")
        fig.data[0].hovertemplate = plot_text(peers[0]["name"]) + "<br>%{x}: %{y:,.4~g}<extra></extra>"
    for i, s in enumerate(highlighted):
        colour = s.get("colour") or HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)]
        sparse = is_sparse(s["x"], s["y"])
        fig.add_trace(
            go.Scatter(
                x=list(s["x"]), y=list(s["y"]), name=plot_text(s["name"]), mode="lines+markers",
                line={"color": colour, "width": 2 if sparse else 3, **({"dash": "dash"} if sparse else {})},
                marker={"size": 8 if sparse else 6}, connectgaps=True,
                hovertemplate="%{fullData.name}<br>%{x}: %{y:,.4~g}<extra></extra>",
            )
        )
    xaxis: dict[str, Any] = {"title": {"text": plot_text(x_title)}}
    xs = [x for s in series for x in s["x"]]
    if xs and all(isinstance(x, (int, float)) and float(x).is_integer() for x in xs):
        # Years: whole numbers, one tick per year on short spans (never "2,018.5").
        xaxis["tickformat"] = "d"
        if max(xs) - min(xs) <= 15:
            xaxis["dtick"] = 1
    yaxis: dict[str, Any] = {"title": {"text": plot_text(y_title + (" (lower is better)" if reverse_y else ""))}}
    if reverse_y:
        yaxis["autorange"] = "reversed"
    fig.update_layout(
        base_layout(title, height=height, xaxis=xaxis, yaxis=yaxis,
                    hovermode="x unified" if len(series) <= 8 else "closest")
    )
    ys = [y for s in series for y in s["y"] if isinstance(y, (int, float)) and y == y and y > 0]
    if ys and max(ys) / min(ys) > 50 and not reverse_y:
        # A national total dwarfs the provinces: offer a log scale (plotly's own buttons, no custom JS).
        fig.update_layout(updatemenus=[{
            "type": "buttons", "direction": "left", "x": 1, "xanchor": "right", "y": 1.01, "yanchor": "bottom",
            "showactive": True, "pad": {"r": 0, "t": 0}, "font": {"size": 11},
            "buttons": [{"label": "linear", "method": "relayout", "args": [{"yaxis.type": "linear"}]},
                        {"label": "log", "method": "relayout", "args": [{"yaxis.type": "log"}]}],
        }])
    return fig


def is_sparse(xs: Sequence[Any], ys: Sequence[Any]) -> bool:
    """True when a yearly series skips years between its measured points (2014, 2023 only)."""
    pts = sorted(float(x) for x, y in zip(xs, ys)
                 if isinstance(x, (int, float)) and y is not None and y == y)
    if len(pts) < 2 or not all(p.is_integer() for p in pts):
        return False
    return any(b - a > 1 for a, b in zip(pts, pts[1:]))


def bar_chart(
    labels: Sequence[Any],
    values: Sequence[float],
    *,
    title: str,
    value_title: str = "",
    error_low: Sequence[float] | None = None,
    error_high: Sequence[float] | None = None,
    hover_extra: Sequence[str] | None = None,
) -> go.Figure:
    """Horizontal bars, first label on top; optional asymmetric error bars (absolute ends)."""
    labels = [plot_text(v) for v in labels]
    values = [float(v) if v is not None else None for v in values]
    trace: dict[str, Any] = {
        "x": values, "y": labels, "orientation": "h", "marker": {"color": BAR_COLOUR},
        "hovertemplate": "%{y}: %{x:,.4~g}<extra></extra>",
    }
    if error_low is not None and error_high is not None:
        trace["error_x"] = {
            "type": "data", "symmetric": False, "color": "#333",
            "array": [None if h is None or v is None else max(h - v, 0) for v, h in zip(values, error_high)],
            "arrayminus": [None if lo is None or v is None else max(v - lo, 0) for v, lo in zip(values, error_low)],
        }
    if hover_extra is not None:
        trace["customdata"] = [plot_text(h) for h in hover_extra]
        trace["hovertemplate"] = "%{y}: %{x:,.4~g}<br>%{customdata}<extra></extra>"
    fig = go.Figure(go.Bar(**trace))
    height = max(260, 60 + 22 * len(labels))
    fig.update_layout(
        base_layout(title, height=height, xaxis={"title": {"text": plot_text(value_title)}},
                    yaxis={"autorange": "reversed", "type": "category"}, showlegend=False)
    )
    return fig


def growth_chart(
    categories: Sequence[Any],
    series: Sequence[tuple[str, Sequence[float | None]]],
    texts: Sequence[Sequence[str]],
    *,
    title: str,
    colours: Sequence[str] | None = None,
) -> go.Figure:
    """Horizontal grouped bars of growth multiples, each labelled with its text (``x5.45 (+445 %)``),
    with a reference line at 1 (no change); ``colours`` (one per series) keep each unit's page colour."""
    cats = [plot_text(c) for c in categories]
    fig = go.Figure()
    for i, ((name, values), text) in enumerate(zip(series, texts)):
        fig.add_trace(go.Bar(
            y=cats, x=list(values), name=plot_text(name), orientation="h", text=[plot_text(t) for t in text],
            textposition="outside", cliponaxis=False,
            marker={"color": colours[i] if colours else HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)]},
            hovertemplate="%{fullData.name}<br>%{y}: %{text}<extra></extra>",
        ))
    height = max(260, 80 + 26 * len(cats) * max(1, len(series)))
    fig.update_layout(base_layout(
        title, height=height, barmode="group", showlegend=len(series) > 1,
        yaxis={"type": "category", "autorange": "reversed"},
        xaxis={"rangemode": "tozero"},  # no axis title: the chart title names the multiple
        margin={"r": 120},
        shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                 "line": {"color": "#5b6475", "width": 1, "dash": "dot"}}],
    ))
    return fig


def grouped_bars(
    categories: Sequence[Any],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    value_title: str = "",
    value_range: Sequence[float] | None = None,
    error_low: Sequence[Sequence[float] | None] | None = None,
    error_high: Sequence[Sequence[float] | None] | None = None,
) -> go.Figure:
    """Vertical grouped bars: one group per category, one bar per named series.

    ``error_low[i]`` / ``error_high[i]``, when given, are the absolute ends of series
    ``i``'s interval (e.g. a confidence interval), drawn as error bars.
    """
    cats = [plot_text(c) for c in categories]
    fig = go.Figure()
    others = ["#9aa3b2", "#E69F00", "#009E73"]
    for i, (name, values) in enumerate(series):
        values = list(values)
        trace: dict[str, Any] = {
            "x": cats, "y": values, "name": plot_text(name),
            "marker": {"color": HIGHLIGHT_COLOURS[0] if i == 0 else others[(i - 1) % 3]},
            "hovertemplate": "%{fullData.name}<br>%{x}: %{y:,.4~g}<extra></extra>",
        }
        lo = error_low[i] if error_low is not None and i < len(error_low) else None
        hi = error_high[i] if error_high is not None and i < len(error_high) else None
        if lo is not None and hi is not None:
            trace["error_y"] = {
                "type": "data", "symmetric": False, "color": "#333",
                "array": [None if h is None or v is None else max(h - v, 0) for v, h in zip(values, hi)],
                "arrayminus": [None if a is None or v is None else max(v - a, 0) for v, a in zip(values, lo)],
            }
        fig.add_trace(go.Bar(**trace))
    yaxis: dict[str, Any] = {"title": {"text": plot_text(value_title)}}
    if value_range is not None:
        yaxis["range"] = list(value_range)
    fig.update_layout(base_layout(title, height=400, barmode="group", yaxis=yaxis, xaxis={"type": "category"}))
    return fig


def heatmap(
    matrix: Sequence[Sequence[float]],
    x_labels: Sequence[Any],
    y_labels: Sequence[Any],
    *,
    title: str,
    zmin: float | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """A heatmap (e.g. a correlation matrix), values shown on hover."""
    n = max(len(x_labels), len(y_labels))
    trace: dict[str, Any] = {
        # Three decimals are plenty for a colour scale and keep the file small.
        "z": [[None if v is None or v != v else round(float(v), 3) for v in row] for row in matrix], "x": [plot_text(v) for v in x_labels], "y": [plot_text(v) for v in y_labels],
        "colorscale": "RdBu", "reversescale": False,
        "hovertemplate": "%{y} / %{x}: %{z:.3f}<extra></extra>",
    }
    if zmin is not None and zmax is not None:
        trace["zmin"], trace["zmax"] = zmin, zmax
        if zmin < 0 < zmax:
            trace["zmid"] = 0
    fig = go.Figure(go.Heatmap(**trace))
    size = min(900, max(360, 120 + 14 * n))
    fig.update_layout(
        base_layout(title, height=size,
                    xaxis={"type": "category", "tickangle": -45, "showgrid": False, "dtick": 1,
                           "tickfont": {"size": 9 if n > 30 else 11}},
                    yaxis={"type": "category", "autorange": "reversed", "showgrid": False, "dtick": 1,
                           "tickfont": {"size": 9 if n > 30 else 11}})
    )
    return fig


def interval_chart(
    labels: Sequence[Any],
    centre: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    title: str,
    value_title: str,
    centre_name: str = "median",
    nominal: Sequence[float] | None = None,
) -> go.Figure:
    """Points with asymmetric bars (e.g. median rank with 5-95 % interval), one row per unit."""
    ys = [plot_text(v) for v in labels]
    fig = go.Figure(
        go.Scatter(
            x=list(centre), y=ys, mode="markers", name=plot_text(centre_name), marker={"color": BAR_COLOUR, "size": 7},
            error_x={
                "type": "data", "symmetric": False, "color": "#5b6475",
                "array": [None if h is None or c is None else h - c for c, h in zip(centre, high)],
                "arrayminus": [None if lo is None or c is None else c - lo for c, lo in zip(centre, low)],
            },
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    if nominal is not None:
        fig.add_trace(
            go.Scatter(x=list(nominal), y=ys, mode="markers", name="nominal",
                       marker={"color": "#D55E00", "symbol": "diamond-open", "size": 8},
                       hovertemplate="%{y}: nominal %{x}<extra></extra>")
        )
    fig.update_layout(
        base_layout(title, height=max(300, 70 + 16 * len(ys)), xaxis={"title": {"text": plot_text(value_title)}},
                    yaxis={"type": "category", "autorange": "reversed", "tickfont": {"size": 10}})
    )
    return fig
