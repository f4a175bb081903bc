"""The ``innometrics`` Typer application; each command lives in its own module."""

from __future__ import annotations

import typer

from innometrics import __version__

app = typer.Typer(
    name="innometrics",
    help="Reproducible science and technology innovation metrics: trends, composite indices, rankings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"innometrics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Reproducible science and technology innovation metrics."""


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
