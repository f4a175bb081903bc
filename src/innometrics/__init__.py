"""innometrics: reproducible science and technology innovation metrics.

Three engines share one data model (:mod:`innometrics.model`):

* :mod:`innometrics.panel` -- indicator panels and trends (growth multiples, CAGR,
  per-capita ratios, base-year indices);
* :mod:`innometrics.composite` -- composite indices following the OECD/JRC Handbook,
  reproducing the R package COINr number for number;
* :mod:`innometrics.rankings` -- contribution rankings (full and fractional counting)
  on DuckDB, or Apache Spark for large data.
"""

__version__ = "0.1.0"
