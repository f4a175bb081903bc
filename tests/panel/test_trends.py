import math

import numpy as np
import pandas as pd
import pytest

from innometrics.panel.trends import TREND_COLUMNS, base_index, cagr, compute_trends, per_capita


def long(rows):
    return pd.DataFrame(rows, columns=["unit", "period", "indicator", "value"])


BEIJING = long([
    ("CN-BJ", 2014, "patents_per_10k", 48.2), ("CN-BJ", 2023, "patents_per_10k", 262.9),
    ("CN-BJ", 2014, "contract_value", 313.6), ("CN-BJ", 2023, "contract_value", 853.69),
    ("CN-BJ", 2014, "hte", 10400), ("CN-BJ", 2023, "hte", 28300),
    ("CN-BJ", 2014, "new_per_day", 146), ("CN-BJ", 2023, "new_per_day", 337),
])


@pytest.mark.parametrize(
    "indicator, multiple, rate",
    [
        # multiple = last/first; CAGR = multiple^(1/9) - 1, computed by hand
        ("patents_per_10k", 262.9 / 48.2, (262.9 / 48.2) ** (1 / 9) - 1),
        ("contract_value", 853.69 / 313.6, (853.69 / 313.6) ** (1 / 9) - 1),
        ("hte", 28300 / 10400, (28300 / 10400) ** (1 / 9) - 1),
        ("new_per_day", 337 / 146, (337 / 146) ** (1 / 9) - 1),
    ],
)
def test_beijing_multiples_and_cagr(indicator, multiple, rate):
    t = compute_trends(BEIJING).set_index("indicator").loc[indicator]
    assert t["multiple"] == pytest.approx(multiple, rel=1e-12)
    assert t["cagr"] == pytest.approx(rate, rel=1e-12)
    assert (t["first_period"], t["last_period"], t["n_points"]) == (2014, 2023, 2)


def test_beijing_patents_headline_numbers():
    t = compute_trends(BEIJING).set_index("indicator").loc["patents_per_10k"]
    assert round(t["multiple"], 3) == 5.454
    assert round(t["cagr"], 4) == 0.2074  # 20.74 % a year
    hte = compute_trends(BEIJING).set_index("indicator").loc["hte"]
    assert round(hte["multiple"], 4) == 2.7212
    assert round(hte["cagr"], 4) == 0.1177


def test_columns_exact():
    assert list(compute_trends(BEIJING).columns) == TREND_COLUMNS == [
        "unit", "indicator", "first_period", "last_period", "first_value", "last_value",
        "multiple", "cagr", "n_points", "note",
    ]


def test_first_and_last_non_missing_points_are_used():
    panel = long([
        ("A", 2010, "x", np.nan), ("A", 2011, "x", 2.0), ("A", 2012, "x", np.nan),
        ("A", 2013, "x", 3.0), ("A", 2014, "x", 8.0), ("A", 2015, "x", np.nan),
    ])
    t = compute_trends(panel).iloc[0]
    assert (t["first_period"], t["last_period"], t["n_points"]) == (2011, 2014, 3)
    assert t["multiple"] == 4.0
    assert t["cagr"] == pytest.approx(4.0 ** (1 / 3) - 1)


def test_undefined_cases_have_notes_not_exceptions():
    panel = long([
        ("A", 2010, "one", 5.0),
        ("A", 2010, "zero_first", 0.0), ("A", 2012, "zero_first", 4.0),
        ("A", 2010, "zero_both", 0.0), ("A", 2012, "zero_both", 0.0),
        ("A", 2010, "none", np.nan), ("A", 2011, "none", np.nan),
        ("A", 2010, "sign", -1.0), ("A", 2012, "sign", 4.0),
    ])
    t = compute_trends(panel).set_index("indicator")
    assert math.isnan(t.loc["one", "cagr"]) and "one point" in t.loc["one", "note"]
    assert math.isnan(t.loc["zero_first", "cagr"]) and "first value is 0" in t.loc["zero_first", "note"]
    assert math.isnan(t.loc["zero_first", "multiple"])
    # COINr's CAGR returns 0 when first and last are equal, including 0 -> 0
    assert t.loc["zero_both", "cagr"] == 0.0
    assert t.loc["none", "note"] == "no data" and t.loc["none", "n_points"] == 0
    assert "sign" in t.loc["sign", "note"]


def test_directional_multiplies_by_direction_as_coinr_get_trends():
    panel = long([("A", 2010, "bad", 1.0), ("A", 2012, "bad", 4.0)])
    t = compute_trends(panel, directions={"bad": -1}).iloc[0]
    assert t["cagr"] == pytest.approx(-1.0)


def test_cagr_function():
    assert cagr(100, 121, 2000, 2002)[0] == pytest.approx(0.1)
    assert cagr(5, 5, 2000, 2000)[1]  # single period: undefined


def test_per_capita_per_10000_people():
    panel = long([
        ("BJ", 2014, "patents", 103700.0), ("BJ", 2014, "population", 21516000.0),
        ("BJ", 2023, "patents", 574600.0), ("BJ", 2023, "population", 21858000.0),
        ("SH", 2023, "patents", 100.0), ("SH", 2023, "population", 0.0),
    ])
    out = per_capita(panel, "population", scale=10000).set_index(["unit", "period"])
    assert list(out["indicator"].unique()) == ["patents_per_10000_population"]
    assert out.loc[("BJ", 2014), "value"] == pytest.approx(103700 / 21516000 * 10000)
    assert out.loc[("BJ", 2023), "value"] == pytest.approx(262.879, rel=1e-5)
    assert math.isnan(out.loc[("SH", 2023), "value"])  # zero denominator


def test_per_capita_unknown_denominator_is_clear():
    from innometrics.errors import DataError

    with pytest.raises(DataError, match="denominator indicator 'pop' is not in the panel"):
        per_capita(BEIJING, "pop")


def test_base_index():
    panel = long([("A", 2014, "x", 50.0), ("A", 2015, "x", 75.0), ("B", 2015, "x", 3.0)])
    out = base_index(panel, 2014).set_index(["unit", "period"])["value"]
    assert out[("A", 2014)] == 100.0 and out[("A", 2015)] == 150.0
    assert math.isnan(out[("B", 2015)])  # no base value



@pytest.mark.parametrize("years, shown", [
    (range(2010, 2013), "2010, 2011, 2012"),
    (range(2010, 2022), ", ".join(str(y) for y in range(2010, 2022))),  # 12 periods: all shown
    (range(2010, 2023), ", ".join(str(y) for y in range(2010, 2022)) + ", ..."),  # 13: the first 12
    (range(2010, 2030), ", ".join(str(y) for y in range(2010, 2022)) + ", ..."),
])
def test_base_period_outside_the_panel_names_the_periods_there(years, shown):
    """A base period the panel lacks is an error naming up to 12 of its periods (as integers,
    in order), not a panel of missing values."""
    from innometrics.errors import DataError

    panel = long([(u, y, "x", 1.0 + y) for u in ("B", "A") for y in reversed(years)])
    with pytest.raises(DataError) as err:
        base_index(panel, 2009)
    assert str(err.value) == f"column 'period': base period 2009 is not in the panel; choose one of its periods ({shown})"
    assert (err.value.column, err.value.reason) == ("period", "base_period")
    # a base period present in only one unit's series is not an error
    out = base_index(panel[(panel["unit"] == "A") | (panel["period"] != 2010)], 2010)
    assert out.loc[out["unit"] == "A", "value"].iloc[-1] == pytest.approx(100.0 * (1.0 + years[-1]) / 2011.0, rel=1e-13)
    assert out.loc[out["unit"] == "B", "value"].isna().all()

def test_compute_trends_whole_frame_with_dtypes():
    """Every column, dtype and row order at once (input deliberately unsorted)."""
    panel = long([
        ("B", 2012, "y", 9.0), ("A", 2013, "y", np.nan), ("B", 2010, "y", 1.0), ("A", 2010, "x", 2.0),
        ("A", 2012, "x", 8.0), ("A", 2011, "y", 3.0), ("B", 2011, "y", np.nan), ("A", 2011, "x", np.nan),
    ])
    got = compute_trends(panel, directions={"y": -1})
    expected = pd.DataFrame({
        "unit": ["A", "A", "B"], "indicator": ["x", "y", "y"],
        "first_period": pd.array([2010, 2011, 2010], dtype="Int64"),
        "last_period": pd.array([2012, 2011, 2012], dtype="Int64"),
        "first_value": [2.0, 3.0, 1.0], "last_value": [8.0, 3.0, 9.0],
        "multiple": [4.0, np.nan, 9.0],
        # x has no direction given: +1; y's CAGR is multiplied by -1
        "cagr": [4.0 ** 0.5 - 1, np.nan, -(9.0 ** 0.5 - 1)],
        "n_points": np.array([2, 1, 2], dtype="int64"),
        "note": ["", "only one point: growth undefined", ""],
    }).astype({"unit": object, "indicator": object})
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


def test_missing_period_is_a_data_error():
    from innometrics.errors import DataError

    panel = long([("A", 2010, "x", 1.0), ("A", None, "x", 2.0)])
    with pytest.raises(DataError, match="^trends need a period on every row; some rows have none$") as err:
        compute_trends(panel)
    assert err.value.reason == "missing_period"


@pytest.mark.parametrize("args, expected", [
    ((100, 121, 2000, 2002), (pytest.approx(0.1), "")),
    ((4, 1, 2000, 2002), (pytest.approx(-0.5), "")),  # decline: (1/4)^(1/2) - 1
    ((4, 0, 2000, 2002), (-1.0, "")),  # a fall to 0 is -100 %
    ((5, 5, 2000, 2000), (None, "fewer than two periods with data")),
    ((5, 6, 2002, 2000), (None, "fewer than two periods with data")),  # periods reversed
    ((0, 0, 2000, 2003), (0.0, "")),
    ((0, 3, 2000, 2003), (None, "first value is 0: growth undefined")),
    ((-2, 3, 2000, 2003), (None, "values change sign: growth undefined")),
    ((-2, -8, 2000, 2002), (pytest.approx(1.0), "")),  # both negative: ratio 4
])
def test_cagr_cases(args, expected):
    rate, note = cagr(*args)
    assert note == expected[1]
    if expected[0] is None:
        assert math.isnan(rate)
    else:
        assert rate == expected[0]


def test_per_capita_options_and_error_fields():
    from innometrics.errors import DataError

    panel = long([("A", 2020, "pat", 10.0), ("A", 2020, "pap", 30.0), ("A", 2020, "pop", 5.0),
                  ("A", 2021, "pat", 12.0)])
    out = per_capita(panel, "pop")
    assert out[["indicator", "period"]].values.tolist() == [["pap_per_1_pop", 2020], ["pat_per_1_pop", 2020],
                                                           ["pat_per_1_pop", 2021]]
    assert out["value"].tolist()[:2] == [6.0, 2.0] and math.isnan(out["value"].tolist()[2])  # no 2021 population
    only = per_capita(panel, "pop", scale=100, indicators=["pat"], suffix="_pc")
    assert only["indicator"].unique().tolist() == ["pat_pc"] and only["value"].tolist()[0] == 200.0
    assert list(only.columns[:4]) == ["unit", "period", "indicator", "value"]
    with pytest.raises(DataError, match="available: pap, pat, pop$") as err:
        per_capita(panel, "people")
    assert err.value.column == "indicator" and err.value.reason == "unknown_indicator"


def test_base_index_value_and_zero_base():
    panel = long([("A", 2014, "x", 50.0), ("A", 2015, "x", 75.0), ("C", 2014, "x", 0.0), ("C", 2015, "x", 5.0),
                  ("D", 2014, "x", np.nan), ("D", 2015, "x", 5.0)])
    out = base_index(panel, 2014, base_value=1.0).set_index(["unit", "period"])["value"]
    assert out[("A", 2014)] == 1.0 and out[("A", 2015)] == 1.5
    assert out[["C", "D"]].isna().all()  # zero or missing base: no index
    assert base_index(panel, 2014).set_index(["unit", "period"])["value"][("A", 2015)] == 150.0


def test_extra_columns_with_gaps_do_not_drop_points():
    # a note column empty on some rows must not remove those rows' values
    panel = long([("A", 2010, "x", 1.0), ("A", 2012, "x", 4.0)]).assign(source=["survey", None])
    t = compute_trends(panel).iloc[0]
    assert (t["last_period"], t["last_value"], t["n_points"]) == (2012, 4.0, 2)
