"""Designation counts (Clarivate Highly Cited Researchers style).

A *people table* lists designations: one row per (person, field), CSV or Excel,

=========================  ============================================================
column                     meaning
=========================  ============================================================
``person``                 required: the researcher's name
``field``                  required: the field of the designation (``Cross-Field`` too)
``primary_affiliation``    required: the institution the designation is counted for
``primary_country``        the primary affiliation's country (name or ISO code;
                           ``country`` is accepted as the column name too)
``secondary_affiliations`` optional: other affiliations joined by ``;``
``secondary_countries``    optional: their countries, in the same order, joined by ``;``
=========================  ============================================================

Counting (Clarivate's tables by institution and by country/region): designations are
counted, not people -- a researcher named in two fields counts twice -- and each
designation is credited in full to its primary affiliation (and that affiliation's
country). The fractional option splits one designation equally over the primary and
the secondary affiliations: ``1 / (1 + s)`` each. The table is turned into a
RecordSet (one record per designation, one contributor, the affiliations) and
counted by the ranking engine: the primary-only set with ``full`` counting, the
primary + secondary set with ``fractional`` counting.

References
----------
Clarivate (2023). *Highly Cited Researchers: Methodology*
(https://clarivate.com/highly-cited-researchers/methodology/).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from innometrics.entities.countries import REASONS, country_names, explain_country
from innometrics.errors import DataError, reading
from innometrics.io.tables import read_csv_text
from innometrics.records.model import RecordSet

REQUIRED = ("person", "field", "primary_affiliation")


def read_people(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read and validate a people table; returns it with normalised country codes.

    Columns of the result: ``row, person, field, primary_affiliation, primary_country,
    secondary_affiliations (list), secondary_countries (list)``.

    Raises
    ------
    DataError
        Missing columns, blank required cells, an unknown country, or secondary
        countries that do not pair with the secondary affiliations.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("people table not found", file=path, reason="not_found")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        with reading(path, "people table"):
            df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, keep_default_na=False)
    else:
        df = read_csv_text(path, what="people table")
    df.columns = [str(c).strip() for c in df.columns]
    if "primary_country" not in df.columns and "country" in df.columns:
        df = df.rename(columns={"country": "primary_country"})
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s) {missing}; found {list(df.columns)}", file=path, row=1,
                        reason="schema")
    for col in ("primary_country", "secondary_affiliations", "secondary_countries"):
        if col not in df.columns:
            df[col] = ""

    def country(text: str, row: int, column: str) -> str | None:
        if not text:
            return None
        found, why = explain_country(text, kind="auto")
        if found is None:
            raise DataError(f"unknown country {text!r} ({REASONS[why]}); give a country name or an ISO 3166-1 "
                            f"code", file=path, row=row, column=column, reason="unknown_country")
        return found.alpha_3

    out = []
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        rec = {k: (v.strip() if isinstance(v, str) else "") for k, v in rec.items()}
        for col in REQUIRED:
            if not rec[col]:
                raise DataError(f"blank {col}", file=path, row=row, column=col, reason="missing_value")
        sec = [s.strip() for s in rec["secondary_affiliations"].split(";") if s.strip()]
        sec_c = [s.strip() for s in rec["secondary_countries"].split(";")] if rec["secondary_countries"] else []
        if sec_c and len(sec_c) != len(sec):
            raise DataError(f"{len(sec)} secondary affiliation(s) but {len(sec_c)} secondary countries; give one "
                            f"country per secondary affiliation (or none)", file=path, row=row,
                            column="secondary_countries", reason="length_mismatch")
        out.append({"row": row, "person": rec["person"], "field": rec["field"],
                    "primary_affiliation": rec["primary_affiliation"],
                    "primary_country": country(rec["primary_country"], row, "primary_country"),
                    "secondary_affiliations": sec,
                    "secondary_countries": [country(c, row, "secondary_countries") for c in sec_c] or [None] * len(sec)})
    people = pd.DataFrame(out)
    dup = people[people.duplicated(["person", "field"], keep=False)]
    if len(dup):
        raise DataError(f"{dup['person'].iloc[0]!r} is listed twice in field {dup['field'].iloc[0]!r}; one row per "
                        f"(person, field)", file=path, row=int(dup["row"].iloc[1]), column="person",
                        reason="duplicate_key", failures=dup)
    return people


def designation_recordset(people: pd.DataFrame, *, include_secondary: bool = False,
                          source: str | None = None) -> RecordSet:
    """One record per designation, the person as its only contributor.

    ``include_secondary=False``: the primary affiliation only; ``True``: the primary
    and secondary affiliations (the fractional option splits over them).
    """
    records, contributors, affiliations = [], [], []
    for i, p in enumerate(people.to_dict("records")):
        rid = f"D{i + 1:06d}"
        records.append({"record_id": rid, "year": None, "type": "designation",
                        "title": f"{p['person']} ({p['field']})", "weight": 1.0, "source_format": "people_table"})
        contributors.append({"record_id": rid, "position": 1, "name": p["person"], "is_corresponding": False})
        affs = [(p["primary_affiliation"], p["primary_country"])]
        if include_secondary:
            affs += list(zip(p["secondary_affiliations"], p["secondary_countries"]))
        for inst, ctry in affs:
            affiliations.append({"record_id": rid, "position": 1, "raw": inst, "institution": inst,
                                 "country": ctry, "country_raw": ctry})
    return RecordSet.from_rows(records, contributors, affiliations, [], read=len(records),
                               sources=[source] if source else []).validate()


def count_designations(
    people: pd.DataFrame,
    level: str = "institution",
    *,
    fractional: bool = False,
    engine=None,
) -> pd.DataFrame:
    """Designations per institution or country.

    Returns ``rank, unit, name, designations, designations_frac, people`` where
    ``designations`` counts each designation in full for its primary affiliation,
    ``designations_frac`` splits it over primary and secondary affiliations
    (``1 / (1 + s)``) and ``people`` is the number of distinct persons with that
    primary unit. Ranked by ``designations_frac`` when ``fractional`` else by
    ``designations``; ties share the lower rank and are ordered by unit.

    Examples
    --------
    One person in two fields at A (secondary B) counts 2 designations for A; the
    fractional variant gives A 1 and B 1.
    """
    from innometrics.rankings.counting import count_units, unit_names
    from innometrics.rankings.credits import UNKNOWN, load_recordset
    from innometrics.rankings.engines import Engine, connect
    from innometrics.rankings.indicators import competition_rank

    own = not isinstance(engine, Engine)
    eng = connect(engine) if own else engine
    try:
        primary = load_recordset(eng, designation_recordset(people))
        full = count_units(primary, level, "full")[["unit", "p_full"]].rename(columns={"p_full": "designations"})
        names = unit_names(primary, level)
        both = load_recordset(eng, designation_recordset(people, include_secondary=True))
        frac = count_units(both, level, "fractional")[["unit", "p_frac"]].rename(
            columns={"p_frac": "designations_frac"})
        names = pd.concat([names, unit_names(both, level)]).drop_duplicates("unit")
    finally:
        if own:
            eng.close()
    table = full.merge(frac, on="unit", how="outer").fillna({"designations": 0.0, "designations_frac": 0.0})
    key = "primary_affiliation" if level == "institution" else "primary_country"
    if level in ("institution", "country"):
        n_people = people.assign(_u=people[key].fillna(UNKNOWN)).groupby("_u")["person"].nunique()
        table["people"] = table["unit"].map(n_people).fillna(0).astype("int64")
    table = table.merge(names, on="unit", how="left")
    if level == "country":
        lookup = country_names()
        table["name"] = table["unit"].map(lookup).fillna(table["name"])
    col = "designations_frac" if fractional else "designations"
    known = table[table["unit"] != UNKNOWN].sort_values([col, "unit"], ascending=[False, True], kind="mergesort")
    known = known.assign(rank=pd.array(competition_rank(known[col].to_numpy()), dtype="Int64"))
    unknown = table[table["unit"] == UNKNOWN].assign(rank=pd.array([pd.NA] * int((table["unit"] == UNKNOWN).sum()),
                                                                  dtype="Int64"))
    table = pd.concat([known, unknown], ignore_index=True)
    cols = ["rank", "unit", "name", "designations", "designations_frac"] + (["people"] if "people" in table else [])
    return table[cols]
