"""``innometrics records``: convert bibliographic sources into the Parquet table layout."""

from __future__ import annotations

import os
import shutil
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
    parallel_parts: Optional[int] = typer.Option(None, "--parallel-parts", min=1,
                                                 help="Parts converted at once (default: --threads, else the "
                                                      "cores, at most 4)."),
) -> None:
    """Stream an OpenAlex works snapshot into Parquet tables, part by part.

    A few parts are converted at once (--parallel-parts); memory is that of those
    parts, whatever the snapshot's size. A part already converted (its done/ marker
    exists) is skipped, so rerunning after an interruption resumes. The output
    folder is read by 'rank build' (records.format = "tables") and by the engines.
    """
    from innometrics.errors import DataError
    from innometrics.records.openalex_snapshot import convert_openalex_snapshot

    created = not os.path.lexists(out)
    try:
        result = convert_openalex_snapshot(snapshot, out, threads=threads, memory_limit=memory_limit,
                                           progress=progress(), parallel_parts=parallel_parts)
        c = result.counts
        if not c["records"] + c["rejects"]:
            raise DataError(f"no works in the {result.parts} snapshot part(s) (empty or truncated gzip files?); "
                            "nothing converted", file=snapshot, reason="empty")
    except BaseException:
        # A failed first run leaves nothing behind; parts converted before the failure are
        # kept (the next run resumes from them), as are the folders of earlier runs.
        if created and not _works_done(out):
            shutil.rmtree(out, ignore_errors=True)
        raise
    err_console.print(f"{snapshot}: {result.parts} parts ({result.converted} converted now, {result.skipped} done "
                      f"before); works read {c['records'] + c['rejects']:,} = used {c['records']:,} + rejected "
                      f"{c['rejects']:,}; {c['contributors']:,} authorships, {c['affiliations']:,} affiliation rows "
                      f"({result.seconds:.1f} s)", highlight=False)
    console.print(f"tables: {out}", highlight=False)


def _works_done(out: Path) -> int:
    """Works in the parts of ``out`` marked done (0 when there is none or a marker is unreadable)."""
    import json

    total = 0
    for marker in sorted(out.glob("done/*.json")) if out.is_dir() else []:
        try:
            counts = json.loads(marker.read_text(encoding="utf-8"))["counts"]
            total += int(counts.get("records", 0)) + int(counts.get("rejects", 0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return total


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")
