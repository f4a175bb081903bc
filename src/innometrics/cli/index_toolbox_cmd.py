"""``innometrics index leave-out``: leave-one-indicator-out or leave-one-pillar-out rank changes.

Builds the index from the spec, writes the build's outputs into ``--out`` (as
``index build`` does) and adds ``leave_one_out/*.csv`` (COINr ``remove_elements``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import console, handle_errors, report_step
from innometrics.errors import SpecError


def leave_out_command(
    spec: Path = typer.Argument(..., exists=True, dir_okay=False, help="Index spec (TOML)."),
    level: int = typer.Option(1, "--level", "-l", help="1: leave each indicator out in turn; 2: each pillar; ... (below the top)."),
    target: str = typer.Option(None, "--target", help="Aggregate whose ranks are compared (default: the top one)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (the build plus leave_one_out/*.csv)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Rank changes when each element of a level is removed (weight 0), as COINr's remove_elements."""
    from innometrics.composite import pipeline
    from innometrics.composite.builds import IndexBuild
    from innometrics.composite.influence import remove_elements, write_leave_one_out
    from innometrics.composite.outputs import write_build

    with console.status("building the index"):
        build = pipeline.build(spec)
    if not isinstance(build, IndexBuild):
        raise SpecError("leave-out needs a single-period build; set [data] period to one period.", file=spec, key="data.period")
    with console.status("rebuilding with each element removed"):
        result = remove_elements(build, level, target=target)
    write_build(build, out)
    write_leave_one_out(result, out)
    worst = result.mean_abs_change.drop("Nominal").sort_values(ascending=False)
    console.print(f"[green]leave-one-out written[/green] to {out / 'leave_one_out'}: {len(worst)} elements; "
                  f"largest mean absolute rank change {worst.iloc[0]:.2f} ({worst.index[0]})")
    report_step(out, report)


def register(index_app: typer.Typer) -> None:
    """Add ``leave-out`` to the ``index`` sub-app."""
    index_app.command("leave-out")(handle_errors(leave_out_command))
