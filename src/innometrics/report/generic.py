"""Fallback report for any other kind of results: every table the manifest lists."""

from __future__ import annotations

import pandas as pd

from innometrics.report.charts import bar_chart, chart_block
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.html import Page, esc, table_html

MAX_ROWS = 2000
TOP_N = 15
#: Value columns a ranked table is charted by, in order of preference.
VALUE_COLUMNS = ("share", "p_frac", "adjusted_share", "score", "count", "p_full", "value")


def _top_chart(page: Page, name: str, df: pd.DataFrame) -> str:
    """A bar chart of the first units of a ranked table (``rank`` + a name + a value column)."""
    rank = find_column(df, "rank")
    label = find_column(df, "name", "unit", "label")
    value = next((find_column(df, c) for c in VALUE_COLUMNS if find_column(df, c)), None)
    if not (rank and label and value) or not pd.api.types.is_numeric_dtype(df[value]) or not len(df):
        return ""
    top = df.sort_values(rank, kind="stable").head(TOP_N)
    fig = bar_chart(top[label].astype(str).tolist(), top[value].tolist(), title=f"Top {len(top)} by {value} ({name})",
                    value_title=str(value))
    return chart_block(page, fig, label=f"top of {name}")


def render(results: ResultsDir, page: Page) -> None:
    """Add one section per CSV table listed in the manifest (other files are named only)."""
    tables = results.tables
    page.add(
        "Overview",
        f"<p>Results of kind <b>{esc(results.kind)}</b>: {len(tables):,} tables. "
        "Each table below is sortable (click a header) and searchable.</p>",
    )
    for name, rel in sorted(tables.items(), key=lambda item: _order(results, *item)):
        if not rel.lower().endswith(".csv"):
            page.add(name, f'<p class="note">File {esc(rel)} (not a CSV table; not shown).</p>')
            continue
        df = results.table(rel)
        if df is None:
            page.add(name, f'<p class="note">Listed in the manifest but missing: {esc(rel)}.</p>')
            continue
        page.add(name, _top_chart(page, name, df) + table_html(df, table_id=page.new_id("table"), max_rows=MAX_ROWS))


def _order(results: ResultsDir, name: str, rel: str) -> tuple[int, str]:
    """Ranked tables first, then the others, rejects last; by name within each group
    (a manifest's keys are sorted, so its order says nothing)."""
    if "reject" in name.lower():
        return 2, name
    df = results.table(rel) if rel.lower().endswith(".csv") and results.has(rel) else None
    return (0 if df is not None and find_column(df, "rank") is not None else 1), name
