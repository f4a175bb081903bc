import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from innometrics.panel.china import clean_china_provinces, normalise_province

RAW = Path(__file__).resolve().parents[2] / "src" / "innometrics" / "data" / "china_provinces"


def raw_keys() -> tuple[int, set[tuple[str, str, str]]]:
    """Rows read and distinct (province, year, source variable) keys of the raw CSV files.

    Read with the csv module only: spaces removed from province names and the 两 -> 西
    misreading undone (no province name contains 两), so this derivation shares no code with
    innometrics.panel.china.
    """
    n, keys = 0, set()
    for path in sorted(RAW.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                n += 1
                province = re.sub(r"\s+", "", row["province"]).replace("两", "西")
                keys.add((province, row["year"], row["variables"]))
    return n, keys


@pytest.fixture(scope="module")
def cleaned():
    return clean_china_provinces()


def test_name_cleaning():
    assert normalise_province("上   海") == "上海"
    assert normalise_province("黑龙 江") == "黑龙江"
    assert normalise_province("江两") == "江西"
    assert normalise_province("两藏") == "西藏"


def test_row_accounting_per_table(cleaned):
    log = cleaned.log.set_index("table")
    # rows read per source file (lines minus header)
    assert log["read"].to_dict() == {
        "RDActivity": 1792, "RDSource": 2208, "RDIntense": 832, "PublicBudget": 1756,
        "RDPatentAccept": 1791, "RDPatentAuthority": 1792, "RDPaperInternational": 2496,
    }
    assert (log["read"] == log["used"] + log["duplicates"] + log["rejected"]).all()
    # RDSource repeats RDActivity's total (rounded): 448 province-years kept once
    assert log.loc["RDSource", "duplicates"] == 448
    assert log.loc["RDSource", "used"] == 1760
    assert log["rejected"].sum() == 0 and len(cleaned.rejects) == 0
    # one panel row per distinct (province, year, variable) of the raw files: 12667 read
    # minus the 448 RDSource totals that repeat RDActivity's = 12219
    n_read, keys = raw_keys()
    assert n_read == log["read"].sum() == 12667
    assert len(cleaned.panel) == len(keys) == 12219
    # padded names in one year of three tables, and the 西 -> 两 misreadings
    assert log.loc["RDPatentAccept", "padded_names_fixed"] == 128
    assert log.loc["RDPatentAccept", "typos_fixed"] == 4
    assert log.loc["RDPatentAuthority", "typos_fixed"] == 8


def test_units_and_codes(cleaned):
    units = cleaned.units.set_index("code")
    assert len(units) == 32
    assert units.loc["CN-BJ", "name"] == "Beijing"
    assert units.loc["CN-JX", "name_zh"] == "江西"
    assert units.loc["CN", "type"] == "country"
    assert set(cleaned.panel["unit"]) == set(units.index)


def test_rows_per_indicator_and_values(cleaned):
    p = cleaned.panel
    counts = p.groupby("indicator").size()
    assert counts["rd_expenditure"] == 448  # 32 units x 14 years
    assert counts["rd_intensity"] == 416  # 2011-2023
    assert counts["papers_sci"] == 416  # 2010-2022
    # derived from the raw files: province-years of the source variables behind them
    per_variable = Counter(variable for _, _, variable in raw_keys()[1])
    assert counts["budget_total"] == per_variable["v6_cz_yszc_hj"] == 439
    assert counts["patent_applications_design"] == per_variable["v4_cg_zlsq_wgsj"] == 447
    bj = p[(p.unit == "CN-BJ") & (p.indicator == "patent_grants")].set_index("period")["value"]
    assert bj[2014] == 74661 and bj[2023] == 193973
    jx = p[(p.unit == "CN-JX") & (p.indicator == "patent_applications")]
    assert len(jx) == 14  # the 江两 rows now count for Jiangxi
    assert not p.duplicated(["unit", "period", "indicator"]).any()


def test_metadata_keeps_units_and_source_codes(cleaned):
    m = cleaned.indicators.set_index("code")
    assert m.loc["rd_expenditure", "unit"] == "10k CNY"
    assert m.loc["rd_expenditure", "unit_zh"] == "万元"
    assert m.loc["rd_intensity", "unit"] == "%"
    assert m.loc["rank_papers_sci", "direction"] == -1
    assert m.loc["patent_grants", "source_code"] == "v4_cg_zlsq2_hj"
