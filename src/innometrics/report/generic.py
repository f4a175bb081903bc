"""Fallback report for any other kind of results: every table the manifest lists."""

from __future__ import annotations

from innometrics.report.context import ResultsDir
from innometrics.report.html import Page, esc, table_html

MAX_ROWS = 2000


def render(results: ResultsDir, page: Page) -> None:
    """Add one section per CSV table listed in the manifest (other files are named only)."""
    tables = results.tables
    page.add(
        "Overview",
        f"<p>Results of kind <b>{esc(results.kind)}</b>: {len(tables):,} tables. "
        "Each table below is sortable (click a header) and searchable.</p>",
    )
    for name, rel in tables.items():
        if not rel.lower().endswith(".csv"):
            page.add(name, f'<p class="note">File {esc(rel)} (not a CSV table; not shown).</p>', level=3)
            continue
        df = results.table(rel)
        if df is None:
            page.add(name, f'<p class="note">Listed in the manifest but missing: {esc(rel)}.</p>', level=3)
            continue
        page.add(name, table_html(df, table_id=page.new_id("table"), max_rows=MAX_ROWS), level=3)
