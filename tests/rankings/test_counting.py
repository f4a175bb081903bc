"""Counting methods against hand-computed expectations (see conftest.toy_records).

Every test taking ``loaded`` runs on each engine (DuckDB, and Spark when available).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from innometrics.errors import DataError, SpecError, UnknownMethodError
from innometrics.rankings.counting import (
    COUNT_METHODS,
    Grouping,
    count_units,
    read_grouping,
    record_unit_credits,
    total_weight,
    unit_counts,
)
from innometrics.registry import get_method, method_names


def as_dict(df: pd.DataFrame, col: str) -> dict[str, float]:
    return {u: round(v, 9) for u, v in zip(df["unit"], df[col])}


def approx_dict(expected: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 9) for k, v in expected.items()}


def test_registry_lists_the_four_methods():
    assert {"corresponding_author", "first_author", "fractional", "full"} <= set(method_names("count"))
    with pytest.raises(UnknownMethodError, match="Valid methods: corresponding_author, first_author"):
        get_method("count", "harmonic")


def test_fractional_country_multi_affiliation_unknown_and_unlinked(loaded):
    df = count_units(loaded, "country", "fractional")
    # R1: A split over MIT/Oxford = 1/4 each, B unknown 1/2; R2 (w=2) over 3 addresses;
    # R3, R4 unknown 1 each; R5: F CHN 1/3, G USA 1/6 + CHE 1/6, H CHN 1/3.
    assert as_dict(df, "p_frac") == approx_dict({
        "CHE": 4 / 3 + 1 / 6, "CHN": 2 / 3, "GBR": 1 / 4, "USA": 1 / 4 + 2 / 3 + 1 / 6, "unknown": 2.5,
    })


def test_totals_reconcile_to_record_weights(loaded):
    total, n = total_weight(loaded)
    assert (total, n) == (6.0, 5)
    for level in ("institution", "city", "country"):
        for method in COUNT_METHODS:
            if method == "full":
                continue
            df = count_units(loaded, level, method)
            col = {"fractional": "p_frac"}.get(method, f"p_{method}")
            assert df[col].sum() == pytest.approx(6.0, abs=1e-8), (level, method)


def test_full_counts_distinct_record_unit_pairs(loaded):
    df = count_units(loaded, "country", "full")
    # CHN appears twice on R5 (PKU and Tsinghua) but counts once; R2 (w=2) counts 2.
    assert as_dict(df, "p_full") == {"CHE": 3.0, "CHN": 1.0, "GBR": 1.0, "USA": 4.0, "unknown": 3.0}
    city = count_units(loaded, "city", "full")
    assert as_dict(city, "p_full")["Beijing, CHN"] == 1.0
    assert as_dict(city, "p_frac")["Beijing, CHN"] == pytest.approx(2 / 3)


def test_institution_uses_id_when_present(loaded):
    df = count_units(loaded, "institution", "fractional")
    assert as_dict(df, "p_frac") == approx_dict({
        "ETH": 4 / 3 + 1 / 6, "I-THU": 1 / 3, "MIT": 1 / 4 + 2 / 3 + 1 / 6, "Oxford": 1 / 4, "PKU": 1 / 3,
        "unknown": 2.5,
    })


def test_first_author(loaded):
    df = count_units(loaded, "country", "first_author")
    # R2 has no author-address link and R3's first author no address -> unknown.
    assert as_dict(df, "p_first_author") == {"CHE": 0.0, "CHN": 1.0, "GBR": 0.5, "USA": 0.5, "unknown": 4.0}


def test_corresponding_author(loaded):
    df = count_units(loaded, "country", "corresponding_author")
    # R5 has two corresponding authors: G (MIT, ETH) 1/4 each, H (Tsinghua) 1/2.
    assert as_dict(df, "p_corresponding_author") == {
        "CHE": 0.25, "CHN": 0.5, "GBR": 0.5, "USA": 0.75, "unknown": 4.0,
    }


def test_weights_scale_credit(loaded):
    df = count_units(loaded, "country", "fractional", period=2020)
    # R2 has weight 2: USA gets 2/3 from it, CHE 4/3.
    assert as_dict(df, "p_frac") == approx_dict({"CHE": 4 / 3, "GBR": 0.25, "USA": 0.25 + 2 / 3, "unknown": 0.5})


def test_windows_and_single_years(loaded):
    window = count_units(loaded, "country", "fractional", period=(2020, 2021))
    assert as_dict(window, "p_frac") == approx_dict({"CHE": 4 / 3, "GBR": 0.25, "USA": 0.25 + 2 / 3, "unknown": 2.5})
    assert total_weight(loaded, period=(2020, 2021)) == (5.0, 4)
    single = count_units(loaded, "country", "fractional", period=2022)
    assert as_dict(single, "p_frac") == approx_dict({"CHE": 1 / 6, "CHN": 2 / 3, "USA": 1 / 6})
    yearly = count_units(loaded, "country", "fractional", by_year=True)
    usa = yearly[yearly["unit"] == "USA"].set_index("year")["p_frac"].round(9).to_dict()
    assert usa == {2020: round(0.25 + 2 / 3, 9), 2022: round(1 / 6, 9)}


def test_indicators_sums(loaded):
    df = count_units(loaded, "country", "fractional").set_index("unit")
    usa = df.loc["USA"]
    # citations: R1 10 (credit 1/4), R2 3 (2/3), R5 5 (1/6); top shares 0.2, 0, 0.1
    assert usa["cit_weight"] == pytest.approx(13 / 12)
    assert usa["cit_sum"] == pytest.approx(2.5 + 2 + 5 / 6)
    assert usa["top_sum"] == pytest.approx(0.2 / 4 + 0.1 / 6)
    assert usa["p_int_collab"] == 4.0  # all of USA's records are international
    assert df.loc["unknown", "p_int_collab"] == 1.0  # R1 only; R3 and R4 have no country


def test_grouping_rolls_up_and_counts_groups_once(engine, loaded):
    mapping = pd.DataFrame({"unit": ["Cambridge, USA", "Oxford, GBR", "Beijing, CHN"],
                            "group": ["Boston-Oxford", "Boston-Oxford", "Beijing"]})
    grouping = Grouping(name="metro", base="city", mapping=mapping)
    df = count_units(loaded, "metro", "fractional", grouping=grouping)
    assert as_dict(df, "p_full") == {"Beijing": 1.0, "Boston-Oxford": 4.0, "Zurich, CHE": 3.0, "unknown": 3.0}
    assert as_dict(df, "p_frac")["Boston-Oxford"] == pytest.approx(1 / 2 + 2 / 3 + 1 / 6)
    assert df["p_frac"].sum() == pytest.approx(6.0)
    other = Grouping(name="metro", base="city", mapping=mapping, unmapped="other")
    df = count_units(loaded, "metro", "full", grouping=other)
    assert as_dict(df, "p_full")["other"] == 3.0  # Zurich's R2 and R5


def test_grouping_shares_split_a_joint_unit_and_keep_the_total(engine, loaded, toy):
    # I-THU (R5: H's affiliation, corresponding author) is a joint unit of PKU and Tsinghua
    mapping = pd.DataFrame({"unit": ["I-THU", "I-THU"], "group": ["PKU", "Tsinghua"], "share": [0.5, 0.5]})
    grouping = Grouping(name="parents", base="institution", mapping=mapping)
    df = count_units(loaded, "parents", "fractional", grouping=grouping)
    # fractional: PKU 1/3 of its own + half of I-THU's 1/3; Tsinghua the other half
    assert as_dict(df, "p_frac")["PKU"] == pytest.approx(1 / 3 + 1 / 6)
    assert as_dict(df, "p_frac")["Tsinghua"] == pytest.approx(1 / 6)
    assert df["p_frac"].sum() == pytest.approx(6.0)
    # full: R5 counts once for PKU (reached by F directly and by H through the joint unit) and once for Tsinghua
    assert as_dict(df, "p_full")["PKU"] == 1.0 and as_dict(df, "p_full")["Tsinghua"] == 1.0
    assert "I-THU" not in set(df["unit"])
    corr = count_units(loaded, "parents", "corresponding_author", grouping=grouping)
    assert as_dict(corr, "p_corresponding_author")["Tsinghua"] == pytest.approx(0.25)
    assert corr["p_corresponding_author"].sum() == pytest.approx(6.0)
    # without shares every group gets the joint unit's whole credit (Nature Index joint institutions)
    whole = count_units(loaded, "parents", "fractional", grouping=Grouping("parents", "institution", mapping[["unit", "group"]]))
    assert as_dict(whole, "p_frac")["Tsinghua"] == pytest.approx(1 / 3)
    assert whole["p_frac"].sum() == pytest.approx(6.0 + 1 / 3)


def test_grouping_shares_without_the_pair_table(engine):
    """A fractional count of fully linked records skips the pair table; a joint unit splits the same."""
    from innometrics.rankings.credits import load_recordset
    from innometrics.records.model import RecordSet

    rs = RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020}, {"record_id": "r2", "year": 2020}],
        [{"record_id": "r1", "position": 1, "name": "A"}, {"record_id": "r1", "position": 2, "name": "B"},
         {"record_id": "r2", "position": 1, "name": "C"}],
        [{"record_id": "r1", "position": 1, "institution": "Joint lab", "country": "FRA"},
         {"record_id": "r1", "position": 2, "institution": "CNRS", "country": "FRA"},
         {"record_id": "r2", "position": 1, "institution": "Joint lab", "country": "FRA"}], [], read=2)
    mapping = pd.DataFrame({"unit": ["Joint lab"] * 3, "group": ["CNRS", "Univ A", "Univ B"],
                            "share": [1 / 3, 1 / 3, 1 / 3]})
    grouping = Grouping(name="parents", base="institution", mapping=mapping)
    direct = unit_counts(load_recordset(engine, rs), "parents", "fractional", grouping=grouping)
    # r1: CNRS 1/2 + 1/6 through the lab, each university 1/6; r2: 1/3 each
    assert as_dict(direct, "p_frac") == approx_dict({"CNRS": 1 / 2 + 1 / 6 + 1 / 3, "Univ A": 1 / 2, "Univ B": 1 / 2})
    loaded = load_recordset(engine, rs)
    assert as_dict(count_units(loaded, "parents", "fractional", grouping=grouping), "p_frac") == as_dict(direct, "p_frac")
    assert as_dict(count_units(loaded, "parents", "full", grouping=grouping), "p_full") == {
        "CNRS": 2.0, "Univ A": 2.0, "Univ B": 2.0}


def test_record_unit_credits_sum_to_unit_counts(loaded):
    pairs = record_unit_credits(loaded, "country", "fractional")
    by_unit = pairs.groupby("unit")["p_frac"].sum().round(9).to_dict()
    counts = count_units(loaded, "country", "fractional")
    assert by_unit == as_dict(counts, "p_frac")
    r5 = pairs[pairs["record_key"] == 4].set_index("unit")["p_frac"].round(9).to_dict()
    assert r5 == approx_dict({"CHE": 1 / 6, "CHN": 2 / 3, "USA": 1 / 6})


def test_read_grouping_rejects_double_mapping(tmp_path):
    path = tmp_path / "metro.csv"
    path.write_text("unit,group\nA,X\nA,Y\n", encoding="utf-8")
    with pytest.raises(DataError, match="mapped to several groups"):
        read_grouping("metro", "city", path)
    path.write_text("city,group\nA,X\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs columns 'unit' and 'group'"):
        read_grouping("metro", "city", path)
    with pytest.raises(SpecError, match="maps one of"):
        read_grouping("metro", "region", path)


def test_unknown_level_is_a_spec_error(loaded):
    with pytest.raises(SpecError, match="unknown level 'region'"):
        count_units(loaded, "region", "fractional")


def test_round_floats_rounds_every_float_column_and_leaves_the_input():
    from innometrics.rankings.counting import DECIMALS, round_floats

    df = pd.DataFrame({
        "unit": ["a", "b", "c"],
        "n": [1, 2, 3],
        "x": [0.1 + 0.2, 1 / 3, -2.00000000004999],
        "y": pd.array([0.12345678906, None, 2.5e-11], dtype="Float64"),
        "z": np.array([1e-11, 6e-11, 123456.78901234567], dtype="float32"),
    }, index=[5, 6, 7])
    before = df.copy()
    out = round_floats(df)
    pd.testing.assert_frame_equal(df, before)  # the input is not changed
    assert list(out.index) == [5, 6, 7] and list(out.columns) == list(df.columns)
    assert out["unit"].tolist() == ["a", "b", "c"] and out["n"].dtype == df["n"].dtype
    assert out["x"].tolist() == [0.3, 0.3333333333, -2.0]
    assert out["x"].tolist() == df["x"].round(DECIMALS).tolist()
    assert out["y"].dtype == "Float64" and out["y"].isna().tolist() == [False, True, False]
    assert out["y"][5] == 0.1234567891 and out["y"][7] == 0.0
    assert out["z"].dtype == np.float32 and out["z"].tolist() == df["z"].round(DECIMALS).tolist()
    # columns are taken by position: a repeated name keeps both columns, each rounded
    twice = round_floats(pd.DataFrame([[1 / 3, "a", 2 / 3]], columns=["v", "unit", "v"]))
    assert list(twice.columns) == ["v", "unit", "v"] and twice.iloc[0].tolist() == [0.3333333333, "a", 0.6666666667]
    # a frame of float columns only keeps its index too (no other column to carry it)
    floats = round_floats(pd.DataFrame({"p_frac": [1 / 3, 2 / 3]}, index=[4, 9]))
    assert list(floats.index) == [4, 9] and floats["p_frac"].tolist() == [0.3333333333, 0.6666666667]


def test_drop_zero_rows_keeps_a_row_with_any_non_zero_count():
    from innometrics.rankings.counting import drop_zero_rows

    df = pd.DataFrame({"unit": list("abcd"), "p_full": [0.0, 1.0, 0.0, 0.0], "p_frac": [0.0, 0.0, 0.5, 0.0],
                       "p_first": [0.0, 0.0, 0.0, 2.0]}, index=[3, 1, 2, 0])
    assert drop_zero_rows(df, "first")["unit"].tolist() == ["b", "c", "d"]
    assert drop_zero_rows(df, "fractional")["unit"].tolist() == ["b", "c"]
    kept = drop_zero_rows(df.iloc[1:], "first")
    assert kept["unit"].tolist() == ["b", "c", "d"] and list(kept.index) == [0, 1, 2]
    # a missing sum is not a zero count (NaN or NA): the row stays, as pandas' != 0 keeps it
    missing = df.assign(p_frac=pd.array([None, 0.0, 0.5, 0.0], dtype="Float64"), p_full=[np.nan, 1.0, 0.0, 0.0])
    assert drop_zero_rows(missing, "fractional")["unit"].tolist() == ["a", "b", "c"]
