"""``innometrics index``: build composite indices (``index build``), COINr-exact.

``index_app`` is the Typer sub-app; the audit and sensitivity commands
(:mod:`innometrics.cli.index_analysis_cmd`) are added to it in :func:`register`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import App, XLSX_HELP, console, handle_errors, report_step

index_app = App(
    name="index",
    help="Composite indices (OECD/JRC Handbook, COINr-exact): build, audit, sensitivity, leave-out.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts quote TOML tables such as [data]: not Rich markup
)


@handle_errors
def build_command(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Index spec (TOML): [data], [denominate], [impute], [screen], [treat], [normalise], [aggregate], [weights]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: stages/*.csv, results.csv, weights.csv, log.json, manifest.json."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html (the index report) into the folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Build the index described by SPEC and write every stage, the results and the log."""
    from innometrics.composite.builds import IndexBuild
    from innometrics.composite.outputs import write_build
    from innometrics.composite.pipeline import build
    from innometrics.composite.timeseries import write_timeseries
    from innometrics.io.outdir import staged_output

    with console.status("building the index"):
        result = build(spec)
    with staged_output(out) as stage:
        write_build(result, stage)
        if not isinstance(result, IndexBuild):
            write_timeseries(result, stage)
        _print_build(result, out)
        report_step(stage, report, xlsx=xlsx, shown=out)


def _print_build(result, out: Path) -> None:
    from innometrics.composite.builds import IndexBuild

    if isinstance(result, IndexBuild):
        n_units = len(result.results)
        stages = ", ".join(result.stages)
        console.print(f"built {n_units} units through {stages}; {len(result.rejected)} screened out")
    else:
        console.print(f"built {len(result.builds)} periods, {len(result.results)} unit-period rows; timeseries/ has "
                      "each unit's index path, growth and dimension contributions")
    console.print(f"wrote {out}/results.csv, stages/, weights.csv, log.json, manifest.json")


def register(app: typer.Typer) -> None:
    """Add the ``index`` sub-app (build, audit, sensitivity) to ``app``."""
    index_app.command("build")(build_command)
    from innometrics.cli import index_analysis_cmd, index_toolbox_cmd

    index_analysis_cmd.register(index_app)
    index_toolbox_cmd.register(index_app)
    app.add_typer(index_app, name="index")
