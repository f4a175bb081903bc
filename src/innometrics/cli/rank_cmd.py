"""``innometrics rank build``: contribution rankings from bibliographic records."""

from __future__ import annotations

from pathlib import Path
from typing import Optional
import typer

from innometrics.cli.common import (App, XLSX_HELP, check_out_folder, console, err_console, fail, handle_errors,
                                     print_table, report_step)

rank_app = App(
    name="rank",
    help="Contribution rankings: full and fractional counts per institution, city, country; patents by "
         "inventor or applicant, family and technology field.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts quote TOML tables such as [data]: not Rich markup
)


@rank_app.command("build")
@handle_errors
def build(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Ranking spec (TOML): [records], [count], optional [groupings.<name>], [institutions] (ROR registry, rollup; for patents it matches applicants), [stability], [patents] (by, family, date). [records] format: wos, wos_tab, scopus, openalex, tables, espacenet, lens, patentsview or patstat."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: <level>.csv, yearly_<level>.csv, credits.csv, rejects.csv, summary.json, manifest.json; patents also fields.csv (unit x field, RTA), members.csv."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default), duckdb:<file>, spark (local mode), local[N] or spark://host:port."),
    memory_limit: Optional[str] = typer.Option(None, "--memory-limit", help="DuckDB's memory limit, e.g. 10GB (default: DuckDB's, 80% of the machine's memory). Past it DuckDB spills to disk (duckdb:<file>: to <file>.tmp, tables stored compressed in the file; the way to rank a billion authorship rows on one machine)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Count records per unit with the spec's method and rank the units.

    Ties share the lower rank number; equal counts are listed by unit code, so ranks
    and files are identical across runs. Prints read = used + rejected.
    """
    from innometrics.rankings.pipeline import rank_build, write_rank

    check_out_folder(out, "rank")
    result = rank_build(spec, engine=engine, memory_limit=memory_limit)
    c = result.summary["counts"]
    err_console.print(f"{result.spec.records_path}: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}",
                      highlight=False)
    if not c["read"]:
        fail(f"{result.spec.records_path}: no records in the input (an export with a header and no rows?); "
             "nothing to rank.")
    if not c["used"]:
        reasons = result.rejects["reason"].value_counts() if "reason" in result.rejects else {}
        top = ", ".join(f"{reason} ({n:,})" for reason, n in list(reasons.items())[:3])
        fail(f"{result.spec.records_path}: every one of the {c['read']:,} records was rejected ({top}); "
             "nothing to rank.")
    from innometrics.io.outdir import staged_output

    with staged_output(out) as stage:
        write_rank(result, stage)
        for level, df in result.levels.items():
            print_table(df[df["rank"].notna()], ["rank", "unit", "name", "p_full", "p_frac", "share"], 5,
                        title=f"{level}: {int(df['rank'].notna().sum()):,} units")
        console.print(f"tables: {out}", highlight=False)
        report_step(stage, report, xlsx=xlsx, shown=out)


def register(app: typer.Typer) -> None:
    app.add_typer(rank_app, name="rank")
