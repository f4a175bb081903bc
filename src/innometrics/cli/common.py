"""Shared CLI plumbing: error printing, the console, progress bars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from innometrics.errors import InnometricsError

F = TypeVar("F", bound=Callable)

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """Print ``message`` in red to stderr and exit with ``code``."""
    from rich.markup import escape  # messages quote TOML tables such as [sensitivity]: not Rich markup

    err_console.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn :class:`InnometricsError` (and missing files) into a coloured message and exit 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InnometricsError as exc:
            fail(str(exc))
        except FileNotFoundError as exc:
            fail(f"file not found: {exc.filename or exc}")
        except UnicodeDecodeError as exc:  # pragma: no cover - readers convert these already
            fail(f"cannot decode input as UTF-8: {exc}")

    return wrapper  # type: ignore[return-value]


def progress():
    """A Rich progress bar writing to stderr (quiet when stderr is not a terminal)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=not sys.stderr.isatty(),
    )


XLSX_HELP = ("Also write an Excel workbook: a README sheet (spec, log, inputs) and one sheet per table "
             "with a bold frozen header, autofilter and number formats.")


def report_step(folder, enabled: bool, highlight=None, xlsx=None):
    """The ``--report/--no-report`` and ``--xlsx`` steps of every build command: write and announce
    ``report.html`` and the workbook."""
    from innometrics.report import maybe_write_report

    page = maybe_write_report(folder, enabled, highlight=highlight or None, xlsx=xlsx)
    if page is not None:
        console.print(f"report: {page}", highlight=False)
    if xlsx is not None:
        console.print(f"workbook: {xlsx}", highlight=False)
    return page


def check_out_folder(out, kind: str) -> None:
    """Refuse to write ``kind`` results into a folder that holds another kind's results
    (their manifest, report and rejects would be overwritten): exit 2 naming both."""
    import json
    from pathlib import Path

    manifest = Path(out) / "manifest.json"
    if not manifest.is_file():
        return
    try:
        other = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
    except (ValueError, AttributeError):
        other = None
    if other and other != kind:
        fail(f"{out} already holds {other} results (manifest.json, report.html, rejects.csv); writing {kind} "
             f"results there would overwrite them. Choose another --out, e.g. {Path(out) / kind}.")


def print_table(df, columns, n: int = 10, title: str | None = None) -> None:
    """Print the first ``n`` rows of ``df`` as a Rich table, numbers formatted by meaning
    (ranks whole, shares in %, counts with separators), never as a raw pandas frame."""
    from rich.table import Table

    from innometrics.report.columns import column_formats

    cols = [c for c in columns if c in df.columns]
    if not cols:
        return
    fmts = column_formats(df[cols])
    table = Table(*[str(c) for c in cols], title=title, title_justify="left")
    for values in df[cols].head(n).itertuples(index=False):
        table.add_row(*[fmts[c].text(v) for c, v in zip(cols, values)])
    console.print(table)
