"""``innometrics index``: build composite indices (``index build``), COINr-exact.

``index_app`` is the Typer sub-app; the audit and sensitivity commands
(:mod:`innometrics.cli.index_analysis_cmd`) are added to it in :func:`register`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import console, handle_errors, report_step

index_app = typer.Typer(
    name="index",
    help="Composite indices (OECD/JRC Handbook, COINr-exact): build, audit, sensitivity, leave-out.",
    no_args_is_help=True,
)


@handle_errors
def build_command(
    spec: Path = typer.Argument(..., help="Index spec (TOML): [data], [denominate], [impute], [screen], [treat], [normalise], [aggregate], [weights]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: stages/*.csv, results.csv, weights.csv, log.json, manifest.json."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html (the index report) into the folder."),
) -> None:
    """Build the index described by SPEC and write every stage, the results and the log."""
    from innometrics.composite.outputs import write_build
    from innometrics.composite.builds import IndexBuild
    from innometrics.composite.pipeline import build
    from innometrics.composite.timeseries import write_timeseries

    with console.status("building the index"):
        result = build(spec)
        write_build(result, out)
        if not isinstance(result, IndexBuild):
            write_timeseries(result, out)
    if isinstance(result, IndexBuild):
        n_units = len(result.results)
        stages = ", ".join(result.stages)
        console.print(f"built {n_units} units through {stages}; {len(result.rejected)} screened out")
    else:
        console.print(f"built {len(result.builds)} periods, {len(result.results)} unit-period rows; timeseries/ has "
                      "each unit's index path, growth and dimension contributions")
    console.print(f"wrote {out}/results.csv, stages/, weights.csv, log.json, manifest.json")
    report_step(out, report)


def register(app: typer.Typer) -> None:
    """Add the ``index`` sub-app (build, audit, sensitivity) to ``app``."""
    index_app.command("build")(build_command)
    from innometrics.cli import index_analysis_cmd, index_toolbox_cmd

    index_analysis_cmd.register(index_app)
    index_toolbox_cmd.register(index_app)
    app.add_typer(index_app, name="index")
