"""COINr iData/iMeta readers: clear DataErrors with file, row, column and what was expected."""

from pathlib import Path

import pandas as pd
import pytest

import innometrics
from innometrics.errors import DataError
from innometrics.io.coinr import read_coinr, read_imeta

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


@pytest.fixture
def meta_text():
    return (ASEM / "ASEM_iMeta.csv").read_text(encoding="utf-8")


@pytest.fixture
def data_text():
    return (ASEM / "ASEM_iData.csv").read_text(encoding="utf-8")


def put(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_reads_asem():
    d = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    assert d.idata.shape == (51, 60)
    assert len(d.indicators) == 49 and d.indicators[:3] == ["LPI", "Flights", "Ship"]
    assert d.groups == ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    assert d.denominators == ["Area", "Energy", "GDP", "Population"]
    assert d.aggregates[-1] == "Index"
    assert d.idata["LPI"].dtype == float and int(d.idata[d.indicators].isna().sum().sum()) == 63
    p = read_coinr(ASEM / "ASEM_iData_p.csv", ASEM / "ASEM_iMeta.csv")
    assert p.periods == [2018, 2019, 2020, 2021, 2022] and len(p.idata) == 255


def test_non_numeric_cell(tmp_path, meta_text, data_text):
    lines = data_text.splitlines()
    cells = lines[3].split(",")
    cells[11] = '"n/a?"'  # the LPI column of the third unit
    lines[3] = ",".join(cells)
    idata = put(tmp_path, "d.csv", "\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read_coinr(idata, put(tmp_path, "m.csv", meta_text))
    err = info.value
    assert err.row == 4 and err.column == "LPI" and err.reason == "non_numeric"
    assert "n/a?" in str(err) and str(idata) in str(err)


def test_duplicate_unit(tmp_path, meta_text, data_text):
    lines = data_text.splitlines()
    idata = put(tmp_path, "d.csv", "\n".join(lines + [lines[1]]) + "\n")
    with pytest.raises(DataError, match="AUT.*more than once") as info:
        read_coinr(idata, put(tmp_path, "m.csv", meta_text))
    assert info.value.row == 53 and info.value.reason == "duplicate_key"


def test_indicator_column_missing_from_idata(tmp_path, meta_text, data_text):
    df = pd.read_csv(pd.io.common.StringIO(data_text)).drop(columns=["Cov4G"])
    idata = tmp_path / "d.csv"
    df.to_csv(idata, index=False)
    with pytest.raises(DataError, match="'Cov4G' have no column in iData") as info:
        read_coinr(idata, put(tmp_path, "m.csv", meta_text))
    assert info.value.column == "Cov4G"


def test_column_not_in_imeta(tmp_path, meta_text, data_text):
    lines = data_text.splitlines()
    lines = [lines[0] + ',"Extra"'] + [l + ",1" for l in lines[1:]]
    with pytest.raises(DataError, match="'Extra' are not described in iMeta"):
        read_coinr(put(tmp_path, "d.csv", "\n".join(lines) + "\n"), put(tmp_path, "m.csv", meta_text))


@pytest.mark.parametrize(
    "old, new, reason, fragment",
    [
        ('"Physical","Indicator"\n1,"Flights"', '"Nowhere","Indicator"\n1,"Flights"', "orphan", "parent 'Nowhere'"),
        ('3,"Conn","Connectivity",1,1,"Score",NA,NA,"Index"', '3,"Conn","Connectivity",1,1,"Score",NA,NA,"Environ"', "bad_parent_level", "Level 2; expected Level 4"),
        ('1,"LPI","Logistics Performance Index",1,', '1,"LPI","Logistics Performance Index",2,', "bad_direction", "Direction of 'LPI' must be 1 or -1"),
        ('"Score 1-5",4.11803135,NA,"Physical","Indicator"', '"Score 1-5",4.11803135,NA,"Physical","Indicatr"', "bad_type", "Type must be one of"),
    ],
)
def test_imeta_errors(tmp_path, meta_text, old, new, reason, fragment):
    assert old in meta_text
    path = put(tmp_path, "m.csv", meta_text.replace(old, new, 1))
    with pytest.raises(DataError) as info:
        read_imeta(path)
    assert info.value.reason == reason and fragment in str(info.value)
    assert info.value.row is not None and info.value.file == str(path)


def test_imeta_cycle(tmp_path, meta_text):
    text = meta_text.replace('4,"Index","Sustainable Connectivity",1,1,"Score",NA,NA,NA', '4,"Index","Sustainable Connectivity",1,1,"Score",NA,NA,"Conn"')
    with pytest.raises(DataError, match="cycle") as info:
        read_imeta(put(tmp_path, "m.csv", text))
    assert info.value.reason == "cycle"


def test_long_panel_and_our_metadata_give_the_same_index(tmp_path):
    """Our long panel + indicator metadata + unit metadata reproduce the COINr-format build."""
    from innometrics.composite import build, load_spec

    d = read_coinr(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    wide = d.idata
    long = wide.melt(id_vars=["uCode", "Time"], value_vars=d.indicators + d.denominators, var_name="indicator", value_name="value")
    long = long.rename(columns={"uCode": "unit", "Time": "period"})
    long["period"] = long["period"].astype(int)
    long.to_csv(tmp_path / "panel.csv", index=False)
    m = d.imeta[d.imeta["Type"].isin(["Indicator", "Aggregate"])]
    ours = pd.DataFrame({
        "code": m["iCode"], "name": m["iName"], "unit": m["Unit"], "direction": m["Direction"], "weight": m["Weight"],
        "parent": m["Parent"], "level": m["Level"].astype(int), "denominator": m["Denominator"], "target": m["Target"],
    })
    ours.to_csv(tmp_path / "meta.csv", index=False)
    units = wide[["uCode", "uName"] + d.groups].rename(columns={"uCode": "code", "uName": "name"})
    units.to_csv(tmp_path / "units.csv", index=False)
    spec = load_spec(Path(__file__).resolve().parents[2] / "examples" / "asem" / "asem.toml").to_dict()
    ref = build(spec)
    spec["data"] = {"indicators": str(tmp_path / "panel.csv"), "meta": str(tmp_path / "meta.csv"), "units": str(tmp_path / "units.csv")}
    got = build(spec)
    for stage in ref.stages:
        pd.testing.assert_frame_equal(got.stages[stage], ref.stages[stage], check_exact=False, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(got.results, ref.results)
