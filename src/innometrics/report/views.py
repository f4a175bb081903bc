"""Pages of the public views: Science Cities, S&T clusters, Nature Index leaders, designations.

Each opens with a headline naming the leader and its figures, the top of the list and
a map (points sized by output for cities, hull outlines for clusters, a world
choropleth for countries), then the full list, the view's own tables and the rejects.
"""

from __future__ import annotations

import pandas as pd

from innometrics.report import maps
from innometrics.report.charts import bar_chart, chart_block
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.html import Page, definition_list, esc, table_html
from innometrics.report.pages import (
    LONG_TABLE_ROWS,
    fmt_value,
    labels_of,
    lead_table,
    records_sentence,
    register_page,
    rejects_section,
    summary_items,
    top_sentence,
)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    rank = find_column(df, "rank")
    if rank is None:
        return df
    return df.sort_values(rank, kind="stable", na_position="last").reset_index(drop=True)


def _window(results: ResultsDir, section: str) -> str:
    spec = results.manifest.get("spec") if isinstance(results.manifest.get("spec"), dict) else {}
    years = (spec.get(section) or {}).get("years") if isinstance(spec.get(section), dict) else None
    if isinstance(years, list) and len(years) == 2:
        return f"{years[0]}-{years[1]}"
    return ""


def _summary(results: ResultsDir) -> dict:
    s = results.json("summary.json")
    return s if isinstance(s, dict) else {}


def _country_map(page: Page, df: pd.DataFrame, unit: str, value: str, *, title: str, value_title: str) -> str:
    """A choropleth of ``value`` when the units are countries on the map, else ''."""
    codes = maps.mappable_countries(df[unit])
    if not codes:
        return ""
    sub = df[df[unit].astype(str).isin(codes)]
    fig = maps.choropleth(page, sub[unit].astype(str).tolist(), pd.to_numeric(sub[value], errors="coerce").tolist(),
                          labels_of(sub, unit), title=title, value_title=value_title,
                          hover_values=[fmt_value(value, df[value], v) for v in sub[value]])
    return chart_block(page, fig, label=title)


def _bars(page: Page, df: pd.DataFrame, unit: str, value: str, *, title: str, value_title: str, n: int = 15) -> str:
    top = df.dropna(subset=[value]).head(n)
    fig = bar_chart(labels_of(top, unit), pd.to_numeric(top[value], errors="coerce").tolist(), title=title,
                    value_title=value_title)
    return chart_block(page, fig, label=title)


@register_page("cities", "Science Cities")
def render_cities(results: ResultsDir, page: Page) -> None:
    """Cities ranked by Share (fractional count) or Count, on a map of points sized by output."""
    cities = _sorted(results.table(results.tables.get("cities", "cities.csv"), required=True))
    summary = _summary(results)
    by = str(summary.get("rank_by") or "share")
    value = find_column(cities, by) or find_column(cities, "share", "count")
    unit = find_column(cities, "unit")
    located = cities[cities["located"].astype(str).str.lower() == "true"] if "located" in cities else cities
    ranked = located.dropna(subset=[value])
    names = labels_of(ranked, unit)
    measure = "a Share (fractional count) of" if value == "share" else "a Count of"
    headline = top_sentence(names, [fmt_value(value, cities[value], v) for v in ranked[value]],
                            n_units=len(ranked), what="cities", measure=measure) + records_sentence(results)
    lat, lon = find_column(located, "latitude"), find_column(located, "longitude")
    chart = ""
    if lat and lon and len(located):
        pts = located.dropna(subset=[lat, lon, value])
        fig = maps.points_map(page, pts[lat].tolist(), pts[lon].tolist(), pd.to_numeric(pts[value]).tolist(),
                              labels_of(pts, unit), title=f"Cities sized by {value}", size_title=value)
        chart = chart_block(page, fig, label="map of the cities")
    page.set_lead(headline, lead_table(page, ranked, ["rank", "name", "country", "count", "share"]), chart)
    unlocated = len(cities) - len(located)
    about = ("<p>Each affiliation's city is looked up offline in the GeoNames gazetteer; a record's credit is split "
             "among its cities (Share, fractional) or given to each (Count).</p>"
             + definition_list(summary_items(summary, ["records", "city_units", "city_units_located", "rank_by"])))
    if unlocated:
        about += f'<p class="note">{unlocated:,} city names could not be located; they are listed at the end of the table.</p>'
    page.add("About this list", about)
    page.add("All cities", table_html(cities, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS))
    geocoded = results.table(results.tables.get("geocoded", "geocoded.csv"))
    if geocoded is not None and len(geocoded):
        page.add("Geocoding", "<p>Each affiliation city and the gazetteer entry it matched.</p>"
                 + table_html(geocoded, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS), level=3)
    rejects_section(results, page)


@register_page("clusters", "S&T clusters")
def render_clusters(results: ResultsDir, page: Page) -> None:
    """Clusters of nearby cities (DBSCAN), outlined on a map by the hull of their members."""
    clusters = _sorted(results.table(results.tables.get("clusters", "clusters.csv"), required=True))
    members = results.table(results.tables.get("members", "members.csv"))
    summary = _summary(results)
    value = find_column(clusters, "share_frac", "p_frac", "p_full")
    unit = find_column(clusters, "cluster", "unit")
    ranked = clusters.dropna(subset=[find_column(clusters, "rank") or value])
    headline = top_sentence(labels_of(ranked, unit), [fmt_value(value, clusters[value], v) for v in ranked[value]],
                            n_units=len(ranked), what="clusters", measure=f"{value.replace('_', ' ')}")
    radius = summary.get("radius_km")
    if radius is not None:
        headline += esc(f" Cities within {radius:g} km are joined (DBSCAN, at least {summary.get('min_weight', 0):g} records).")
    chart = ""
    lat, lon = find_column(ranked, "latitude"), find_column(ranked, "longitude")
    if lat and lon and len(ranked):
        shapes = []
        for _, row in ranked.iterrows():
            mem = members[members["cluster"].astype(str) == str(row[unit])] if members is not None and "cluster" in members else None
            pts = list(zip(mem["longitude"], mem["latitude"])) if mem is not None and len(mem) else [(row[lon], row[lat])]
            name = row.get("name") if pd.notna(row.get("name")) else row[unit]
            shapes.append({"name": str(name), "lat": float(row[lat]), "lon": float(row[lon]),
                           "size": float(row[value]) if pd.notna(row[value]) else 0.0, "members": pts})
        fig = maps.clusters_map(page, shapes, title=f"Clusters sized by {value}", size_title=value)
        chart = chart_block(page, fig, label="map of the clusters")
    page.set_lead(headline, lead_table(page, ranked, ["rank", "name", "n_cities", "p_full", "p_frac", value]), chart)
    page.add("About this list", "<p>Geocoded contributions are grouped by DBSCAN over great-circle distance; "
             "a cluster's score is its share of the world's records.</p>"
             + definition_list(summary_items(summary, ["records", "clusters", "cities_located", "cities_in_clusters",
                                                       "radius_km", "min_weight", "weight"])))
    page.add("All clusters", table_html(clusters, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS))
    if members is not None and len(members):
        page.add("Member cities", table_html(members, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS), level=3)
    rejects_section(results, page)


@register_page("nature_index", "Nature Index research leaders")
def render_nature_index(results: ResultsDir, page: Page) -> None:
    """Leaders by Share (fractional count) with Count, adjusted Share and collaboration."""
    leaders = _sorted(results.table(results.tables.get("leaders", "leaders.csv"), required=True))
    summary = _summary(results)
    value = find_column(leaders, str(summary.get("rank_by") or "share")) or find_column(leaders, "share", "count")
    unit = find_column(leaders, "unit")
    ranked = leaders.dropna(subset=[value])
    window = _window(results, "nature_index")
    level = str(summary.get("level") or "unit")
    what = {"country": "countries", "institution": "institutions"}.get(level, f"{level} units")
    headline = top_sentence(labels_of(ranked, unit), [fmt_value(value, leaders[value], v) for v in ranked[value]],
                            n_units=len(ranked), what=what, measure="a Share of" if value == "share" else "a Count of")
    records = summary.get("records")
    if isinstance(records, int):
        headline += esc(f" Share is the fractional count over {records:,} articles" + (f" published {window}" if window else "") + ".")
    chart = _country_map(page, ranked, unit, value, title=f"{value.capitalize()} by country", value_title=value)
    if not chart:
        chart = _bars(page, ranked, unit, value, title=f"Top {min(15, len(ranked))} by {value}", value_title=value)
    page.set_lead(headline, lead_table(page, ranked, ["rank", "name", "count", "share"]), chart)
    page.add("About this list", "<p>Count: one for each article with at least one author from the unit. Share: "
             "each article's credit of 1 split among its authors' units (Nature Index). Adjusted Share rescales "
             "each year to the base year's article total.</p>"
             + definition_list(summary_items(summary, ["records", "level", "rank_by", "base_year", "additive", "joint_credit"])))
    page.add("All leaders", table_html(leaders, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS))
    for name, title in (("adjusted_share", "Adjusted Share by year"), ("collaboration", "Collaboration (joint articles)")):
        df = results.table(results.tables.get(name, f"{name}.csv"))
        if df is not None and len(df):
            page.add(title, table_html(df, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS), level=3)
    rejects_section(results, page)


@register_page("designations", "Designation counts")
def render_designations(results: ResultsDir, page: Page) -> None:
    """Designations (Highly Cited Researchers style) by primary affiliation and by country."""
    levels = [name for name in results.tables if name not in ("people", "rejects")
              and results.tables[name].endswith(".csv")]
    tables = {name: _sorted(results.table(results.tables[name])) for name in levels}
    tables = {k: v for k, v in tables.items() if v is not None and find_column(v, "designations") is not None}
    if not tables:
        from innometrics.errors import DataError

        raise DataError("the designations report found no table with a 'designations' column",
                        file=results.path / "manifest.json", reason="missing_table")
    first = "country" if "country" in tables else next(iter(tables))
    df = tables[first]
    unit = find_column(df, "unit")
    value = find_column(df, "designations")
    headline = top_sentence(labels_of(df, unit), [fmt_value(value, df[value], v) for v in df[value]],
                            n_units=len(df), what=f"{first} units" if first != "country" else "countries",
                            measure="designations:") + records_sentence(results)
    chart = _country_map(page, df, unit, value, title="Designations by country", value_title="designations") if first == "country" else ""
    if not chart:
        chart = _bars(page, df, unit, value, title=f"Top {min(15, len(df))} by designations", value_title="designations")
    page.set_lead(headline, lead_table(page, df, ["rank", "name", "designations", "designations_frac", "people"]), chart)
    for name, table in tables.items():
        page.add(f"By {name}", table_html(table, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS))
    people = results.table(results.tables.get("people", "people.csv"))
    if people is not None and len(people):
        page.add("People", table_html(people, table_id=page.new_id("table"), max_rows=LONG_TABLE_ROWS), level=3)
    rejects_section(results, page)
