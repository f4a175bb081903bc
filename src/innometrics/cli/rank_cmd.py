"""``innometrics rank build``: contribution rankings from bibliographic records."""

from __future__ import annotations

from pathlib import Path
import typer

from innometrics.cli.common import console, err_console, handle_errors, report_step

rank_app = typer.Typer(
    name="rank",
    help="Contribution rankings: full and fractional counts per institution, city, country.",
    no_args_is_help=True,
)


@rank_app.command("build")
@handle_errors
def build(
    spec: Path = typer.Argument(..., help=r"Ranking spec (TOML): \[records], \[count], optional \[groupings.<name>], \[institutions] (ROR registry, rollup), \[stability]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: <level>.csv, yearly_<level>.csv, credits.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default), duckdb:<file>, spark (local mode), local[N] or spark://host:port."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Count records per unit with the spec's method and rank the units.

    Ties share the lower rank number; equal counts are listed by unit code, so ranks
    and files are identical across runs. Prints read = used + rejected.
    """
    from innometrics.rankings.pipeline import rank_build, write_rank

    result = rank_build(spec, engine=engine)
    c = result.summary["counts"]
    err_console.print(f"{result.spec.records_path}: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}",
                      highlight=False)
    written = write_rank(result, out)
    console.print(repr(result), highlight=False)
    console.print(f"tables: {written}", highlight=False)
    report_step(written, report)


def register(app: typer.Typer) -> None:
    app.add_typer(rank_app, name="rank")
