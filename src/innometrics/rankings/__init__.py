"""Rankings: credits, counting methods, indicators, stability intervals, engines and the rank build.

Records are loaded into an engine (DuckDB by default, Spark for large data) as credit
tables (:mod:`~innometrics.rankings.credits`), counted by a registered method
(:mod:`~innometrics.rankings.counting`) and turned into Leiden-style indicators and
stability intervals; :mod:`~innometrics.rankings.pipeline` runs a rank spec end to end.
May import ``records``, ``entities``, ``io`` and ``errors``; never ``views``.
"""
