"""``innometrics records``: convert bibliographic sources into the Parquet table layout."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from innometrics.cli.common import App, console, err_console, handle_errors, progress

records_app = App(help="Convert bibliographic sources into the Parquet table layout.", no_args_is_help=True)


@records_app.command("convert-openalex")
@handle_errors
def convert_openalex(
    snapshot: Path = typer.Argument(..., metavar="SNAPSHOT", help="The OpenAlex works snapshot folder (updated_date=*/part_*.gz), or a "
                                              "folder containing works/ or data/works/."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder: records/, contributors/, affiliations/, "
                                                      "rejects/ (one Parquet file per part) and done/ markers."),
    threads: Optional[int] = typer.Option(None, "--threads", help="DuckDB threads (default: all cores)."),
    memory_limit: Optional[str] = typer.Option(None, "--memory-limit", help="DuckDB memory limit, e.g. 4GB."),
) -> None:
    """Stream an OpenAlex works snapshot into Parquet tables, one part at a time.

    Memory is that of one part; a part already converted (its done/ marker exists)
    is skipped, so rerunning after an interruption resumes. The output folder is
    read by 'rank build' (records.format = "tables") and by the engines.
    """
    from innometrics.records.openalex_snapshot import convert_openalex_snapshot

    result = convert_openalex_snapshot(snapshot, out, threads=threads, memory_limit=memory_limit,
                                       progress=progress())
    c = result.counts
    err_console.print(f"{snapshot}: {result.parts} parts ({result.converted} converted now, {result.skipped} done "
                      f"before); works read {c['records'] + c['rejects']:,} = used {c['records']:,} + rejected "
                      f"{c['rejects']:,}; {c['contributors']:,} authorships, {c['affiliations']:,} affiliation rows "
                      f"({result.seconds:.1f} s)", highlight=False)
    console.print(f"tables: {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")
