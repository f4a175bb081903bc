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


def report_step(folder, enabled: bool, highlight=None):
    """The ``--report/--no-report`` step of every build command: write and announce ``report.html``."""
    from innometrics.report import maybe_write_report

    page = maybe_write_report(folder, enabled, highlight=highlight or None)
    if page is not None:
        console.print(f"report: {page}", highlight=False)
    return page
