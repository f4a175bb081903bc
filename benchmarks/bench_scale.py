"""Benchmark for issue 16: ranking builds at OpenAlex scale, the snapshot converter, Spark on a cluster.

Three parts, each side by side with a hand-written baseline in the same run, each
size's figures saved to ``benchmarks/scale_results.json`` (kept in the repository, so
that the figures behind BENCHMARKS.md travel with it; ``--results`` for another file),
stamped with the run that measured them; ``all`` runs the three parts one after the
other in one run:

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

    python benchmarks/bench_scale.py all --sizes 1M,10M,100M    # rank, convert, spark: one run
    python benchmarks/bench_scale.py rank --sizes 1M,10M
    python benchmarks/bench_scale.py rank --sizes 100M --huge   # 1B too
    python benchmarks/bench_scale.py report                     # BENCHMARKS.md from the saved results
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
ON_DISK_FROM = 20_000_000
HUGE = 1_000_000_000
RESULTS = HERE / "scale_results.json"
RUN: dict = {}  # the run that measures: set in main, saved with every row
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


def machine_memory_limit(share: float = 0.5, cap_gb: float | None = 10.0) -> str:
    """``share`` of the machine's memory, at most ``cap_gb``: DuckDB's limit for out-of-core sizes
    (by default half the machine, at most 10 GB)."""
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{min(cap_gb or total_gb, total_gb * share):.0f}GB"


def machine_description() -> str:
    """CPU model, cores, memory and the load average when a run starts (ratios, not seconds, carry over)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    total_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return (f"{model}, {os.cpu_count()} cores, {total_gb:.0f} GB; load average at start "
            f"{os.getloadavg()[0]:.1f}")


def database_file(d: str, who: str) -> str | None:
    """At 1B rows the loaded tables go to a database file of their own, else in memory.

    An in-memory database past its memory limit spills stored tables to the temporary
    folder uncompressed (about 100 GB of pair tables at 1B rows); a database file keeps
    them compressed (about 16 GB, measured at 10M rows: 155 MB). Both implementations
    get the same kind of storage. The file is removed first, so each run starts empty.
    """
    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows < HUGE * 0.9:
        return None
    path = Path(d) / f"{who}.duckdb"
    for stale in (path, path.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    return str(path)


def duckdb_config(d: str, who: str, memory_limit: str) -> dict:
    config = {"threads": THREADS, "preserve_insertion_order": False}
    n_rows = json.loads((Path(d) / "counts.json").read_text())["affiliations"]
    if n_rows > ON_DISK_FROM:
        config.update(memory_limit=memory_limit, temp_directory=str(Path(d) / f"{who}.tmp"))
    return config


# ---------------------------------------------------------------------------- rank: the two loads
def hand_load(con, d: str, temp: bool = True) -> None:
    """The hand-written SQL: facts, contributors' credits, three pair tables.

    ``temp=False`` (a database file, 1B rows) stores them as tables of the database, as the
    engine does there: DuckDB keeps temporary tables in memory, and they did not fit at 1B
    rows (out of memory at a 10 GB limit).
    """
    text = (HERE / "hand_load.sql").read_text()
    if not temp:
        text = text.replace("CREATE OR REPLACE TEMP TABLE", "CREATE OR REPLACE TABLE")
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
    eng = connect_duckdb(database_file(d, who), threads=THREADS, memory_limit=cfg.get("memory_limit"),
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
    peaks = {}
    loaded = None
    for i in range(repeat):
        t = time.perf_counter()
        hand_load(hand, d)
        times["sql"].append(time.perf_counter() - t)
        peaks.setdefault("after_sql_mb", peak_mb())
        if loaded is not None:  # free the previous round's tables first
            for name in loaded.tables.values():
                eng.drop(name)
        t = time.perf_counter()
        loaded = run()
        times["engine"].append(time.perf_counter() - t)
        peaks.setdefault("after_engine_mb", peak_mb())
        print(f"round {i + 1}: hand SQL {times['sql'][-1]:.1f} s, engine {times['engine'][-1]:.1f} s",
              file=sys.stderr, flush=True)
    checks = {}
    for level in LEVELS:
        e = eng.con.con.execute(CHECK_SQL.format(t=loaded.tables[f"pairs_{level}"])).fetchone()
        h = hand.execute(CHECK_SQL.format(t=f"h_pairs_{level}")).fetchone()
        checks[level] = {"engine": list(e), "sql": list(h), "equal": list(e) == list(h)}
    hand.close()
    queries = rank_queries(eng, loaded, max(5, repeat))
    return {"sql": times["sql"], "engine": times["engine"], "checks": checks, "queries": queries, **peaks}


def rank_queries(eng, loaded, repeat: int, huge: bool = False) -> dict:
    """Every query a ranking build runs on a level, timed against one scan of its pair table.

    ``huge`` (1B rows): each query once, without the compiling run, and no fetch or drill-down
    (they would bring hundreds of millions of pair rows into pandas).
    """
    from innometrics.rankings.counting import count_units, record_unit_credits, total_weight, unit_names

    def interleaved(queries: dict) -> dict:
        """Median time of each query over ``repeat`` rounds that run every query in turn.

        Interleaved, so a query and its baseline meet the same load (another job on the
        machine, memory left by the previous one); each compiled once first, as a build does
        before its first query (not at 1B rows, where each runs once).
        """
        if not huge:
            for fn in queries.values():
                fn()
        times = {name: [] for name in queries}
        for _ in range(repeat):
            for name, fn in queries.items():
                t = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t)
        return {name: statistics.median(ts) for name, ts in times.items()}

    out = {}
    for level in LEVELS:
        table = loaded.tables[f"pairs_{level}"]
        scan = f"SELECT unit, sum(frac) AS p_frac FROM {table} GROUP BY unit"
        full = "CASE WHEN is_helper THEN 0.0 ELSE weight END"
        cited = "citations IS NOT NULL"
        hand = (f"SELECT unit, sum({full}) AS p_full, sum(frac) AS p_frac, "
                f"sum(CASE WHEN {cited} THEN frac ELSE 0.0 END) AS cit_weight, "
                f"sum(CASE WHEN {cited} THEN frac * citations ELSE 0.0 END) AS cit_sum, "
                f"sum(CASE WHEN {cited} THEN frac * top_share ELSE 0.0 END) AS top_sum, "
                f"sum(CASE WHEN is_international THEN {full} ELSE 0.0 END) AS p_int_collab "
                f"FROM {table} GROUP BY unit")
        out[level] = interleaved({
            "scan_s": lambda: eng.con.con.execute(scan).df(),
            "hand_indicators_s": lambda: eng.con.con.execute(hand).df(),
            "indicators_full_s": lambda: count_units(loaded, level, "full"),
            "indicators_frac_s": lambda: count_units(loaded, level, "fractional"),
            "yearly_s": lambda: count_units(loaded, level, "fractional", by_year=True),
            "window_s": lambda: count_units(loaded, level, "fractional", period=(2015, 2019)),
            "names_s": lambda: unit_names(loaded, level),
        })
        out[level]["pair_rows"] = int(eng.con.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        print(f"queries of {level} done", file=sys.stderr, flush=True)
        if huge:
            continue
        out[level].update(interleaved({
            # the drill-down (record, unit) credits return every pair row: against fetching them
            "fetch_s": lambda: eng.con.con.execute(f"SELECT record_key, unit, frac FROM {table}").df(),
            "fetch_arrow_s": lambda: eng.con.con.execute(
                f"SELECT record_key, unit, frac FROM {table}").to_arrow_table().to_pandas(),
            # the columns the drill-down reads (its credits, the indicator facts)
            "fetch_read_arrow_s": lambda: eng.con.con.execute(
                f"SELECT record_key, unit, is_helper, frac, weight, citations, top_share, is_international "
                f"FROM {table}").to_arrow_table().to_pandas(),
            "drill_s": lambda: record_unit_credits(loaded, level, "fractional"),
        }))
    out["rounds"] = repeat  # the report states it
    out["total_weight_s"] = interleaved({"total_weight_s": lambda: total_weight(loaded)})["total_weight_s"]
    return out


def worker_rank_huge(d: str, repeat: int, memory_limit: str) -> dict:
    """1B rows: the engine's load alone in this process (time, peak), then its queries once each."""
    eng, run = engine_load(d, memory_limit)
    t = time.perf_counter()
    loaded = run()
    load_s = time.perf_counter() - t
    after_load = peak_mb()
    print(f"engine load {load_s:.1f} s, peak {after_load:.0f} MB", file=sys.stderr, flush=True)
    checks = {level: list(eng.con.con.execute(CHECK_SQL.format(t=loaded.tables[f"pairs_{level}"])).fetchone())
              for level in LEVELS}
    queries = rank_queries(eng, loaded, 1, huge=True)
    database = Path(d) / "engine.duckdb"
    return {"engine_s": load_s, "after_engine_mb": after_load, "peak_mb": peak_mb(), "checks": checks,
            "queries": queries, "spill_limit": memory_limit,
            "database_mb": database.stat().st_size / 2 ** 20 if database.exists() else None}


def worker_rank_alone(kind: str):
    def worker(d: str, repeat: int, memory_limit: str) -> dict:
        t = time.perf_counter()
        if kind == "sql":
            import duckdb

            database = database_file(d, "sql")
            hand = duckdb.connect(database or ":memory:", config=duckdb_config(d, "sql", memory_limit))
            hand_load(hand, d, temp=database is None)
            alone = {"alone_s": time.perf_counter() - t, "peak_mb": peak_mb()}
            if database:  # 1B: the engine ran in another process; its checks are compared in the report
                alone["checks"] = {level: list(hand.execute(CHECK_SQL.format(t=f"h_pairs_{level}")).fetchone())
                                   for level in LEVELS}
            return alone
        _, run = engine_load(d, memory_limit)
        run()
        return {"alone_s": time.perf_counter() - t, "peak_mb": peak_mb()}

    return worker


# ---------------------------------------------------------------------------- convert
BASELINE_SQL = ("COPY (SELECT * FROM read_json('{snap}/updated_date=*/part_*.gz', format = 'newline_delimited', "
                "compression = 'gzip')) TO '{out}' (FORMAT parquet)")


def convert_runners(snap: str, scratch: Path):
    """The converter and DuckDB's own read_json of the same parts to one Parquet file."""
    import shutil

    import duckdb

    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.records.openalex_snapshot import convert_openalex_snapshot

    scratch.mkdir(parents=True, exist_ok=True)

    def ours():
        out = scratch / "converted"
        shutil.rmtree(out, ignore_errors=True)
        result = convert_openalex_snapshot(snap, out, threads=THREADS)
        return result.counts

    def baseline():
        out = scratch / "read_json.parquet"
        con = duckdb.connect(config={"threads": THREADS})
        con.execute(BASELINE_SQL.format(snap=snap, out=out))
        n = con.execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
        con.close()
        out.unlink()
        return n

    return {"sql": baseline, "engine": ours}


def worker_convert_timing(d: str, repeat: int, memory_limit: str) -> dict:
    runners = convert_runners(d, Path(d).parent / (Path(d).name + ".scratch"))
    times = {k: [] for k in runners}
    out = {}
    for _ in range(repeat):
        for k, run in runners.items():
            t = time.perf_counter()
            out[k] = run()
            times[k].append(time.perf_counter() - t)
    return {**times, "counts": out["engine"], "works_read_json": out["sql"]}


def worker_convert_alone(kind: str):
    def worker(d: str, repeat: int, memory_limit: str) -> dict:
        run = convert_runners(d, Path(d).parent / (Path(d).name + f".scratch_{kind}"))[kind]
        t = time.perf_counter()
        run()
        return {"alone_s": time.perf_counter() - t, "peak_mb": peak_mb()}

    return worker


# ---------------------------------------------------------------------------- spark cluster
def worker_spark(d: str, repeat: int, memory_limit: str) -> dict:
    """The rank load and every level's indicators on the cluster (URL in INNOMETRICS_BENCH_SPARK), vs DuckDB."""
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.counting import count_units
    from innometrics.rankings.credits import load_tables
    from innometrics.rankings.engines import connect_duckdb, connect_spark

    out = {}
    results = {}
    for name in ("duckdb", "spark"):
        eng = connect_spark(os.environ["INNOMETRICS_BENCH_SPARK"]) if name == "spark" else connect_duckdb(
            threads=THREADS)
        t = time.perf_counter()
        tables = [eng.read_parquet(f"b_{name}_{t_}", f"{d}/{t_}.parquet")
                  for t_ in ("records", "contributors", "affiliations")]
        loaded = load_tables(eng, *tables, levels=LEVELS, eager=True)
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        results[name] = {lv: count_units(loaded, lv, "fractional") for lv in LEVELS}
        out[name] = {"load_s": load_s, "queries_s": time.perf_counter() - t}
        eng.close()  # DuckDB's tables (about 10 GB at 100M) must not stay beside Spark's executors
    import pandas as pd

    diffs = []
    for lv in LEVELS:
        a, b = results["duckdb"][lv], results["spark"][lv]
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                      rtol=1e-9)
        diffs.append(float((a["p_frac"] - b["p_frac"]).abs().max()))
    out["max_diff"] = max(diffs)
    out["equal"] = True
    return out


WORKERS = {"rank_timing": worker_rank_timing, "rank_sql": worker_rank_alone("sql"),
           "rank_engine": worker_rank_alone("engine"), "rank_huge": worker_rank_huge, "convert_timing": worker_convert_timing,
           "convert_sql": worker_convert_alone("sql"), "convert_engine": worker_convert_alone("engine"),
           "spark": worker_spark}


def run_worker(kind: str, d: Path, repeat: int, memory_limit: str, env: dict | None = None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "worker", "--kind", kind, "--data", str(d),
           "--repeat", str(repeat), "--memory-limit", memory_limit]
    log = open(Path(d) / f"worker_{kind}.log", "w")  # progress of long workers
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, text=True, cwd=d, env=env)
    log.close()
    proc.stderr = (Path(d) / f"worker_{kind}.log").read_text()
    if proc.returncode != 0:
        raise SystemExit(f"worker {kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def save(data_dir: Path, part: str, n: int, row: dict) -> None:
    path = RESULTS
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved.setdefault(part, {})[str(n)] = {**row, "run": RUN}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(saved, indent=1))
    tmp.replace(path)


def bench_rank(sizes: list[int], data_dir: Path, memory_limit: str, alone_max: int = 1_000_000_000) -> None:
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
        if n >= HUGE:
            bench_rank_huge(n, d, counts, data_dir, memory_limit)
            continue
        repeat = 5 if n <= 2_000_000 else (3 if n <= 20_000_000 else 1)
        print(f"[{label(n)}] {counts['affiliations']:,} authorship rows; {repeat} round(s)", flush=True)
        row = {"rows": n, **counts, "memory_limit": memory_limit if n > ON_DISK_FROM else None}
        row["timing"] = run_worker("rank_timing", d, repeat, memory_limit)
        save(data_dir, "rank", n, row)
        if n >= alone_max:  # one process for both: peak after the hand SQL, then after both (an upper bound)
            row["alone_sql"] = {"peak_mb": row["timing"]["after_sql_mb"], "shared_process": True}
            row["alone_engine"] = {"peak_mb": row["timing"]["after_engine_mb"], "shared_process": True}
        else:
            for kind in ("sql", "engine"):
                row[f"alone_{kind}"] = run_worker(f"rank_{kind}", d, 1, memory_limit)
        t = row["timing"]
        s, e = statistics.median(t["sql"]), statistics.median(t["engine"])
        print(f"  hand SQL load {s:.2f} s, engine load {e:.2f} s ({e / s:.2f}x); peak "
              f"{row['alone_sql']['peak_mb']:.0f} / {row['alone_engine']['peak_mb']:.0f} MB; "
              f"tables equal: {all(c['equal'] for c in t['checks'].values())}", flush=True)
        save(data_dir, "rank", n, row)


def bench_rank_huge(n: int, d: Path, counts: dict, data_dir: Path, memory_limit: str) -> None:
    """1B rows, out of core: the engine alone (load, peak, queries), then the hand SQL alone.

    Each in a process of its own (both in one would hold two DuckDB databases at the memory
    limit); the engine's figures are saved before the hand SQL starts.
    """
    print(f"[{label(n)}] {counts['affiliations']:,} authorship rows; engine, then hand SQL, each alone, "
          f"DuckDB memory limit {memory_limit}", flush=True)
    path = RESULTS
    earlier = (json.loads(path.read_text()) if path.exists() else {}).get("rank_huge", {}).get(str(n))
    if earlier and earlier.get("affiliations") == counts["affiliations"] and \
            earlier.get("memory_limit") == memory_limit and "alone_sql" not in earlier and "huge" in earlier:
        # the engine's run (most of an hour) finished, the hand SQL's did not: only the latter again
        row = earlier
        print("  engine figures of the earlier run kept; hand SQL again", flush=True)
    else:
        row = {"rows": n, **counts, "memory_limit": memory_limit,
               "huge": run_worker("rank_huge", d, 1, memory_limit)}
        save(data_dir, "rank_huge", n, row)
    h = row["huge"]
    print(f"  engine load {h['engine_s']:.1f} s, peak {h['peak_mb']:.0f} MB, database file "
          f"{h.get('database_mb', 0):,.0f} MB", flush=True)
    database_file(str(d), "engine")  # removes the engine's tables before the hand SQL needs the disk
    # The hand SQL at the engine's memory limit, then, if DuckDB runs out of memory (its window
    # and aggregates in one statement at 1B rows), at three quarters of the machine's memory
    row["sql_failures"] = []
    for limit in dict.fromkeys([memory_limit, machine_memory_limit(0.75, cap_gb=None)]):
        try:
            row["alone_sql"] = run_worker("rank_sql", d, 1, limit)
            row["sql_memory_limit"] = limit
            break
        except SystemExit as failure:
            error = [line for line in str(failure).splitlines() if "Error" in line][-1:]
            row["sql_failures"].append({"memory_limit": limit, "error": error[0] if error else str(failure)[-300:]})
            print(f"  hand SQL failed at {limit}: {row['sql_failures'][-1]['error']}", flush=True)
            save(data_dir, "rank_huge", n, row)  # a failure stays on record if the next try is cut off
        finally:
            database_file(str(d), "sql")
    save(data_dir, "rank_huge", n, row)
    if "alone_sql" in row:
        print(f"  hand SQL load {row['alone_sql']['alone_s']:.1f} s, peak {row['alone_sql']['peak_mb']:.0f} MB "
              f"at {row['sql_memory_limit']} ({h['engine_s'] / row['alone_sql']['alone_s']:.2f}x)", flush=True)


def bench_convert(sizes: list[int], data_dir: Path, memory_limit: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.records.openalex_synth import write_synthetic_snapshot

    for n in sizes:
        d = data_dir / f"snapshot_{n}"
        marker = d / "snapshot.json"
        if not marker.exists():
            t = time.perf_counter()
            info = write_synthetic_snapshot(d, rows=n, parts=max(4, n // 2_500_000), threads=THREADS)
            marker.write_text(json.dumps({**info, "_seconds": time.perf_counter() - t}))
        info = json.loads(marker.read_text())
        size = sum(p.stat().st_size for p in d.glob("updated_date=*/part_*.gz"))
        repeat = 3 if n <= 2_000_000 else 1
        print(f"[{label(n)}] snapshot: {info['works']:,} works in {info['parts']} parts, {size / 2**20:.0f} MB gz",
              flush=True)
        row = {"rows": n, **info, "gz_bytes": size, "timing": run_worker("convert_timing", d, repeat, memory_limit)}
        for kind in ("sql", "engine"):
            row[f"alone_{kind}"] = run_worker(f"convert_{kind}", d, 1, memory_limit)
        t = row["timing"]
        s_, e = statistics.median(t["sql"]), statistics.median(t["engine"])
        print(f"  read_json -> Parquet {s_:.2f} s, converter {e:.2f} s ({e / s_:.2f}x); peak "
              f"{row['alone_sql']['peak_mb']:.0f} / {row['alone_engine']['peak_mb']:.0f} MB; {t['counts']}", flush=True)
        save(data_dir, "convert", n, row)


def bench_spark(sizes: list[int], data_dir: Path, memory_limit: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from innometrics.rankings.engines.spark_cluster import LocalStandaloneCluster

    with LocalStandaloneCluster(workers=2, worker_cores=1, worker_memory="3g", executor_memory="2g") as cluster:
        for n in sizes:
            d = data_dir / f"rows_{n}"
            if not (d / "counts.json").exists():
                raise SystemExit(f"run the rank part at {label(n)} first (it generates {d})")
            print(f"[{label(n)}] Spark standalone cluster {cluster.url} (2 workers x 1 core)", flush=True)
            row = {"rows": n, **run_worker("spark", d, 1, memory_limit,
                                           env={**cluster.env, "INNOMETRICS_BENCH_SPARK": cluster.url})}
            print(f"  DuckDB load {row['duckdb']['load_s']:.1f} s + queries {row['duckdb']['queries_s']:.1f} s; "
                  f"Spark cluster load {row['spark']['load_s']:.1f} s + queries {row['spark']['queries_s']:.1f} s; "
                  f"equal: {row['equal']}", flush=True)
            save(data_dir, "spark", n, row)


# ---------------------------------------------------------------------------- report
def growth(points: list[tuple[int, float]]) -> str:
    """The least-squares line of log(time) on log(rows): ``t = a (rows / 1M)^b``."""
    points = [(n, t) for n, t in points if t > 0]
    if len(points) < 2:
        return "one size only"
    xs = [math.log(n / 1e6) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    a = math.exp(my - b * mx)
    return f"t = {a:.3g} s x (rows / 1M)^{b:.2f}"


def _gb(mb: float) -> str:
    return f"{mb / 1024:.1f} GB"


def write_report(data_dir: Path) -> None:
    import duckdb

    saved = json.loads(RESULTS.read_text())
    rank = [saved["rank"][k] for k in sorted(saved.get("rank", {}), key=int)]
    conv = [saved["convert"][k] for k in sorted(saved.get("convert", {}), key=int)]
    spark = [saved["spark"][k] for k in sorted(saved.get("spark", {}), key=int)]
    med = statistics.median
    out = ["## Scale: OpenAlex-size rankings (issue 16)", "",
           f"`python benchmarks/bench_scale.py rank|convert|spark --sizes ...` then `report` (DuckDB "
           f"{duckdb.__version__}, {THREADS} threads on a 2-core machine that other jobs share (the notes at the "
           "end give the load during each run); ratios come from interleaved rounds in one process, where each "
           "implementation meets the same load). "
           "Synthetic data as in the section above (`synth_authorship.py`, 2.6 countries per record).", "",
           "### Rank build: the load of all three levels vs hand-written SQL", "",
           "Engine: `load_tables(..., levels=(institution, city, country), eager=True)` from the Parquet files: "
           "record facts, a numbered dictionary of the places, the credit rows summed once per (record, place) "
           "over integer keys, and each level's pair table from those sums (every method's credit and the "
           "indicator facts). Hand SQL: `benchmarks/hand_load.sql`, the same tables written directly in DuckDB "
           "SQL (facts, contributors' credits, then per level the affiliations joined to them and summed per "
           "(record, unit)); the tables are checked equal (row counts, sums of every credit, distinct units, a "
           "hash of units and names). Above 20M rows both run with DuckDB's memory limit set from the machine "
           "(half its memory, at most 10 GB) and spill to a temporary folder. Peak memory: each alone in a "
           "process of its own.", "",
           "| Authorship rows | Rounds | Hand SQL load | Engine load | Engine / hand SQL | Peak memory hand SQL / "
           "engine | Tables equal | Pair rows institution / city / country |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rank:
        t = r["timing"]
        s_, e = med(t["sql"]), med(t["engine"])
        q = t["queries"]
        shared = "*" if r["alone_sql"].get("shared_process") else ""
        out.append(f"| {label(r['rows'])} ({r['affiliations']:,}) | {len(t['sql'])} | {s_:.1f} s | {e:.1f} s "
                   f"| **{e / s_:.2f}x** | {_gb(r['alone_sql']['peak_mb'])} / {_gb(r['alone_engine']['peak_mb'])}{shared} "
                   f"| {'yes' if all(c['equal'] for c in t['checks'].values()) else 'NO'} "
                   f"| {' / '.join(format(q[lv]['pair_rows'], ',') for lv in LEVELS)} |")
    if any(r["alone_sql"].get("shared_process") for r in rank):
        out += ["", "\\* Both loads in one process (no separate runs at this size, for time): the peak after the "
                "hand SQL load, then the peak after both (the engine's own peak is at most that)."]
    with_hand = any(r["timing"]["queries"][lv].get("hand_indicators_s") for r in rank for lv in LEVELS)
    rounds = "/".join(str(n) for n in sorted({r["timing"]["queries"].get("rounds", 3) for r in rank}))
    out += ["", f"Queries after the load (a rank build's queries of each level, median of {rounds} rounds that run "
            "each query in turn, after one compiling run), against one scan of the level's pair table (`SELECT unit, sum(frac) FROM pairs "
            "GROUP BY unit`, hand-written):", "",
            "| Authorship rows | Level | One scan | " + ("Same indicators hand-written | " if with_hand else "")
            + "All indicators, full | All indicators, fractional | Yearly counts | Window 2015-2019 | Unit names "
            "| Slowest / scan |" + (" Fractional indicators / hand-written |" if with_hand else ""),
            "| --- " * (9 + 2 * with_hand) + "|"]
    for r in rank:
        q = r["timing"]["queries"]
        for lv in LEVELS:
            x = q[lv]
            ts = [x["indicators_full_s"], x["indicators_frac_s"], x["yearly_s"], x.get("window_s"), x["names_s"]]
            hand = x.get("hand_indicators_s")
            cells = [label(r["rows"]), lv, f"{x['scan_s'] * 1000:.0f} ms"]
            if with_hand:
                cells.append(f"{hand * 1000:.0f} ms" if hand else "not timed")
            cells += [f"{v * 1000:.0f} ms" if v is not None else "-" for v in ts]
            cells.append(f"{max(v for v in ts if v is not None) / x['scan_s']:.2f}x")
            if with_hand:
                cells.append(f"{x['indicators_frac_s'] / hand:.2f}x" if hand else "-")
            out.append("| " + " | ".join(cells) + " |")
    drill = [(r, lv) for r in rank for lv in LEVELS if "drill_s" in r["timing"]["queries"][lv]]
    if drill:
        out += ["", "The drill-down (the credits of every (record, unit) pair: `credits.csv` and the bootstrap's "
                "matrix) returns every pair row, so its baseline is fetching the pair rows into pandas "
                "(`SELECT record_key, unit, frac FROM pairs`, through DuckDB's `df()` and through Arrow's "
                "`to_pandas()`, the conversion the engine uses; and the eight columns the drill-down reads, through "
                "Arrow: the scan of the pair table it makes), not a sum per unit. Its rows come in (record, unit) "
                "order, read from the pair table's stored order (DuckDB stores it sorted at load), as Arrow; a "
                "helper row is added to its pair's row and the floats are rounded while copied out of Arrow "
                "(`counting.pair_credit_frame`):", "",
                "| Authorship rows | Level | Fetch, df() | Fetch, Arrow | Fetch of the columns read, Arrow "
                "| Drill-down (`record_unit_credits`) | Drill-down / fetch df() | Drill-down / fetch Arrow "
                "| Drill-down / fetch of the columns read |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r, lv in drill:
            x = r["timing"]["queries"][lv]
            fa, fr = x.get("fetch_arrow_s"), x.get("fetch_read_arrow_s")
            out.append(f"| {label(r['rows'])} | {lv} | {x['fetch_s'] * 1000:.0f} ms | "
                       + (f"{fa * 1000:.0f} ms" if fa else "-") + " | "
                       + (f"{fr * 1000:.0f} ms" if fr else "-") + f" | {x['drill_s'] * 1000:.0f} ms "
                       f"| {x['drill_s'] / x['fetch_s']:.2f}x | " + (f"{x['drill_s'] / fa:.2f}x" if fa else "-")
                       + " | " + (f"{x['drill_s'] / fr:.2f}x" if fr else "-") + " |")
    if rank:
        out += ["", "Growth (least squares on log-log): hand SQL load "
                + growth([(r["rows"], med(r["timing"]["sql"])) for r in rank]) + "; engine load "
                + growth([(r["rows"], med(r["timing"]["engine"])) for r in rank]) + "."]
    runs = {}
    for part in ("rank", "convert", "spark", "rank_huge"):
        for key, row in saved.get(part, {}).items():
            run = row.get("run") or {"started": "an earlier run (not stamped)"}
            runs.setdefault((run.get("started"), run.get("part", "?"), run.get("sizes", "?"),
                             run.get("machine", "")), []).append(f"{part} {label(int(key))}")
    out[2:2] = ["Runs behind these figures (`benchmarks/scale_results.json`): " + "; ".join(
        f"started {started}, `bench_scale.py {part} --sizes {sizes}`" + (f" ({machine})" if machine else "")
        + ": " + ", ".join(what) for (started, part, sizes, machine), what in sorted(runs.items(), key=str)) + ".",
        ""]
    huge = [saved["rank_huge"][k] for k in sorted(saved.get("rank_huge", {}), key=int)]
    kept_huge = None
    if not huge:  # measured on a machine whose results file is gone: the section as BENCHMARKS.md has it
        m = re.search(r"^### Rank build at 1B authorship rows, out of core\n.*?(?=^### )",
                      (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"), re.S | re.M)
        kept_huge = m.group(0).rstrip("\n") if m else None
        kept_note = ("These 1B figures are kept as BENCHMARKS.md recorded them (run of 3 December 2026, "
                     "`rank --sizes 100M --huge`); its results file was on a machine since reset.")
        if kept_huge and kept_note not in kept_huge:
            kept_huge += "\n\n" + kept_note
    if kept_huge:
        out += ["", kept_huge]
    if huge:
        out += ["", "### Rank build at 1B authorship rows, out of core", "",
                "`bench_scale.py rank --huge`: the engine's load alone in a process of its own, then each "
                "ranking query once (no fetch or drill-down: they would bring every pair row into pandas), "
                "then the hand-written SQL alone in another process; DuckDB's memory limit set from the "
                "machine, spilling to a folder next to the data.", "",
                "| Authorship rows | Memory limit | Engine load | Peak memory engine | Hand SQL load | Peak memory "
                "hand SQL | Engine / hand SQL | Slowest query / scan (institution, city, country) | Pair tables "
                "equal |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in huge:
            h = r["huge"]
            sql = r.get("alone_sql")
            slow = []
            for lv in LEVELS:
                x = h["queries"][lv]
                ts = [x["indicators_full_s"], x["indicators_frac_s"], x["yearly_s"], x["window_s"], x["names_s"]]
                slow.append(f"{max(ts) / x['scan_s']:.2f}x")
            at = f" (memory limit {r['sql_memory_limit']})" if sql and r.get("sql_memory_limit") not in (
                None, r["memory_limit"]) else ""
            out.append(f"| {label(r['rows'])} ({r['affiliations']:,}) | {r['memory_limit']} | {h['engine_s']:.0f} s "
                       f"| {_gb(h['peak_mb'])} | " + (f"{sql['alone_s']:.0f} s{at} | {_gb(sql['peak_mb'])} | "
                                                     f"**{h['engine_s'] / sql['alone_s']:.2f}x**" if sql else
                                                     ("failed (below) | - | -" if r.get("sql_failures") else
                                                      "not run | - | -")) + f" | {' / '.join(slow)} | "
                       + (("yes" if sql["checks"] == h["checks"] else "**no**") if sql and "checks" in sql else "-")
                       + " |")
        for r in huge:
            for failure in r.get("sql_failures", []):
                out += ["", f"At {label(r['rows'])} the hand-written SQL (alone) failed at a memory limit of "
                        f"{failure['memory_limit']} (`{failure['error']}`)"
                        + (f"; it ran at {r['sql_memory_limit']}." if r.get("alone_sql") else ".")]
        if any(r["huge"].get("database_mb") for r in huge):
            out += ["", "At 1B rows both implementations store their tables in a DuckDB database file (compressed; "
                    "an in-memory database would spill them uncompressed); the engine's file: "
                    + ", ".join(f"{_gb(r['huge']['database_mb'])} at {label(r['rows'])}" for r in huge
                                if r["huge"].get("database_mb")) + "."]
    if conv:
        out += ["", "### OpenAlex snapshot conversion vs DuckDB's own read_json", "",
                "Synthetic works snapshot (`innometrics.records.openalex_synth`: OpenAlex's field names and "
                "nesting, gzipped JSON Lines in `updated_date=*/part_*.gz`, quirks included). Converter: "
                "`convert_openalex_snapshot` (per part: `read_json` with explicit columns, UNNEST into records, "
                "contributors, affiliations, rejects, atomic per-part files and done markers; each part's gzip "
                "CRC-32 and length checked beside the read, which DuckDB does not do; parts two at a "
                "time, its default with two threads). Baseline: "
                "`COPY (SELECT * FROM read_json('.../part_*.gz')) TO 'x.parquet'` (schema inferred, one "
                "copy of every field, nested as in the JSON). Same threads; interleaved rounds.", "",
                "| Authorship rows | Works | Parts (gz) | read_json to Parquet | Converter | Converter / read_json "
                "| Peak memory read_json / converter | Output rows (records, contributors, affiliations, rejects) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in conv:
            t = r["timing"]
            s_, e = med(t["sql"]), med(t["engine"])
            c = t["counts"]
            out.append(f"| {label(r['rows'])} | {r['works']:,} | {r['parts']} ({r['gz_bytes'] / 2**20:.0f} MB) "
                       f"| {s_:.1f} s | {e:.1f} s | **{e / s_:.2f}x** | {_gb(r['alone_sql']['peak_mb'])} / "
                       f"{_gb(r['alone_engine']['peak_mb'])} | {c['records']:,}, {c['contributors']:,}, "
                       f"{c['affiliations']:,}, {c['rejects']:,} |")
        out += ["", "Growth: read_json " + growth([(r["rows"], med(r["timing"]["sql"])) for r in conv])
                + "; converter " + growth([(r["rows"], med(r["timing"]["engine"])) for r in conv]) + "."]
    if spark:
        out += ["", "### Spark standalone cluster", "",
                "One master and two workers (1 core, 3 GB each; executors 2 GB) started on 127.0.0.1 from the "
                "PySpark installation (`LocalStandaloneCluster`); the load of the three levels from the Parquet "
                "files and each level's fractional count, against the same on DuckDB in the same process; the "
                "counts are compared.", "",
                "| Authorship rows | DuckDB load + counts | Spark cluster load + counts | Spark / DuckDB | Counts equal "
                "(largest difference) |", "| --- | --- | --- | --- | --- |"]
        for r in spark:
            d_, sp = r["duckdb"], r["spark"]
            dt, st = d_["load_s"] + d_["queries_s"], sp["load_s"] + sp["queries_s"]
            out.append(f"| {label(r['rows'])} | {d_['load_s']:.1f} + {d_['queries_s']:.1f} s | {sp['load_s']:.1f} + "
                       f"{sp['queries_s']:.1f} s | {st / dt:.1f}x | {'yes' if r['equal'] else 'NO'} "
                       f"({r['max_diff']:.1e}) |")
        out += ["", "Growth: DuckDB " + growth([(r["rows"], r["duckdb"]["load_s"] + r["duckdb"]["queries_s"])
                                                for r in spark])
                + "; Spark cluster " + growth([(r["rows"], r["spark"]["load_s"] + r["spark"]["queries_s"])
                                               for r in spark]) + "."]
    notes = HERE / "scale_notes.md"  # kept in the repository: what the saved figures alone do not say
    if notes.exists():
        out += ["", notes.read_text().strip()]
    section = "\n".join(out) + "\n"

    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"^## Scale: OpenAlex-size rankings \(issue 16\)\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    print("BENCHMARKS.md updated (## Scale: OpenAlex-size rankings (issue 16))")


def main(argv: list[str] | None = None) -> int:
    global RESULTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["all", "rank", "convert", "spark", "report", "worker"],
                        help="all: rank, convert and spark one after the other (one run), then report")
    parser.add_argument("--sizes", default="1M,10M,100M")
    parser.add_argument("--huge", action="store_true", help="also 1B authorship rows (out of core)")
    parser.add_argument("--data-dir", default=os.environ.get("INNOMETRICS_BENCH_DIR", "/tmp/innometrics-bench"))
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory limit above 20M rows (default: "
                        "half the machine's memory, at most 10GB)")
    parser.add_argument("--results", default=str(RESULTS), help="the saved figures (default: %(default)s)")
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    memory_limit = args.memory_limit or machine_memory_limit()
    if args.part == "worker":
        print(json.dumps(WORKERS[args.kind](args.data, args.repeat, memory_limit)))
        return 0
    RESULTS = Path(args.results)
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    RUN.update(part=args.part, sizes=args.sizes + (",1B" if args.huge else ""),
               started=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), machine=machine_description())
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.huge and 1_000_000_000 not in sizes:
        sizes.append(1_000_000_000)
    if args.part == "all":
        bench_rank(sizes, data_dir, memory_limit)
        bench_convert([n for n in sizes if n < HUGE], data_dir, memory_limit)
        bench_spark([n for n in sizes if n < HUGE], data_dir, memory_limit)
        write_report(data_dir)
    elif args.part == "rank":
        bench_rank(sizes, data_dir, memory_limit)
    elif args.part == "convert":
        bench_convert(sizes, data_dir, memory_limit)
    elif args.part == "spark":
        bench_spark(sizes, data_dir, memory_limit)
    elif args.part == "report":
        write_report(data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
