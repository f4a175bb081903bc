import math

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.io.panels import read_indicator_meta, read_panel, read_unit_meta, write_panel
from innometrics.model import validate_hierarchy

from innometrics.datasets import bundled_path as bundled


def test_long_panel_reads_and_reconciles(write):
    path = write("p.csv", "unit,period,indicator,value\nBJ,2014,pat,48.2\nBJ,2023,pat,262.9\nSH,2014,pat,NA\n")
    r = read_panel(path)
    assert r.layout == "long" and r.read == 3 and r.used == 3 and r.rejected == 0
    assert math.isnan(r.panel.set_index(["unit", "period"]).loc[("SH", 2014), "value"])
    assert "read 3 = used 3 + rejected 0" in r.summary()


def test_non_numeric_values_are_rejected_with_row_and_reason(write):
    path = write("p.csv", "unit,period,indicator,value\nBJ,2014,pat,48.2\nBJ,2015,pat,abc\n,2016,pat,1\nBJ,20x6,pat,1\n")
    r = read_panel(path)
    assert (r.read, r.used, r.rejected) == (4, 1, 3)
    rej = r.rejects.set_index("row")
    assert rej.loc[3, "reason"] == "non_numeric" and rej.loc[3, "column"] == "value" and rej.loc[3, "value"] == "abc"
    assert rej.loc[4, "reason"] == "missing_unit"
    assert rej.loc[5, "reason"] == "bad_period"
    assert r.read == r.used + r.rejected


def test_strict_mode_names_file_row_column(write):
    path = write("p.csv", "unit,period,indicator,value\nBJ,2014,pat,48.2\nBJ,2015,pat,abc\n")
    with pytest.raises(DataError) as err:
        read_panel(path, strict=True)
    msg = str(err.value)
    assert "p.csv" in msg and "row 3" in msg and "column 'value'" in msg and "'abc'" in msg


def test_duplicate_keys_are_an_error(write):
    path = write("p.csv", "unit,period,indicator,value\nBJ,2014,pat,1\nSH,2014,pat,2\nBJ,2014,pat,3\n")
    with pytest.raises(DataError, match=r"duplicate key .*'BJ'.*rows 2, 4") as err:
        read_panel(path)
    assert err.value.reason == "duplicate_key" and err.value.row == 2


def test_unknown_indicator_codes_are_rejected(write):
    path = write("p.csv", "unit,period,indicator,value\nBJ,2014,pat,1\nBJ,2014,typo,2\n")
    r = read_panel(path, indicators=["pat"])
    assert r.used == 1 and r.rejects.iloc[0]["reason"] == "unknown_indicator" and r.rejects.iloc[0]["row"] == 3


def test_missing_required_columns(write):
    path = write("p.csv", "unit,year,indicator\nBJ,2014,pat\n")
    with pytest.raises(DataError, match="lacks required column") as err:
        read_panel(path, layout="long")
    assert "'value'" in str(err.value) and "p.csv" in str(err.value)


def test_wrong_encoding_names_line(write):
    path = write("p.csv", "unit,period,indicator,value\n".encode() + "北京,2014,pat,1\n".encode("gb18030"))
    with pytest.raises(DataError, match="not valid utf-8") as err:
        read_panel(path)
    assert err.value.row == 2 and err.value.reason == "encoding"
    r = read_panel(path, encoding="gb18030")
    assert r.panel["unit"].iloc[0] == "北京"


def test_hierarchy_cycle_and_orphan(write):
    cyc = write("m.csv", "code,parent\nA,B\nB,C\nC,A\nD,\n")
    with pytest.raises(DataError, match="cycle: A -> B -> C -> A") as err:
        read_indicator_meta(cyc)
    assert err.value.reason == "cycle" and err.value.column == "parent"
    orphan = write("m2.csv", "code,parent\nA,Index\nB,Pillar9\nIndex,\n")
    with pytest.raises(DataError, match="parent 'Pillar9' of 'B'") as err:
        read_indicator_meta(orphan)
    assert err.value.row == 3


def test_bad_direction(write):
    path = write("m.csv", "code,direction\nA,1\nB,2\n")
    with pytest.raises(DataError, match="direction must be 1") as err:
        read_indicator_meta(path)
    assert err.value.row == 3


def test_coinr_imeta_and_wide_panel():
    meta = read_indicator_meta(bundled("asem", "ASEM_iMeta.csv"))
    assert (meta["type"] == "Indicator").sum() == 49
    assert meta.set_index("code").loc["NEET", "direction"] == -1
    r = read_panel(bundled("asem", "ASEM_iData_p.csv"))
    assert r.layout == "wide"
    assert r.panel["unit"].nunique() == 51 and sorted(r.panel["period"].unique()) == [2018, 2019, 2020, 2021, 2022]
    # 49 indicators + 4 denominators per unit-period; group columns are unit metadata
    assert r.panel["indicator"].nunique() == 53 and r.read == 255 * 53 == r.used
    assert {"EurAsia_group", "GDP_group"} <= set(r.units.columns)
    aut = r.panel[(r.panel.unit == "AUT") & (r.panel.indicator == "LPI")].set_index("period")["value"]
    assert aut[2018] == 4.097985


def test_excel_and_parquet_round_trip(tmp_path):
    panel = pd.DataFrame({"unit": ["A", "A", "B"], "period": [2020, 2021, 2020], "indicator": ["x", "x", "x"], "value": [1.5, 2.5, 3.0]})
    for name in ("p.xlsx", "p.parquet", "w.csv"):
        layout = "wide" if name.startswith("w") else "long"
        write_panel(panel, tmp_path / name, layout=layout)
        back = read_panel(tmp_path / name)
        assert back.panel[["unit", "period", "indicator", "value"]].astype({"unit": str, "indicator": str}).values.tolist() == [
            ["A", 2020, "x", 1.5], ["A", 2021, "x", 2.5], ["B", 2020, "x", 3.0]]


def test_unit_meta(write):
    path = write("u.csv", "code,name,parent\nCN,China,\nCN-BJ,Beijing,CN\n")
    assert list(read_unit_meta(path)["code"]) == ["CN", "CN-BJ"]
    bad = write("u2.csv", "code,name\nCN,China\nCN,Again\n")
    with pytest.raises(DataError, match="appears more than once"):
        read_unit_meta(bad)


@pytest.mark.parametrize("parents, reason, row", [
    (["P", "P", "I", "", None], None, None),  # a forest: empty and missing parents are top levels
    (["P", "P", "I", "Q", None], "orphan", 5),  # I's parent Q is not a code
    (["P", "P", "I", "P", None], "cycle", 2),  # P -> I -> P, met first on the path up from a
])
def test_validate_hierarchy_accepts_forests_only(parents, reason, row):
    meta = pd.DataFrame({"code": ["a", "b", "P", "I", "J"], "parent": parents})
    if reason is None:
        # a valid forest passes unchanged (the check raises or returns None, never repairs)
        before = meta.copy()
        assert validate_hierarchy(meta, file="m.csv") is None
        pd.testing.assert_frame_equal(meta, before)
        return
    with pytest.raises(DataError) as err:
        validate_hierarchy(meta, file="m.csv")
    assert err.value.reason == reason and err.value.row == row and err.value.column == "parent"
