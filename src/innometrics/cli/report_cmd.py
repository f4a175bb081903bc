"""``innometrics report``: render a build's results folder as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import console, handle_errors


@handle_errors
def report(
    results_dir: Path = typer.Argument(..., metavar="RESULTS_DIR", help="A build's output folder (it holds manifest.json): trends, index, rank, achievements, cities, clusters, nature_index or designations results."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file to write (default: RESULTS_DIR/report.html)."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="Also write an Excel workbook: a README sheet (spec, log, inputs) and one sheet per table with a bold frozen header, autofilter and number formats."),
    highlight: list[str] = typer.Option([], "--highlight", help="Unit code or name to draw in colour in trend charts (repeatable)."),
) -> None:
    """Write one HTML report (charts, sortable tables, method) that opens offline.

    Scripts and styles are inlined, so the file needs no network access; every string from the data is escaped.
    """
    from innometrics.report import render_report

    path = render_report(results_dir, out, xlsx=xlsx, highlight=list(highlight) or None)
    size = path.stat().st_size
    console.print(f"report: {path} ({size / 1e6:.2f} MB)", highlight=False)
    if xlsx is not None:
        console.print(f"workbook: {xlsx}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
