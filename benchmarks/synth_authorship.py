"""Synthetic authorship data for the ranking benchmark, generated with DuckDB SQL.

Realistic shape (issue 4): 1-10 authors per record, 1-3 affiliations per author,
Zipf-distributed institutions (a few very large ones, a long tail; co-authors
cluster in the record's lead institution), 120 countries, skewed citation counts. Written as the record model's table layout
(``records.parquet``, ``contributors.parquet``, ``affiliations.parquet``) so the
``tables`` reader and the engine load it directly.

The files are written with DuckDB's default Parquet layout (row groups of 122,880
rows, Snappy), as a plain ``COPY ... TO`` or most exporters write them; readers can
then split a file between threads (a 1M-row file of one row group is read by one).

Randomness comes from ``hash(...)`` of row keys, not from a stateful generator, so the
output is identical for the same size and seed whatever the number of threads.

Usage::

    python benchmarks/synth_authorship.py --rows 10000000 --out /tmp/synth_10M
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

#: Mean authorship (affiliation) rows per record: E[authors] * E[affiliations] = 5.5 * 2.
ROWS_PER_RECORD = 11.0
N_INSTITUTIONS = 20_000
N_COUNTRIES = 120


def _u(expr: str, seed: int) -> str:
    """A uniform [0, 1) number from hashing ``expr`` with ``seed``."""
    return f"((hash({expr}, {seed}) % 1000000007) / 1000000007.0)"


def generate(rows: int, out: str | Path, *, seed: int = 1, threads: int = 2, memory_limit: str | None = None,
             temp_directory: str | Path | None = None) -> dict[str, int]:
    """Write the three Parquet tables for about ``rows`` authorship rows; return row counts.

    ``memory_limit`` and ``temp_directory`` (DuckDB settings) let a billion-row data
    set be generated out of core.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n_records = max(1, int(round(rows / ROWS_PER_RECORD)))
    config = {"threads": threads, "preserve_insertion_order": False}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(config=config)
    con.execute(f"""
        CREATE TEMP TABLE recs AS
        SELECT r AS record_id,
               1 + CAST(floor({_u("r, 'n'", seed)} * 10) AS INTEGER) AS n_authors,
               2015 + CAST(floor({_u("r, 'y'", seed)} * 10) AS INTEGER) AS year,
               CAST(floor(exp({_u("r, 'c'", seed)} * 6.0)) - 1 AS BIGINT) AS citations
        FROM range({n_records}) t(r)
    """)
    con.execute(f"""
        COPY (SELECT record_id, year, 1.0::DOUBLE AS weight, citations FROM recs ORDER BY record_id)
        TO '{out / "records.parquet"}' (FORMAT parquet)
    """)
    con.execute(f"""
        CREATE TEMP TABLE auths AS
        SELECT record_id, p AS position, (p = 1) AS is_corresponding,
               1 + CAST(floor({_u("record_id, p, 'k'", seed)} * 3) AS INTEGER) AS k
        FROM recs, range(1, n_authors + 1) t(p)
    """)
    con.execute(f"""
        COPY (SELECT record_id, position, is_corresponding FROM auths)
        TO '{out / "contributors.parquet"}' (FORMAT parquet)
    """)
    # Zipf (s = 1) over N_INSTITUTIONS ranks by inverting the continuous CDF
    # ln(k) / ln(N): rank 1 takes about 7 % of the rows, rank 100 about 0.1 %.
    # Each institution has one country, drawn with a skew (country C000 the largest).
    # Co-authors cluster: 85 % of affiliations are the record's lead institution (one
    # Zipf draw per record), the others independent draws, so a record has a few
    # institutions and countries rather than one per affiliation.
    lead = f"CAST(floor(exp({_u('record_id', seed)} * ln({N_INSTITUTIONS}))) AS BIGINT)"
    own = f"CAST(floor(exp({_u('record_id, position, j', seed)} * ln({N_INSTITUTIONS}))) AS BIGINT)"
    pick = _u("record_id, position, j, 'lead'", seed)
    inst = f"(CASE WHEN {pick} < 0.85 THEN {lead} ELSE {own} END)"
    con.execute(f"""
        COPY (
            SELECT record_id, position, NULL::VARCHAR AS institution, 'I' || inst AS institution_id,
                   NULL::VARCHAR AS city,
                   'C' || lpad(CAST(CAST(floor(pow({_u("inst, 'country'", seed)}, 2.0) * {N_COUNTRIES}) AS INTEGER)
                                    AS VARCHAR), 3, '0') AS country
            FROM (SELECT record_id, position, {inst} AS inst FROM auths, range(k) t(j))
        ) TO '{out / "affiliations.parquet"}' (FORMAT parquet)
    """)
    counts = {
        name: con.execute(f"SELECT count(*) FROM '{out / (name + '.parquet')}'").fetchone()[0]
        for name in ("records", "contributors", "affiliations")
    }
    con.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="authorship rows wanted (about)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-limit", help="DuckDB memory limit, e.g. 6GB (spills to --out/gen.tmp)")
    args = parser.parse_args()
    t = time.perf_counter()
    counts = generate(args.rows, args.out, seed=args.seed, memory_limit=args.memory_limit,
                      temp_directory=Path(args.out) / "gen.tmp" if args.memory_limit else None)
    print(f"{counts} in {time.perf_counter() - t:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
