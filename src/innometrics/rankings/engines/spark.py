"""Apache Spark engine through Ibis's PySpark backend.

``connect_spark()`` starts a local-mode session (``local[2]``) bound to 127.0.0.1, or
attaches to a cluster given as a ``spark://host:port`` URL. Every Spark-specific
workaround lives in this module:

* ``SPARK_LOCAL_IP=127.0.0.1`` so a sandboxed machine without a resolvable host name
  can start the driver;
* the web UI is disabled; in local mode shuffle partitions are few (small local
  data sets), on a cluster the cluster's settings (``spark-defaults.conf``) apply;
* ``spark.sql.ansi.enabled=false`` so integer division and casts behave as in DuckDB
  (Spark 4 turns ANSI mode on by default);
* pandas frames are uploaded through Arrow with explicit nullable types;
* tables materialised at load time go to a private temporary warehouse folder with an
  in-memory catalog, never to ``./spark-warehouse`` or a Derby metastore in the
  working directory; on a cluster of several machines set ``INNOMETRICS_SPARK_WAREHOUSE``
  to storage every executor can write (HDFS, S3, DBFS; see docs/spark.md).
"""

from __future__ import annotations

import os

from innometrics.errors import SpecError
from innometrics.rankings.engines.base import Engine


def spark_available() -> tuple[bool, str]:
    """Whether PySpark and a Java runtime are present, and why not if they are not."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, "pyspark is not installed (pip install 'innometrics[spark]')"
    import shutil

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return False, "no Java runtime found (install Java 17 or set JAVA_HOME)"
    return True, ""


def connect_spark(master: str = "local[2]", *, app_name: str = "innometrics-rank") -> Engine:
    """Open a Spark engine.

    Parameters
    ----------
    master : str
        ``local[N]`` for local mode, or a ``spark://host:port`` cluster URL.
    app_name : str
        The Spark application name.

    Raises
    ------
    SpecError
        When PySpark or Java is missing (the message says how to install them).
    """
    ok, why = spark_available()
    if not ok:
        raise SpecError(f"cannot use the Spark engine: {why}", key="engine")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    import tempfile

    import ibis
    from pyspark.sql import SparkSession

    warehouse = os.environ.get("INNOMETRICS_SPARK_WAREHOUSE") or tempfile.mkdtemp(prefix="innometrics-spark-")
    local = master.startswith("local") or master.split("://", 1)[-1].split(":", 1)[0] in ("127.0.0.1", "localhost")

    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.sql.catalogImplementation", "in-memory")
    )
    if master.startswith("local"):  # small local data sets: few shuffle partitions
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    if local:  # a driver on a sandboxed machine without a resolvable host name
        builder = builder.config("spark.driver.host", "127.0.0.1")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    con = ibis.pyspark.connect(session)
    return Engine(name="spark", con=con, target=master)
