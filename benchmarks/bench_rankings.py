"""Benchmark: fractional country counts from Parquet, engine vs hand-written SQL vs pandas.

For each size (authorship = affiliation rows), synthetic data is generated with
:mod:`synth_authorship` (DuckDB SQL, cached in ``--data-dir``), then three
implementations compute the author-level fractional count per country
(``sum over rows of weight / (n_authors * k_affiliations)``), each in its own
subprocess so its peak memory (max RSS) is its own:

* **engine** -- innometrics on DuckDB: ``load_tables`` (the one-off load-time
  precomputation of every credit row, from Parquet) and then the ranking query,
  the Ibis expression ``sum(fractional(view)) GROUP BY unit`` (one scan); the same
  query hand-written in SQL against the loaded credit table is timed alongside;
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
def worker_engine(d: str, repeat: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.counting import fractional, level_view, count_units
    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines import connect_duckdb

    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows > ON_DISK_FROM:
        # beyond memory: a database file and a memory limit, so DuckDB spills to disk
        db = Path(d) / "engine.duckdb"
        db.unlink(missing_ok=True)
        eng = connect_duckdb(db, threads=THREADS, memory_limit=ENGINE_MEMORY_LIMIT)
    else:
        eng = connect_duckdb(threads=THREADS)
    t = time.perf_counter()
    r = eng.read_parquet("b_records", f"{d}/records.parquet")
    c = eng.read_parquet("b_contributors", f"{d}/contributors.parquet")
    a = eng.read_parquet("b_affiliations", f"{d}/affiliations.parquet")
    loaded = load_tables(eng, r, c, a)
    load_s = time.perf_counter() - t
    view = level_view(loaded, "country")
    expr = view.group_by("unit").agg(p_frac=fractional(view).sum())
    query_s, df = timed(lambda: eng.execute(expr), repeat)
    pairs_table = loaded.tables["pairs_country"]
    hand_q = f"SELECT unit, sum(frac) AS p_frac FROM {pairs_table} GROUP BY unit"
    hand_s, _ = timed(lambda: eng.con.con.execute(hand_q).df(), repeat)
    all_s, _ = timed(lambda: count_units(loaded, "country", "fractional"), 1)
    n_credit_rows = int(eng.con.con.execute(f"SELECT count(*) FROM {pairs_table}").fetchone()[0])
    return {"load_s": load_s, "query_s": query_s, "hand_query_on_credits_s": hand_s, "all_indicators_s": all_s,
            "credit_rows": n_credit_rows, "result": dict(zip(df["unit"], df["p_frac"])), "peak_mb": peak_mb()}


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


WORKERS = {"engine": worker_engine, "sql": worker_sql, "pandas": worker_pandas}


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
def goals(rows: list[dict]) -> str:
    """The issue's goals checked against this run's numbers (no claim is hard-coded)."""
    q = [r["engine"]["query_s"] / r["engine"]["hand_query_on_credits_s"] for r in rows]
    e2e = [(r["engine"]["load_s"] + r["engine"]["query_s"]) / r["sql"]["total_s"] for r in rows]
    pd_q = [r["pandas"]["total_s"] / r["engine"]["query_s"] for r in rows if r.get("pandas")]
    pd_e2e = [r["pandas"]["total_s"] / (r["engine"]["load_s"] + r["engine"]["query_s"]) for r in rows if r.get("pandas")]
    big = [r for r in rows if r["rows"] >= 100_000_000]
    text = (f"Against the issue's goals: the ranking query takes {min(q):.2f}-{max(q):.2f}x the time of the same "
            f"query hand-written in SQL on the same table (goal 1.2x; the gap is a fixed few ms of Ibis "
            f"compilation per query)")
    if pd_q:
        text += f" and is {min(pd_q):.0f}-{max(pd_q):.0f}x faster than pandas (goal 3x)"
    text += (f"; the one-off load is not within the goals: it does much more than the single-purpose query and "
             f"load + first query takes {min(e2e):.1f}-{max(e2e):.1f}x the hand-written query from Parquet")
    if pd_e2e:
        lo, hi = min(pd_e2e), max(pd_e2e)
        span = f"{lo:.1f}x" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}-{hi:.1f}x"
        text += f" and runs at {span} pandas' speed end to end"
    if big:
        b = big[0]["engine"]
        text += (f". At 100M rows a ranking query takes {b['query_s']:.2f} s (goal: under 30 s) once loaded, but the "
                 f"load takes {b['load_s']:.0f} s with {b['peak_mb'] / 1024:.1f} GB peak memory (goal: under 8 GB)")
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
        "120 countries; Parquet). Task: author-level fractional counts per country. Times are medians of "
        "3 runs (1 run from 50M rows up; above 20M rows the engine uses a DuckDB database file with a 6 GB "
        "memory limit); memory is each implementation's peak RSS in its own process.",
        "",
        "| Authorship rows | Records | Generate | Engine load (precompute credits) | Engine query (Ibis, one scan) "
        "| Same query, hand SQL on the loaded pair table | Engine load + query | Hand SQL from Parquet | pandas | "
        "Peak memory engine / SQL / pandas |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        e, s, p = r["engine"], r["sql"], r.get("pandas")
        pandas_cell = f"{p['total_s']:.2f} s" if p else (
            f"not run (above {label(pandas_max)} rows; peak memory grows linearly, see the 10M row)")
        mem = f"{e['peak_mb'] / 1024:.1f} / {s['peak_mb'] / 1024:.1f} / " + (
            f"{p['peak_mb'] / 1024:.1f} GB" if p else "- GB")
        out.append(
            f"| {label(r['rows'])} ({r['affiliations']:,}) | {r['records']:,} | {gen[r['rows']]:.1f} s "
            f"| {e['load_s']:.2f} s | {e['query_s'] * 1000:.0f} ms | {e['hand_query_on_credits_s'] * 1000:.0f} ms "
            f"| {e['load_s'] + e['query_s']:.2f} s | {s['total_s']:.2f} s | {pandas_cell} | {mem} |"
        )
    out += ["", "Ratios and checks:", ""]
    for r in rows:
        e, s, p = r["engine"], r["sql"], r.get("pandas")
        line = (f"- {label(r['rows'])}: engine query / hand SQL on the same pair table = "
                f"{e['query_s'] / e['hand_query_on_credits_s']:.2f}x; engine load + query / hand SQL from Parquet = "
                f"{(e['load_s'] + e['query_s']) / s['total_s']:.2f}x; ranking query vs hand SQL from Parquet = "
                f"{s['total_s'] / e['query_s']:.0f}x faster")
        if p:
            line += (f"; pandas / engine load + query = {p['total_s'] / (e['load_s'] + e['query_s']):.1f}x, "
                     f"pandas / engine query = {p['total_s'] / e['query_s']:.0f}x")
        line += (f"; all indicators of a level in one query (p_full, p_frac, citations, top 10 %, "
                 f"collaboration) {e['all_indicators_s']:.2f} s; {e['credit_rows']:,} (record, country) pair rows; "
                 f"largest difference between implementations {r['max_diff']:.1e}.")
        out.append(line)
    out += [
        "",
        "Reading the table: the engine pays once, at load, for what the hand-written query does every time "
        "(authors per record, affiliations per author, the distinct (record, unit) pairs of each level for full "
        "counting, first/corresponding-author credit, unknown and unlinked-address credit, year, citation, "
        "top-10 % and collaboration facts, for three levels at once); every ranking query afterwards (any level, "
        "method, period or indicator) is one scan of that level's pair table. " + goals(rows) + " The synthetic data is "
        "collaboration-heavy (2.6 countries per record on average, 73 % of records international; real exports "
        "have fewer), which makes the pair tables long. Hardware note: the 2 cores were shared with other jobs "
        "(load average 3-4 during the run), so absolute times vary by up to 2-3x between runs; ratios measured "
        "in the same run are the meaningful numbers.",
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

    sizes = [1_000_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    pandas_max = parse_size(args.pandas_max)
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
        print(f"  engine: load {e['load_s']:.2f} s, query {e['query_s'] * 1000:.0f} ms "
              f"(hand SQL on credits {e['hand_query_on_credits_s'] * 1000:.0f} ms), peak {e['peak_mb']:.0f} MB",
              flush=True)
        diffs = [max_diff(e["result"], row["sql"]["result"])]
        if n <= pandas_max:
            row["pandas"] = run_worker("pandas", d, repeat)
            print(f"  pandas: {row['pandas']['total_s']:.2f} s, peak {row['pandas']['peak_mb']:.0f} MB", flush=True)
            diffs.append(max_diff(row["pandas"]["result"], row["sql"]["result"]))
        row["max_diff"] = max(diffs)
        print(f"  largest difference between implementations: {row['max_diff']:.1e}", flush=True)
        rows.append(row)
    if not (args.quick or args.no_write):
        write_section(rows, gen, pandas_max)
        print("BENCHMARKS.md updated (## Contribution rankings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
