"""``innometrics trends``: growth multiples and CAGR for every unit and indicator."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import XLSX_HELP, fail, console, err_console, handle_errors, report_step


@handle_errors
def trends(
    panel: Path = typer.Argument(..., metavar="PANEL", help="Panel file (CSV, TSV, XLSX or Parquet), long (unit, period, indicator, value) or wide (COINr iData: uCode, Time, one column per indicator)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output: a .csv/.parquet/.xlsx file for the trends table only, or a folder for the full bundle (trends, panel, rejects, manifest, report.html)."),
    meta: Optional[Path] = typer.Option(None, "--meta", help="Indicator metadata (our columns or COINr iMeta); observations of indicators not listed are rejected."),
    per: Optional[str] = typer.Option(None, "--per", help="Denominator indicator code for per-capita ratios, e.g. population."),
    scale: float = typer.Option(1.0, "--scale", help="Ratios per this many denominator units (10000 = per 10,000 people)."),
    per_indicator: list[str] = typer.Option([], "--per-indicator", help="Only these indicators get a per-capita ratio (repeatable; default: all)."),
    base_period: Optional[int] = typer.Option(None, "--base-period", help="Also compute an index with this period = 100 (written to index_panel.csv in folder mode)."),
    directional: bool = typer.Option(False, "--directional/--no-directional", help="Multiply CAGR by the indicator direction from --meta, as COINr's get_trends does."),
    layout: str = typer.Option("auto", "--layout", help="auto, long or wide."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV input (e.g. gb18030)."),
    strict: bool = typer.Option(False, "--strict", help="Stop with an error at the first unusable observation instead of rejecting it."),
    allow_infinite: bool = typer.Option(False, "--allow-infinite", help="Keep inf, -Infinity and 1e400 values (rejected as non_finite by default)."),
    highlight: list[str] = typer.Option([], "--highlight", help="Unit codes to highlight in the report (repeatable)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write report.html in folder mode."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Compute first/last values, growth multiple and CAGR per unit and indicator.

    CAGR = (last/first)^(1/(t_last - t_first)) - 1 over the first and last non-missing
    points (COINr's CAGR); undefined cases are empty with a note.
    """
    from innometrics.io.outdir import staged_output
    from innometrics.panel.run import TABLE_SUFFIXES, run_trends, write_trends

    result = run_trends(panel, meta_path=meta, per=per, scale=scale, per_indicators=list(per_indicator) or None, base_period=base_period,
                        directional=directional, layout=layout, encoding=encoding, strict=strict,
                        allow_infinite=allow_infinite)
    result.highlight = list(highlight)
    c = result.counts
    err_console.print(f"{panel}: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}", highlight=False)
    if c["read"] and not c["used"]:
        # refuse before writing anything: a build that fails leaves no partial output
        rejects = result.rejects
        reasons = rejects["reason"].value_counts() if "reason" in rejects else {}
        top = ", ".join(f"{reason} ({n:,})" for reason, n in list(reasons.items())[:3])
        first = ""
        if len(rejects) and {"row", "column"} <= set(rejects.columns):
            r = rejects.iloc[0]
            first = f"; first at row {r['row']}, column {r['column']}"
        fail(f"{panel}: every one of the {c['read']:,} observations was rejected ({top}{first}); nothing to compute.")
    if out.suffix.lower() in TABLE_SUFFIXES:
        written = write_trends(result, out)
        print_growth_table(result.trends)
        console.print(f"trends: {written} ({len(result.trends)} rows)", highlight=False)
        if result.indexed is not None:
            from innometrics.panel.run import index_panel_path

            console.print(f"index (base period {base_period} = 100): {index_panel_path(written)}", highlight=False)
        if xlsx is not None:
            console.print("--xlsx needs a folder --out (the workbook holds the whole bundle); "
                          "give --out a .xlsx name to write the trends table as a workbook", highlight=False)
        return
    with staged_output(out) as stage:
        write_trends(result, stage)
        print_growth_table(result.trends)
        console.print(f"trends: {out / 'trends.csv'}", highlight=False)
        report_step(stage, report, list(highlight), xlsx=xlsx, shown=out)


def print_growth_table(trends_df, limit: int = 30) -> None:
    """Print growth as both multiple and percentage increase (x3.66 = +266 %), readers confuse the two."""
    from rich.table import Table

    from innometrics.report.format import format_cagr, format_growth

    if len(trends_df) > limit:
        return
    table = Table("unit", "indicator", "first", "last", "growth", "CAGR", "note")
    for r in trends_df.itertuples(index=False):
        span = "" if r.n_points < 1 else f"{r.first_value:,.10g} ({r.first_period})"
        end = "" if r.n_points < 1 else f"{r.last_value:,.10g} ({r.last_period})"
        table.add_row(str(r.unit), str(r.indicator), span, end, format_growth(r.multiple), format_cagr(r.cagr), str(r.note))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("trends")(trends)
