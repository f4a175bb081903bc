"""Benchmark: fractional country counts from Parquet, engine vs hand-written SQL vs pandas.

For each size (authorship = affiliation rows), synthetic data is generated with
:mod:`synth_authorship` (DuckDB SQL, cached in ``--data-dir``), then three
implementations compute the author-level fractional count per country
(``sum over rows of weight / (n_authors * k_affiliations)``), each in its own
subprocess so its peak memory (max RSS) is its own:

* **engine** -- innometrics on DuckDB from the Parquet files: ``load_tables`` for a
  country ranking (the record facts; the country pair table is built by the first
  query), then the ranking query, the Ibis expression ``sum(fractional(view)) GROUP
  BY unit``: end to end = load + first query. Later queries are one scan of the
  pair table, timed against the same query hand-written in SQL on that table;
* **engine_full** -- the load of a whole ranking build (all three levels' pair
  tables; only the time and peak memory);
* **sql** -- one hand-written DuckDB query straight from the Parquet files;
* **pandas** -- ``read_parquet`` + ``groupby``/``transform`` (only up to
  ``--pandas-max`` rows: beyond that it does not fit in this machine's memory).

All three must give the same counts (largest absolute difference reported).
Results are written to ``BENCHMARKS.md`` under ``## Contribution rankings`` (only that
section is replaced).

Usage::

    python benchmarks/bench_rankings.py                 # 1M, 10M, 100M
    python benchmarks/bench_rankings.py --sizes 1M,10M  # quicker
    python benchmarks/bench_rankings.py --quick         # 1M only, no BENCHMARKS.md update
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
ON_DISK_FROM = 20_000_000  # authorship rows above which the engine uses a database file
ENGINE_MEMORY_LIMIT = "6GB"

HAND_SQL = """
WITH n AS (SELECT record_id, count(*) AS n FROM read_parquet('{d}/contributors.parquet') GROUP BY record_id),
     a AS (SELECT record_id, country,
                  count(*) OVER (PARTITION BY record_id, position) AS k
           FROM read_parquet('{d}/affiliations.parquet'))
SELECT a.country AS unit, sum(r.weight / (n.n * a.k)) AS p_frac
FROM a JOIN n USING (record_id) JOIN read_parquet('{d}/records.parquet') r USING (record_id)
GROUP BY a.country
"""


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise SystemExit(f"bad size {text!r}; use e.g. 1M, 500k, 100M")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    return int(float(m.group(1)) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n / 1e6:.1f}M"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# ---------------------------------------------------------------------------- workers
def _engine(d: str):
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.engines import connect_duckdb

    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows > ON_DISK_FROM:
        # beyond memory: a memory limit, DuckDB spilling to disk next to the data
        # (an in-memory database spills its stored tables too; a database file
        # would also write them out, about 20 % slower at 100M rows)
        return connect_duckdb(threads=THREADS, memory_limit=ENGINE_MEMORY_LIMIT,
                              temp_directory=str(Path(d) / "engine.tmp"))
    return connect_duckdb(threads=THREADS)


def worker_engine(d: str, repeat: int) -> dict:
    """Load for a country ranking (facts now, the country pair table at the first query)."""
    from innometrics.rankings.counting import count_units, fractional, level_view
    from innometrics.rankings.credits import load_tables

    eng = _engine(d)
    t = time.perf_counter()
    r = eng.read_parquet("b_records", f"{d}/records.parquet")
    c = eng.read_parquet("b_contributors", f"{d}/contributors.parquet")
    a = eng.read_parquet("b_affiliations", f"{d}/affiliations.parquet")
    loaded = load_tables(eng, r, c, a, levels=("country",))
    load_s = time.perf_counter() - t
    view = level_view(loaded, "country")  # the first lookup builds and stores the pair table
    expr = view.group_by("unit").agg(p_frac=fractional(view).sum())
    df = eng.execute(expr)
    first_s = time.perf_counter() - t - load_s
    query_s, df = timed(lambda: eng.execute(expr), repeat)
    pairs_table = loaded.tables["pairs_country"]
    hand_q = f"SELECT unit, sum(frac) AS p_frac FROM {pairs_table} GROUP BY unit"
    hand_s, _ = timed(lambda: eng.con.con.execute(hand_q).df(), repeat)
    all_s, _ = timed(lambda: count_units(loaded, "country", "fractional"), 1)
    n_credit_rows = int(eng.con.con.execute(f"SELECT count(*) FROM {pairs_table}").fetchone()[0])
    return {"load_s": load_s, "first_query_s": first_s, "query_s": query_s, "hand_query_on_credits_s": hand_s,
            "all_indicators_s": all_s, "credit_rows": n_credit_rows,
            "result": dict(zip(df["unit"], df["p_frac"])), "peak_mb": peak_mb()}


def worker_engine_full(d: str, repeat: int) -> dict:
    """The load of a full ranking build: pair tables of all three levels, every method."""
    from innometrics.rankings.credits import load_tables

    eng = _engine(d)
    t = time.perf_counter()
    r = eng.read_parquet("b_records", f"{d}/records.parquet")
    c = eng.read_parquet("b_contributors", f"{d}/contributors.parquet")
    a = eng.read_parquet("b_affiliations", f"{d}/affiliations.parquet")
    load_tables(eng, r, c, a, eager=True)
    return {"load_s": time.perf_counter() - t, "peak_mb": peak_mb()}


def worker_sql(d: str, repeat: int) -> dict:
    import duckdb

    config = {"threads": THREADS}
    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows > ON_DISK_FROM:  # the same memory limit as the engine, spilling next to the data
        config.update(memory_limit=ENGINE_MEMORY_LIMIT, temp_directory=str(Path(d) / "sql.tmp"))
    con = duckdb.connect(config=config)
    q = HAND_SQL.format(d=d)
    s, df = timed(lambda: con.execute(q).df(), repeat)
    return {"total_s": s, "result": dict(zip(df["unit"], df["p_frac"])), "peak_mb": peak_mb()}


def worker_pandas(d: str, repeat: int) -> dict:
    import pandas as pd

    def run():
        rec = pd.read_parquet(f"{d}/records.parquet", columns=["record_id", "weight"])
        con = pd.read_parquet(f"{d}/contributors.parquet", columns=["record_id"])
        aff = pd.read_parquet(f"{d}/affiliations.parquet", columns=["record_id", "position", "country"])
        n = con.groupby("record_id").size().rename("n")
        k = aff.groupby(["record_id", "position"])["country"].transform("size")
        w = aff["record_id"].map(rec.set_index("record_id")["weight"]) / (aff["record_id"].map(n) * k)
        return w.groupby(aff["country"]).sum()

    s, out = timed(run, repeat)
    return {"total_s": s, "result": out.to_dict(), "peak_mb": peak_mb()}


WORKERS = {"engine": worker_engine, "engine_full": worker_engine_full, "sql": worker_sql,
           "pandas": worker_pandas}


def run_worker(kind: str, d: Path, repeat: int) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--data", str(d), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=d)  # stray temp files stay with the data
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def max_diff(a: dict, b: dict) -> float:
    keys = set(a) | set(b)
    return max(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys)


# ---------------------------------------------------------------------------- report
def e2e(e: dict) -> float:
    """Engine end to end: load (facts) + first query (which builds the country pair table)."""
    return e["load_s"] + e["first_query_s"]


def span(values: list[float], fmt: str = ".1f") -> str:
    lo, hi = min(values), max(values)
    return f"{lo:{fmt}}x" if f"{lo:{fmt}}" == f"{hi:{fmt}}" else f"{lo:{fmt}}-{hi:{fmt}}x"


def goals(rows: list[dict]) -> str:
    """The issue's goals checked against this run's numbers (no claim is hard-coded)."""
    q = [r["engine"]["query_s"] / r["engine"]["hand_query_on_credits_s"] for r in rows]
    vs_sql = [e2e(r["engine"]) / r["sql"]["total_s"] for r in rows]
    pd_e2e = [r["pandas"]["total_s"] / e2e(r["engine"]) for r in rows if r.get("pandas")]
    pd_q = [r["pandas"]["total_s"] / r["engine"]["query_s"] for r in rows if r.get("pandas")]
    text = (f"Against the issue's goals: end to end (load + first query, from Parquet) the engine takes "
            f"{span(vs_sql, '.2f')} the time of the hand-written query (goal 1.2x: "
            f"{'met' if max(vs_sql) <= 1.2 else 'not met'})")
    if pd_e2e:
        text += (f" and runs at {span(pd_e2e)} pandas' speed (goal 3x: "
                 f"{'met' if min(pd_e2e) >= 3 else 'not met'}; a query once loaded is {span(pd_q, '.0f')} faster "
                 f"than pandas)")
    text += (f"; every later ranking query takes {span(q, '.2f')} the same query hand-written in SQL on the "
             f"same table (a fixed few ms of Ibis compilation per query)")
    big = [r for r in rows if r["rows"] >= 100_000_000]
    if big:
        b = big[0]["engine"]
        text += (f". At 100M rows load + first query takes {e2e(b):.1f} s (goal: under 30 s: "
                 f"{'met' if e2e(b) < 30 else 'not met'}) with {b['peak_mb'] / 1024:.1f} GB peak memory "
                 f"(goal: under 8 GB: {'met' if b['peak_mb'] < 8 * 1024 else 'not met'}); a query once loaded "
                 f"takes {b['query_s']:.2f} s")
    return text + "."


def write_section(rows: list[dict], gen: dict, pandas_max: int) -> None:
    import duckdb
    import ibis

    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    out = [
        "## Contribution rankings",
        "",
        f"`.venv/bin/python benchmarks/bench_rankings.py --sizes {','.join(label(r['rows']) for r in rows)}` "
        f"({cpu}, {THREADS} DuckDB threads on 2 cores shared with other jobs; DuckDB {duckdb.__version__}, "
        f"ibis {ibis.__version__}, Python {platform.python_version()}). Synthetic data from "
        "`benchmarks/synth_authorship.py` (1-10 authors per record, 1-3 affiliations each, Zipf institutions, "
        "120 countries; Parquet). Task: author-level fractional counts per country, from the Parquet files. "
        "The engine loads for a country ranking: `load_tables(..., levels=(\"country\",))` stores the record "
        "facts, and the first query builds and stores the country pair table (one row per distinct (record, "
        "country) pair with the fractional, first- and corresponding-author credits, unknown and unlinked-address "
        "credit, year, citation, top-10 % and collaboration facts) before summing it; every later query (any "
        "method, period or indicator of that level) is one scan of that table. The full load column is the load "
        "of a whole ranking build (pair tables of all three levels). Times are medians of 3 runs (1 run from "
        "50M rows up; load and first query are one run each; above 20M rows the engine and the hand SQL run "
        "with a 6 GB DuckDB memory limit, spilling to disk); memory is each implementation's peak RSS in its "
        "own process.",
        "",
        "| Authorship rows | Records | Generate | Engine load (facts) | Engine first query (builds the country "
        "pair table) | **Engine load + first query** | **Hand SQL from Parquet** | **pandas** | Engine query once "
        "loaded (Ibis) | Same query, hand SQL on the pair table | Full load, 3 levels | Peak memory engine / SQL / "
        "pandas |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        e, s, p, f = r["engine"], r["sql"], r.get("pandas"), r.get("engine_full")
        pandas_cell = f"{p['total_s']:.2f} s" if p else f"not run (above {label(pandas_max)} rows)"
        mem = f"{e['peak_mb'] / 1024:.1f} / {s['peak_mb'] / 1024:.1f} / " + (
            f"{p['peak_mb'] / 1024:.1f} GB" if p else "- GB")
        full_cell = f"{f['load_s']:.2f} s ({f['peak_mb'] / 1024:.1f} GB)" if f else "not run"
        out.append(
            f"| {label(r['rows'])} ({r['affiliations']:,}) | {r['records']:,} | {gen[r['rows']]:.1f} s "
            f"| {e['load_s']:.2f} s | {e['first_query_s']:.2f} s | **{e2e(e):.2f} s** | **{s['total_s']:.2f} s** "
            f"| **{pandas_cell}** | {e['query_s'] * 1000:.0f} ms | {e['hand_query_on_credits_s'] * 1000:.0f} ms "
            f"| {full_cell} | {mem} |"
        )
    out += ["", "Ratios and checks (same run):", ""]
    for r in rows:
        e, s, p = r["engine"], r["sql"], r.get("pandas")
        line = (f"- {label(r['rows'])}: engine load + first query / hand SQL from Parquet = "
                f"{e2e(e) / s['total_s']:.2f}x")
        if p:
            line += (f"; pandas / engine load + first query = {p['total_s'] / e2e(e):.1f}x, "
                     f"pandas / engine query once loaded = {p['total_s'] / e['query_s']:.0f}x")
        line += (f"; engine query / hand SQL on the same pair table = "
                 f"{e['query_s'] / e['hand_query_on_credits_s']:.2f}x; all indicators of the level in one query "
                 f"(p_full, p_frac, citations, top 10 %, collaboration) {e['all_indicators_s']:.2f} s; "
                 f"{e['credit_rows']:,} (record, country) pair rows; largest difference between implementations "
                 f"{r['max_diff']:.1e}.")
        out.append(line)
    out += [
        "",
        "Reading the table: the hand-written query and pandas compute one number per country and nothing else; "
        "the engine's load + first query computes the same counts with the full counting rules (contributors "
        "without address to `unknown`, records without author-address links split over their addresses, "
        "first/corresponding-author credit) and keeps the distinct (record, country) pairs, so that full "
        "counting and every other query afterwards is one scan. At 1M rows fixed costs dominate (about 0.25 s of "
        "Ibis compilation of the two load queries). " + goals(rows) + " Where the time goes (DuckDB "
        "profile at 10M): the record facts (the 'Engine load' column), counting each author's affiliations and "
        "joining the counts back (what the hand query also does), joining the contributors to them, and the "
        "aggregation to 2.3M distinct (record, country) pairs, which the single-number "
        "query never builds. In an earlier run of the previous version (stored row-level credit table, all "
        "three levels at once) load + query took 1.89 s, 18.1 s and 324 s (10.3x, 7.7x and 9.4x the hand "
        "SQL of that run). The synthetic data is "
        "collaboration-heavy (2.6 countries per record on average, 73 % of records international; real "
        "exports have fewer), which makes the pair tables long. Hardware note: the 2 cores were shared with "
        "other jobs, so absolute times vary by up to 2x between runs; ratios measured in the same run are the "
        "meaningful numbers.",
        "",
    ]
    section = "\n".join(out)
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Contribution rankings\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    from innometrics.io.writers import write_text

    write_text(text.rstrip("\n") + "\n", path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,10M,100M", help="comma-separated authorship row counts (1M,10M,100M)")
    parser.add_argument("--quick", action="store_true", help="1M only and do not touch BENCHMARKS.md")
    parser.add_argument("--data-dir", default=os.environ.get("INNOMETRICS_BENCH_DIR", "/tmp/innometrics-bench"))
    parser.add_argument("--pandas-max", default="10M", help="largest size pandas is run on")
    parser.add_argument("--full-load-max", default="100M", help="largest size the full 3-level load is timed on")
    parser.add_argument("--from-results", metavar="JSON",
                        help="write the BENCHMARKS.md section from the results file of earlier runs (no timing)")
    parser.add_argument("--no-write", action="store_true", help="print only, do not update BENCHMARKS.md")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.data, args.repeat)))
        return 0

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    from synth_authorship import generate

    results_file = Path(args.data_dir) / "bench_results.json"
    if args.from_results:
        saved = json.loads(Path(args.from_results).read_text())
        wanted = [parse_size(s) for s in args.sizes.split(",")]
        rows = [saved["rows"][str(n)] for n in wanted]
        write_section(rows, {n: saved["gen"][str(n)] for n in wanted}, parse_size(args.pandas_max))
        print("BENCHMARKS.md updated (## Contribution rankings) from", args.from_results)
        return 0
    sizes = [1_000_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    pandas_max = parse_size(args.pandas_max)
    full_max = parse_size(args.full_load_max)
    rows, gen = [], {}
    for n in sizes:
        d = Path(args.data_dir) / f"rows_{n}"
        marker = d / "counts.json"
        t = time.perf_counter()
        if marker.exists():
            counts = json.loads(marker.read_text())
            gen[n] = counts.get("_seconds", 0.0)
        else:
            counts = generate(n, d, threads=THREADS)
            gen[n] = time.perf_counter() - t
            marker.write_text(json.dumps({**counts, "_seconds": gen[n]}))
        repeat = 1 if n >= 50_000_000 else 3
        print(f"[{label(n)}] {counts['affiliations']:,} authorship rows, {counts['records']:,} records "
              f"(generated in {gen[n]:.1f} s)", flush=True)
        row = {"rows": n, "records": counts["records"], "affiliations": counts["affiliations"]}
        row["sql"] = run_worker("sql", d, repeat)
        print(f"  hand SQL from Parquet: {row['sql']['total_s']:.2f} s, peak {row['sql']['peak_mb']:.0f} MB", flush=True)
        row["engine"] = run_worker("engine", d, repeat)
        e = row["engine"]
        print(f"  engine: load {e['load_s']:.2f} s + first query {e['first_query_s']:.2f} s = {e2e(e):.2f} s "
              f"({e2e(e) / row['sql']['total_s']:.2f}x hand SQL); query {e['query_s'] * 1000:.0f} ms "
              f"(hand SQL on pairs {e['hand_query_on_credits_s'] * 1000:.0f} ms), peak {e['peak_mb']:.0f} MB",
              flush=True)
        if n <= full_max:
            try:
                row["engine_full"] = run_worker("engine_full", d, 1)
                print(f"  engine full load (3 levels): {row['engine_full']['load_s']:.2f} s, "
                      f"peak {row['engine_full']['peak_mb']:.0f} MB", flush=True)
            except SystemExit as exc:  # reported, not fatal: the country ranking is the benchmark
                print(f"  engine full load failed: {exc}", flush=True)
        diffs = [max_diff(e["result"], row["sql"]["result"])]
        if n <= pandas_max:
            row["pandas"] = run_worker("pandas", d, repeat)
            print(f"  pandas: {row['pandas']['total_s']:.2f} s, peak {row['pandas']['peak_mb']:.0f} MB", flush=True)
            diffs.append(max_diff(row["pandas"]["result"], row["sql"]["result"]))
        row["max_diff"] = max(diffs)
        print(f"  largest difference between implementations: {row['max_diff']:.1e}", flush=True)
        rows.append(row)
        # every measured size is kept, so sizes run separately can be reported together
        saved = json.loads(results_file.read_text()) if results_file.exists() else {"rows": {}, "gen": {}}
        saved["rows"][str(n)], saved["gen"][str(n)] = row, gen[n]
        results_file.write_text(json.dumps(saved))
    if not (args.quick or args.no_write):
        write_section(rows, gen, pandas_max)
        print("BENCHMARKS.md updated (## Contribution rankings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
