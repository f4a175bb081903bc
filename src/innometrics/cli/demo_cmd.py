"""``innometrics demo``: run the main jobs on the bundled data and print where the output is."""

from __future__ import annotations

from pathlib import Path

import typer

from innometrics.cli.common import console, err_console, handle_errors


from innometrics.datasets import bundled_path as bundled
from innometrics.io.outdir import staged_output


#: The workbook every demo job writes beside its tables (the ``--xlsx`` of the build commands).
WORKBOOK = "results.xlsx"


def with_report(rows: list[tuple[str, Path]], label: str, folder: Path, report: bool,
                highlight: list[str] | None = None) -> list[tuple[str, Path]]:
    """``rows`` plus ``(label, report.html)`` when reports are enabled and ``(workbook, results.xlsx)``
    (both are written here)."""
    from innometrics.report import maybe_write_report

    page = maybe_write_report(folder, report, highlight=highlight, xlsx=folder / WORKBOOK)
    workbook = (label.replace(" report", "") + " workbook", folder / WORKBOOK)
    return rows + ([(label, page)] if page is not None else []) + [workbook]


def shown(rows: list[tuple[str, Path]], stage: Path, final: Path) -> list[tuple[str, Path]]:
    """``rows`` with paths in the staging folder ``stage`` named as they will be in ``final``."""
    return [(label, final / path.relative_to(stage)) for label, path in rows]


def demo_beijing(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Beijing 2014 vs 2023: multiples and CAGRs of the quoted figures, and per-capita values."""
    from innometrics.panel.run import run_trends, write_trends

    result = run_trends(
        bundled("beijing", "beijing_2014_2023.csv"),
        meta_path=bundled("beijing", "beijing_indicators.csv"),
        per="resident_population",
        scale=10000,
        per_indicators=["high_tech_enterprises", "tech_contract_value"],
    )
    result.highlight = ["CN-BJ"]
    with staged_output(out / "beijing") as stage:
        folder = write_trends(result, stage)
        rows = with_report([("Beijing trends", folder / "trends.csv")], "Beijing report", folder, report, ["CN-BJ"])
    return shown(rows, stage, out / "beijing")


def demo_china_provinces(out: Path, report: bool) -> list[tuple[str, Path]]:
    """The cleaned provincial panel 2010-2023 and its trends, Beijing against peers."""
    from innometrics.io.manifest import input_record
    from innometrics.io.writers import write_csv
    from innometrics.panel.china import TABLES, clean_china_provinces, default_source_dir
    from innometrics.panel.run import trends_from_panel, write_trends

    cleaned = clean_china_provinces()
    highlight = ["CN-BJ", "CN", "CN-SH", "CN-GD"]
    inputs = [input_record(default_source_dir() / f"{t}.csv") for t in TABLES]
    log = [{"step": "clean", "method": "china_provinces", "params": {"tables": TABLES}}]
    result = trends_from_panel(
        cleaned.panel, units=cleaned.units, indicators=cleaned.indicators, rejects=cleaned.rejects,
        read=int(cleaned.log["read"].sum()), inputs=inputs, log=log, base_period=2014, highlight=highlight,
    )
    # Duplicated publications of one value are neither used twice nor lost: count them.
    result.counts["duplicates"] = int(cleaned.log["duplicates"].sum())
    result.counts["used"] = len(cleaned.panel)
    with staged_output(out / "china_provinces") as stage:
        folder = write_trends(result, stage)
        write_csv(cleaned.log, folder / "cleaning_log.csv")
        rows = with_report([("China provinces trends", folder / "trends.csv")], "China provinces report", folder, report,
                           highlight)
    return shown(rows, stage, out / "china_provinces")


#: The spec of the provincial S&T index demo (the data paths are filled in by the demo).
CHINA_ST_INDEX_SPEC = """\
# Provincial S&T development index, 2010 = 100, every year 2010-2023.
# Six dimensions of the China provincial panel (innometrics.panel.china.ST_INDEX_DIMENSIONS),
# weights in meta.csv: R&D expenditure 0.20, R&D intensity 0.15, basic research 0.10,
# public S&T budget 0.15, invention patents granted 0.25, SCI papers 0.15.
[data]
indicators = "panel.csv"
meta = "meta.csv"
units = "units.csv"
period = "all"

# R&D intensity starts in 2011 and SCI papers end in 2022: each series is filled over time
# (linear between observations, the nearest observation held at the ends).
[impute]
method = "panel"
type = "linear-constant"

# Each indicator of each province as 100 x value / its 2010 value.
[normalise]
method = "index"
base_period = 2010

[aggregate]
method = "arithmetic"
"""


def demo_china_index(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Provincial S&T development index 2010-2023 (2010 = 100), six weighted dimensions; Beijing's growth; leave one dimension out."""
    from innometrics.composite import pipeline
    from innometrics.composite.influence import remove_elements, write_leave_one_out
    from innometrics.composite.outputs import write_build
    from innometrics.composite.timeseries import growth_readings, write_timeseries
    from innometrics.io.outdir import restate_paths
    from innometrics.io.writers import write_csv, write_text
    from innometrics.panel.china import clean_china_provinces, st_index_inputs
    from innometrics.report.format import format_growth

    panel, meta, units = st_index_inputs(clean_china_provinces())
    with staged_output(out / "china_st_index") as folder:
        inputs = folder / "inputs"
        write_csv(panel, inputs / "panel.csv")
        write_csv(meta, inputs / "meta.csv")
        write_csv(units, inputs / "units.csv")
        write_text(CHINA_ST_INDEX_SPEC, inputs / "spec.toml")
        built = pipeline.build(inputs / "spec.toml")
        write_build(built, folder)
        write_timeseries(built, folder)
        # leave one dimension out of the latest year: how much the ranking rests on each dimension
        latest = built.builds[list(built.builds)[-1]]
        write_leave_one_out(remove_elements(latest, 1), folder)
        # the build read its inputs in the staging folder: record them where they will be
        restate_paths(folder)
        reading = growth_readings(built).set_index("uCode").loc["CN-BJ"]
        err_console.print(
            f"  Beijing S&T index {reading['base_period']}-{reading['period']}: {reading['base_value']:.0f} -> "
            f"{reading['value']:.1f}, {format_growth(reading['multiple'])}", highlight=False)
        rows = with_report([("China S&T index results", folder / "results.csv")], "China S&T index report", folder,
                           report, ["CN-BJ", "CN", "CN-SH", "CN-GD"])
    return shown(rows, folder, out / "china_st_index")


def demo_asem_index(out: Path, report: bool) -> list[tuple[str, Path]]:
    """COINr's ASEM example index: build, statistical audit, and 1,000-replication sensitivity analysis."""
    from innometrics.cli.common import progress
    from innometrics.composite import pipeline
    from innometrics.composite.outputs import write_build
    from innometrics.composite.audit import check_audit_settings, write_audit
    from innometrics.composite.sensitivity import analyse, design_size, parse_sensitivity, write_sensitivity
    from innometrics.io.manifest import extend_manifest

    spec_path = bundled("asem", "asem_sensitivity.toml")
    spec = pipeline.load_spec(spec_path)
    nominal = pipeline.build(spec)
    settings = check_audit_settings(getattr(spec, "audit", None), file=spec_path)
    sens = parse_sensitivity(spec.sensitivity, file=spec_path)
    with progress() as bar:
        task = bar.add_task("sensitivity replications", total=design_size(sens))
        result = analyse(nominal, sens, progress=lambda k: bar.advance(task, k))
    with staged_output(out / "asem_index") as folder:
        write_build(nominal, folder)
        extend_manifest(folder, write_audit(nominal, folder, **settings), {"step": "audit", "method": "coinr", "params": dict(settings)})
        extend_manifest(folder, write_sensitivity(result, folder), {"step": "sensitivity", "method": "saltelli_sobol", "params": sens.to_dict()})
        rows = [("ASEM index results", folder / "results.csv"), ("ASEM rank intervals", folder / "sensitivity" / "rank_intervals.csv")]
        rows = with_report(rows, "ASEM index report", folder, report)
    return shown(rows, folder, out / "asem_index")


def demo_rankings(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Country and institution rankings of a real Web of Science export, fractional counting with stability intervals."""
    from innometrics.rankings.pipeline import rank_build, write_rank

    result = rank_build(bundled("bibliographic", "wos_rank.toml"))
    c = result.summary["counts"]
    err_console.print(f"  records: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}", highlight=False)
    with staged_output(out / "rank_wos") as stage:
        folder = write_rank(result, stage)
        rows = [("WoS country ranking", folder / "country.csv"), ("WoS institution ranking", folder / "institution.csv")]
        rows = with_report(rows, "WoS ranking report", folder, report)
    return shown(rows, stage, out / "rank_wos")


def demo_patents(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Espacenet patent sample counted by inventor country and technology field (simple families, OECD fractional)."""
    from innometrics.rankings.pipeline import rank_build, write_rank

    result = rank_build(bundled("patents", "espacenet_rank.toml"))
    c = result.summary["counts"]
    err_console.print(f"  applications: read {c['read']:,} = used {c['used']:,} + rejected {c['rejected']:,}; "
                      f"{result.summary['patents']['units_counted']:,} families counted", highlight=False)
    with staged_output(out / "rank_patents") as stage:
        folder = write_rank(result, stage)
        rows = [("Patents by inventor country", folder / "country.csv"),
                ("Patents by technology field", folder / "field.csv"), ("Country x field, RTA", folder / "fields.csv")]
        rows = with_report(rows, "Patent ranking report", folder, report)
    return shown(rows, stage, out / "rank_patents")


def demo_achievements(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Achievement lists (BenchCouncil style) from the bundled chip landmarks table (not BenchCouncil's list)."""
    from innometrics.views.achievement_lists import build_achievement_lists, write_achievement_lists

    result = build_achievement_lists(bundled("achievements", "chip_landmarks.toml"))
    with staged_output(out / "achievements") as stage:
        folder = write_achievement_lists(result, stage)
        rows = [("Achievement list", folder / "achievements.csv"), ("Achievement countries", folder / "country.csv")]
        rows = with_report(rows, "Achievements report", folder, report)
    return shown(rows, stage, out / "achievements")


def demo_views(out: Path, report: bool) -> list[tuple[str, Path]]:
    """Science Cities, S&T clusters and Nature Index leaders from the bundled Web of Science export."""
    from innometrics.views.pipeline import build_cities, build_clusters, build_nature_index

    spec = bundled("bibliographic", "wos_views.toml")
    rows = []
    for name, builder, table in (("cities", build_cities, "cities.csv"), ("clusters", build_clusters, "clusters.csv"),
                                 ("nature_index", build_nature_index, "leaders.csv")):
        with staged_output(out / name) as stage:
            folder = builder(spec, stage)
            label = name.replace("_", " ").capitalize()
            step_rows = with_report([(f"{label} table", folder / table)], f"{label} report", folder, report)
        rows += shown(step_rows, stage, out / name)
    return rows


@handle_errors
def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", "-o", help="Folder for all demo outputs."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write the HTML reports."),
) -> None:
    """Run every main job on bundled data and print where the outputs are.

    Trends (Beijing, China provinces), the provincial S&T index over time (2010 = 100),
    the ASEM index with audit and sensitivity, a
    WoS country and institution ranking, achievement lists, cities, clusters, Nature
    Index leaders, and Espacenet patents by inventor country and technology field.
    """
    steps = [demo_beijing, demo_china_provinces, demo_china_index, demo_asem_index, demo_rankings, demo_achievements,
             demo_views, demo_patents]
    produced: list[tuple[str, Path]] = []
    for step in steps:
        err_console.print(f"demo: {step.__doc__.splitlines()[0]}", highlight=False)
        produced += step(out, report)
    console.print("\nDemo outputs")
    for label, path in produced:
        console.print(f"  {label:<28} {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
