"""Report for achievement lists (BenchCouncil Chip100 style, issue 6).

Reads ``achievements.csv`` (the list ranked within category, with the impact score
``V = sum_i log10(X_i)`` over the impact dimensions), one table per level
(``institution.csv``, ``country.csv``: ``rank, unit, name, p_full, p_frac, share``,
credited to main contributors only) and ``drilldown.csv`` (level, unit, record_id and
credit) for the drill-down from a unit to its achievements.
"""

from __future__ import annotations

from innometrics.report import rank
from innometrics.report.context import ResultsDir, find_column
from innometrics.report.html import Page, esc, table_html
from innometrics.report.pages import register_page

#: Columns of the achievement list shown in the report, when present (the CSV keeps all).
LIST_COLUMNS = ["category", "rank_in_category", "work", "subcategory", "period", "year", "V",
                "main_contributors", "main_institutions", "main_countries", "source"]


@register_page("achievements", "Achievement lists")
def render(results: ResultsDir, page: Page) -> None:
    """Add the achievement list and the per-level sections to ``page``."""
    achievements = results.table(results.tables.get("achievements", "achievements.csv"), required=True)
    cols = [find_column(achievements, c) for c in LIST_COLUMNS]
    cols = [c for c in cols if c] or list(achievements.columns)
    category = find_column(achievements, "category")
    n_cat = achievements[category].nunique() if category else 0
    levels = rank.level_tables(results)
    if levels:
        extra = esc(f" {len(achievements):,} achievements in {n_cat:,} categories; only main contributors credit "
                    "their institutions and countries.")
        rank.ranking_lead(results, page, levels, extra=extra)
    else:
        page.set_lead(esc(f"{len(achievements):,} achievements in {n_cat:,} categories."),
                      table_html(achievements[cols].head(10), table_id=page.new_id("table"), searchable=False))
    page.add("About these lists", (
        f"<p>{len(achievements):,} achievements. Only the main contributors (first authors, equal first "
        "authors and the corresponding author) credit their institutions and countries, fully (p_full) "
        "or fractionally (p_frac). The impact score of an achievement is V = sum of log10 of its impact "
        "dimensions.</p>"))
    page.add("Achievement list", (f"<p>Ranked within each of {n_cat:,} categories.</p>" if n_cat else "")
             + table_html(achievements[cols], table_id=page.new_id("table")))
    credits = results.table(results.tables.get("drilldown", "drilldown.csv"))
    if levels:
        rank.render_levels(results, page, levels, credits, achievements)
    else:
        page.add("Lists", f'<p class="note">{esc("No institution or country list in this folder.")}</p>')
    rank.rejects_section(results, page)
