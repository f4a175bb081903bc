"""``innometrics achievements build`` and ``innometrics views ...``: the public lists.

Achievement lists (BenchCouncil style), Science Cities and S&T clusters (Nature
Index, GII), Nature Index research leaders, and designation counts (Highly Cited
Researchers style). Each command reads a TOML spec and writes an output folder with
CSV tables, ``summary.json`` and ``manifest.json``, like ``innometrics rank build``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import App, XLSX_HELP, check_out_folder, print_table, console, err_console, handle_errors, report_step

achievements_app = App(
    name="achievements",
    help="Achievement lists: achievements ranked within category, institution and country lists by main contributors.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts quote TOML tables such as [data]: not Rich markup
)
views_app = App(
    name="views",
    help="Science Cities, S&T clusters, Nature Index research leaders and designation counts from a spec.",
    no_args_is_help=True,
    rich_markup_mode=None,  # help texts quote TOML tables such as [data]: not Rich markup
)

_ENGINE_HELP = "duckdb (default), duckdb:<file>, spark (local mode), local[N] or spark://host:port."


def _summary_line(path: Path) -> None:
    import json

    summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    c = summary.get("counts", {})
    if c:
        err_console.print(f"read {c.get('read', 0):,} = used {c.get('used', 0):,} + rejected {c.get('rejected', 0):,}",
                          highlight=False)


def _print_head(path: Path, name: str, columns: list[str], n: int = 10) -> None:
    from innometrics.report.context import read_csv

    print_table(read_csv(path / f"{name}.csv"), columns, n, title=name)


def _staged(builder, spec: Path, out: Path, engine: str, heads: list[tuple[str, list[str], int]],
            report: bool, xlsx: Optional[Path] = None) -> None:
    """Build into a staging folder, print the counts and the head of each table, write the
    report, then swap the folder in as ``out`` (see :mod:`innometrics.io.outdir`)."""
    from innometrics.io.outdir import staged_output

    with staged_output(out) as stage:
        written = builder(spec, stage, engine=engine)
        _summary_line(written)
        for name, columns, n in heads:
            if (written / f"{name}.csv").exists():
                _print_head(written, name, columns, n)
        console.print(f"tables: {out}", highlight=False)
        report_step(written, report, xlsx=xlsx, shown=out)


@achievements_app.command("build")
@handle_errors
def achievements_build(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Achievement spec (TOML): [achievements] path, [count] variant/levels, optional [select]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: achievements.csv, <level>.csv, drilldown.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Rank achievements within category and credit their main contributors' units.

    Only first authors (equal first included) and corresponding authors (the last
    author when none is marked) credit their institutions and countries.
    """
    from innometrics.views.achievement_lists import build_achievement_lists, write_achievement_lists

    check_out_folder(out, "achievements")
    result = build_achievement_lists(spec, engine=engine)
    c = result.summary["counts"]
    err_console.print(f"{result.spec.path}: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}",
                      highlight=False)
    from innometrics.io.outdir import staged_output

    with staged_output(out) as stage:
        written = write_achievement_lists(result, stage)
        for level in result.levels:
            _print_head(written, level, ["rank", "unit", "name", "p_full", "p_frac", "v_sum_full"], n=8)
        console.print(f"tables: {out}", highlight=False)
        report_step(written, report, xlsx=xlsx, shown=out)


@views_app.command("cities")
@handle_errors
def views_cities(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Views spec (TOML) with [records] and optional [cities]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: cities.csv, geocoded.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Science Cities: geocode affiliation cities offline and rank them by Share or Count."""
    from innometrics.views.pipeline import build_cities

    check_out_folder(out, "cities")
    _staged(build_cities, spec, out, engine, [("cities", ["rank", "name", "country", "count", "share"], 10)], report, xlsx)


@views_app.command("clusters")
@handle_errors
def views_clusters(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Views spec (TOML) with [records] and optional [clusters] (radius_km, min_weight, weight)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: clusters.csv, members.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """S&T clusters: DBSCAN over geocoded contributions, scored by share of the world's records."""
    from innometrics.views.pipeline import build_clusters

    check_out_folder(out, "clusters")
    _staged(build_clusters, spec, out, engine,
            [("clusters", ["rank", "cluster", "name", "p_full", "p_frac", "share_frac"], 10)], report, xlsx)


@views_app.command("nature-index")
@handle_errors
def views_nature_index(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Views spec (TOML) with [records] and [nature_index]; optional [institutions] (ROR registry: parents and joint institutions from ROR)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: leaders.csv, [adjusted_share.csv], [collaboration.csv], rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Nature Index research leaders: Count, Share, adjusted Share, parent roll-up, joint credit, CS."""
    from innometrics.views.pipeline import build_nature_index

    check_out_folder(out, "nature_index")
    _staged(build_nature_index, spec, out, engine,
            [("leaders", ["rank", "unit", "name", "count", "share", "non_additive"], 10)], report, xlsx)


@views_app.command("designations")
@handle_errors
def views_designations(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Views spec (TOML) with [designations] path (people table)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: <level>.csv, people.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Designation counts (Highly Cited Researchers style) by primary affiliation and country."""
    from innometrics.views.pipeline import build_designations

    columns = ["rank", "unit", "name", "designations", "designations_frac", "people"]
    check_out_folder(out, "designations")
    _staged(build_designations, spec, out, engine,
            [("institution", columns, 8), ("country", columns, 8)], report, xlsx)


def register(app: typer.Typer) -> None:
    app.add_typer(achievements_app, name="achievements")
    app.add_typer(views_app, name="views")
