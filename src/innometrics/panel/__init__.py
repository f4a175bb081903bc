"""Indicator panels and trends: growth multiples, CAGR, per-capita ratios, base-year indices."""

from innometrics.panel.trends import TREND_COLUMNS, base_index, cagr, compute_trends, per_capita

__all__ = ["TREND_COLUMNS", "base_index", "cagr", "compute_trends", "per_capita"]
