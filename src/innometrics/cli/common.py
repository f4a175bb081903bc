"""Shared CLI plumbing: error printing, the console, progress bars."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup

from innometrics.errors import InnometricsError, is_input_failure, describe_failure, one_line

F = TypeVar("F", bound=Callable)

# Markup and emoji codes are off: file names and cell values are printed as they are
# (a file named ':ok:.csv' or '[red].csv' stays literal).
console = Console(soft_wrap=True, markup=False, emoji=False)
err_console = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)


def fail(message: str, code: int = 2) -> None:
    """Print ``message`` on one line in red to stderr and exit with ``code``.

    The message is printed as plain text (no Rich markup or emoji codes), so the file
    names and values it quotes stay as they are.
    """
    from rich.text import Text

    err_console.print(Text.assemble(("error: ", "bold red"), one_line(message, limit=2000)),
                      highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _cli_control_exceptions() -> tuple[type[BaseException], ...]:
    """Exceptions the CLI framework uses to exit or report usage errors itself.

    Typer 0.29 vendors its own Click (``typer._click``); earlier releases use Click, which
    is then importable. Both kinds pass through the error boundary untouched.
    """
    found: list[type[BaseException]] = [typer.Exit, typer.Abort]
    if hasattr(typer, "TyperException"):
        found.append(typer.TyperException)
    try:
        import click
    except ImportError:
        pass
    else:
        found += [click.exceptions.Exit, click.exceptions.Abort, click.exceptions.ClickException]
    return tuple(found)


_CLI_CONTROL = _cli_control_exceptions()

#: Click's base exception (Typer 0.29's vendored copy, or Click itself with older Typer),
#: found from ``typer.BadParameter`` so that Click is never imported.
_CLICK_EXCEPTION = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def _show_one_line(exc: BaseException, file=None) -> None:
    """Print a usage error as ``innometrics rank build: error: <message> (try --help)``."""
    from rich.text import Text

    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "innometrics"
    hint = " (try --help)" if ctx is None or ctx.command.get_help_option(ctx) is not None else ""
    err_console.print(Text.assemble(f"{where}: ", ("error: ", "bold red"), one_line(exc.format_message(), limit=2000),
                                    hint), highlight=False, soft_wrap=True)


class _OneLineUsageErrors:
    """Show the Click exceptions raised inside the ``with`` block on one line.

    Click's own display is a usage line, a hint and the message on three or four lines
    (Typer's Rich display a boxed panel); the CLI promises one line on stderr. The
    exception itself (its type, exit code 2 for usage errors) is kept; only its
    ``show`` is replaced. ``NoArgsIsHelpError`` keeps showing the help.
    """

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, _CLICK_EXCEPTION) and type(exc).__name__ != "NoArgsIsHelpError":
            exc.show = functools.partial(_show_one_line, exc)
        return False


def _unbraced(piece: str) -> str:
    """``{SPEC}`` -> ``SPEC``: Typer 0.29 braces required arguments in the usage line."""
    return re.sub(r"^\{(.+)\}(\.\.\.)?$", r"\1\2", piece)


class _Plain:
    """What :class:`Command` and :class:`Group` add to Typer's classes."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [_unbraced(p) for p in super().collect_usage_pieces(ctx)]

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except _CLICK_EXCEPTION as exc:
            # The option parser raises some errors ("Option '--engine' requires an argument")
            # without a context: give them this command's, so the error line names it.
            if hasattr(exc, "ctx") and exc.ctx is None:
                exc.ctx = self.context_class(self, info_name=info_name, parent=parent)
            raise


class Command(_Plain, TyperCommand):
    """Every command's class: the usage line names arguments as Click does (``SPEC``, ``[OUT]``)."""


class Group(_Plain, TyperGroup):
    """Every command group's class (see :class:`Command`)."""


class RootGroup(Group):
    """The ``innometrics`` group: every usage error below it (unknown command or option, missing
    argument, bad value) is one line on stderr, exit status 2."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _OneLineUsageErrors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _OneLineUsageErrors():
            return super().invoke(ctx)


class App(typer.Typer):
    """``typer.Typer`` with the project's defaults: plain help (Rich markup would eat the TOML
    table names the help texts quote, ``[data]``), :class:`Group` and :class:`Command` classes."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs):
        kwargs.setdefault("cls", Command)
        return super().command(name, **kwargs)


def handle_errors(func: F) -> F:
    """The CLI's error boundary: every failure is one line on stderr and exit status 2.

    :class:`InnometricsError` prints its message; operating-system errors (a missing
    file, a folder where a file was expected, ``--out`` under a file, no permission,
    a full disk) and the parser failures a reader let through print what failed and on
    which path. Anything else is a bug: one line asking for a report (set
    ``INNOMETRICS_DEBUG=1`` for the traceback), exit status 1.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except _CLI_CONTROL:
            raise
        except InnometricsError as exc:
            fail(str(exc))
        except OSError as exc:
            where = exc.filename if exc.filename is not None else ""
            fail(f"{where}: {describe_failure(exc)}" if where else describe_failure(exc))
        except Exception as exc:
            if os.environ.get("INNOMETRICS_DEBUG"):
                raise
            if is_input_failure(exc):
                fail(f"cannot read the input: {describe_failure(exc)}")
            fail(f"internal error ({type(exc).__name__}: {one_line(exc, 200)}); please report it "
                 "(INNOMETRICS_DEBUG=1 shows the traceback)", code=1)

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


def report_step(folder, enabled: bool, highlight=None, xlsx=None, shown=None):
    """The ``--report/--no-report`` and ``--xlsx`` steps of every build command: write and announce
    ``report.html`` and the workbook.

    ``folder`` is where the report is written (a staging folder); ``shown`` the output
    folder it will be in once the build is swapped in (default: ``folder``).
    """
    from pathlib import Path

    from innometrics.report import maybe_write_report

    if xlsx is not None and shown is not None:
        # a workbook asked for inside the output folder is written into the staging folder,
        # so that it is swapped in with the rest of the build
        try:
            xlsx = Path(folder) / Path(xlsx).resolve().relative_to(Path(shown).resolve())
        except ValueError:
            pass

    page = maybe_write_report(folder, enabled, highlight=highlight or None, xlsx=xlsx)
    if page is not None:
        console.print(f"report: {Path(shown) / page.name if shown is not None else page}", highlight=False)
    if xlsx is not None:
        shown_xlsx = Path(shown) / Path(xlsx).relative_to(folder) if shown is not None and Path(xlsx).is_relative_to(folder) else xlsx
        console.print(f"workbook: {shown_xlsx}", highlight=False)
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
