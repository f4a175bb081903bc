"""A Spark standalone cluster on this machine, started from the PySpark installation.

For trying (and testing) the cluster path of the Spark engine without a cluster:
one master and ``workers`` worker daemons, each a ``spark-class`` JVM bound to
127.0.0.1 on free ports, run in a process group of their own and stopped together
(executors included) by :meth:`LocalStandaloneCluster.stop`::

    with LocalStandaloneCluster(workers=2, worker_memory="1g") as cluster:
        engine = connect_spark(cluster.url)    # spark://127.0.0.1:<port>
        ...

The driver needs executors no larger than a worker: the cluster writes a
``spark-defaults.conf`` (``spark.executor.memory``, ``spark.executor.cores``) into
its own ``SPARK_CONF_DIR``, which :attr:`env` points a driver process at.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from innometrics.errors import SpecError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> Path:
    """The PySpark installation (its ``bin/spark-class`` starts the daemons)."""
    home = os.environ.get("SPARK_HOME")
    if home and (Path(home) / "bin" / "spark-class").exists():
        return Path(home)
    try:
        import pyspark
    except ImportError as exc:  # pragma: no cover - checked by spark_available first
        raise SpecError("pyspark is not installed (pip install 'innometrics[spark]')", key="engine") from exc
    return Path(pyspark.__file__).resolve().parent


class LocalStandaloneCluster:
    """One master and ``workers`` workers on 127.0.0.1 (see the module docstring).

    Parameters
    ----------
    workers : int
    worker_cores : int
        Cores each worker offers.
    worker_memory : str
        Memory each worker offers (``"1g"``); executors get ``executor_memory``.
    executor_memory : str
    shuffle_partitions : int
        ``spark.sql.shuffle.partitions`` of drivers using :attr:`env` (2 per worker core
        suits small data sets; Spark's default of 200 makes every query of a small build
        run hundreds of tiny tasks).
    start_timeout : float
        Seconds to wait for the master and every worker to be up.
    """

    def __init__(self, workers: int = 2, *, worker_cores: int = 1, worker_memory: str = "1g",
                 executor_memory: str = "768m", shuffle_partitions: int = 4, start_timeout: float = 120.0):
        self.workers = workers
        self.worker_cores = worker_cores
        self.worker_memory = worker_memory
        self.executor_memory = executor_memory
        self.shuffle_partitions = shuffle_partitions
        self.start_timeout = start_timeout
        self.port = _free_port()
        self.ui_port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="innometrics-spark-cluster-"))
        self.procs: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Environment for a driver process using this cluster (its ``SPARK_CONF_DIR``)."""
        return {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_CONF_DIR": str(self.dir / "conf"),
                "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}

    def _spawn(self, args: list[str], log: str) -> None:
        env = {**self.env, "SPARK_HOME": str(spark_home()), "SPARK_DAEMON_MEMORY": "256m",
               "SPARK_WORKER_DIR": str(self.dir / "work"), "SPARK_LOG_DIR": str(self.dir / "logs")}
        out = open(self.dir / log, "wb")
        proc = subprocess.Popen([str(spark_home() / "bin" / "spark-class"), *args], stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.procs.append(proc)

    def alive_workers(self) -> int:
        """Workers registered with the master and alive (from the master's JSON status page)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}/json/", timeout=2) as resp:
                status = json.loads(resp.read())
        except OSError:
            return 0
        return sum(1 for w in status.get("workers", []) if w.get("state") == "ALIVE")

    def start(self) -> "LocalStandaloneCluster":
        (self.dir / "conf").mkdir(parents=True, exist_ok=True)
        (self.dir / "conf" / "spark-defaults.conf").write_text(
            f"spark.executor.memory {self.executor_memory}\n"
            f"spark.executor.cores {self.worker_cores}\n"
            f"spark.cores.max {self.workers * self.worker_cores}\n"
            f"spark.sql.shuffle.partitions {self.shuffle_partitions}\n"
            "spark.driver.memory 1g\n", encoding="utf-8")
        try:
            self._spawn(["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(self.port),
                         "--webui-port", str(self.ui_port)], "master.log")
            for i in range(self.workers):
                self._spawn(["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                             "--cores", str(self.worker_cores), "--memory", self.worker_memory,
                             "--webui-port", str(_free_port()), "--work-dir", str(self.dir / f"work{i}"),
                             self.url], f"worker{i}.log")
            deadline = time.monotonic() + self.start_timeout
            while self.alive_workers() < self.workers:
                dead = [p for p in self.procs if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    logs = (self.dir / "master.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"the Spark standalone cluster did not start ({self.alive_workers()} of "
                                       f"{self.workers} workers alive); master log:\n{logs}")
                time.sleep(0.5)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every daemon and its children (executors); remove the cluster's folder."""
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 20
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            try:  # executors the workers started are in the same group
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "LocalStandaloneCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
