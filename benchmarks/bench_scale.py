"""Benchmark for issue 16: ranking builds at OpenAlex scale, the snapshot converter, Spark on a cluster.

Three parts, each side by side with a hand-written baseline in the same run, each
size's figures saved to ``<data-dir>/scale_results.json`` (so sizes run at
different times are reported together):

``rank``
    The engine work of ``innometrics rank build`` on the synthetic Parquet tables of
    :mod:`synth_authorship`: the load (record facts and the pair tables of the three
    base levels: every method's credit, full and fractional, and the indicator facts)
    against ``hand_load.sql``, hand-written DuckDB SQL producing the same tables
    (checked equal), in interleaved rounds in one process; then every ranking query
    of a build (all indicators of a level, the yearly counts, the unit names, the
    total weight) against one scan of its pair table (``SELECT unit, sum(frac) ...
    GROUP BY unit``). Peak memory: each implementation once in a process of its own.
    Above 20M rows DuckDB runs with a memory limit (``--memory-limit``, default
    from the machine) and spills to a temporary folder next to the data.
``convert``
    ``convert_openalex_snapshot`` on a synthetic works snapshot
    (:mod:`synth_openalex`) against DuckDB's own ``read_json`` of the same files to
    one Parquet file, interleaved; peak memory of each in its own process.
``spark``
    ``rank build`` on a Spark standalone cluster on this machine (one master, two
    workers) against the same build on DuckDB (results compared).

Usage::

    python benchmarks/bench_scale.py rank --sizes 1M,10M
    python benchmarks/bench_scale.py rank --sizes 100M --huge   # 1B too
    python benchmarks/bench_scale.py report                     # BENCHMARKS.md from the saved results
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREADS = 2
ON_DISK_FROM = 20_000_000
LEVELS = ("institution", "city", "country")
UNIT_SQL = {
    "institution": ("coalesce(CAST(institution_id AS VARCHAR), CAST(institution AS VARCHAR))",
                    "CAST(institution AS VARCHAR)", "agg.unit_name"),
    "city": ("CASE WHEN country IS NULL THEN CAST(city AS VARCHAR) ELSE city || ', ' || country END",
             "NULL::VARCHAR", "agg.unit"),
    "country": ("CAST(country AS VARCHAR)", "NULL::VARCHAR", "agg.unit"),
}


def parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "B": 1_000_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("KMB")) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000_000}B" if n % 1_000_000_000 == 0 else f"{n // 1_000_000}M"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine_memory_limit() -> str:
    """Half the machine's memory, at most 10 GB: DuckDB's limit for out-of-core sizes."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{min(10.0, total / 2 ** 30 / 2):.0f}GB"


def duckdb_config(d: str, who: str, memory_limit: str) -> dict:
    config = {"threads": THREADS, "preserve_insertion_order": False}
    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows > ON_DISK_FROM:
        config.update(memory_limit=memory_limit, temp_directory=str(Path(d) / f"{who}.tmp"))
    return config


# ---------------------------------------------------------------------------- rank: the two loads
def hand_load(con, d: str) -> None:
    """The hand-written SQL: facts, contributors' credits, three pair tables."""
    text = (HERE / "hand_load.sql").read_text()
    statements = [s for s in text.split(";\n") if s.strip() and not s.strip().startswith("--") or "CREATE" in s]
    tables = {"records": f"read_parquet('{d}/records.parquet')",
              "contributors": f"read_parquet('{d}/contributors.parquet')",
              "affiliations": f"read_parquet('{d}/affiliations.parquet')"}
    for stmt in statements:
        if "CREATE" not in stmt:
            continue
        if "{level}" in stmt:
            for level in LEVELS:
                unit, name, out = UNIT_SQL[level]
                con.execute(stmt.format(level=level, unit=unit, name=name, unit_name_out=out, **tables))
        else:
            con.execute(stmt.format(**tables))


def engine_load(d: str, memory_limit: str, who: str = "engine"):
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines import connect_duckdb

    cfg = duckdb_config(d, who, memory_limit)
    eng = connect_duckdb(threads=THREADS, memory_limit=cfg.get("memory_limit"),
                         temp_directory=cfg.get("temp_directory"))
    r = eng.read_parquet("b_records", f"{d}/records.parquet")
    c = eng.read_parquet("b_contributors", f"{d}/contributors.parquet")
    a = eng.read_parquet("b_affiliations", f"{d}/affiliations.parquet")

    def run():
        return load_tables(eng, r, c, a, levels=LEVELS, eager=True)

    return eng, run


CHECK_SQL = ("SELECT count(*), round(sum(frac), 3), round(sum(first), 3), round(sum(corr), 3), sum(n_links), "
             "round(sum(weight), 3), count(DISTINCT unit), sum(hash(unit, unit_name, is_helper) % 1000003), "
             "round(sum(top_share), 3), sum(CAST(is_international AS INT)) FROM {t}")


def worker_rank_timing(d: str, repeat: int, memory_limit: str) -> dict:
    """Interleaved rounds: hand SQL load, engine load, ...; then the queries after the load."""
    import duckdb

    hand = duckdb.connect(config=duckdb_config(d, "sql", memory_limit))
    eng, run = engine_load(d, memory_limit)
    times = {"sql": [], "engine": []}
    loaded = None
    for i in range(repeat):
        t = time.perf_counter()
        hand_load(hand, d)
        times["sql"].append(time.perf_counter() - t)
        if loaded is not None:  # free the previous round's tables first
            for name in loaded.tables.values():
                eng.drop(name)
        t = time.perf_counter()
        loaded = run()
        times["engine"].append(time.perf_counter() - t)
    checks = {}
    for level in LEVELS:
        e = eng.con.con.execute(CHECK_SQL.format(t=loaded.tables[f"pairs_{level}"])).fetchone()
        h = hand.execute(CHECK_SQL.format(t=f"h_pairs_{level}")).fetchone()
        checks[level] = {"engine": list(e), "sql": list(h), "equal": list(e) == list(h)}
    hand.close()
    queries = rank_queries(eng, loaded, max(3, repeat))
    return {"sql": times["sql"], "engine": times["engine"], "checks": checks, "queries": queries}


def rank_queries(eng, loaded, repeat: int) -> dict:
    """Every query a ranking build runs on a level, timed against one scan of its pair table."""
    from innometrics.rankings.counting import count_units, total_weight, unit_names

    def med(fn):
        fn()  # compiled once, as a build does before its first query
        ts = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t)
        return statistics.median(ts)

    out = {}
    for level in LEVELS:
        table = loaded.tables[f"pairs_{level}"]
        scan = f"SELECT unit, sum(frac) AS p_frac FROM {table} GROUP BY unit"
        out[level] = {
            "scan_s": med(lambda: eng.con.con.execute(scan).df()),
            "pair_rows": int(eng.con.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]),
            "indicators_full_s": med(lambda: count_units(loaded, level, "full")),
            "indicators_frac_s": med(lambda: count_units(loaded, level, "fractional")),
            "yearly_s": med(lambda: count_units(loaded, level, "fractional", by_year=True)),
            "names_s": med(lambda: unit_names(loaded, level)),
        }
    out["total_weight_s"] = med(lambda: total_weight(loaded))
    return out


def worker_rank_alone(kind: str):
    def worker(d: str, repeat: int, memory_limit: str) -> dict:
        t = time.perf_counter()
        if kind == "sql":
            import duckdb

            hand_load(duckdb.connect(config=duckdb_config(d, "sql", memory_limit)), d)
        else:
            _, run = engine_load(d, memory_limit)
            run()
        return {"alone_s": time.perf_counter() - t, "peak_mb": peak_mb()}

    return worker


WORKERS = {"rank_timing": worker_rank_timing, "rank_sql": worker_rank_alone("sql"),
           "rank_engine": worker_rank_alone("engine")}


def run_worker(kind: str, d: Path, repeat: int, memory_limit: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "worker", "--kind", kind, "--data", str(d),
           "--repeat", str(repeat), "--memory-limit", memory_limit]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=d)
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def save(data_dir: Path, part: str, n: int, row: dict) -> None:
    path = data_dir / "scale_results.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved.setdefault(part, {})[str(n)] = row
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(saved, indent=1))
    tmp.replace(path)


def bench_rank(sizes: list[int], data_dir: Path, memory_limit: str) -> None:
    sys.path.insert(0, str(HERE))
    from synth_authorship import generate

    for n in sizes:
        d = data_dir / f"rows_{n}"
        marker = d / "counts.json"
        if not marker.exists():
            t = time.perf_counter()
            counts = generate(n, d, threads=THREADS, memory_limit=memory_limit if n > ON_DISK_FROM else None,
                              temp_directory=d / "gen.tmp")
            marker.write_text(json.dumps({**counts, "_seconds": time.perf_counter() - t}))
        counts = json.loads(marker.read_text())
        repeat = 5 if n <= 2_000_000 else (3 if n <= 20_000_000 else 1)
        print(f"[{label(n)}] {counts['affiliations']:,} authorship rows; {repeat} round(s)", flush=True)
        row = {"rows": n, **counts, "memory_limit": memory_limit if n > ON_DISK_FROM else None}
        row["timing"] = run_worker("rank_timing", d, repeat, memory_limit)
        for kind in ("sql", "engine"):
            row[f"alone_{kind}"] = run_worker(f"rank_{kind}", d, 1, memory_limit)
        t = row["timing"]
        s, e = statistics.median(t["sql"]), statistics.median(t["engine"])
        print(f"  hand SQL load {s:.2f} s, engine load {e:.2f} s ({e / s:.2f}x); peak "
              f"{row['alone_sql']['peak_mb']:.0f} / {row['alone_engine']['peak_mb']:.0f} MB; "
              f"tables equal: {all(c['equal'] for c in t['checks'].values())}", flush=True)
        save(data_dir, "rank", n, row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["rank", "convert", "spark", "report", "worker"])
    parser.add_argument("--sizes", default="1M,10M,100M")
    parser.add_argument("--huge", action="store_true", help="also 1B authorship rows (out of core)")
    parser.add_argument("--data-dir", default=os.environ.get("INNOMETRICS_BENCH_DIR", "/tmp/innometrics-bench"))
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit above 20M rows (default: "
                        "half the machine's memory, at most 10GB)")
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    memory_limit = args.memory_limit or machine_memory_limit()
    if args.part == "worker":
        print(json.dumps(WORKERS[args.kind](args.data, args.repeat, memory_limit)))
        return 0
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.huge and 1_000_000_000 not in sizes:
        sizes.append(1_000_000_000)
    if args.part == "rank":
        bench_rank(sizes, data_dir, memory_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
