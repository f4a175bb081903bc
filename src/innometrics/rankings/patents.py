"""Patent counting: roles, families, dates, technology fields, specialisation.

A patent RecordSet (:mod:`~innometrics.records.model`: one record per application,
contributors with ``role`` inventor/applicant and ``country``) is *projected* onto the
counting model of :mod:`~innometrics.rankings.credits`, so patents are counted by
the same engine queries as papers, on DuckDB and Spark alike:

* the counted unit is the application (``family = "none"``), its DOCDB simple family
  (``"simple"``) or its INPADOC extended family (``"extended"``); an application
  without a family id is its own family;
* the unit's year is the earliest year of the chosen ``date`` over its members
  (``priority``, the default and OECD's choice, falls back to the filing date when a
  record has no priority date; ``filing``, ``publication``, ``grant``);
* its contributors are the distinct persons of the chosen role (``by``) over its
  members (a person is its identifier when the source gives one, else its
  harmonised name), each with one affiliation row carrying the person's country and
  city and, for applicants, the harmonised applicant name as the unit of level
  ``applicant``.

Full counting then gives 1 to every country (city, applicant) on a family, and
fractional counting gives each of the ``n`` distinct inventors (applicants) ``1 / n``,
to their country: a family with one French and one German inventor gives 0.5 to
each (OECD, *Patent Statistics Manual* 2009, section 5.3; Dernis, Guellec & van
Pottelsberghe 2001, "Using patent counts for cross-country comparisons of
technology output", STI Review 27). A person without country credits ``unknown``.

Technology fields: the IPC codes of a unit's members are mapped to WIPO's 35 fields
(and 5 sectors) with WIPO's IPC-technology concordance (Schmoch 2008, *Concept of a
Technology Classification for Country Comparisons*, WIPO), shipped as
``data/patents/ipc_technology_concordance.csv``; fractional counting splits a unit
equally over its distinct fields. The country x field matrix multiplies the two
shares: ``c(u, f) = sum_p s_u(p) s_f(p)``, and the revealed technological advantage is
``RTA(u, f) = (c(u, f) / c(u, .)) / (c(., f) / c(., .))`` (Balassa 1965; Soete 1987, "The
impact of technological innovation on international trade patterns", Research
Policy 16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ibis
import ibis.expr.types as ir
import pandas as pd

from innometrics.entities.applicants import harmonise_applicant
from innometrics.entities.countries import fold_ascii
from innometrics.errors import DataError

ROLES = ("inventor", "applicant")
FAMILIES = ("none", "simple", "extended")
DATES = ("priority", "filing", "publication", "grant")
#: Patent levels and the base level of the projection that carries them.
PATENT_LEVELS = {"country": "country", "city": "city", "applicant": "institution", "field": "institution",
                 "sector": "institution"}


@dataclass(frozen=True)
class PatentOptions:
    """The ``[patents]`` table of a ranking spec.

    Attributes
    ----------
    by : {"inventor", "applicant"}
    family : {"none", "simple", "extended"}
    date : {"priority", "filing", "publication", "grant"}
    growth_window : (int, int) or None
        First and last year of the growth multiple and CAGR in ``fields.csv``.
    population_file : str or None
        A panel ``unit, year, population`` (country alpha-3); adds patents per
        million people (``per_million.csv``).
    """

    by: str = "inventor"
    family: str = "none"
    date: str = "priority"
    growth_window: tuple[int, int] | None = None
    population_file: str | None = None


# --------------------------------------------------------------------------- projection
def person_keys(contributors: pd.DataFrame) -> pd.Series:
    """Harmonised key of each contributor: applicants by :func:`harmonise_applicant`,
    inventors by their folded name (``Müller, Hans`` -> ``MULLER HANS``)."""
    names = contributors["name"].astype("object")
    is_app = (contributors["role"] == "applicant").fillna(False)
    keys = [harmonise_applicant(n) if a else (fold_ascii(n).upper() or n.upper()) if isinstance(n, str) else None
            for n, a in zip(names, is_app)]
    return pd.Series(keys, index=contributors.index, dtype="object")


def unit_column(records: ir.Table, family: str) -> ir.Column:
    """The counted unit of each record: itself, its simple or its extended family."""
    if family == "none":
        return records.record_id
    if family == "simple":
        return ibis.coalesce(records.family_simple, records.record_id)
    return ibis.coalesce(records.family_extended, records.family_simple, records.record_id)


def year_column(records: ir.Table, date: str) -> ir.Column:
    """The year of the chosen date (``priority`` falls back to the filing date)."""
    value = {
        "priority": ibis.coalesce(records.priority_date, records.filing_date),
        "filing": records.filing_date,
        "publication": records.publication_date,
        "grant": records.grant_date,
    }[date]
    return value.cast("string").substr(0, 4).cast("int64")


def project(
    records: ir.Table,
    contributors: ir.Table,
    affiliations: ir.Table | None = None,
    *,
    by: str = "inventor",
    family: str = "none",
    date: str = "priority",
    engine=None,
) -> tuple[ir.Table, ir.Table, ir.Table, ir.Table]:
    """Project patent tables onto the counting model (see the module doc).

    Parameters
    ----------
    records : ibis.Table
        ``record_id, family_simple, family_extended, priority_date, filing_date,
        publication_date, grant_date``.
    contributors : ibis.Table
        ``record_id, position, role, country, identifier, name`` and optionally
        ``name_key`` (the harmonised name; ``upper(name)`` otherwise; without either, the
        persons are their identifiers alone, as in PatentsView's party rows) and ``ror_id`` (an
        applicant's ROR organisation: it then keys the applicant, so two spellings of
        one university are one applicant, and becomes the unit's ``institution_id``).
    affiliations : ibis.Table, optional
        ``record_id, position, city`` (the contributors' cities). Without it the
        contributors need no ``position``.
    engine : Engine, optional
        When given, the units and the distinct persons per unit are computed once
        and stored in it (:meth:`Engine.materialise`), so the three outputs, read by
        several queries, do not repeat the projection over large inputs.

    Returns
    -------
    (records, contributors, affiliations, members) : ibis.Table
        The first three as :func:`~innometrics.rankings.credits.load_tables` takes
        them, one record per unit; ``members`` maps ``record_id`` to ``unit_id``.
    """
    if by not in ROLES or family not in FAMILIES or date not in DATES:
        raise ValueError(f"by must be one of {ROLES}, family one of {FAMILIES}, date one of {DATES}")
    rec = records.select(record_id=records.record_id, unit_id=unit_column(records, family),
                         year=year_column(records, date))
    if engine is not None:
        rec = engine.materialise(engine.fresh_name("pat_members"), rec)
    members = rec.select("record_id", "unit_id")
    units = rec.group_by("unit_id").agg(year=rec.year.min())
    out_records = units.select(record_id=units.unit_id, year=units.year, weight=ibis.literal(1.0),
                               citations=ibis.null("float64"))

    con = contributors.filter(contributors.role == by)
    # a name is read only when given: a source whose every person has an identifier
    # (PatentsView) can leave it out, and the engine then never builds the name text
    if "name_key" in con.columns:
        name_key = con.name_key
    elif "name" in con.columns:
        name_key = con.name.strip().upper()
    else:
        name_key = ibis.null("string")
    ror_id = con.ror_id.cast("string") if "ror_id" in con.columns else ibis.null("string")
    position = {"position": con.position.cast("int64")} if affiliations is not None else {}
    con = con.select("record_id", **position, country=con.country.cast("string"),
                     key=ibis.coalesce(ror_id, con.identifier.cast("string"), name_key.cast("string")),
                     name_key=name_key.cast("string"), ror_id=ror_id)
    if affiliations is not None and "city" in affiliations.columns:
        cities = affiliations.filter(affiliations.position.notnull() & affiliations.city.notnull())
        cities = cities.group_by(["record_id", cities.position.cast("int64").name("position")]).agg(
            city=cities.city.cast("string").min())
        con = con.left_join(cities, ["record_id", "position"]).select(con, cities.city)
    else:
        con = con.mutate(city=ibis.null("string"))
    con = con.join(members, "record_id")
    # an applicant's harmonised name and ROR id label its unit; an inventor's are never read, and
    # carrying them through the materialised table costs about 40 % of its build on PatentsView
    labels = ({"name_key": con.name_key.min(), "ror_id": con.ror_id.min()} if by == "applicant"
              else {"name_key": ibis.null("string"), "ror_id": ibis.null("string")})
    persons = con.group_by(["unit_id", "key"]).agg(country=con.country.min(), city=con.city.min(), **labels)
    persons = persons.mutate(position=ibis.row_number().over(group_by="unit_id", order_by="key") + 1)
    if engine is not None:
        persons = engine.materialise(engine.fresh_name("pat_persons"), persons)
    out_contributors = persons.select(record_id=persons.unit_id, position=persons.position,
                                      is_corresponding=ibis.literal(False))
    institution = persons.name_key if by == "applicant" else ibis.null("string")
    institution_id = persons.ror_id if by == "applicant" else ibis.null("string")
    out_affiliations = persons.select(record_id=persons.unit_id, position=persons.position.cast("float64"),
                                      institution=institution, institution_id=institution_id,
                                      city=persons.city, country=persons.country)
    return out_records, out_contributors, out_affiliations, members


# --------------------------------------------------------------------------- technology fields
@lru_cache(maxsize=1)
def concordance() -> pd.DataFrame:
    """WIPO's IPC-technology concordance shipped with the package (771 IPC prefixes).

    Columns ``field_number, field_en, sector_en, ipc_prefix`` (and the original
    pattern, French and Spanish labels); see DATA_SOURCES.md.
    """
    path = resources.files("innometrics") / "data" / "patents" / "ipc_technology_concordance.csv"
    with resources.as_file(path) as p:
        df = pd.read_csv(p, dtype={"ipc_prefix": str}, keep_default_na=False)
    df["field_number"] = df["field_number"].astype(int)
    return df


@lru_cache(maxsize=1)
def _prefix_index() -> tuple[dict[str, int], tuple[int, ...]]:
    df = concordance()
    index = dict(zip(df["ipc_prefix"].str.upper(), df["field_number"]))
    return index, tuple(sorted({len(p) for p in index}, reverse=True))


def ipc_field(code: str) -> int | None:
    """WIPO technology field (1-35) of a compact IPC code, or None when no prefix matches.

    No concordance prefix is a prefix of another, so at most one matches.

    >>> ipc_field("A21D13/00"), ipc_field("A21B1/00"), ipc_field("H04N3/12"), ipc_field("Z99Z1/00")
    (18, 29, 2, None)
    """
    index, lengths = _prefix_index()
    code = code.replace(" ", "").upper()
    for n in lengths:
        field = index.get(code[:n])
        if field is not None:
            return field
    return None


def field_labels() -> pd.DataFrame:
    """One row per field: ``field`` (two-digit id), ``field_name``, ``sector``."""
    df = concordance().drop_duplicates("field_number").sort_values("field_number")
    return pd.DataFrame({"field": [f"{n:02d}" for n in df["field_number"]], "field_name": df["field_en"].values,
                         "sector": df["sector_en"].str.replace(r"\s+", " ", regex=True).values})


def record_fields(records: pd.DataFrame) -> pd.DataFrame:
    """``record_id, field`` (two-digit id): the distinct WIPO fields of each record's IPC codes."""
    rows = []
    for rid, ipc in zip(records["record_id"], records["ipc"]):
        if not isinstance(ipc, str):
            continue
        seen = set()
        for code in ipc.split(";"):
            f = ipc_field(code.strip()) if code.strip() else None
            if f is not None and f not in seen:
                seen.add(f)
                rows.append((rid, f"{f:02d}"))
    return pd.DataFrame(rows, columns=["record_id", "field"])


def field_recordset(records: pd.DataFrame, members: pd.DataFrame, units: pd.DataFrame):
    """A counting RecordSet of units x technology fields (level ``field`` = institution).

    Each unit's contributors are its distinct fields over its members, one
    affiliation each (``institution_id`` the field id, ``institution`` its name), so
    fractional counting splits the unit equally over its fields and full counting
    gives each field 1. A unit without a mappable IPC code credits ``unknown``.
    """
    from innometrics.records.model import RecordSet

    rf = record_fields(records).merge(members, on="record_id")[["unit_id", "field"]].drop_duplicates()
    rf = rf.sort_values(["unit_id", "field"], kind="mergesort")
    rf["position"] = rf.groupby("unit_id").cumcount() + 1
    names = dict(zip(field_labels()["field"], field_labels()["field_name"]))
    cons = pd.DataFrame({"record_id": rf["unit_id"], "position": rf["position"], "name": rf["field"]})
    affs = pd.DataFrame({"record_id": rf["unit_id"], "position": rf["position"], "institution_id": rf["field"],
                         "institution": rf["field"].map(names)})
    return RecordSet.from_rows(units, cons, affs, [], read=len(units))


def sector_mapping() -> pd.DataFrame:
    """``unit, group`` mapping field ids to their sector (for the ``sector`` level)."""
    labels = field_labels()
    return pd.DataFrame({"unit": labels["field"], "group": labels["sector"]})


# --------------------------------------------------------------------------- specialisation
def field_matrix(unit_credits: pd.DataFrame, field_credits: pd.DataFrame, years: pd.DataFrame,
                 *, growth_window: tuple[int, int] | None = None) -> pd.DataFrame:
    """Counts and specialisation per unit (country, ...) and technology field.

    Parameters
    ----------
    unit_credits, field_credits : pandas.DataFrame
        ``record_id, unit, p_full, p_frac`` per counted patent (unit) and
        country (field), as in a build's ``credits.csv``.
    years : pandas.DataFrame
        ``record_id, year`` of each counted patent.
    growth_window : (first, last), optional
        Adds ``growth`` (``c_last / c_first``) and ``cagr`` (``growth^(1/(last-first)) - 1``)
        of the fractional counts.

    Returns
    -------
    pandas.DataFrame
        Over the patents with a known unit and field (``unknown`` is left out of
        every total), ``unit, field, field_name, sector, p_full, p_frac, share_of_field`` (the unit's
        part of the field's world total), ``share_of_unit`` (the field's part of the
        unit's total), ``rta`` (``share_of_unit`` / the field's share of all patents)
        and, with a window, ``p_frac_first, p_frac_last, growth, cagr``.
    """
    m = unit_credits.merge(field_credits, on="record_id", suffixes=("_u", "_f"))
    m = m.assign(p_full=m["p_full_u"] * m["p_full_f"], p_frac=m["p_frac_u"] * m["p_frac_f"])
    m = m.rename(columns={"unit_u": "unit", "unit_f": "field"})
    m = m[(m["unit"] != "unknown") & (m["field"] != "unknown")]
    out = m.groupby(["unit", "field"], as_index=False)[["p_full", "p_frac"]].sum()
    field_tot = out.groupby("field")["p_frac"].transform("sum")
    unit_tot = out.groupby("unit")["p_frac"].transform("sum")
    grand = out["p_frac"].sum()
    out["share_of_field"] = out["p_frac"] / field_tot.where(field_tot != 0)
    out["share_of_unit"] = out["p_frac"] / unit_tot.where(unit_tot != 0)
    out["rta"] = out["share_of_unit"] / (field_tot / grand).where(field_tot != 0)
    if growth_window is not None:
        first, last = growth_window
        my = m.merge(years, on="record_id")
        for label, year in (("first", first), ("last", last)):
            c = my[my["year"] == year].groupby(["unit", "field"], as_index=False)["p_frac"].sum()
            out = out.merge(c.rename(columns={"p_frac": f"p_frac_{label}"}), on=["unit", "field"], how="left")
            out[f"p_frac_{label}"] = out[f"p_frac_{label}"].fillna(0.0)
        out["growth"] = out["p_frac_last"] / out["p_frac_first"].where(out["p_frac_first"] != 0)
        span = last - first
        out["cagr"] = (out["growth"] ** (1.0 / span) - 1.0) if span > 0 else math.nan
    labels = field_labels().rename(columns={"field": "field"})
    out = out.merge(labels, on="field", how="left")
    cols = ["unit", "field", "field_name", "sector", "p_full", "p_frac", "share_of_field", "share_of_unit", "rta"]
    cols += [c for c in ("p_frac_first", "p_frac_last", "growth", "cagr") if c in out.columns]
    return out[cols].sort_values(["unit", "field"], kind="mergesort").reset_index(drop=True)


def per_million(yearly_units: pd.DataFrame, population_file: str) -> pd.DataFrame:
    """Patents per million people: ``unit, year, p_full, p_frac, population, p_frac_per_million``.

    ``yearly_units`` is a build's yearly country table; the population panel is a
    CSV with ``unit`` (ISO alpha-3, as the country level), ``year`` and ``population``
    (persons). Units or years without population get no row.
    """
    pop = pd.read_csv(population_file, dtype={"unit": str})
    missing = {"unit", "year", "population"} - set(pop.columns)
    if missing:
        raise DataError(f"the population panel needs columns unit, year, population; missing {sorted(missing)}",
                        file=population_file, reason="schema")
    pop["population"] = pd.to_numeric(pop["population"], errors="coerce")
    bad = pop[pop["population"].isna() | (pop["population"] <= 0)]
    if len(bad):
        raise DataError(f"population must be a positive number; row {int(bad.index[0]) + 2} has "
                        f"{bad['population'].iloc[0]!r}", file=population_file, row=int(bad.index[0]) + 2,
                        column="population", reason="non_numeric")
    df = yearly_units.merge(pop[["unit", "year", "population"]], on=["unit", "year"], how="inner")
    df["p_frac_per_million"] = df["p_frac"] / (df["population"] / 1e6)
    df["p_full_per_million"] = df["p_full"] / (df["population"] / 1e6)
    return df[["unit", "year", "p_full", "p_frac", "population", "p_full_per_million",
               "p_frac_per_million"]].sort_values(["unit", "year"], kind="mergesort").reset_index(drop=True)
