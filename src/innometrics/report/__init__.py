"""Self-contained HTML reports (and Excel workbooks) of any build's results folder.

>>> from innometrics.report import format_growth
>>> format_growth(262.9 / 48.2)
'x5.45 (+445 %)'
"""

from innometrics.report.format import format_cagr, format_growth, format_number, format_percent
from innometrics.report.render import maybe_write_report, render_report

__all__ = [
    "format_cagr",
    "format_growth",
    "format_number",
    "format_percent",
    "maybe_write_report",
    "render_report",
]
