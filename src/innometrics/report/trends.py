"""Report for a trends build: growth of each unit's indicators over time.

Reads ``trends.csv`` (``unit, indicator, first_period, last_period, first_value,
last_value, multiple, cagr, n_points, note``), ``panel.csv`` (long panel with optional
``unit_name``, ``indicator_name``, ``unit_label``) and optional ``units.csv`` and
``indicators.csv``. Shows, per indicator, a line chart with the highlighted units in
colour against their peers in grey; the growth of highlighted units in words; and the
table of multiples, percentage increases and CAGRs (CAGR as COINr's ``CAGR``:
``(last / first) ** (1 / (t_last - t_first)) - 1``).
"""

from __future__ import annotations

import re

import pandas as pd

from innometrics.report.charts import chart_block, growth_chart, line_chart
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.format import format_cagr, format_change, format_growth, format_number
from innometrics.report.html import Page, esc, table_html
from innometrics.report.pages import LONG_TABLE_ROWS, register_page

#: Per-capita (per-N-people) indicators by code or name, when indicators.csv names no denominator:
#: "per capita", "per_10k", "per 10,000 people", "_per_10000_resident_population"; not "per day".
_PER_CAPITA = re.compile(
    r"per[ _-]?capita|/\s*capita|per[ _]\d|per[ _](ten |hundred )?(thousand|million)|"
    r"per\b.*\b(people|persons|inhabitants|population|residents?|capita)\b|人均|每万人",
    re.IGNORECASE,
)

#: Without a highlight list, at most this many units are all drawn in colour.
ALL_COLOUR_MAX = 6


def _unit_labels(results: ResultsDir, panel: pd.DataFrame | None) -> dict[str, str]:
    labels: dict[str, str] = {}
    units = results.table(results.tables.get("units", "units.csv"))
    if units is not None and len(units):
        code = find_column(units, "code", "unit", "uCode")
        name = find_column(units, "label", "unit_label", "name_en", "name", "uName")
        if code and name:
            labels.update({str(c): str(n) for c, n in zip(units[code], units[name]) if pd.notna(n) and str(n)})
    if panel is not None:
        name = find_column(panel, "unit_label", "unit_name")
        if name:
            sub = panel[["unit", name]].dropna().drop_duplicates("unit")
            labels.update({str(c): str(n) for c, n in zip(sub["unit"], sub[name]) if str(n)})
    return labels


def _indicator_info(results: ResultsDir, panel: pd.DataFrame | None) -> dict[str, dict]:
    info: dict[str, dict] = {}
    meta = results.table(results.tables.get("indicators", "indicators.csv"))
    if meta is not None and len(meta):
        code = find_column(meta, "code", "indicator", "iCode")
        name = find_column(meta, "name", "indicator_name", "iName")
        unit = find_column(meta, "unit", "Unit")
        denom = find_column(meta, "denominator", "per")
        direction = find_column(meta, "direction", "Direction")
        if code:
            for _, row in meta.iterrows():
                d = pd.to_numeric(pd.Series([row[direction]]), errors="coerce").iloc[0] if direction else None
                info[str(row[code])] = {
                    "name": str(row[name]) if name and pd.notna(row[name]) else str(row[code]),
                    "unit": str(row[unit]) if unit and pd.notna(row[unit]) else "",
                    "per_capita": bool(denom and pd.notna(row[denom]) and str(row[denom]).strip()),
                    "lower_is_better": bool(d is not None and pd.notna(d) and d < 0),
                }
    if panel is not None:
        name = find_column(panel, "indicator_name")
        if name:
            sub = panel[["indicator", name]].dropna().drop_duplicates("indicator")
            for c, n in zip(sub["indicator"], sub[name]):
                info.setdefault(str(c), {"name": str(n), "unit": "", "per_capita": False})
    return info


def _fill_names(info: dict[str, dict], codes) -> None:
    """Indicators without metadata (e.g. ratios derived by the build) get a name from their code."""
    for code in codes:
        if code not in info:
            info[code] = {"name": code.replace("_", " "), "unit": "", "per_capita": False, "derived_name": True}


def _resolve_highlight(wanted: list[str], codes: list[str], labels: dict[str, str]) -> list[str]:
    """Codes of the wanted units (matched by code or label, ignoring case), in the order given."""
    by_key: dict[str, str] = {}
    for c in codes:
        by_key.setdefault(c.lower(), c)
        if c in labels:
            by_key.setdefault(labels[c].lower(), c)
    out = []
    for w in wanted:
        code = by_key.get(str(w).lower())
        if code is not None and code not in out:
            out.append(code)
    return out


#: Up to this many (unit, indicator) pairs the growth of highlighted units is told in
#: sentences; beyond, as a table with one column per highlighted unit.
SENTENCES_MAX = 12

_GROWTH_EXPLAINED = ("<p>Growth is given as the multiple of the first value and as the percentage increase: "
                     "x3.66 means the last value is 3.66 times the first, an increase of 266 %.</p>")


def _growth_cell(r, lower_is_better: bool = False) -> str:
    if pd.isna(r.get("multiple")):
        note = r.get("note")
        return f"no growth figure ({note})" if isinstance(note, str) and note else "no growth figure"
    return (f"{format_change(r['multiple'], lower_is_better=lower_is_better)}, {format_cagr(r.get('cagr'))}, "
            f"{_period(r['first_period'])}-{_period(r['last_period'])}")


def _lower(info, ind) -> bool:
    return bool(info.get(ind, {}).get("lower_is_better"))


def _growth_matrix(page: Page, trends: pd.DataFrame, highlighted: list[str], labels, info) -> str:
    sub = trends[trends["unit"].isin(highlighted)]
    rows = []
    for ind in dict.fromkeys(sub["indicator"]):
        row = {"indicator": info.get(ind, {}).get("name", ind) + (" (lower is better)" if _lower(info, ind) else ""),
               "measure": info.get(ind, {}).get("unit", "")}
        for code in highlighted:
            hit = sub[(sub["unit"] == code) & (sub["indicator"] == ind)]
            row[code] = _growth_cell(hit.iloc[0], _lower(info, ind)) if len(hit) else ""
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["indicator", "measure"] + highlighted)
    headers = {c: labels.get(c, c) for c in highlighted}
    return _GROWTH_EXPLAINED + table_html(frame, table_id=page.new_id("table"), headers=headers)


def _growth_sentences(page: Page, trends: pd.DataFrame, highlighted: list[str], labels, info) -> str:
    if trends["unit"].isin(highlighted).sum() > SENTENCES_MAX:
        return _growth_matrix(page, trends, highlighted, labels, info)
    items = []
    for code in highlighted:
        for _, r in trends[trends["unit"].astype(str) == code].iterrows():
            ind = str(r["indicator"])
            name = info.get(ind, {}).get("name", ind)
            unit = info.get(ind, {}).get("unit", "")
            if pd.isna(r.get("multiple")):
                note = r.get("note")
                items.append(f"<li><b>{esc(labels.get(code, code))}</b>, {esc(name)}: no growth figure"
                             f"{' (' + esc(note) + ')' if isinstance(note, str) and note else ''}.</li>")
                continue
            unit_txt = f" {unit}" if unit else ""
            if _lower(info, ind):
                name += " (lower is better)"
            items.append(
                f"<li><b>{esc(labels.get(code, code))}</b>, {esc(name)}: "
                f"{esc(format_number(r['first_value']))}{esc(unit_txt)} ({esc(_period(r['first_period']))}) to "
                f"{esc(format_number(r['last_value']))}{esc(unit_txt)} ({esc(_period(r['last_period']))}), "
                f"<b>{esc(format_change(r['multiple'], lower_is_better=_lower(info, ind)))}</b>, "
                f"{esc(format_cagr(r.get('cagr')))}.</li>"
            )
    if not items:
        return ""
    return _GROWTH_EXPLAINED + f"<ul>{''.join(items)}</ul>"


def _cagr_short(value) -> str:
    text = format_cagr(value)
    return text.removesuffix(" a year")


#: The growth bar chart compares at most this many highlighted units.
GROWTH_BARS_UNITS = 4


def _growth_bars(page: Page, trends: pd.DataFrame, highlighted: list[str], labels, info,
                 only: list[str] | None = None) -> str:
    """Growth multiples of the highlighted units, one bar per indicator, labelled "x5.45 (+445 %)"."""
    units = highlighted[:GROWTH_BARS_UNITS]
    sub = trends[trends["unit"].isin(units)].assign(multiple=lambda d: pd.to_numeric(d["multiple"], errors="coerce"))
    sub = sub.dropna(subset=["multiple"]).drop_duplicates(["unit", "indicator"])
    if only is not None:
        sub = sub[sub["indicator"].isin(only)]
    if not len(sub):
        return ""
    indicators = list(dict.fromkeys(sub["indicator"]))
    series = []
    for code in units:
        rows = sub[sub["unit"] == code].set_index("indicator")["multiple"]
        values = [float(rows[i]) if i in rows.index else None for i in indicators]
        series.append((labels.get(code, code), values))
    fig = growth_chart([info.get(i, {}).get("name", i) + (" (lower is better)" if _lower(info, i) else "")
                        for i in indicators], series,
                       [[format_growth(v) for v in values] for _, values in series],
                       title="Growth multiple, last / first value (1 = no change)",
                       colours=[page.colour(code) for code in units])
    return chart_block(page, fig, label="growth multiples of the highlighted units")


def _period(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if pd.isna(value) else str(value)


def _window_flags(page: Page, trends: pd.DataFrame, units: list[str], labels, info) -> None:
    """Flag indicators whose growth is compared over different windows among ``units``
    (e.g. the national total 2019-2023 against provinces 2010-2023)."""
    sub = trends[trends["unit"].isin(units) & trends["n_points"].fillna(0).astype(float).ge(2)]
    patterns: dict[tuple, list[str]] = {}
    for ind, rows in sub.groupby("indicator", sort=False):
        windows: dict[str, list[str]] = {}
        for _, r in rows.iterrows():
            windows.setdefault(f"{_period(r['first_period'])}-{_period(r['last_period'])}", []).append(
                labels.get(r["unit"], r["unit"]))
        if len(windows) > 1:
            key = tuple(sorted((w, tuple(n)) for w, n in windows.items()))
            patterns.setdefault(key, []).append(info.get(ind, {}).get("name", ind))
    for key, indicators in patterns.items():
        where = "; ".join(f"{', '.join(names)} {w}" for w, names in key)
        shown = ", ".join(indicators[:4]) + (f" and {len(indicators) - 4} more" if len(indicators) > 4 else "")
        page.flag(f"Windows differ: {shown} are compared over different periods ({where}). "
                  "Growth over different windows is not comparable.")


def _lead(page: Page, trends: pd.DataFrame, highlighted: list[str], labels, info, n_units: int) -> None:
    """Headline with the growth of the first highlighted unit (or the fastest growth), the growth rows and bars."""
    usable = trends.assign(multiple=pd.to_numeric(trends["multiple"], errors="coerce")).dropna(subset=["multiple"])
    focus = [c for c in highlighted if c in set(usable["unit"])]
    if focus:
        first = usable[usable["unit"] == focus[0]]
        parts = [f"{esc(info.get(r.indicator, {}).get('name', r.indicator))} "
                 f"<b>{esc(format_change(r.multiple, lower_is_better=_lower(info, r.indicator)))}</b> "
                 f"({esc(_period(r.first_period))}-{esc(_period(r.last_period))})"
                 for r in first.head(3).itertuples()]
        headline = f"<b>{esc(labels.get(focus[0], focus[0]))}</b>: " + "; ".join(parts) + "."
        rows = usable[usable["unit"].isin(focus[:GROWTH_BARS_UNITS])]
        indicators = list(dict.fromkeys(rows["indicator"]))
        per_chart = max(1, 440 // (26 * min(len(focus), GROWTH_BARS_UNITS)))
        lead_inds = indicators[:per_chart]
        rows = rows[rows["indicator"].isin(lead_inds)]
        # The highlighted units in their order (Beijing first), indicators in the chart's order.
        rows = rows.assign(_u=rows["unit"].map({c: k for k, c in enumerate(focus)}),
                           _i=rows["indicator"].map({c: k for k, c in enumerate(lead_inds)}))
        rows = rows.sort_values(["_u", "_i"], kind="stable").drop(columns=["_u", "_i"])
        chart = _growth_bars(page, trends, focus, labels, info, only=lead_inds)
    else:
        best = usable[usable["n_points"].astype(float) >= 2].sort_values(["multiple", "unit"], ascending=[False, True])
        if not len(best):
            page.set_lead(esc(f"{n_units:,} units: no unit has two points of any indicator, so no growth figure."))
            return
        r = best.iloc[0]
        headline = (f"Fastest growth: <b>{esc(labels.get(r['unit'], r['unit']))}</b>, "
                    f"{esc(info.get(r['indicator'], {}).get('name', r['indicator']))} "
                    f"<b>{esc(format_change(r['multiple'], lower_is_better=_lower(info, r['indicator'])))}</b> "
                    f"({esc(_period(r['first_period']))}-{esc(_period(r['last_period']))}).")
        rows = best.head(10)
        chart = ""
    headline += esc(f" {n_units:,} units, {trends['indicator'].nunique():,} indicators.")
    table = _trends_table(rows.head(10), labels, info).drop(
        columns=["unit", "note", "n_points", "measure", "first_value", "last_value"], errors="ignore")
    if "unit name" in table and table["unit name"].nunique() == 1:
        table = table.drop(columns="unit name")
    page.set_lead(headline, table_html(
        table, table_id=page.new_id("table"), searchable=False,
        headers={"growth": "growth", "cagr": "CAGR", "first_period": "from", "last_period": "to"},
        formats={"growth": lambda v: format_growth(v), "cagr": _cagr_short,
                 "first_period": _period, "last_period": _period},
        numeric_sort=["growth", "cagr"]), chart)


@register_page("trends", "Indicator trends")
def render(results: ResultsDir, page: Page) -> None:
    """Add the trends sections to ``page``."""
    trends_rel = results.tables.get("trends", "trends.csv")
    trends = results.table(trends_rel, required=True).copy()
    results.require_columns(trends, trends_rel, ["unit", "indicator", "first_period", "last_period", "first_value",
                                                 "last_value", "multiple", "cagr", "n_points"])
    trends["unit"] = trends["unit"].astype(str)
    trends["indicator"] = trends["indicator"].astype(str)
    panel_rel = results.tables.get("panel", "panel.csv")
    panel = results.table(panel_rel)
    if panel is not None and len(panel):
        results.require_columns(panel, panel_rel, ["unit", "period", "indicator", "value"])
        panel = panel.copy()
        panel["unit"] = panel["unit"].astype(str)
        panel["indicator"] = panel["indicator"].astype(str)
    labels = _unit_labels(results, panel)
    info = _indicator_info(results, panel)
    _fill_names(info, list(trends["indicator"]) + (list(panel["indicator"]) if panel is not None and len(panel) else []))
    codes = sorted(set(trends["unit"]) | (set(panel["unit"]) if panel is not None and len(panel) else set()))
    wanted = results.highlight_list()
    highlighted = _resolve_highlight(wanted, codes, labels)
    if not wanted and len(codes) <= ALL_COLOUR_MAX:
        highlighted = codes

    n_ind = trends["indicator"].nunique()
    intro = (
        f"<p>{len(codes):,} unit{'' if len(codes) == 1 else 's'}, {n_ind:,} indicator{'' if n_ind == 1 else 's'}. For each unit and indicator: the first and last "
        "periods with data, the growth multiple (last / first), the percentage increase and the compound "
        "annual growth rate, CAGR = (last / first)<sup>1 / (t<sub>last</sub> - t<sub>first</sub>)</sup> - 1.</p>"
    )
    if highlighted:
        intro += "<p>Highlighted: " + ", ".join(f"<b>{esc(labels.get(c, c))}</b>" for c in highlighted) + ".</p>"
    missing = [w for w in wanted if w not in highlighted and not _resolve_highlight([w], codes, labels)]
    if missing:
        intro += f'<p class="note">Not found among the units: {esc(", ".join(missing))}.</p>'
    if not highlighted and len(codes) > ALL_COLOUR_MAX:
        intro += ('<p class="note">No units highlighted: pass <code>--highlight CODE</code> '
                  "(or set <code>highlight</code> in the spec) to draw chosen units in colour.</p>")
    for code in highlighted:
        page.colour(code)  # one colour per unit, in highlight order, across every chart
    _lead(page, trends, highlighted, labels, info, len(codes))
    _window_flags(page, trends, highlighted or (codes if len(codes) <= ALL_COLOUR_MAX else []), labels, info)
    page.add("Overview", intro)
    sentences = _growth_sentences(page, trends, highlighted, labels, info)
    if sentences:
        page.add("Growth of the highlighted units", sentences + _growth_bars(page, trends, highlighted, labels, info))

    if panel is not None and len(panel):
        _charts(results, page, panel, labels, info, highlighted)

    table = _trends_table(trends, labels, info)
    page.add(
        "Growth table",
        table_html(
            table, table_id=page.new_id("table"),
            headers={"growth": "growth (multiple, % increase)", "cagr": "CAGR (a year)", "n_points": "points"},
            formats={"growth": lambda v: format_growth(v), "cagr": _cagr_short,
                     "first_period": _period, "last_period": _period},
            numeric_sort=["growth", "cagr"], max_rows=LONG_TABLE_ROWS,
        ),
    )


def _trends_table(trends: pd.DataFrame, labels, info) -> pd.DataFrame:
    out = pd.DataFrame({
        "unit": trends["unit"],
        "unit name": [labels.get(c, "") for c in trends["unit"]],
        "indicator": [info.get(c, {}).get("name", c) + (" (lower is better)" if _lower(info, c) else "")
                      for c in trends["indicator"]],
        "measure": [info.get(c, {}).get("unit", "") for c in trends["indicator"]],
        "first_period": trends["first_period"],
        "last_period": trends["last_period"],
        "first_value": trends["first_value"],
        "last_value": trends["last_value"],
        "growth": pd.to_numeric(trends["multiple"], errors="coerce"),
        "cagr": pd.to_numeric(trends["cagr"], errors="coerce"),
        "n_points": trends["n_points"],
        "note": trends["note"] if "note" in trends else "",
    })
    if not any(out["unit name"]):
        out = out.drop(columns="unit name")
    if not any(out["measure"]):
        out = out.drop(columns="measure")
    return out


def _charts(results, page, panel, labels, info, highlighted) -> None:
    indicators = list(dict.fromkeys(panel["indicator"]))
    per_capita = [i for i in indicators if info.get(i, {}).get("per_capita") or _PER_CAPITA.search(f"{i} {info.get(i, {}).get('name', '')}")]
    plain = [i for i in indicators if i not in per_capita]
    panel = panel.assign(value=pd.to_numeric(panel["value"], errors="coerce"))
    order = {c: k for k, c in enumerate(highlighted)}
    for title, group in (("Indicators over time", plain), ("Per-capita views", per_capita)):
        if not group:
            continue
        blocks = []
        for ind in group:
            sub = panel[panel["indicator"] == ind].dropna(subset=["value"])
            name = info.get(ind, {}).get("name", ind)
            unit = info.get(ind, {}).get("unit", "")
            series = []
            for code, rows in sub.groupby("unit", sort=True):
                rows = rows.sort_values("period")
                series.append({"name": labels.get(code, code), "x": rows["period"].tolist(), "y": rows["value"].tolist(),
                               "highlight": code in order, "order": order.get(code, len(order)),
                               "colour": page.colour(code) if code in order else None})
            series.sort(key=lambda s: s["order"])
            plain_name = name == ind or info.get(ind, {}).get("derived_name")
            fig = line_chart(series, title=name if plain_name else f"{name} ({ind})", y_title=unit, x_title="period",
                             reverse_y=_lower(info, ind))
            blocks.append(chart_block(page, fig, label=f"{name} over time"))
        note = ""
        if title == "Per-capita views":
            note = "<p>Indicators divided by a denominator (population, employment ...), comparable across units of different size.</p>"
        page.add(title, note + "".join(blocks))
