"""Every report leads with its answer, has a page of its own, maps offline and formats by meaning (issue 15)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from innometrics.report import render_report
from innometrics.report.charts import is_sparse, line_chart
from innometrics.report.columns import column_format
from innometrics.report.format import format_change
from innometrics.report.html import table_html
from innometrics.report.maps import convex_hull, world_iso3
from innometrics.report.pages import PAGES

#: Every kind of results the package builds (manifest "kind"); each needs its own page.
SHIPPED_KINDS = ("trends", "index", "rank", "achievements", "cities", "clusters", "nature_index", "designations")
ROOT = Path(__file__).resolve().parents[2]


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _figures(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/json" id="(chart-\d+-fig)">(.*?)</script>', html, re.S)
    return [json.loads(b) for _, b in blocks]


def test_every_shipped_kind_has_its_own_page():
    missing = [k for k in SHIPPED_KINDS if k not in PAGES]
    assert not missing, f"kinds falling back to the generic page: {missing}"


@pytest.mark.parametrize("kind", ["trends", "index", "rank", "achievements", "cities"])
def test_the_answer_comes_first(make_results, kind):
    html = _html(render_report(make_results(kind)))
    lead = html.index('<section class="lead"')
    # Headline, table and chart of the lead come before the contents and every section.
    assert lead < html.index('<nav class="toc"') < html.index("<main>")
    answer = html[lead: html.index('<nav class="toc"')]
    assert '<p class="headline">' in answer and "<table" in answer and 'class="chart"' in answer
    assert "<b>" in answer  # the leader (or the highlighted unit) named in bold


def test_headlines_name_the_leader(make_results):
    rank = _html(render_report(make_results("rank")))
    head = re.search(r'<p class="headline">(.*?)</p>', rank).group(1)
    countries = pd.read_csv(make_results("rank") / "countries.csv")
    assert f"<b>{countries.iloc[0]['name']}</b> leads {len(countries)} countries" in head
    trends = _html(render_report(make_results("trends")))
    head = re.search(r'<p class="headline">(.*?)</p>', trends).group(1)
    assert head.startswith("<b>Beijing</b>:") and "x5.45 (+445 %)" in head
    index = _html(render_report(make_results("index")))
    assert "Framework" in index and index.index('class="headline"') < index.index("<h2>Ranking</h2>") < index.index("<h2>Framework</h2>")


def test_summary_is_not_dumped(make_results):
    for kind in ("rank", "achievements"):
        text = _html(render_report(make_results(kind)))
        assert "levels / " not in text and "reconciled</dt>" not in text


def test_generic_page_only_for_unknown_kinds(make_results):
    html = _html(render_report(make_results("generic")))
    assert "Results of kind <b>custom_tables</b>" in html
    assert "Results of kind" not in _html(render_report(make_results("cities")))


# -- maps -----------------------------------------------------------------------------------

def test_world_geometry_is_shipped_with_iso3_ids():
    ids = world_iso3()
    assert {"CHN", "USA", "DEU", "NLD", "BRA", "AUS", "ZAF"} <= ids and len(ids) > 170


def test_country_ranking_draws_a_choropleth_from_the_shipped_map(make_results, tmp_path):
    folder = make_results("rank")
    df = pd.read_csv(folder / "countries.csv")
    df["unit"] = ["CHN", "USA", "DEU", "NLD", "GBR"][: len(df)]
    df.to_csv(folder / "countries.csv", index=False)
    html = _html(render_report(folder))
    choropleths = [t for f in _figures(html) for t in f["data"] if t["type"] == "choropleth"]
    assert choropleths and choropleths[0]["locationmode"] == "ISO-3"
    assert set(choropleths[0]["locations"]) == set(df["unit"])
    assert '<script type="application/json" id="geo-world">' in html and "PlotlyGeoAssets" in html
    geo = next(f for f in _figures(html) if any(t["type"] == "choropleth" for t in f["data"]))["layout"]["geo"]
    # Only layers the shipped file has: with coastlines on, plotly.js would look for an object it lacks.
    assert geo["showcoastlines"] is False and geo["resolution"] == 110 and geo["scope"] == "world"


def test_cities_are_points_sized_by_output(make_results):
    html = _html(render_report(make_results("cities")))
    points = next(t for f in _figures(html) for t in f["data"] if t["type"] == "scattergeo")
    assert points["lat"] == [48.13743, 39.9075, 52.15833]
    sizes = points["marker"]["size"]
    assert sizes[0] > sizes[1] > sizes[2]  # Munich (18.4) > Beijing (16.8) > Leiden (7.5)


def test_convex_hull():
    square = [(0, 0), (2, 0), (2, 2), (0, 2), (1, 1), (1, 0)]
    hull = convex_hull(square)
    assert hull[0] == hull[-1] and set(hull) == {(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)}
    assert convex_hull([(1, 1)]) == [(1.0, 1.0), (1.0, 1.0)]


@pytest.fixture(scope="module")
def views_dir(tmp_path_factory):
    """Cities, clusters and Nature Index leaders of the bundled Web of Science export."""
    from innometrics.datasets import bundled_path
    from innometrics.views.pipeline import build_cities, build_clusters, build_nature_index

    spec = bundled_path("bibliographic", "wos_views.toml")
    out = tmp_path_factory.mktemp("views")
    return {name: builder(spec, out / name) for name, builder in
            (("cities", build_cities), ("clusters", build_clusters), ("nature_index", build_nature_index))}


def test_real_views_have_their_own_pages(views_dir):
    cities = _html(render_report(views_dir["cities"]))
    assert "<title>Science Cities</title>" in cities and "Results of kind" not in cities
    assert re.search(r'<p class="headline"><b>Munich</b> leads \d+ cities', cities)
    assert "2,867,714" not in cities  # geonameid is an id, not a quantity
    clusters = _html(render_report(views_dir["clusters"]))
    assert "<title>S&amp;T clusters</title>" in clusters
    figs = _figures(clusters)
    assert any(t["type"] == "scattergeo" and t.get("fill") == "toself" for f in figs for t in f["data"])  # hulls
    leaders = _html(render_report(views_dir["nature_index"]))
    assert re.search(r'<p class="headline"><b>China</b> leads \d+ countries with a Share of <b>', leaders)
    assert any(t["type"] == "choropleth" for f in _figures(leaders) for t in f["data"])


# -- formatting by meaning ---------------------------------------------------------------------

def test_text_in_a_period_column_is_kept():
    # "1940s" in achievements' period column was blanked by the year formatter.
    df = pd.DataFrame({"period": ["1940s", "1950s"], "year": [1940, 1950]})
    html = table_html(df, table_id="t")
    assert ">1940s</td>" in html and ">1940<" in html and "1,940" not in html


@pytest.mark.parametrize(("name", "values", "first", "excel"), [
    ("rank", [1.0, 2.0, 3.0], "1", "0"),
    ("geonameid", [2867714, 1816670], "2867714", "0"),
    ("share", [0.2436, 0.5, 0.2564], "24.4 %", "0.0%"),   # proportions of all credit
    ("share", [87.64, 40.5], "87.64", "#,##0.00"),        # Nature Index Share: a fractional count
    ("p_value", [0.0000123, 0.2], "1.2e-05", "0.00E+00"),
    ("p_full", [101.0, 85.0], "101", "#,##0"),
    ("mcs", [27.44229, 156.1], "27.4", "#,##0.0"),        # decimals fixed per column
    ("year", [2014, 2023], "2014", "0"),
])
def test_column_formats(name, values, first, excel):
    f = column_format(name, pd.Series(values))
    assert f.text(values[0]) == first
    assert f.excel == excel


def test_lower_is_better_change_is_worded_and_axis_reversed(make_results):
    assert format_change(0.3, lower_is_better=True) == "x0.30 (-70 %), an improvement"
    assert format_change(1.5, lower_is_better=True) == "x1.50 (+50 %), a decline"
    folder = make_results("trends")
    meta = pd.read_csv(folder / "indicators.csv")
    meta["direction"] = [1, -1]  # contract_value: lower is better, as a rank
    meta.to_csv(folder / "indicators.csv", index=False)
    html = _html(render_report(folder))
    fig = next(f for f in _figures(html) if f["layout"].get("title", {}).get("text", "").startswith("Technology contract"))
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"
    assert "(lower is better)" in fig["layout"]["yaxis"]["title"]["text"]
    assert re.search(r"x\d\.\d\d \([+-][\d,.]+ %\), (an improvement|a decline)", html)


def test_one_colour_per_unit_across_charts(make_results):
    folder = make_results("trends")
    # China's national total misses one indicator: Shanghai must keep its own colour there.
    panel = pd.read_csv(folder / "panel.csv")
    panel = panel[~((panel.unit == "CN") & (panel.indicator == "contract_value"))]
    panel.to_csv(folder / "panel.csv", index=False)
    html = _html(render_report(folder))
    colours: dict[str, set] = {}
    for fig in _figures(html):
        for t in fig["data"]:
            colour = (t.get("line") or {}).get("color") or (t.get("marker") or {}).get("color")
            if t.get("name") in ("Beijing", "Shanghai", "China (national total)") and isinstance(colour, str):
                colours.setdefault(t["name"], set()).add(colour)
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len({next(iter(c)) for c in colours.values()}) == len(colours)


def test_sparse_series_are_dashed():
    assert is_sparse([2014, 2023], [48.2, 262.9]) and not is_sparse([2014, 2015, 2016], [1, 2, 3])
    fig = line_chart([{"name": "Beijing", "x": [2014, 2023], "y": [48.2, 262.9], "highlight": True}], title="t")
    trace = fig.to_plotly_json()["data"][0]
    assert trace["line"]["dash"] == "dash" and trace["mode"] == "lines+markers"


def test_different_windows_are_flagged(make_results):
    folder = make_results("trends")
    html = _html(render_report(folder, highlight=["CN-BJ", "CN-XZ"]))
    flag = re.search(r'<p class="flag">(.*?)</p>', html).group(1)
    assert flag.startswith("Windows differ:") and "2014-2023" in flag and "2022-2023" in flag
    assert "Windows differ" not in _html(render_report(folder, highlight=["CN-BJ", "CN-SH"]))


def test_phone_width_css(make_results):
    html = _html(render_report(make_results("rank")))
    assert "td.pin" in html and 'class="pin"' in html  # the unit column stays while the table scrolls
    assert "@media (max-width:600px)" in html
