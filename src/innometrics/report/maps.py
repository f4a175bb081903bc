"""Offline maps: a world choropleth for countries, points for cities, hull outlines for clusters.

The base geometry is Natural Earth's 1:110m countries (public domain), as TopoJSON from
the world-atlas package (ISC), shipped in ``report/assets/world_110m.json`` with ISO
3166-1 alpha-3 ids (``tools/world_topojson.py`` makes it; see DATA_SOURCES.md). The page
hands it to plotly.js through ``window.PlotlyGeoAssets`` (see
:class:`innometrics.report.html.Page`), where plotly.js looks before it would fetch a
base map, so drawing a map makes no network request. Only layers the file carries are
drawn (land, country borders); coastlines, lakes and rivers are off.

Cluster outlines are convex hulls of the member cities (Andrew's monotone chain, a
dozen lines, so no geometry library is needed for a handful of points per cluster).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from innometrics.report.charts import FONT, plot_text
from innometrics.report.geodata import world_iso3, world_topojson  # noqa: F401  (world_topojson re-exported)
from innometrics.report.html import Page
from innometrics.report.palette import BAR_COLOUR, HIGHLIGHT_COLOURS

#: Geo layout shared by every map: world scope at 1:110m, only the layers the shipped file has.
GEO = {
    "scope": "world", "resolution": 110, "projection": {"type": "natural earth", "rotation": {"lon": 0}},
    "center": {"lon": 0, "lat": 10}, "lonaxis": {"range": [-180, 180]}, "lataxis": {"range": [-58, 85]},
    "showcoastlines": False, "showland": True, "landcolor": "#eef0f3", "showcountries": True,
    "countrycolor": "#ffffff", "countrywidth": 0.5, "showocean": False, "showlakes": False,
    "showrivers": False, "showsubunits": False, "showframe": False, "bgcolor": "white",
}


def mappable_countries(codes: Sequence[Any]) -> list[str]:
    """The codes among ``codes`` that are countries on the shipped map."""
    known = world_iso3()
    return [str(c) for c in codes if str(c) in known]


def _layout(title: str, height: int) -> dict:
    return {
        "height": height, "margin": {"l": 0, "r": 0, "t": 40 if title else 6, "b": 0}, "font": FONT,
        "paper_bgcolor": "white", "geo": dict(GEO),
        **({"title": {"text": plot_text(title), "x": 0, "xanchor": "left", "font": {"size": 15}}} if title else {}),
    }


def choropleth(page: Page, codes: Sequence[str], values: Sequence[float], names: Sequence[str], *,
               title: str, value_title: str, hover_values: Sequence[str] | None = None, height: int = 420,
               percent: bool = False) -> go.Figure:
    """Countries (ISO alpha-3) shaded by ``values`` (``percent``: fractions shown as %); the page
    carries the base map."""
    page.needs_world = True
    text = [plot_text(n) for n in names]
    trace: dict[str, Any] = {
        "locations": list(codes), "z": [None if v is None else float(v) for v in values], "locationmode": "ISO-3",
        "text": text, "colorscale": "Blues", "marker": {"line": {"color": "#ffffff", "width": 0.5}},
        "colorbar": {"title": {"text": plot_text(value_title), "side": "right"}, "thickness": 12, "len": 0.8,
                     **({"tickformat": ".0%"} if percent else {})},
        "hovertemplate": "%{text}: %{z:,.4~g}<extra></extra>",
    }
    if hover_values is not None:
        trace["customdata"] = [plot_text(h) for h in hover_values]
        trace["hovertemplate"] = "%{text}: %{customdata}<extra></extra>"
    fig = go.Figure(go.Choropleth(**trace))
    fig.update_layout(_layout(title, height))
    return fig


def points_map(page: Page, lat: Sequence[float], lon: Sequence[float], sizes: Sequence[float], names: Sequence[str], *,
               title: str, size_title: str, height: int = 420) -> go.Figure:
    """Places as circles whose area is proportional to ``sizes`` (e.g. a city's output)."""
    page.needs_world = True
    top = max([float(s) for s in sizes if s is not None and s == s] or [1.0]) or 1.0
    diameters = [4 + 26 * math.sqrt(max(float(s), 0.0) / top) if s is not None and s == s else 4 for s in sizes]
    fig = go.Figure(go.Scattergeo(
        lat=list(lat), lon=list(lon), mode="markers", text=[plot_text(n) for n in names],
        customdata=[None if s is None else float(s) for s in sizes],
        marker={"size": diameters, "color": BAR_COLOUR, "opacity": 0.6, "line": {"color": "#ffffff", "width": 0.5}},
        hovertemplate="%{text}: %{customdata:,.4~g} " + plot_text(size_title) + "<extra></extra>",
    ))
    fig.update_layout(_layout(title, height), showlegend=False)
    return fig


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull of (x, y) points, counter-clockwise, closed (first point repeated); Andrew's
    monotone chain (1979). One or two distinct points give themselves."""
    pts = sorted(set((float(x), float(y)) for x, y in points))
    if len(pts) <= 2:
        return pts + pts[:1]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    hull = lower[:-1] + upper[:-1]
    return hull + hull[:1]


def clusters_map(page: Page, clusters: Sequence[dict], *, title: str, size_title: str, height: int = 420) -> go.Figure:
    """Clusters as hull outlines around their member cities plus a circle at each centre.

    ``clusters``: ``{"name", "lat", "lon", "size", "members": [(lon, lat), ...]}``.
    """
    page.needs_world = True
    fig = go.Figure()
    for i, c in enumerate(clusters):
        hull = convex_hull(c["members"])
        if len(hull) >= 4:
            fig.add_trace(go.Scattergeo(
                lon=[p[0] for p in hull], lat=[p[1] for p in hull], mode="lines", fill="toself",
                line={"color": HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)], "width": 1.5},
                name=plot_text(c["name"]), hoverinfo="skip", showlegend=False,
            ))
    top = max([float(c["size"]) for c in clusters] or [1.0]) or 1.0
    fig.add_trace(go.Scattergeo(
        lat=[c["lat"] for c in clusters], lon=[c["lon"] for c in clusters], mode="markers",
        text=[plot_text(c["name"]) for c in clusters], customdata=[float(c["size"]) for c in clusters],
        marker={"size": [5 + 25 * math.sqrt(max(float(c["size"]), 0) / top) for c in clusters], "color": BAR_COLOUR,
                "opacity": 0.55, "line": {"color": "#ffffff", "width": 0.5}},
        hovertemplate="%{text}: %{customdata:,.4~g} " + plot_text(size_title) + "<extra></extra>", showlegend=False,
    ))
    fig.update_layout(_layout(title, height))
    return fig
