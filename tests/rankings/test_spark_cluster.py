"""Spark for real: ``rank build --engine spark://...`` on a standalone cluster (one master, two workers).

The cluster runs on this machine from the PySpark installation
(:class:`~innometrics.rankings.engines.spark_cluster.LocalStandaloneCluster`); the
build runs in a driver process of its own, as a user's would, on Parquet tables
converted from a synthetic OpenAlex snapshot; its output files must equal those
of the same build on DuckDB, and both workers must have run tasks. The cluster is
stopped in the fixture's teardown, whatever happens. Skipped (with the reason)
where Java or PySpark is missing, except under CI=true, where that is a failure.

Time: the cluster starts in about 45 s and the Spark build of 3,000 works took
about 7.5 min on the 2 shared cores of the development machine at a load average
of 20-25 (the Spark jobs' fixed cost per stage dominates; the data is small). The
driver's timeout is generous for that reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from innometrics.rankings.engines import spark_available
from tools_present import tool_missing

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[2]
SPEC = """
[records]
path = "{tables}"
format = "tables"

[count]
method = "fractional"
levels = ["country"]
"""


@pytest.fixture(scope="module")
def cluster():
    ok, why = spark_available()
    if not ok:  # skips where Java or PySpark is absent; fails under CI=true
        tool_missing(f"Spark standalone cluster test: {why}")
    from innometrics.rankings.engines.spark_cluster import LocalStandaloneCluster

    c = LocalStandaloneCluster(workers=2, worker_cores=1, worker_memory="1g", executor_memory="768m").start()
    try:
        yield c
    finally:
        c.stop()
        assert all(p.poll() is not None for p in c.procs) and not c.dir.exists()


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    from innometrics.records.openalex_snapshot import convert_openalex_snapshot
    from innometrics.records.openalex_synth import write_synthetic_snapshot

    root = tmp_path_factory.mktemp("spark_data")
    write_synthetic_snapshot(root / "snapshot", works=3_000, parts=4, n_institutions=300, seed=5, threads=1)
    convert_openalex_snapshot(root / "snapshot", root / "tables", threads=1)
    path = root / "rank.toml"
    path.write_text(SPEC.format(tables=(root / "tables").as_posix()), encoding="utf-8")
    return path


def _cli(args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    code = "from innometrics.cli.main import main; main()"
    env = {**env, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_rank_build_on_a_standalone_cluster_equals_duckdb(cluster, spec, tmp_path):
    spark_out, duck_out = tmp_path / "spark", tmp_path / "duckdb"
    run = _cli(["rank", "build", str(spec), "--out", str(spark_out), "--engine", cluster.url, "--no-report"],
               cluster.env, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    run = _cli(["rank", "build", str(spec), "--out", str(duck_out), "--no-report"], dict(os.environ), timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in ("country.csv", "yearly_country.csv", "credits.csv",
                 "records.csv", "rejects.csv"):
        a, b = pd.read_csv(spark_out / name), pd.read_csv(duck_out / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, obj=name)
    country = pd.read_csv(duck_out / "country.csv")
    assert len(country) > 30 and abs(country["p_frac"].sum() - len(pd.read_csv(duck_out / "records.csv"))) < 1e-6
    # the work was split over both workers: each ran an executor that ran tasks
    logs = sorted(cluster.dir.glob("work*/app-*/*/stderr"))
    ran = {log.parts[-4] for log in logs if "Running task" in log.read_text(errors="replace")}
    assert ran == {"work0", "work1"}, [str(p) for p in logs]
