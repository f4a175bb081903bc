"""Benchmark: inventor-country fractional patent counts with family de-duplication.

Synthetic PatentsView-shaped bulk tables (``g_patent``, ``g_inventor_disambiguated``,
``g_location_disambiguated``, ``g_foreign_priority``; tab-separated, written by DuckDB
SQL and cached in ``--data-dir``) at 10M and 50M inventor rows. Shape: 1-5 inventors
per patent (mean 3), a third of the patents in three-member families sharing a
foreign priority (the members list the same inventors), 2,000 locations in 120
countries with Zipf-like weights, 5M distinct inventors.

Two implementations compute OECD fractional counts by inventor country over simple
families (each family once; each of its ``n`` distinct inventors gives ``1 / n`` to
their country):

* **engine** -- innometrics: :func:`~innometrics.records.patentsview.patentsview_relations`
  registers the TSVs as DuckDB views (read in place, with the reader's patent row
  checks: missing, duplicate, withdrawn patents and bad dates; inventor rows are
  de-duplicated per family by the projection and orphans drop out at its join),
  :func:`~innometrics.rankings.patents.project` maps patents to families and distinct
  inventors, and ``load_tables`` + ``unit_counts`` count them, end to end;
* **sql** -- one hand-written DuckDB query over the same files.

They run in interleaved rounds in one process (sql, engine, sql, ...), so both meet
the same load on the shared cores; each also runs once alone in a process of its own
for its peak memory (max RSS). The counts must agree. Results go to ``BENCHMARKS.md``
under ``## Patents`` (only that section is replaced).

Usage::

    python benchmarks/bench_patents.py                 # 10M and 50M inventor rows
    python benchmarks/bench_patents.py --sizes 10M     # quicker
    python benchmarks/bench_patents.py --quick         # 1M only, BENCHMARKS.md untouched
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREADS = 2
N_LOCATIONS = 2_000
N_COUNTRIES = 120
N_INVENTORS = 5_000_000
MEAN_INVENTORS = 3.0
MEMORY_LIMIT = "6GB"


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise SystemExit(f"bad size {text!r}; use e.g. 10M")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()])


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n / 1e6:.1f}M"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _u(expr: str, seed: int) -> str:
    return f"((hash({expr}, {seed}) % 1000000007) / 1000000007.0)"


def generate(inventor_rows: int, out: Path, *, seed: int = 7) -> dict:
    """Write the four TSV tables; returns their row counts. Deterministic (hash-based)."""
    import duckdb
    import pycountry

    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": THREADS, "preserve_insertion_order": False})
    n_pat = int(inventor_rows / MEAN_INVENTORS)
    codes = sorted(c.alpha_2 for c in pycountry.countries)[:N_COUNTRIES]
    import pandas as pd

    con.register("cc_frame", pd.DataFrame({"code": codes, "i": range(len(codes))}))
    con.execute("CREATE TABLE cc AS SELECT * FROM cc_frame")
    # patents 0..n_pat-1; a third in families of three (ids 3k, 3k+1, 3k+2 when k is even)
    con.execute(f"""CREATE TABLE pat AS SELECT i, CAST(3000000 + i AS VARCHAR) AS patent_id,
        CASE WHEN (i // 3) % 2 = 0 THEN 'F' || (i // 3) ELSE 'S' || i END AS fam
        FROM range({n_pat}) t(i)""")
    con.execute(f"""COPY (SELECT patent_id, 'utility' AS patent_type,
            CAST(DATE '2000-01-04' + CAST(7 * floor({_u('i', seed)} * 1200) AS INTEGER) AS VARCHAR) AS patent_date,
            'Synthetic patent ' || i AS patent_title, 'B2' AS wipo_kind, '' AS num_claims, '0' AS withdrawn,
            '' AS filename FROM pat) TO '{out}/g_patent.tsv' (DELIMITER '\t', HEADER, QUOTE '')""")
    con.execute(f"""COPY (SELECT patent_id, 0 AS priority_claim_sequence, 'PCT' AS priority_claim_kind,
            fam AS foreign_application_id, '1999-12-01' AS filing_date, 'EP' AS foreign_country_filed
            FROM pat WHERE fam LIKE 'F%') TO '{out}/g_foreign_priority.tsv' (DELIMITER '\t', HEADER, QUOTE '')""")
    # k inventors per family (1..5, mean 3); members share them; each inventor lives at one location
    target = inventor_rows
    con.execute(f"""CREATE TABLE inv AS
        WITH k AS (SELECT patent_id, fam, 1 + CAST(floor({_u('fam', seed + 1)} * 5) AS INTEGER) AS k FROM pat)
        SELECT patent_id, j AS inventor_sequence,
               'inv' || (hash(fam, j, {seed + 2}) % {N_INVENTORS}) AS inventor_id
        FROM k, range(5) r(j) WHERE j < k.k""")
    n_inv = con.execute("SELECT count(*) FROM inv").fetchone()[0]
    # location weights: Zipf-like over locations, countries by location id
    con.execute(f"""COPY (SELECT patent_id, inventor_sequence, inventor_id, 'First' AS disambig_inventor_name_first,
            'Last ' || inventor_id AS disambig_inventor_name_last, '' AS gender_code,
            'loc' || CAST(floor(pow({_u('inventor_id', seed + 3)}, 2.5) * {N_LOCATIONS}) AS INTEGER) AS location_id
            FROM inv) TO '{out}/g_inventor_disambiguated.tsv' (DELIMITER '\t', HEADER, QUOTE '')""")
    con.execute(f"""COPY (SELECT 'loc' || l AS location_id, 'City ' || l AS disambig_city, '' AS disambig_state,
            cc.code AS disambig_country, '' AS latitude, '' AS longitude,
            '' AS county, '' AS state_fips, '' AS county_fips FROM range({N_LOCATIONS}) t(l)
            JOIN cc ON cc.i = l % {len(codes)})
            TO '{out}/g_location_disambiguated.tsv' (DELIMITER '\t', HEADER, QUOTE '')""")
    con.close()
    counts = {"patents": n_pat, "inventor_rows": int(n_inv), "target_inventor_rows": target}
    (out / "counts.json").write_text(json.dumps(counts))
    return counts


HAND_SQL = """
WITH opts AS (SELECT 1),
p AS (SELECT patent_id FROM read_csv('{d}/g_patent.tsv', delim='\t', header=true, all_varchar=true, quote='')
      WHERE withdrawn <> '1'),
f AS (SELECT patent_id, string_agg(DISTINCT foreign_country_filed || foreign_application_id, '|') AS fam
      FROM read_csv('{d}/g_foreign_priority.tsv', delim='\t', header=true, all_varchar=true, quote='') GROUP BY 1),
u AS (SELECT p.patent_id, coalesce(f.fam, p.patent_id) AS unit FROM p LEFT JOIN f USING (patent_id)),
l AS (SELECT location_id, disambig_country AS cc
      FROM read_csv('{d}/g_location_disambiguated.tsv', delim='\t', header=true, all_varchar=true, quote='')),
inv AS (SELECT DISTINCT u.unit, i.inventor_id, l.cc
        FROM read_csv('{d}/g_inventor_disambiguated.tsv', delim='\t', header=true, all_varchar=true, quote='') i
        JOIN u USING (patent_id) LEFT JOIN l USING (location_id)),
n AS (SELECT unit, count(*) AS n FROM inv GROUP BY unit)
SELECT coalesce(cc, 'unknown') AS unit, sum(1.0 / n) AS p_frac FROM inv JOIN n USING (unit) GROUP BY 1
"""


def _alpha3() -> dict:
    import pycountry

    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


def sql_runner(d: str):
    import duckdb

    con = duckdb.connect(config={"threads": THREADS, "preserve_insertion_order": False,
                                 "memory_limit": MEMORY_LIMIT, "temp_directory": f"{d}/sql.tmp"})
    a3 = _alpha3()
    q = HAND_SQL.format(d=d)

    def run() -> dict:
        df = con.execute(q).df()
        return {a3.get(u, u): float(v) for u, v in zip(df["unit"], df["p_frac"])}

    return run


def engine_runner(d: str):
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.counting import unit_counts
    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines import connect_duckdb
    from innometrics.rankings.patents import project
    from innometrics.records.patentsview import patentsview_relations

    eng = connect_duckdb(threads=THREADS, memory_limit=MEMORY_LIMIT, temp_directory=f"{d}/engine.tmp")

    def run() -> dict:  # each run registers the files again, as the hand query re-reads them
        patentsview_relations(eng.con.con, d, workdir=f"{d}/unzipped")
        records = eng.con.table("pv_records")
        parties = eng.con.table("pv_party_rows")
        # every PatentsView party row has a person id: the inventors are keyed by it, no names needed
        parties = parties.select("record_id", "role", "identifier", "country")
        r, c, a, _ = project(records, parties, None, by="inventor", family="simple", engine=eng)
        loaded = load_tables(eng, r, c, a, levels=("country",))
        df = unit_counts(loaded, "country", "fractional")
        return dict(zip(df["unit"], df["p_frac"].astype(float)))

    return run


RUNNERS = {"sql": sql_runner, "engine": engine_runner}


def worker(kind: str, d: str, repeat: int) -> dict:
    if kind == "timing":
        runners = {k: RUNNERS[k](d) for k in ("sql", "engine")}
        times: dict[str, list[float]] = {k: [] for k in runners}
        for _ in range(repeat):
            for k, run in runners.items():
                t = time.perf_counter()
                run()
                times[k].append(time.perf_counter() - t)
        return {k: {"median_s": statistics.median(v), "runs": v} for k, v in times.items()}
    run = RUNNERS[kind](d)
    t = time.perf_counter()
    result = run()
    return {"alone_s": time.perf_counter() - t, "result": result, "peak_mb": peak_mb()}


def run_worker(kind: str, d: Path, repeat: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--data", str(d), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=d)
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def max_diff(a: dict, b: dict) -> float:
    keys = set(a) | set(b)
    scale = max(1.0, max(abs(v) for v in b.values()))
    return max(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys) / scale


def write_section(rows: list[dict]) -> None:
    out = [
        "## Patents",
        "",
        "`python benchmarks/bench_patents.py` (issue 13): OECD fractional counts by inventor country over simple "
        "families (each family once, 1/n per distinct inventor), from synthetic PatentsView-shaped TSV tables "
        "read in place (no pandas load). *engine* = innometrics end to end (PatentsView reader views with their "
        "row checks -> family projection -> `load_tables` + `unit_counts`, DuckDB, 2 threads, 6 GB memory "
        "limit); *sql* = one hand-written DuckDB query on the same files with the same settings. Times are "
        "medians of interleaved rounds in one process; peak memory is each implementation's max RSS in a process "
        "of its own. The goal is engine within 1.5x of the hand-written query.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other jobs), Python "
        f"{platform.python_version()}.",
        "",
        "| inventor rows | patents | families | engine | hand SQL | ratio | goal (<= 1.5x) | peak memory engine / SQL "
        "| max count difference |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r["timing"]["engine"]["median_s"] / r["timing"]["sql"]["median_s"]
        out.append(
            f"| {r['inventor_rows']:,} | {r['patents']:,} | {r['families']:,} | "
            f"{r['timing']['engine']['median_s']:.1f} s | {r['timing']['sql']['median_s']:.1f} s | {ratio:.2f}x | "
            f"{'met' if ratio <= 1.5 else 'not met'} | {r['engine']['peak_mb'] / 1024:.1f} / "
            f"{r['sql']['peak_mb'] / 1024:.1f} GB | {r['diff']:.1e} |")
    out += ["", "Rounds per size: " + "; ".join(
        f"{label(r['inventor_rows'])}: engine " + ", ".join(f"{t:.1f}" for t in r["timing"]["engine"]["runs"])
        + " s, SQL " + ", ".join(f"{t:.1f}" for t in r["timing"]["sql"]["runs"]) + " s" for r in rows) + ".", ""]
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Patents\n.*?(?=^## |\Z)", re.S | re.M)
    # the hand-written reading of the figures (under "### Notes") is kept across runs
    old = pattern.search(text)
    notes = re.search(r"^### Notes\n.*", old.group(0), re.S | re.M) if old else None
    if notes:
        out += [notes.group(0).rstrip("\n"), ""]
    section = "\n".join(out) + "\n"
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.io.writers import write_text

    write_text(text.rstrip("\n") + "\n", path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10M,50M", help="comma-separated inventor row counts")
    parser.add_argument("--quick", action="store_true", help="1M only and do not touch BENCHMARKS.md")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("INNOMETRICS_BENCH_DIR", "/tmp/innometrics-bench"))
    parser.add_argument("--from-results", action="store_true", help="rewrite BENCHMARKS.md from saved results")
    parser.add_argument("--worker", choices=["sql", "engine", "timing"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.repeat)))
        return 0
    sizes = [1_000_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    results_file = Path(args.data_dir) / "patents_results.json"
    saved = json.loads(results_file.read_text()) if results_file.exists() else {}
    if args.from_results:
        write_section([saved[str(n)] for n in sizes])
        return 0
    for n in sizes:
        d = Path(args.data_dir) / f"patents_{n}"
        if not (d / "counts.json").exists():
            t = time.perf_counter()
            counts = generate(n, d)
            print(f"generated {label(n)} in {time.perf_counter() - t:.0f} s: {counts}", flush=True)
        counts = json.loads((d / "counts.json").read_text())
        eng = run_worker("engine", d, 1)
        sql = run_worker("sql", d, 1)
        timing = run_worker("timing", d, args.repeat)
        n_fam = n_pat = counts["patents"]
        n_fam = n_pat - 2 * ((n_pat // 3 + 1) // 2)  # families of three replace three patents (approximately)
        row = {"inventor_rows": counts["inventor_rows"], "patents": n_pat, "families": n_fam,
               "engine": {k: v for k, v in eng.items() if k != "result"},
               "sql": {k: v for k, v in sql.items() if k != "result"},
               "timing": timing, "diff": max_diff(eng["result"], sql["result"])}
        if row["diff"] > 1e-9:
            raise SystemExit(f"engine and SQL counts differ by {row['diff']:.3g} (relative)")
        saved[str(n)] = row
        results_file.parent.mkdir(parents=True, exist_ok=True)
        results_file.write_text(json.dumps(saved, indent=1))
        print(f"{label(n)}: engine {timing['engine']['median_s']:.1f} s, SQL {timing['sql']['median_s']:.1f} s, "
              f"peak {eng['peak_mb']:.0f} / {sql['peak_mb']:.0f} MB, diff {row['diff']:.1e}", flush=True)
    if not args.quick:
        write_section([saved[str(n)] for n in sizes if str(n) in saved])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
