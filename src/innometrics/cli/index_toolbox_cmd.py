"""``innometrics index leave-out | compare | strengths``: COINr's toolbox on a built index.

``leave-out`` builds the index from the spec, writes the build's outputs into ``--out``
(as ``index build`` does) and adds ``leave_one_out/*.csv`` (COINr ``remove_elements``).
``compare`` writes the ranks of two builds side by side (COINr ``compare_coins``);
``strengths`` a unit's best and worst indicators (COINr ``get_str_weak``).
"""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import check_out_folder, console, handle_errors, report_step
from innometrics.errors import SpecError


def leave_out_command(
    spec: Path = typer.Argument(..., metavar="SPEC", exists=True, dir_okay=False, help="Index spec (TOML)."),
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
    from innometrics.io.outdir import staged_output

    with staged_output(out) as folder:
        write_build(build, folder)
        write_leave_one_out(result, folder)
        worst = result.mean_abs_change.drop("Nominal").sort_values(ascending=False)
        console.print(f"leave-one-out written to {out / 'leave_one_out'}: {len(worst)} elements; "
                      f"largest mean absolute rank change {worst.iloc[0]:.2f} ({worst.index[0]})")
        report_step(folder, report, shown=out)


def _single(spec: Path):
    from innometrics.composite import pipeline
    from innometrics.composite.builds import IndexBuild

    build = pipeline.build(spec)
    if not isinstance(build, IndexBuild):
        raise SpecError("this command needs a single-period build; set [data] period to one period.", file=spec, key="data.period")
    return build


def compare_command(
    first: Path = typer.Argument(..., metavar="FIRST", exists=True, dir_okay=False, help="First index spec (TOML)."),
    second: Path = typer.Argument(..., metavar="SECOND", exists=True, dir_okay=False, help="Second index spec (TOML), same units."),
    code: str = typer.Option(None, "--code", help="Aggregate to compare (default: the top one)."),
    out: Path = typer.Option(..., "--out", "-o", help="CSV to write: uCode, rank_1, rank_2, diff, abs_diff."),
) -> None:
    """Ranks of the same units in two builds and their differences (COINr compare_coins)."""
    from innometrics.composite.influence import compare_builds
    from innometrics.io.writers import write_csv

    with console.status("building both indices"):
        table = compare_builds(_single(first), _single(second), code=code)
    write_csv(table, out)
    moved = int((table["diff"].fillna(0) != 0).sum())
    console.print(f"wrote {out}: {moved} of {len(table)} units change rank; mean absolute change "
                  f"{table['abs_diff'].mean():.2f}")


def strengths_command(
    spec: Path = typer.Argument(..., metavar="SPEC", exists=True, dir_okay=False, help="Index spec (TOML)."),
    unit: str = typer.Option(..., "--unit", "-u", help="Unit code (uCode)."),
    top: int = typer.Option(5, "--top", min=1, help="Number of strengths."),
    bottom: int = typer.Option(5, "--bottom", min=1, help="Number of weaknesses."),
    stage: str = typer.Option("raw", "--stage", help="Stage whose values are ranked (raw values are direction-adjusted)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for strengths.csv, weaknesses.csv and manifest.json."),
) -> None:
    """A unit's best- and worst-ranked indicators (COINr get_str_weak)."""
    from innometrics.composite.influence import strengths_weaknesses
    from innometrics.io.manifest import build_manifest, input_record, write_manifest
    from innometrics.io.outdir import staged_output
    from innometrics.io.writers import write_csv

    check_out_folder(out, "strengths")
    with console.status("building the index"):
        build = _single(spec)
        strong, weak = strengths_weaknesses(build, unit, stage=stage, top=top, bottom=bottom)
    data = build.spec.data
    inputs = [input_record(p) for p in (spec, data.indicators, data.meta, data.units) if p]
    params = {"unit": unit, "stage": stage, "top": top, "bottom": bottom}
    # Staged: the folder is swapped in whole, so a crash leaves the previous result or nothing.
    with staged_output(out) as folder:
        write_csv(strong, folder / "strengths.csv")
        write_csv(weak, folder / "weaknesses.csv")
        write_manifest(folder, build_manifest(
            "strengths", inputs=inputs, counts={"strengths": len(strong), "weaknesses": len(weak)},
            tables={"strengths": "strengths.csv", "weaknesses": "weaknesses.csv"},
            log=[{"step": "strengths", "method": "get_str_weak", "params": params}]))
    console.print(f"{unit}: strengths {', '.join(strong['Code'])}; weaknesses {', '.join(weak['Code'])}")


def register(index_app: typer.Typer) -> None:
    """Add ``leave-out``, ``compare`` and ``strengths`` to the ``index`` sub-app."""
    index_app.command("leave-out")(handle_errors(leave_out_command))
    index_app.command("compare")(handle_errors(compare_command))
    index_app.command("strengths")(handle_errors(strengths_command))
