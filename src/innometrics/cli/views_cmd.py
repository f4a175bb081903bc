"""``innometrics achievements build`` and ``innometrics views ...``: the public lists.

Achievement lists (BenchCouncil style), Science Cities and S&T clusters (Nature
Index, GII), Nature Index research leaders, and designation counts (Highly Cited
Researchers style). Each command reads a TOML spec and writes an output folder with
CSV tables, ``summary.json`` and ``manifest.json``, like ``innometrics rank build``.
"""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import console, err_console, handle_errors, report_step

achievements_app = typer.Typer(
    name="achievements",
    help="Achievement lists: achievements ranked within category, institution and country lists by main contributors.",
    no_args_is_help=True,
)
views_app = typer.Typer(
    name="views",
    help="Science Cities, S&T clusters, Nature Index research leaders and designation counts from a spec.",
    no_args_is_help=True,
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
    import pandas as pd

    df = pd.read_csv(path / f"{name}.csv", dtype={"rank": "Int64"})
    cols = [c for c in columns if c in df.columns]
    console.print(df[cols].head(n).to_string(index=False), highlight=False)


def _finish(written: Path, heads: list[tuple[str, list[str], int]], report: bool) -> None:
    """Print the counts and the head of each table, then write the report."""
    _summary_line(written)
    for name, columns, n in heads:
        if (written / f"{name}.csv").exists():
            _print_head(written, name, columns, n)
    console.print(f"tables: {written}", highlight=False)
    report_step(written, report)


@achievements_app.command("build")
@handle_errors
def achievements_build(
    spec: Path = typer.Argument(..., help="Achievement spec (TOML): [achievements] path, [count] variant/levels, optional [select]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: achievements.csv, <level>.csv, drilldown.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Rank achievements within category and credit their main contributors' units.

    Only first authors (equal first included) and corresponding authors (the last
    author when none is marked) credit their institutions and countries.
    """
    from innometrics.views.achievement_lists import build_achievement_lists, write_achievement_lists

    result = build_achievement_lists(spec, engine=engine)
    c = result.summary["counts"]
    err_console.print(f"{result.spec.path}: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}",
                      highlight=False)
    written = write_achievement_lists(result, out)
    for level in result.levels:
        _print_head(written, level, ["rank", "unit", "name", "p_full", "p_frac", "v_sum_full"], n=8)
    console.print(f"tables: {written}", highlight=False)
    report_step(written, report)


@views_app.command("cities")
@handle_errors
def views_cities(
    spec: Path = typer.Argument(..., help="Views spec (TOML) with [records] and optional [cities]."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: cities.csv, geocoded.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Science Cities: geocode affiliation cities offline and rank them by Share or Count."""
    from innometrics.views.pipeline import build_cities

    _finish(build_cities(spec, out, engine=engine), [("cities", ["rank", "name", "country", "count", "share"], 10)], report)


@views_app.command("clusters")
@handle_errors
def views_clusters(
    spec: Path = typer.Argument(..., help="Views spec (TOML) with [records] and optional [clusters] (radius_km, min_weight, weight)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: clusters.csv, members.csv, rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """S&T clusters: DBSCAN over geocoded contributions, scored by share of the world's records."""
    from innometrics.views.pipeline import build_clusters

    _finish(build_clusters(spec, out, engine=engine),
            [("clusters", ["rank", "cluster", "name", "p_full", "p_frac", "share_frac"], 10)], report)


@views_app.command("nature-index")
@handle_errors
def views_nature_index(
    spec: Path = typer.Argument(..., help="Views spec (TOML) with [records] and [nature_index]; optional [institutions] (ROR registry: parents and joint institutions from ROR)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: leaders.csv, [adjusted_share.csv], [collaboration.csv], rejects.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Nature Index research leaders: Count, Share, adjusted Share, parent roll-up, joint credit, CS."""
    from innometrics.views.pipeline import build_nature_index

    _finish(build_nature_index(spec, out, engine=engine),
            [("leaders", ["rank", "unit", "name", "count", "share", "non_additive"], 10)], report)


@views_app.command("designations")
@handle_errors
def views_designations(
    spec: Path = typer.Argument(..., help="Views spec (TOML) with [designations] path (people table)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: <level>.csv, people.csv, summary.json, manifest.json."),
    engine: str = typer.Option("duckdb", "--engine", help=_ENGINE_HELP),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
) -> None:
    """Designation counts (Highly Cited Researchers style) by primary affiliation and country."""
    from innometrics.views.pipeline import build_designations

    columns = ["rank", "unit", "name", "designations", "designations_frac", "people"]
    _finish(build_designations(spec, out, engine=engine),
            [("institution", columns, 8), ("country", columns, 8)], report)


def register(app: typer.Typer) -> None:
    app.add_typer(achievements_app, name="achievements")
    app.add_typer(views_app, name="views")
