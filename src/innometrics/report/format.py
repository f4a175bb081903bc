"""Number formatting for reports: growth, percentages, plain numbers.

Growth is always shown both as a multiple and as a percentage increase, because
readers confuse the two: a value that "increased by 2.66 times" is 3.66 times the
starting value, i.e. ``x3.66 (+266 %)`` (issue 6, point 5).
"""

from __future__ import annotations

import math
from typing import Any


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_growth(multiple: Any) -> str:
    """Format a growth multiple as ``x<multiple> (<+percentage> %)``.

    The percentage increase is ``(multiple - 1) * 100``: a multiple of 3.66 is an
    increase of 266 %, not of 366 %.

    Parameters
    ----------
    multiple : float
        ``last / first``. Missing (None, NaN, non-numeric) gives an empty string.

    Returns
    -------
    str
        Multiple with two decimals (no decimals from x100 on, with thousands
        separators); percentage as :func:`format_percent` (no decimals from 10 %, more below)
        so that small changes do not read "+0 %".

    Examples
    --------
    >>> format_growth(262.9 / 48.2)
    'x5.45 (+445 %)'
    >>> format_growth(3.66)
    'x3.66 (+266 %)'
    >>> format_growth(0.8)
    'x0.80 (-20 %)'
    >>> format_growth(1.004)
    'x1.00 (+0.40 %)'
    """
    if _is_missing(multiple):
        return ""
    m = float(multiple)
    if math.isinf(m):
        return "x∞"
    mult = f"x{m:,.0f}" if abs(m) >= 100 else f"x{m:.2f}"
    return f"{mult} ({format_percent(m - 1.0)})"


def format_percent(fraction: Any, *, signed: bool = True) -> str:
    """Format a fraction (0.2036) as a percentage (``+20.4 %``).

    No decimals from 10 % up, one decimal below, two below 1 %.

    Examples
    --------
    >>> format_percent(0.2036)
    '+20 %'
    >>> format_percent(0.0542)
    '+5.4 %'
    >>> format_percent(-0.003)
    '-0.30 %'
    >>> format_percent(0.5, signed=False)
    '50 %'
    """
    if _is_missing(fraction):
        return ""
    pct = float(fraction) * 100.0
    if math.isinf(pct):
        return "∞"
    if pct == 0:
        return "0 %"
    decimals = 0 if abs(pct) >= 10 else (1 if abs(pct) >= 1 else 2)
    sign = "+" if signed else ""
    return f"{pct:{sign},.{decimals}f} %"


def format_cagr(cagr: Any) -> str:
    """Format a compound annual growth rate as a signed percentage with two decimals.

    Examples
    --------
    >>> format_cagr((262.9 / 48.2) ** (1 / 9) - 1)
    '+20.74 % a year'
    """
    if _is_missing(cagr):
        return ""
    return f"{float(cagr) * 100:+.2f} % a year"


def format_number(value: Any, *, digits: int = 4) -> str:
    """Format a number for a table cell: integers without decimals, others with
    ``digits`` significant digits (never in scientific notation below 1e15).

    Examples
    --------
    >>> format_number(28300.0)
    '28,300'
    >>> format_number(853.69)
    '853.7'
    >>> format_number(0.000123456)
    '0.0001235'
    >>> format_number(float("nan"))
    ''
    """
    if _is_missing(value):
        return "" if not isinstance(value, str) else value
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    magnitude = math.floor(math.log10(abs(x))) if x else 0
    decimals = max(0, digits - 1 - magnitude)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_change(multiple: Any, *, lower_is_better: bool = False) -> str:
    """Growth worded by direction: for a lower-is-better indicator (a rank) a fall is an improvement.

    Examples
    --------
    >>> format_change(0.3, lower_is_better=True)
    'x0.30 (-70 %), an improvement'
    >>> format_change(2.0, lower_is_better=True)
    'x2.00 (+100 %), a decline'
    >>> format_change(2.0)
    'x2.00 (+100 %)'
    """
    text = format_growth(multiple)
    if not text or not lower_is_better:
        return text
    m = float(multiple)
    if m == 1.0:
        return f"{text}, no change"
    return f"{text}, {'an improvement' if m < 1.0 else 'a decline'}"
