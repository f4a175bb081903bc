"""Growth is always written as a multiple and a percentage increase (issue 6, point 5)."""

import math

import pytest

from innometrics.report.format import format_cagr, format_growth, format_number, format_percent


def test_beijing_patents_growth():
    # Patents per 10,000 people in Beijing: 48.2 (2014) -> 262.9 (2023).
    assert format_growth(262.9 / 48.2) == "x5.45 (+445 %)"


def test_issue6_example_multiple_is_not_the_increase():
    # "increased by 2.66 times" = 3.66 times the start = +266 %, 20.36 % a year over 7 years.
    assert format_growth(1.2036**7) == "x3.66 (+266 %)"
    assert format_cagr(3.66 ** (1 / 7) - 1) == "+20.36 % a year"


@pytest.mark.parametrize(
    ("multiple", "text"),
    [
        (1.0, "x1.00 (0 %)"),
        (0.8, "x0.80 (-20 %)"),
        (2.0, "x2.00 (+100 %)"),
        (1.05, "x1.05 (+5.0 %)"),
        (1.004, "x1.00 (+0.40 %)"),
        (28300 / 10400, "x2.72 (+172 %)"),
        (150.0, "x150 (+14,900 %)"),
    ],
)
def test_growth_formats(multiple, text):
    assert format_growth(multiple) == text


@pytest.mark.parametrize("missing", [None, math.nan, float("nan"), "n/a"])
def test_missing_growth_is_empty(missing):
    assert format_growth(missing) == ""
    assert format_cagr(missing) == ""
    assert format_percent(missing) == ""


def test_percent_and_number():
    assert format_percent(0.2435, signed=False) == "24 %"
    assert format_percent(-0.0125) == "-1.2 %"
    assert format_number(853.69) == "853.7"
    assert format_number(28300) == "28,300"
    assert format_number(0.333333333) == "0.3333"
    assert format_number("CN-BJ") == "CN-BJ"
