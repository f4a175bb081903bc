"""The registry of report pages: one page builder per result kind, and the lead shared by ranked pages.

A build writes ``manifest.json`` with its ``kind``; :func:`innometrics.report.render.build_page`
looks the kind up in :data:`PAGES` and calls its builder, which fills a
:class:`~innometrics.report.html.Page`. Every builder starts with the answer
(:meth:`Page.set_lead`: a headline sentence with the key figures, the top of the
ranking and its chart, all within the first screen), then adds its sections; the
Method section (inputs, log, spec) is added after it by ``build_page``.

Adding a page for a new kind (e.g. ``patents``) takes one module::

    from innometrics.report.pages import register_page

    @register_page("patents", "Patent counts")
    def render(results, page):
        ...  # page.set_lead(...), page.add(...)

and one import line in :mod:`innometrics.report.render` (``from innometrics.report import
patents``) so the module registers itself. Kinds without a page get the generic table
listing (:mod:`innometrics.report.generic`); ``tests/report/test_pages.py`` checks that
every kind the package builds has its own page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from innometrics.report.columns import column_format
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.html import Page, esc, table_html

PageBuilder = Callable[[ResultsDir, Page], None]


@dataclass(frozen=True)
class PageKind:
    """A result kind's page: its default title and its builder."""

    kind: str
    title: str
    build: PageBuilder


#: Result kind -> page (filled by :func:`register_page` when the page modules are imported).
PAGES: dict[str, PageKind] = {}

#: Rows of the ranking shown in the first screen.
LEAD_ROWS = 10
#: Rows of a long table shown in the page (a note says so; the CSV and the workbook hold
#: every row): keeps every report under 2.5 MB.
LONG_TABLE_ROWS = 300


def register_page(kind: str, title: str) -> Callable[[PageBuilder], PageBuilder]:
    """Decorator registering ``func`` as the page builder of result ``kind``."""

    def decorate(func: PageBuilder) -> PageBuilder:
        if kind in PAGES and PAGES[kind].build is not func:
            raise ValueError(f"a report page for kind {kind!r} is already registered")
        PAGES[kind] = PageKind(kind, title, func)
        return func

    return decorate


def labels_of(df: pd.DataFrame, unit: str) -> list[str]:
    """Display names: the ``name`` column where it says more than the code, else the code."""
    name = find_column(df, "name", "unit_name", "label", "uName")
    if name is None or name == unit:
        return df[unit].astype(str).tolist()
    return [str(n) if pd.notna(n) and str(n).strip() else str(u) for u, n in zip(df[unit], df[name])]


def fmt_value(column: str, series: pd.Series, value) -> str:
    """``value`` formatted as its column is in the tables (meaning-aware)."""
    return column_format(column, series).text(value)


def top_sentence(names: Sequence[str], values: Sequence[str], *, n_units: int, what: str, measure: str) -> str:
    """``<b>China</b> leads 65 countries with a fractional count of 90.0, ahead of United States (56.8)
    and Germany (40.1).`` (escaped markup)."""
    if not names:
        return f"No {esc(what)} to rank."
    text = f"<b>{esc(names[0])}</b> leads {n_units:,} {esc(what)} with {esc(measure)} <b>{esc(values[0])}</b>"
    rest = [f"{esc(n)} ({esc(v)})" for n, v in zip(names[1:3], values[1:3])]
    if rest:
        text += ", ahead of " + " and ".join(rest)
    return text + "."


def lead_table(page: Page, df: pd.DataFrame, columns: Sequence[str], headers: dict | None = None,
               rows: int = LEAD_ROWS) -> str:
    """The first rows of a ranking as a compact table (no search box)."""
    cols = [c for c in columns if c in df.columns]
    top = df[cols].head(rows)
    note = (f'<p class="note">Top {len(top):,} of {len(df):,}; the full table is below.</p>'
            if len(df) > len(top) else "")
    return table_html(top, table_id=page.new_id("table"), headers=headers, searchable=False) + note


def records_sentence(results: ResultsDir) -> str:
    """``From 499 records (500 read, 1 rejected).`` from the manifest's counts, or ''."""
    c = results.manifest.get("counts") or {}
    if not isinstance(c, dict) or not isinstance(c.get("used"), int):
        return ""
    text = f" From {c['used']:,} records"
    if isinstance(c.get("read"), int) and isinstance(c.get("rejected"), int):
        text += f" ({c['read']:,} read, {c['rejected']:,} rejected with a reason)"
    return esc(text + ".")


def ranked_sections(page: Page, df: pd.DataFrame, *, title: str, searchable: bool = True) -> None:
    """The full ranking table as a section."""
    page.add(title, table_html(df, table_id=page.new_id("table"), searchable=searchable))


def rejects_section(results: ResultsDir, page: Page) -> None:
    """The rejected records with their reasons (counted by reason)."""
    rejects = results.table(results.tables.get("rejects", "rejects.csv"))
    if rejects is None:
        return
    if not len(rejects):
        page.add("Rejected records", "<p>No record was rejected.</p>")
        return
    body = f"<p>{len(rejects):,} records or rows could not be used; each is listed with its reason.</p>"
    reason = find_column(rejects, "reason")
    if reason:
        counts = rejects[reason].astype(str).value_counts().rename_axis("reason").reset_index(name="count")
        body += table_html(counts, table_id=page.new_id("table"), searchable=False)
    body += table_html(rejects, table_id=page.new_id("table"), max_rows=500)
    page.add("Rejected records", body)


def summary_items(summary: dict, keys: Sequence[str]) -> dict[str, str]:
    """Readable ``label: value`` pairs of chosen scalar keys of ``summary.json``."""
    out = {}
    for key in keys:
        value = summary.get(key)
        if value is None or isinstance(value, (dict, list)):
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        out[key.replace("_", " ")] = str(value)
    return out
