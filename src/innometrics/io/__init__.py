"""Readers and writers at the edge of the system (CSV, Excel, Parquet, COINr formats)."""
