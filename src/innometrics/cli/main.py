"""The ``innometrics`` Typer application; each command lives in its own module."""

from __future__ import annotations

import typer

from innometrics import __version__
from innometrics.cli.common import App, RootGroup

app = App(
    name="innometrics",
    help="Reproducible science and technology innovation metrics: trends, composite indices, rankings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Usage errors anywhere below are one line on stderr (RootGroup).
    cls=RootGroup,
    # Plain help: Rich markup would eat the TOML table names our help texts quote ("[data]"),
    # and Typer's Rich help shows flags as "--strict <bool>". Also keeps Typer's boxed error panel off.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"innometrics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    raw_csv: bool = typer.Option(False, "--raw-csv", help="Write CSV cells as they are, for machine consumers: no ' before text starting with = + - @ (spreadsheet formula guard). Same as INNOMETRICS_RAW_CSV=1."),
) -> None:
    """Reproducible science and technology innovation metrics."""
    if raw_csv:
        import os

        from innometrics.io.writers import RAW_CSV_ENV

        os.environ[RAW_CSV_ENV] = "1"


def _register_commands() -> None:
    # Explicit list: a reader sees every command here.
    from innometrics.cli import trends_cmd

    trends_cmd.register(app)
    from innometrics.cli import panel_cmd

    panel_cmd.register(app)
    from innometrics.cli import demo_cmd

    demo_cmd.register(app)
    from innometrics.cli import report_cmd

    report_cmd.register(app)
    from innometrics.cli import rank_cmd

    rank_cmd.register(app)
    from innometrics.cli import index_cmd

    index_cmd.register(app)
    from innometrics.cli import views_cmd

    views_cmd.register(app)
    from innometrics.cli import institutions_cmd

    institutions_cmd.register(app)
    from innometrics.cli import records_cmd

    records_cmd.register(app)


_register_commands()


def main() -> None:  # pragma: no cover - console entry point
    app()
