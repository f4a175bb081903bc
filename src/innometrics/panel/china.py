"""Clean the China provincial S&T statistics into the long indicator panel.

Source: *China Statistical Yearbook on Science and Technology*, as packaged by the R
package techme (Hu Huaping, MIT licence); seven long tables ``province, year,
chn_block4, value, units, variables``. The raw files are bundled in
``innometrics/data/china_provinces/``.

Cleaning, each step counted in the returned log:

1. province names: all white space removed (one year pads names: ``上   海``), and the
   misreading of 西 as 两 corrected (``江两`` -> ``江西``, ``山两`` -> ``山西``, ``两藏`` -> ``西藏``);
2. provinces mapped to ISO 3166-2 codes (``北京`` -> ``CN-BJ``, the national total
   ``全国`` -> ``CN``) with English names from pycountry's subdivision names;
3. each source variable mapped to an English indicator code, name and unit
   (:data:`INDICATORS`); the Chinese label and the source code are kept in the metadata;
4. the same variable published in two tables (R&D expenditure appears in both
   ``RDActivity`` and, rounded to whole units, ``RDSource``) is kept once, from the first
   table; a repeat that differs by more than rounding is rejected naming the kept row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd
import pycountry

from innometrics.errors import DataError
from innometrics.io.panels import REJECT_COLUMNS, parse_number, parse_period
from innometrics.io.tables import read_table, require_columns
from innometrics.model import coerce_panel

#: The seven source tables, in reading order.
TABLES = [
    "RDActivity",
    "RDSource",
    "RDIntense",
    "PublicBudget",
    "RDPatentAccept",
    "RDPatentAuthority",
    "RDPaperInternational",
]

#: Chinese short province name -> ISO 3166-2 code. Written by hand because no library
#: maps Chinese names; pycountry then gives the official romanised names.
PROVINCE_CODES = {
    "全国": "CN", "北京": "CN-BJ", "天津": "CN-TJ", "河北": "CN-HE", "山西": "CN-SX",
    "内蒙古": "CN-NM", "辽宁": "CN-LN", "吉林": "CN-JL", "黑龙江": "CN-HL", "上海": "CN-SH",
    "江苏": "CN-JS", "浙江": "CN-ZJ", "安徽": "CN-AH", "福建": "CN-FJ", "江西": "CN-JX",
    "山东": "CN-SD", "河南": "CN-HA", "湖北": "CN-HB", "湖南": "CN-HN", "广东": "CN-GD",
    "广西": "CN-GX", "海南": "CN-HI", "重庆": "CN-CQ", "四川": "CN-SC", "贵州": "CN-GZ",
    "云南": "CN-YN", "西藏": "CN-XZ", "陕西": "CN-SN", "甘肃": "CN-GS", "青海": "CN-QH",
    "宁夏": "CN-NX", "新疆": "CN-XJ",
}

#: Known misspellings in the source (the character 西 misread as 两), corrected after
#: white space is removed.
NAME_FIXES = {"江两": "江西", "山两": "山西", "两藏": "西藏"}

#: Conventional English names where they differ from the romanised official name.
ENGLISH_OVERRIDES = {"CN-NM": "Inner Mongolia", "CN-XZ": "Tibet", "CN": "China (national total)"}

_ADMIN_SUFFIX = re.compile(r"\s+(Sheng|Shi|Zhuangzu Zizhiqu|Huizu Zizhiqu|Uygur Zizhiqu|Zizhiqu)$")

UNITS = {"万元": "10k CNY", "亿元": "100m CNY", "%": "%", "件": "items", "篇": "papers", "位": "rank"}

#: source variable -> (indicator code, English name, direction)
INDICATORS = {
    "v4_zh_nbzc_hj": ("rd_expenditure", "R&D internal expenditure, total", 1),
    "v4_zh_nbzc_jcyj": ("rd_basic", "R&D expenditure on basic research", 1),
    "v4_zh_nbzc_yyyj": ("rd_applied", "R&D expenditure on applied research", 1),
    "v4_zh_nbzc_syfz": ("rd_experimental", "R&D expenditure on experimental development", 1),
    "v4_zh_nbzc_zfzj": ("rd_funds_government", "R&D expenditure funded by government", 1),
    "v4_zh_nbzc_qyzj": ("rd_funds_enterprise", "R&D expenditure funded by enterprises", 1),
    "v4_zh_nbzc_gwzj": ("rd_funds_foreign", "R&D expenditure funded from abroad", 1),
    "v4_zh_nbzc_qtzj": ("rd_funds_other", "R&D expenditure from other sources", 1),
    "v4_ztr_jf_RD": ("rd_expenditure_bn", "R&D expenditure (intensity table)", 1),
    "v4_ztr_qd_RD": ("rd_intensity", "R&D intensity (R&D expenditure / GDP)", 1),
    "v6_cz_yszc_hj": ("budget_total", "Public budget expenditure, total", 1),
    "v6_cz_yszc_kxjs": ("budget_science_technology", "Public budget expenditure on science and technology", 1),
    "v6_cz_yszc_jy": ("budget_education", "Public budget expenditure on education", 1),
    "v6_cz_yszc_nls": ("budget_agriculture", "Public budget expenditure on agriculture, forestry and water", 1),
    "v4_cg_zlsq_hj": ("patent_applications", "Patent applications, total", 1),
    "v4_cg_zlsq_fm": ("patent_applications_invention", "Invention patent applications", 1),
    "v4_cg_zlsq_syxx": ("patent_applications_utility", "Utility model patent applications", 1),
    "v4_cg_zlsq_wgsj": ("patent_applications_design", "Design patent applications", 1),
    "v4_cg_zlsq2_hj": ("patent_grants", "Patents granted, total", 1),
    "v4_cg_zlsq2_fm": ("patent_grants_invention", "Invention patents granted", 1),
    "v4_cg_zlsq2_syxx": ("patent_grants_utility", "Utility model patents granted", 1),
    "v4_cg_zlsq2_wgsj": ("patent_grants_design", "Design patents granted", 1),
    "v4_cg_gwlw_pssci": ("papers_sci", "Papers indexed by SCI", 1),
    "v4_cg_gwlw_psei": ("papers_ei", "Papers indexed by EI", 1),
    "v4_cg_gwlw_pscpcis": ("papers_cpcis", "Papers indexed by CPCI-S", 1),
    "v4_cg_gwlw_wcsci": ("rank_papers_sci", "National rank by SCI papers", -1),
    "v4_cg_gwlw_wcei": ("rank_papers_ei", "National rank by EI papers", -1),
    "v4_cg_gwlw_wccpcis": ("rank_papers_cpcis", "National rank by CPCI-S papers", -1),
}


@dataclass
class CleanedPanel:
    """The cleaned provincial panel with its metadata and an account of every row."""

    panel: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    rejects: pd.DataFrame
    log: pd.DataFrame  # one row per source table: read, used, duplicates, rejected, fixes

    def __repr__(self) -> str:
        read, used = int(self.log["read"].sum()), len(self.panel)
        return (
            f"<CleanedPanel {self.panel['unit'].nunique()} units x {self.panel['indicator'].nunique()} indicators, "
            f"{self.panel['period'].min()}-{self.panel['period'].max()}; read {read:,} = used {used:,} + "
            f"duplicate {int(self.log['duplicates'].sum()):,} + rejected {len(self.rejects):,}>"
        )


def _english_name(code: str) -> str:
    if code in ENGLISH_OVERRIDES:
        return ENGLISH_OVERRIDES[code]
    sub = pycountry.subdivisions.get(code=code)
    return _ADMIN_SUFFIX.sub("", sub.name)


def unit_table() -> pd.DataFrame:
    """Unit metadata: ``code, name, name_zh, type, parent`` for the 31 provinces and China."""
    rows = []
    for zh, code in PROVINCE_CODES.items():
        is_country = code == "CN"
        rows.append({
            "code": code,
            "name": _english_name(code),
            "name_zh": zh,
            "type": "country" if is_country else pycountry.subdivisions.get(code=code).type.lower(),
            "parent": "" if is_country else "CN",
        })
    return pd.DataFrame(rows)


def normalise_province(raw: str) -> str:
    """Remove all white space and fix known typos: ``'上   海'`` -> ``'上海'``, ``'江两'`` -> ``'江西'``."""
    name = re.sub(r"\s+", "", str(raw))
    return NAME_FIXES.get(name, name)


def default_source_dir() -> Path:
    """The bundled raw tables."""
    return Path(str(resources.files("innometrics") / "data" / "china_provinces"))


def clean_china_provinces(source_dir: str | Path | None = None) -> CleanedPanel:
    """Read and clean the seven provincial tables into one long panel.

    Returns
    -------
    CleanedPanel
        ``panel`` (unit = ISO 3166-2 code, period = year, indicator = English code,
        value in the unit of :attr:`CleanedPanel.indicators`), the metadata, rejected rows
        with reasons, and a per-table log where ``read = used + duplicates + rejected``.
    """
    source_dir = Path(source_dir) if source_dir is not None else default_source_dir()
    frames, rejects, log, seen_meta = [], [], [], {}
    for table_name in TABLES:
        path = source_dir / f"{table_name}.csv"
        raw = read_table(path)
        require_columns(raw, ["province", "year", "chn_block4", "value", "units", "variables"], file=path, what="provincial table")
        names = raw["province"].map(normalise_province)
        padded = int((raw["province"] != raw["province"].str.replace(r"\s+", "", regex=True)).sum())
        typos = int(raw["province"].str.replace(r"\s+", "", regex=True).isin(NAME_FIXES).sum())
        rows, n_rej = [], 0
        for i in range(len(raw)):
            line = i + 2
            var = raw.at[i, "variables"].strip()
            code = PROVINCE_CODES.get(names.iat[i])
            period = parse_period(raw.at[i, "year"])
            value = parse_number(raw.at[i, "value"])
            reason, column = None, None
            if code is None:
                reason, column = "unknown_province", "province"
            elif var not in INDICATORS:
                reason, column = "unknown_indicator", "variables"
            elif period is None:
                reason, column = "bad_period", "year"
            elif value is None:
                reason, column = "non_numeric", "value"
            if reason:
                n_rej += 1
                rejects.append({"file": str(path), "row": line, "column": column, "unit": raw.at[i, "province"],
                                "period": raw.at[i, "year"], "indicator": var, "value": raw.at[i, "value"], "reason": reason})
                continue
            ind, name, direction = INDICATORS[var]
            seen_meta.setdefault(ind, {
                "code": ind, "name": name, "unit": UNITS.get(raw.at[i, "units"], raw.at[i, "units"]),
                "direction": direction, "weight": 1.0, "parent": "", "level": 1, "denominator": "",
                "target": float("nan"), "name_zh": raw.at[i, "chn_block4"], "unit_zh": raw.at[i, "units"],
                "source_code": var, "source_table": table_name,
            })
            rows.append((code, period, ind, value, str(path), line))
        frame = pd.DataFrame(rows, columns=["unit", "period", "indicator", "value", "file", "row"])
        frames.append(frame)
        log.append({"table": table_name, "read": len(raw), "rows_valid": len(frame), "rejected": n_rej,
                    "padded_names_fixed": padded, "typos_fixed": typos})
    allrows = pd.concat(frames, ignore_index=True)
    key = ["unit", "period", "indicator"]
    # The first table (in TABLES order) publishing a value is its primary source. RDSource
    # repeats RDActivity's total rounded to whole 10k CNY: such repeats are duplicates;
    # a later value further away than rounding is rejected, naming the primary row.
    first_idx = allrows.groupby(key, sort=False).cumcount() > 0
    primary = allrows[~first_idx].set_index(key)
    duplicates_by_table = {t: 0 for t in TABLES}
    drop_index = []
    for idx in allrows.index[first_idx]:
        rec = allrows.loc[idx]
        ref = primary.loc[(rec["unit"], rec["period"], rec["indicator"])]
        table = Path(rec["file"]).stem
        drop_index.append(idx)
        if abs(float(ref["value"]) - float(rec["value"])) <= 0.5 + 1e-9 * abs(float(ref["value"])):
            duplicates_by_table[table] += 1
            continue
        for entry in log:
            if entry["table"] == table:
                entry["rejected"] += 1
        rejects.append({"file": rec["file"], "row": int(rec["row"]), "column": "value", "unit": rec["unit"],
                        "period": rec["period"], "indicator": rec["indicator"], "value": rec["value"],
                        "reason": f"conflicting_duplicate: {Path(ref['file']).name} row {int(ref['row'])} has {ref['value']}"})
    kept = allrows.drop(index=drop_index)
    for entry in log:
        entry["duplicates"] = duplicates_by_table[entry["table"]]
        entry["used"] = int((kept["file"].map(lambda f: Path(f).stem) == entry["table"]).sum())
    log_df = pd.DataFrame(log)[["table", "read", "used", "duplicates", "rejected", "padded_names_fixed", "typos_fixed"]]
    if not (log_df["read"] == log_df["used"] + log_df["duplicates"] + log_df["rejected"]).all():
        raise DataError("row accounting does not reconcile (read != used + duplicates + rejected)", reason="internal")
    meta = pd.DataFrame(list(seen_meta.values()))
    return CleanedPanel(
        panel=coerce_panel(kept[["unit", "period", "indicator", "value"]]),
        indicators=meta.sort_values("code").reset_index(drop=True),
        units=unit_table(),
        rejects=pd.DataFrame(rejects, columns=REJECT_COLUMNS),
        log=log_df,
    )


#: The provincial S&T development index of the demo: six dimensions of the cleaned
#: panel, one indicator each, and their weights (summing to 1).
ST_INDEX_DIMENSIONS = {
    "rd_expenditure": ("R&D expenditure", 0.20),
    "rd_intensity": ("R&D intensity", 0.15),
    "rd_basic": ("Basic research expenditure", 0.10),
    "budget_science_technology": ("Public S&T budget", 0.15),
    "patent_grants_invention": ("Invention patents granted", 0.25),
    "papers_sci": ("SCI papers", 0.15),
}


def st_index_inputs(cleaned: CleanedPanel, dimensions: dict[str, tuple[str, float]] | None = None
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The long panel, indicator metadata and unit table of a composite S&T index over the provinces.

    ``dimensions`` maps an indicator code of the cleaned panel to ``(dimension name,
    weight)`` (default :data:`ST_INDEX_DIMENSIONS`); each becomes a level-1 indicator
    under one top aggregate ``STIndex``.
    """
    dims = ST_INDEX_DIMENSIONS if dimensions is None else dimensions
    unknown = [c for c in dims if c not in set(cleaned.indicators["code"])]
    if unknown:
        raise DataError(f"indicators {', '.join(unknown)} are not in the cleaned panel", reason="unknown_indicator")
    panel = cleaned.panel[cleaned.panel["indicator"].isin(list(dims))].reset_index(drop=True)
    units_of = cleaned.indicators.set_index("code")["unit"]
    meta = pd.DataFrame(
        [{"code": c, "name": name, "unit": units_of.get(c), "direction": 1, "weight": w, "parent": "STIndex", "level": 1}
         for c, (name, w) in dims.items()]
        + [{"code": "STIndex", "name": "S&T development index", "unit": "base = 100", "direction": 1, "weight": 1.0,
            "parent": None, "level": 2}]
    )
    units = cleaned.units[["code", "name"]].copy()
    return panel, meta, units
