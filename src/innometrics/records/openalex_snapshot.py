"""Stream an OpenAlex works snapshot into the Parquet table layout, part by part.

The snapshot (https://docs.openalex.org/download-all-data/snapshot-data-format) is a
folder ``works/updated_date=YYYY-MM-DD/part_NNN.gz`` of gzipped JSON Lines, one work
object per line, a few hundred GB in all. :func:`convert_openalex_snapshot` converts
each part on its own with DuckDB (``read_json`` with the columns and nested types
given explicitly, so nothing is inferred and unused fields are skipped by the
parser; ``UNNEST`` for the authorships and their institutions) and writes

``OUT/records/<part>.parquet``, ``OUT/contributors/<part>.parquet``,
``OUT/affiliations/<part>.parquet``, ``OUT/rejects/<part>.parquet``

then ``OUT/done/<part>.json`` (the part's row counts), each file written under a
temporary name and renamed, the marker last. A part with a marker is not converted
again, so an interrupted conversion resumes where it stopped. Parts are converted
``parallel_parts`` at a time (default: one per DuckDB thread, at most 4), each on its own
cursor of one DuckDB database: a gzip part is decompressed and parsed by one thread, so one
part at a time left the other cores idle during the read, while DuckDB's own ``read_json``
of a folder reads several files at once. Memory is that of ``parallel_parts`` parts
(DuckDB's ``memory_limit`` caps it), whatever the number of parts. The output
folder is read by the ``tables`` reader (each table a folder of Parquet parts) and
by the engines (``read_parquet('OUT/affiliations/*.parquet')``).

The rows follow :func:`innometrics.records.openalex.build_openalex_work` (the JSON
reader), with what the snapshot makes cheap to stream:

* records: ``record_id`` (short OpenAlex id), ``year`` (``publication_year``),
  ``type``, ``title`` (``display_name``, else ``title``), ``weight`` 1.0,
  ``citations`` (``cited_by_count``), and ``field`` (``primary_topic.field``),
  ``is_oa`` (``open_access.is_oa``);
* contributors: one per authorship, ``position`` its 1-based place, ``name``,
  ``identifier`` (short author id, else ORCID), ``is_corresponding``
  (``authorships[].is_corresponding``, else membership of
  ``corresponding_author_ids``);
* affiliations: one per distinct institution of an authorship (an institution
  listed twice for one author counts once), ``institution`` (display name),
  ``institution_id`` (short id), ``ror``, ``country`` (alpha-3 from
  ``country_code``), ``country_raw``; an author without institutions (empty or
  null list) gets one row per distinct code in ``authorships[].countries``, and none
  when that is empty too (the author is then unlinked and credits ``unknown``).
  Raw affiliation strings are not parsed here (the JSON reader parses those matched
  to no institution; a snapshot's works almost all have institutions).
* rejects, ``file, row, record_id, reason`` (``row``: the line in the part):
  ``missing_id``, ``unparsable_year`` (not an integer in 1000-2999),
  ``unparsable_citations``, ``no_authors``.

A part that is not intact gzip (truncated, or failing the CRC-32 check that DuckDB's
reader skips), or holds a line that is not a JSON object, raises a
:class:`~innometrics.errors.DataError` naming the part; the parts converted so far
stay done.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from isal import igzip, isal_zlib

from innometrics.errors import DataError

TABLES = ("records", "contributors", "affiliations", "rejects")

#: The work fields read, with their types (everything else in a line is skipped).
WORK_COLUMNS = {
    "id": "VARCHAR",
    "publication_year": "VARCHAR",
    "type": "VARCHAR",
    "display_name": "VARCHAR",
    "title": "VARCHAR",
    "cited_by_count": "VARCHAR",
    "corresponding_author_ids": "VARCHAR[]",
    # only the struct fields used: a key not named in a struct type is skipped by the parser,
    # and reading topic and access in full took a fifth longer per part
    "primary_topic": "STRUCT(field STRUCT(display_name VARCHAR))",
    "open_access": "STRUCT(is_oa BOOLEAN)",
    "authorships": (
        "STRUCT(author STRUCT(id VARCHAR, display_name VARCHAR, orcid VARCHAR), raw_author_name VARCHAR, "
        "is_corresponding BOOLEAN, countries VARCHAR[], "
        "institutions STRUCT(id VARCHAR, display_name VARCHAR, ror VARCHAR, country_code VARCHAR)[])[]"
    ),
}

_SHORT = r"regexp_replace({}, '^https?://(openalex\.org|ror\.org)/', '')"


def _short(expr: str) -> str:
    """SQL for :func:`innometrics.records.openalex.short_id` of ``expr``: trimmed, URL prefix dropped, '' as NULL.

    The usual forms (``https://openalex.org/I123``, ``https://ror.org/05abc12``, starting with
    the prefix and ending in a character between '0' and 'z', so there is nothing to trim)
    take a substring; anything else goes through ``trim`` and the regular expression, which
    on every row cost about a tenth of a part's conversion.
    """
    slow = "nullif(" + _SHORT.format(f"trim({expr})") + ", '')"
    return (f"CASE WHEN starts_with({expr}, 'https://openalex.org/') AND {expr}[-1:] BETWEEN '0' AND 'z' "
            f"THEN {expr}[22:] "
            f"WHEN starts_with({expr}, 'https://ror.org/') AND {expr}[-1:] BETWEEN '0' AND 'z' THEN {expr}[17:] "
            f"ELSE {slow} END")


# the part read once into a table, in the file's order (the connection preserves insertion
# order and a gzip file is read by one thread), so a work's line is its rowid + 1: numbering the
# parsed works with a window instead took twice as long as storing them (and reading the part a
# second time for the authors, with a window over the works' own fields only, longer still)
_WORKS_SQL = """
CREATE OR REPLACE TEMP TABLE works AS
SELECT *
FROM read_json({path}, format = 'newline_delimited', compression = 'gzip', columns = {columns},
               maximum_object_size = 268435456)
"""

# each work's line, record fields and checks, computed once (records, rejects and authors read
# them; as a view they were computed three times); row i of this table is row i of ``works``,
# which the authors query pairs with a POSITIONAL JOIN (no key to join on)
_CHECKED_SQL = """
CREATE OR REPLACE TEMP TABLE checked AS
SELECT rowid + 1 AS line, {rid} AS record_id,
       TRY_CAST(trim(publication_year) AS INTEGER) AS year,
       TRY_CAST(trim(cited_by_count) AS BIGINT) AS citations,
       type, coalesce(nullif(display_name, ''), nullif(title, '')) AS title,
       primary_topic.field.display_name AS field, open_access.is_oa AS is_oa,
       CASE WHEN {rid} IS NULL THEN 'missing_id'
            WHEN nullif(trim(publication_year), '') IS NOT NULL
                 AND coalesce(TRY_CAST(trim(publication_year) AS INTEGER) NOT BETWEEN 1000 AND 2999, true)
                 THEN 'unparsable_year'
            WHEN nullif(trim(cited_by_count), '') IS NOT NULL AND TRY_CAST(trim(cited_by_count) AS BIGINT) IS NULL
                 THEN 'unparsable_citations'
            WHEN coalesce(len(authorships), 0) = 0 THEN 'no_authors'
       END AS reason
FROM works
"""

_RECORDS_SQL = """
SELECT record_id, CAST(year AS BIGINT) AS year, CAST(type AS VARCHAR) AS type, CAST(title AS VARCHAR) AS title,
       1.0::DOUBLE AS weight, CAST(citations AS BIGINT) AS citations,
       CAST(field AS VARCHAR) AS field, CAST(is_oa AS BOOLEAN) AS is_oa, 'openalex' AS source_format
FROM checked WHERE reason IS NULL
"""

# one row per author with only the fields the two tables below read (the whole authorship
# struct stored per author held each institution list twice)
_AUTHORS_SQL = """
CREATE OR REPLACE TEMP TABLE authors AS
SELECT record_id, position,
       CAST(coalesce(nullif(a.author.display_name, ''), nullif(a.raw_author_name, '')) AS VARCHAR) AS name,
       CAST(coalesce({author_id}, regexp_extract(a.author.orcid, '(\\d{{4}}-\\d{{4}}-\\d{{4}}-\\d{{3}}[\\dX])', 1))
            AS VARCHAR) AS identifier,
       coalesce(a.is_corresponding,
                coalesce(list_contains(list_transform(corresponding_author_ids, x -> {x_id}), {author_id}), false))
           AS is_corresponding,
       a.countries AS countries,
       -- an institution listed twice for one author counts once (the JSON reader's rule)
       list_filter(a.institutions, (x, j) -> x.id IS NULL
                   OR list_position(list_transform(a.institutions, y -> y.id), x.id) = j) AS insts
FROM (SELECT record_id, corresponding_author_ids, unnest(authorships) AS a,
             generate_subscripts(authorships, 1) AS position
      FROM works POSITIONAL JOIN checked WHERE reason IS NULL)
"""

_CONTRIBUTORS_SQL = """
SELECT record_id, CAST(position AS BIGINT) AS position, name, identifier, is_corresponding
FROM authors
"""

_AFFILIATIONS_SQL = """
WITH by_institution AS (
    SELECT record_id, position, unnest(insts) AS i FROM authors WHERE len(insts) > 0),
by_country AS (  -- authors without institutions: their distinct countries, in the order listed
    SELECT record_id, position, unnest(list_filter(codes, (c, j) -> c <> '' AND list_position(codes, c) = j)) AS code
    FROM (SELECT record_id, position, list_transform(countries, c -> upper(trim(c))) AS codes
          FROM authors WHERE coalesce(len(insts), 0) = 0))
SELECT record_id, CAST(position AS BIGINT) AS position, CAST(i.display_name AS VARCHAR) AS raw,
       CAST(i.display_name AS VARCHAR) AS institution, CAST({inst_id} AS VARCHAR) AS institution_id,
       CAST({ror} AS VARCHAR) AS ror, NULL::VARCHAR AS city,
       CAST(alpha3(upper(trim(i.country_code))) AS VARCHAR) AS country,
       CAST(nullif(trim(i.country_code), '') AS VARCHAR) AS country_raw
FROM by_institution
UNION ALL
SELECT record_id, CAST(position AS BIGINT), NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR,
       NULL::VARCHAR, CAST(alpha3(code) AS VARCHAR), CAST(code AS VARCHAR)
FROM by_country
"""

_REJECTS_SQL = """
SELECT CAST({file} AS VARCHAR) AS file, CAST(line AS BIGINT) AS row, CAST(record_id AS VARCHAR) AS record_id,
       CAST(reason AS VARCHAR) AS reason
FROM checked WHERE reason IS NOT NULL
"""


@dataclass
class SnapshotConversion:
    """What :func:`convert_openalex_snapshot` did.

    ``parts`` found, ``converted`` now, ``skipped`` (done before); ``counts``: rows
    per table over all done parts (``records + rejects`` = works read); ``seconds``.
    """

    out_dir: Path
    parts: int
    converted: int
    skipped: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def find_snapshot_parts(snapshot_dir: str | os.PathLike) -> list[Path]:
    """The ``updated_date=*/part_*.gz`` files under ``snapshot_dir`` (or its ``works``/``data/works``), sorted.

    Raises
    ------
    DataError
        When the folder does not exist or holds no part.
    """
    root = Path(snapshot_dir)
    if not root.is_dir():
        raise DataError("snapshot folder not found", file=root, reason="not_found")
    for base in (root, root / "works", root / "data" / "works"):
        parts = sorted(base.glob("updated_date=*/part_*.gz"))
        if parts:
            return parts
    raise DataError("no snapshot part found; expected updated_date=YYYY-MM-DD/part_NNN.gz files (the OpenAlex "
                    "works snapshot layout)", file=root, reason="format")


def part_key(part: Path) -> str:
    """``updated_date=2024-01-31/part_003.gz`` -> ``2024-01-31_part_003`` (the part's output name)."""
    date = part.parent.name.split("=", 1)[-1]
    stem = part.name[:-3] if part.name.endswith(".gz") else part.stem
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{date}_{stem}")


def _sql_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _connect(threads: int | None, memory_limit: str | None, temp_directory: Path):
    import duckdb
    import pycountry

    config = {"preserve_insertion_order": True}
    if threads:
        config["threads"] = int(threads)
    if memory_limit:
        config["memory_limit"] = str(memory_limit)
    config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(config=config)
    # alpha-2 -> alpha-3 as a lookup in a constant list of the 26 x 26 two-letter codes, not
    # a join: DuckDB's hash join does not keep the probe side's order, so the affiliations of
    # a part came out in a different order from run to run; a macro of the database (not a
    # temporary one) so every part's cursor sees it
    table = ["NULL"] * (26 * 26)
    for country in pycountry.countries:
        code = country.alpha_2
        table[(ord(code[0]) - 65) * 26 + ord(code[1]) - 65] = _sql_text(country.alpha_3)
    con.execute("CREATE MACRO alpha3(code) AS CASE WHEN length(code) = 2 AND code[1] BETWEEN 'A' AND 'Z' "
                "AND code[2] BETWEEN 'A' AND 'Z' THEN "
                f"[{', '.join(table)}][(ascii(code[1]) - 65) * 26 + ascii(code[2]) - 64] END")
    return con


def gzip_problem(path: Path) -> str | None:
    """Why a gzip file is not intact (truncated, bad CRC-32 or length, bad deflate data), or None.

    DuckDB's gzip reader does not check the CRC-32 and length of the gzip trailer, so a part
    with a flipped byte could convert what it happens to decompress; ISA-L's gzip reader
    (``isal.igzip``, the ``gzip`` module's interface) checks both, 3.6 times as fast as
    Python's ``gzip`` (0.37 s against 1.36 s for a 60 MB part): the check is a second
    decompression of every part, on the cores DuckDB converts with. It releases the GIL,
    so it runs beside DuckDB's read.
    """
    try:
        with igzip.open(path, "rb") as handle:
            while handle.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error, isal_zlib.error) as exc:  # BadGzipFile is an OSError
        return str(exc) or type(exc).__name__
    return None


def convert_part(con, part: Path, out_dir: Path, key: str) -> dict[str, int]:
    """Convert one part (see the module docstring); return its row counts. The done marker is written last.

    Nothing is written for a part that is not intact gzip (:func:`gzip_problem`, checked while
    DuckDB reads it).
    """
    import duckdb

    columns = "{" + ", ".join(f"{_sql_text(k)}: {_sql_text(v)}" for k, v in WORK_COLUMNS.items()) + "}"
    works = _WORKS_SQL.format(path=_sql_text(str(part)), columns=columns)
    with ThreadPoolExecutor(max_workers=1) as pool:
        check = pool.submit(gzip_problem, part)
        try:
            con.execute(works)
            con.execute(_CHECKED_SQL.format(rid=_short("id")))
            read_error = None
        except duckdb.Error as exc:
            read_error = str(exc).splitlines()[0]
        problem = check.result()
    if problem is not None:
        raise DataError(f"the snapshot part is not intact gzip ({problem}); download it again",
                        file=part, reason="unreadable")
    if read_error is not None:
        raise DataError(f"cannot read the snapshot part as gzipped JSON Lines of work objects: {read_error}",
                        file=part, reason="unreadable")
    con.execute(_AUTHORS_SQL.format(author_id=_short("a.author.id"), x_id=_short("x")))
    queries = {
        "records": _RECORDS_SQL,
        "contributors": _CONTRIBUTORS_SQL,
        "affiliations": _AFFILIATIONS_SQL.format(inst_id=_short("i.id"), ror=_short("i.ror")),
        "rejects": _REJECTS_SQL.format(file=_sql_text(str(part))),
    }
    counts = {}
    for table, query in queries.items():
        folder = out_dir / table
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / f"{key}.parquet"
        tmp = folder / f".{key}.parquet.tmp"
        counts[table] = int(con.execute(f"COPY ({query}) TO {_sql_text(str(tmp))} (FORMAT parquet)").fetchone()[0])
        os.replace(tmp, final)
    con.execute("DROP TABLE IF EXISTS checked; DROP TABLE IF EXISTS authors; DROP TABLE IF EXISTS works")
    done = out_dir / "done"
    done.mkdir(parents=True, exist_ok=True)
    tmp = done / f".{key}.json.tmp"
    tmp.write_text(json.dumps({"part": str(part), "counts": counts}), encoding="utf-8")
    os.replace(tmp, done / f"{key}.json")
    return counts


def _convert_parts(con, todo: list[tuple[Path, str]], out: Path, parallel_parts: int, done=None) -> None:
    """Convert ``todo`` (part, key) pairs, ``parallel_parts`` at a time, each on its own cursor.

    Each part's output depends on that part alone, so the order parts finish in changes no
    file. After a failure no part is started; the first failing part (in ``todo`` order) raises.
    """
    workers = max(1, min(int(parallel_parts), len(todo)))
    cursors = [con.cursor() for _ in range(workers)]
    free = list(cursors)
    failed: dict[int, BaseException] = {}
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            running = {}
            pending = iter(enumerate(todo))
            while True:
                while free and not failed:
                    nxt = next(pending, None)
                    if nxt is None:
                        break
                    i, (part, key) = nxt
                    cursor = free.pop()
                    running[pool.submit(convert_part, cursor, part, out, key)] = (i, part, cursor)
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    i, part, cursor = running.pop(future)
                    free.append(cursor)
                    if future.exception() is not None:
                        failed[i] = future.exception()
                    elif done is not None:
                        done(part)
    finally:
        for cursor in cursors:
            cursor.close()
    if failed:
        raise failed[min(failed)]


def convert_openalex_snapshot(
    snapshot_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress=None,
    parallel_parts: int | None = None,
) -> SnapshotConversion:
    """Convert every part of a works snapshot into ``out_dir`` (see the module docstring).

    Parameters
    ----------
    snapshot_dir : path
        The snapshot's ``works`` folder (or a folder containing it).
    out_dir : path
        The output folder; parts already done there are skipped (resume).
    threads, memory_limit : optional
        DuckDB settings (default: all cores, DuckDB's default memory limit); memory
        use is that of the largest part, not of the snapshot.
    progress : rich.progress.Progress, optional
        A progress bar (Rich) advanced after each part (the CLI passes one).
    parallel_parts : int, optional
        Parts converted at once (default: ``threads``, else the cores, at most 4). When a
        part fails, no further part is started, the running ones finish (and stay done)
        and the error of the first failing part in file order is raised.
    """
    if parallel_parts is not None and int(parallel_parts) < 1:
        raise ValueError(f"parallel_parts must be at least 1, got {parallel_parts!r}")
    started = time.perf_counter()
    parts = find_snapshot_parts(snapshot_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keys = [part_key(p) for p in parts]
    if len(set(keys)) != len(keys):
        raise DataError("two snapshot parts map to the same output name", file=snapshot_dir, reason="duplicate_key")
    todo = [(p, k) for p, k in zip(parts, keys) if not (out / "done" / f"{k}.json").exists()]
    tmp_dir = out / ".duckdb_tmp"
    con = _connect(threads, memory_limit, tmp_dir)
    if parallel_parts is None:
        parallel_parts = min(int(threads or os.cpu_count() or 1), 4)
    try:
        if progress is not None and todo:
            with progress as bar:
                task = bar.add_task("converting parts", total=len(todo))
                _convert_parts(con, todo, out, parallel_parts,
                               done=lambda part: bar.update(task, advance=1,
                                                            description=f"converted {part.parent.name}/{part.name}"))
        else:
            _convert_parts(con, todo, out, parallel_parts)
    finally:
        con.close()
        if tmp_dir.exists() and not any(tmp_dir.iterdir()):
            tmp_dir.rmdir()
    counts = {t: 0 for t in TABLES}
    for key in keys:
        for t, n in json.loads((out / "done" / f"{key}.json").read_text(encoding="utf-8"))["counts"].items():
            counts[t] = counts.get(t, 0) + int(n)
    return SnapshotConversion(out_dir=out, parts=len(parts), converted=len(todo), skipped=len(parts) - len(todo),
                              counts=counts, seconds=time.perf_counter() - started)
