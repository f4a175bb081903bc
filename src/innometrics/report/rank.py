"""Report for a contribution ranking build.

Reads one table per level (``<level>.csv``: ``rank, unit, name, p_full, p_frac, share``
and optional stability-interval columns), ``yearly_<level>.csv``, ``rejects.csv``,
``summary.json`` and, for the drill-down, ``credits.csv`` (record -> unit credit) and
``records.csv``. Full counting credits a record once to every unit on it; fractional
counting splits one record's credit among its units (Waltman & van Eck 2015).
"""

from __future__ import annotations

import pandas as pd

from innometrics.report import maps
from innometrics.report.charts import bar_chart, chart_block, line_chart
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.format import format_number, format_percent
from innometrics.report.html import Page, definition_list, esc, json_script, table_html
from innometrics.report.pages import LONG_TABLE_ROWS, fmt_value, lead_table, records_sentence, register_page, top_sentence

TOP_N = 15
TREND_N = 8
#: Units of a level offered in the drill-down, and records listed per unit.
DRILL_UNITS = 100
DRILL_RECORDS = 200

_INTERVAL_PAIRS = [
    ("{v}_lb", "{v}_ub"), ("{v}_lo", "{v}_hi"), ("{v}_low", "{v}_high"), ("{v}_lower", "{v}_upper"), ("{v}_q05", "{v}_q95"),
    ("{v}_ci_low", "{v}_ci_high"), ("{v}_p05", "{v}_p95"),
    ("lo", "hi"), ("low", "high"), ("lower", "upper"), ("ci_low", "ci_high"), ("q05", "q95"),
]


def _is_level_table(name: str, df: pd.DataFrame | None) -> bool:
    if df is None or name.startswith("yearly") or name in ("rejects", "records", "credits", "summary", "drilldown", "achievements"):
        return False
    return find_column(df, "unit") is not None and (find_column(df, "p_frac") is not None or find_column(df, "p_full") is not None)


def level_tables(results: ResultsDir) -> dict[str, str]:
    """Level name -> relative CSV path, in manifest order."""
    out = {}
    for name, rel in results.tables.items():
        if rel.lower().endswith(".csv") and _is_level_table(name, results.table(rel)):
            out[name] = rel
    return out


def _value_column(df: pd.DataFrame) -> str | None:
    return find_column(df, "p_frac", "p_full", "share", "score")


def _interval(df: pd.DataFrame, value: str) -> tuple[str, str] | None:
    for lo, hi in _INTERVAL_PAIRS:
        a, b = find_column(df, lo.format(v=value)), find_column(df, hi.format(v=value))
        if a and b:
            return a, b
    return None


COUNTING_EXPLAINED = ("<p>Full counting (p_full) credits each record once to every unit on it; fractional counting "
                      "(p_frac) splits each record's single credit among its units, so fractional counts add up to the "
                      "number of records. Share is a unit's fraction of all fractional credit.</p>")


def _sorted_level(df: pd.DataFrame) -> pd.DataFrame:
    unit, rank, value = find_column(df, "unit"), find_column(df, "rank"), _value_column(df)
    df = df.copy()
    df[unit] = df[unit].astype(str)
    if rank is not None:
        return df.sort_values([rank, unit], kind="stable", na_position="last").reset_index(drop=True)
    if value is not None:
        return df.sort_values([value, unit], ascending=[False, True], kind="stable").reset_index(drop=True)
    return df


def lead_level(results: ResultsDir, levels: dict[str, str]) -> str:
    """The level the page opens with: countries when there are, else the first level."""
    for name in levels:
        if name.lower().startswith("countr"):
            return name
    return next(iter(levels))


def ranking_lead(results: ResultsDir, page: Page, levels: dict[str, str], *, extra: str = "") -> None:
    """Headline, top of the lead level and its map (countries) or bars."""
    level = lead_level(results, levels)
    df = _sorted_level(results.table(levels[level]))
    unit, value = find_column(df, "unit"), _value_column(df)
    ranked = df.dropna(subset=[value]) if value else df
    names = _labels(ranked, unit)
    measure = {"p_frac": "a fractional count of", "p_full": "a full count of"}.get(value, f"{value}")
    plural = "countries" if level.lower().startswith("countr") else f"{level} units"
    headline = top_sentence(names, [fmt_value(value, df[value], v) for v in ranked[value]],
                            n_units=len(ranked), what=plural, measure=measure)
    share = find_column(df, "share")
    if share is not None and len(ranked) and pd.notna(ranked[share].iloc[0]):
        headline = headline[:-1] + esc(f"; {names[0]} holds {fmt_value(share, df[share], ranked[share].iloc[0])} of all credit.")
    headline += records_sentence(results) + extra
    chart = ""
    codes = maps.mappable_countries(ranked[unit])
    if codes and share is not None:
        sub = ranked[ranked[unit].isin(codes)]
        fig = maps.choropleth(page, sub[unit].tolist(), pd.to_numeric(sub[share], errors="coerce").tolist(),
                              _labels(sub, unit), title="Share of all credit by country", value_title="share", percent=True,
                              hover_values=[fmt_value(share, df[share], v) for v in sub[share]])
        chart = chart_block(page, fig, label=f"map of {level}")
    elif value is not None:
        top = ranked.head(TOP_N)
        fig = bar_chart(_labels(top, unit), pd.to_numeric(top[value], errors="coerce").tolist(),
                        title=f"Top {len(top)} by {value} ({level})", value_title=value)
        chart = chart_block(page, fig, label=f"top units {level}")
    cols = [c for c in ("rank", "name", "p_full", "p_frac", "share") if find_column(df, c)]
    page.set_lead(headline, lead_table(page, ranked, cols), chart)


def _about(summary) -> str:
    if not isinstance(summary, dict):
        return ""
    items = {}
    counts = summary.get("counts") or {}
    if counts:
        items["records"] = f"read {counts.get('read', 0):,} = used {counts.get('used', 0):,} + rejected {counts.get('rejected', 0):,}"
    for key in ("method", "variant", "engine"):
        if isinstance(summary.get(key), str):
            items["counting" if key in ("method", "variant") else key] = summary[key]
    years = summary.get("years")
    items["years"] = f"{years[0]}-{years[1]}" if isinstance(years, list) and len(years) == 2 else "all years in the input"
    for level, info in (summary.get("levels") or {}).items():
        if isinstance(info, dict):
            text = f"{info.get('units', 0):,} units"
            if "unknown_p_frac" in info:
                text += f"; {format_number(info['unknown_p_frac'])} credit to addresses without a unit"
            if "reconciled" in info:
                text += "; credits add up to the records" if info["reconciled"] else "; credits DO NOT add up"
            items[f"level {level}"] = text
    stability = summary.get("stability")
    if isinstance(stability, dict) and stability:
        items["stability intervals"] = (f"{stability.get('coverage', 0):.0%} bootstrap, {stability.get('resamples', 0):,} "
                                        f"resamples, seed {stability.get('seed')}")
    return definition_list(items)


@register_page("rank", "Contribution ranking")
def render(results: ResultsDir, page: Page) -> None:
    """Add the ranking sections to ``page``."""
    levels = level_tables(results)
    if not levels:
        from innometrics.errors import DataError

        raise DataError(
            "the rank report found no level table (a CSV with 'unit' and 'p_full' or 'p_frac' columns) "
            "among the manifest's tables",
            file=results.path / "manifest.json", reason="missing_table",
        )
    summary = results.json("summary.json")
    ranking_lead(results, page, levels)
    page.add("About this ranking", COUNTING_EXPLAINED + _about(summary))

    credits = results.table(results.tables.get("credits", "credits.csv"))
    records = results.table(results.tables.get("records", "records.csv"))
    render_levels(results, page, levels, credits, records)
    _rejects(results, page)


def render_levels(results: ResultsDir, page: Page, levels: dict[str, str], credits, records) -> None:
    """One section per level: top units, yearly trend, table, drill-down to the records."""
    for level, rel in levels.items():
        _level_section(results, page, level, results.table(rel), credits, records)


def _flatten(obj: dict, prefix: str = "") -> dict[str, str]:
    """``{"levels": {"country": {"units": 65}}}`` -> ``{"levels / country / units": "65"}``."""
    out: dict[str, str] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name} / "))
        elif isinstance(value, list):
            out[name] = ", ".join(str(v) for v in value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = format_number(value, digits=6)
        else:
            out[name] = "" if value is None else str(value)
    return out


def _display_columns(df: pd.DataFrame, value: str | None) -> list[str]:
    """Columns shown in the HTML table: every column except the interval ends of secondary
    indicators (the CSV and the workbook keep them all)."""
    keep_intervals = {value, "rank", "share"}
    drop = set()
    for col in df.columns:
        for lo, hi in _INTERVAL_PAIRS:
            for base in df.columns:
                if base in keep_intervals or "{v}" not in lo:
                    continue
                if col in (lo.format(v=base), hi.format(v=base)):
                    drop.add(col)
    return [c for c in df.columns if c not in drop]


def _labels(df: pd.DataFrame, unit: str) -> list[str]:
    name = find_column(df, "name", "unit_name", "label")
    if name is None:
        return df[unit].astype(str).tolist()
    return [str(n) if pd.notna(n) and str(n) != str(u) else str(u) for u, n in zip(df[unit], df[name])]


def _level_section(results, page: Page, level: str, df: pd.DataFrame, credits, records) -> None:
    unit = find_column(df, "unit")
    value = _value_column(df)
    df = _sorted_level(df)
    page.add(f"Level: {level}", f"<p>{len(df):,} units.</p>")

    if value is not None and len(df):
        top = df.dropna(subset=[value]).head(TOP_N)
        interval = _interval(top, value)
        def numbers(col):
            return pd.to_numeric(top[col], errors="coerce").tolist()

        fig = bar_chart(
            _labels(top, unit), numbers(value), title=f"Top {len(top)} by {value} ({level})", value_title=value,
            error_low=numbers(interval[0]) if interval else None,
            error_high=numbers(interval[1]) if interval else None,
        )
        note = f'<p class="note">Bars: stability interval {esc(interval[0])} to {esc(interval[1])}.</p>' if interval else ""
        page.add(f"Top units ({level})", chart_block(page, fig, label=f"top units {level}") + note, level=3)

    yearly_rel = results.tables.get(f"yearly_{level}", f"yearly_{level}.csv")
    yearly = results.table(yearly_rel)
    if yearly is not None and len(yearly) and value is not None:
        _yearly(page, level, yearly, df, unit, value)

    formats: dict = {}  # meaning-aware defaults: shares and pp_* in %, as in the workbook
    columns = _display_columns(df, value)
    note = ""
    if len(columns) < len(df.columns):
        note = (f'<p class="note">{len(df.columns) - len(columns)} interval columns of secondary indicators '
                "are in the CSV and the Excel export.</p>")
    page.add(f"Table ({level})", table_html(df[columns], table_id=page.new_id("table"), formats=formats,
                                            numeric_sort=list(formats), max_rows=LONG_TABLE_ROWS) + note, level=3)

    if credits is not None and len(credits):
        drill = _drill(page, level, df, unit, credits, records)
        if drill:
            page.add(f"Records behind a unit ({level})", drill, level=3)


def _yearly(page, level, yearly, df, unit, value) -> None:
    y_unit = find_column(yearly, "unit")
    y_year = find_column(yearly, "year", "period")
    y_value = find_column(yearly, value) or _value_column(yearly)
    if not (y_unit and y_year and y_value):
        return
    top_units = df[unit].head(TREND_N).tolist()
    labels = dict(zip(df[unit], _labels(df, unit)))
    yearly = yearly.assign(**{y_unit: yearly[y_unit].astype(str)})
    series = []
    for code in top_units:
        rows = yearly[yearly[y_unit] == code].sort_values(y_year)
        if len(rows):
            series.append({"name": labels.get(code, code), "x": rows[y_year].tolist(),
                           "y": pd.to_numeric(rows[y_value], errors="coerce").tolist(), "highlight": True,
                           "colour": page.colour(code)})
    if series:
        fig = line_chart(series, title=f"{y_value} by year, top {len(series)} units ({level})", y_title=y_value, x_title="year")
        page.add(f"Yearly trend ({level})", chart_block(page, fig, label=f"yearly trend {level}"), level=3)


def _drill(page: Page, level: str, df: pd.DataFrame, unit: str, credits: pd.DataFrame, records: pd.DataFrame) -> str:
    c_unit = find_column(credits, "unit")
    c_rec = find_column(credits, "record_id")
    if records is None or not len(records):
        records = pd.DataFrame({"record_id": pd.Series(dtype=str)})
    r_rec = find_column(records, "record_id")
    if not (c_unit and c_rec and r_rec):
        return ""
    c_level = find_column(credits, "level")
    sub = credits
    if c_level is not None:
        sub = credits[credits[c_level].astype(str) == level]
        if not len(sub):
            return ""
    sub = sub.assign(**{c_unit: sub[c_unit].astype(str), c_rec: sub[c_rec].astype(str)})
    credit_cols = [c for c in sub.columns if c not in (c_unit, c_rec, c_level) and pd.api.types.is_numeric_dtype(sub[c])]
    rec_cols = [c for c in ("year", "period", "category", "type", "title", "work", "citations", "source_format")
                if find_column(records, c)]
    rec_cols = [find_column(records, c) for c in rec_cols]
    recs = records.assign(**{r_rec: records[r_rec].astype(str)}).drop_duplicates(r_rec).set_index(r_rec)[rec_cols]
    merged = sub[[c_unit, c_rec] + credit_cols].merge(recs, left_on=c_rec, right_index=True, how="left")
    columns = ["record_id"] + rec_cols + credit_cols
    numeric = [c in credit_cols or pd.api.types.is_numeric_dtype(merged[c]) for c in [c_rec] + rec_cols + credit_cols]
    numeric[0] = False
    units_json, options = [], []
    groups = dict(tuple(merged.groupby(c_unit, sort=False)))
    labels = dict(zip(df[unit], _labels(df, unit)))
    for code in df[unit].head(DRILL_UNITS):
        rows = groups.get(code)
        if rows is None:
            continue
        sort_cols = [c for c in ("year",) if c in rows.columns]
        rows = rows.sort_values(sort_cols + [c_rec], kind="stable") if sort_cols else rows.sort_values(c_rec, kind="stable")
        total = len(rows)
        rows = rows.head(DRILL_RECORDS)
        values = rows[[c_rec] + rec_cols + credit_cols].astype(object).where(rows[[c_rec] + rec_cols + credit_cols].notna(), None)
        units_json.append({"rows": values.values.tolist(), "total": total, "truncated": total > len(rows)})
        options.append(f'<option value="{len(options)}">{esc(labels.get(code, code))} ({esc(code)}), {total:,} records</option>')
    if not options:
        return ""
    src_id = page.new_id("drill")
    out_id = page.new_id("drillout")
    sel_id = page.new_id("select")
    payload = {"columns": columns, "numeric": numeric, "units": units_json}
    shown = min(len(df), DRILL_UNITS)
    return (
        f"<p>The records credited to a unit, with its credit on each (top {shown:,} units; "
        f"up to {DRILL_RECORDS:,} records each).</p>"
        f'<div class="controls"><label for="{sel_id}">Unit</label> '
        f'<select id="{sel_id}" class="drill" data-src="{src_id}" data-out="{out_id}">{"".join(options)}</select></div>'
        f'<div id="{out_id}" class="drill-out"></div>' + json_script(payload, src_id)
    )


def rejects_section(results: ResultsDir, page: Page) -> None:
    """The rejected records with their reasons (counted by reason)."""
    from innometrics.report.pages import rejects_section as section

    section(results, page)


_rejects = rejects_section
