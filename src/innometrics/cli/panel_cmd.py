"""``innometrics panel ...``: validate, convert, rebase and take ratios of panels."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import App, console, err_console, handle_errors

panel_app = App(help="Validate, convert and transform indicator panels.", no_args_is_help=True, rich_markup_mode=None)


def _read(path: Path, meta: Optional[Path], layout: str, encoding: str, strict: bool, allow_infinite: bool = False):
    from innometrics.io.panels import read_indicator_meta, read_panel

    known = None
    if meta is not None:
        m = read_indicator_meta(meta, encoding=encoding)
        known = list(m["code"])
    result = read_panel(path, layout=layout, encoding=encoding, indicators=known, strict=strict,
                        allow_infinite=allow_infinite)
    err_console.print(result.summary(), highlight=False)
    return result


@panel_app.command("validate")
@handle_errors
def validate(
    panel: Path = typer.Argument(..., metavar="PANEL", help="Panel file (long or wide; CSV, XLSX or Parquet)."),
    meta: Optional[Path] = typer.Option(None, "--meta", help="Indicator metadata; checks codes and the hierarchy."),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="Write rejected observations here (CSV)."),
    layout: str = typer.Option("auto", "--layout", help="auto, long or wide."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV input."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 2 at the first unusable observation."),
    allow_infinite: bool = typer.Option(False, "--allow-infinite", help="Accept inf, -Infinity and 1e400 (rejected as non_finite by default)."),
) -> None:
    """Check a panel and its metadata; print read = used + rejected and the reasons."""
    from innometrics.io.writers import write_csv

    result = _read(panel, meta, layout, encoding, strict, allow_infinite)
    if result.rejected:
        counts = result.rejects["reason"].value_counts()
        for reason, n in counts.items():
            err_console.print(f"  rejected {n:,}: {reason}", highlight=False)
        if rejects is not None:
            write_csv(result.rejects, rejects)
            console.print(f"rejects: {rejects}", highlight=False)
    else:
        console.print("ok: every observation is usable")


@panel_app.command("convert")
@handle_errors
def convert(
    panel: Path = typer.Argument(..., metavar="PANEL", help="Input panel file."),
    out: Path = typer.Argument(..., metavar="OUT", help="Output file: .csv, .parquet or .xlsx."),
    to: str = typer.Option("long", "--to", help="Output layout: long or wide."),
    layout: str = typer.Option("auto", "--layout", help="Input layout: auto, long or wide."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV input."),
) -> None:
    """Convert a panel between long and wide layouts and file formats."""
    from innometrics.io.panels import write_panel

    result = _read(panel, None, layout, encoding, False)
    write_panel(result.panel, out, layout=to)
    console.print(f"wrote {out}", highlight=False)


@panel_app.command("per-capita")
@handle_errors
def per_capita_cmd(
    panel: Path = typer.Argument(..., metavar="PANEL", help="Input panel file."),
    per: str = typer.Option(..., "--per", help="Denominator indicator code, e.g. population."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file: .csv, .parquet or .xlsx."),
    scale: float = typer.Option(1.0, "--scale", help="Per this many denominator units (10000 = per 10,000)."),
    layout: str = typer.Option("auto", "--layout", help="Input layout: auto, long or wide."),
) -> None:
    """Write ratios value / denominator * scale for every other indicator."""
    from innometrics.io.panels import write_panel
    from innometrics.panel.trends import per_capita

    result = _read(panel, None, layout, "utf-8", False)
    write_panel(per_capita(result.panel, per, scale=scale), out)
    console.print(f"wrote {out}", highlight=False)


@panel_app.command("rebase")
@handle_errors
def rebase(
    panel: Path = typer.Argument(..., metavar="PANEL", help="Input panel file."),
    base_period: int = typer.Option(..., "--base-period", help="Period whose value becomes 100."),
    out: Path = typer.Option(..., "--out", "-o", help="Output file: .csv, .parquet or .xlsx."),
    layout: str = typer.Option("auto", "--layout", help="Input layout: auto, long or wide."),
) -> None:
    """Write a base-period index: value / value(base period) * 100."""
    from innometrics.io.panels import write_panel
    from innometrics.panel.trends import base_index

    result = _read(panel, None, layout, "utf-8", False)
    write_panel(base_index(result.panel, base_period), out)
    console.print(f"wrote {out}", highlight=False)


@panel_app.command("china-provinces")
@handle_errors
def china_provinces(
    out: Path = typer.Option(..., "--out", "-o", help="Output folder for panel.csv, indicators.csv, units.csv, rejects.csv, cleaning_log.csv."),
    source: Optional[Path] = typer.Option(None, "--source", help="Folder with the seven raw tables (default: the bundled copy)."),
) -> None:
    """Clean the bundled China provincial S&T statistics into a long panel."""
    from innometrics.io.writers import write_csv
    from innometrics.panel.china import clean_china_provinces

    from innometrics.io.outdir import staged_output

    cleaned = clean_china_provinces(source)
    with staged_output(out) as stage:
        write_csv(cleaned.panel, stage / "panel.csv")
        write_csv(cleaned.indicators, stage / "indicators.csv")
        write_csv(cleaned.units, stage / "units.csv")
        write_csv(cleaned.rejects, stage / "rejects.csv")
        write_csv(cleaned.log, stage / "cleaning_log.csv")
    p = cleaned.panel
    err_console.print(
        f"{p['unit'].nunique():,} units x {p['indicator'].nunique():,} indicators, {p['period'].min()}-{p['period'].max()}; "
        f"read {int(cleaned.log['read'].sum()):,} = used {len(p):,} + duplicates {int(cleaned.log['duplicates'].sum()):,} "
        f"+ rejected {len(cleaned.rejects):,}", highlight=False)
    console.print(f"wrote {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(panel_app, name="panel")
