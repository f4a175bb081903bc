"""Achievement lists (BenchCouncil chip-contribution style): table format, reader, V score.

An *achievement table* lists landmark works (a chip, an architecture, a process) with
the people behind them; a ranking of institutions and countries is then derived from
the achievements' main contributors. The table is CSV or Excel, one row per
(achievement, contributor, affiliation):

=================  ========================================================================
column             meaning
=================  ========================================================================
``achievement_id`` required; rows with the same id form one achievement
``category``       required (e.g. ``Processor``); the list is ranked within category
``subcategory``    optional
``year``           the year of the achievement, or
``decade``         a decade written ``1940s`` (dated by its first year, 1940, in filters)
``work``           required: the name of the achievement
``contributor``    required: a person's name; a person with k affiliations has k rows
``role``           ``first``, ``equal_first``, ``corresponding``, ``last`` or ``other``
                   (default ``other``); several roles joined by ``;`` (``first;corresponding``)
``institution``    optional: the affiliation credited with the person's contribution
``city``           optional
``country``        optional: a country name or ISO code (normalised to ISO 3166-1 alpha-3)
``impact_<name>``  optional numeric impact dimensions (citations, adoption, derived works)
``source``         required: the public reference (title of the page or paper)
``source_url``     optional: its address
=================  ========================================================================

Achievement-level columns (``category`` ... ``work``, ``impact_*``, ``source*``) are
given on the achievement's first row; later rows may leave them blank or repeat the
same value. Contributors are numbered in order of first appearance. Structural
problems raise :class:`~innometrics.errors.DataError` naming the file, the row
(the header is row 1) and the column.

Main contributors (BenchCouncil's counting rule): the first authors (``first`` or
``equal_first``; the first-listed contributor when none is marked) and the
corresponding authors (``corresponding``; when none is marked, the contributor
marked ``last``, else the last-listed one). Only they credit their institutions and
countries (:func:`main_contributor_recordset`, count method ``main_contributors``).

Impact score (:func:`log_sum_score`): ``V = sum_i log10(X_i)`` over the impact
dimensions of the achievement.

References
----------
BenchCouncil's chip achievement and contribution lists (an achievement list, an
institution list and a country list) and their evaluation method, which aggregates
an achievement's impact dimensions as a sum of logarithms and credits first and
corresponding authors (International Open Benchmark Council, https://www.benchcouncil.org/).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innometrics.entities.countries import REASONS, explain_country
from innometrics.errors import DataError, reading
from innometrics.io.tables import read_csv_text
from innometrics.records.model import RecordSet
from innometrics.registry import register

ROLES = ("first", "equal_first", "corresponding", "last", "other")
REQUIRED_COLUMNS = ("achievement_id", "category", "work", "contributor", "source")
ACHIEVEMENT_COLUMNS = ("category", "subcategory", "year", "decade", "work", "source", "source_url")
OPTIONAL_COLUMNS = ("subcategory", "year", "decade", "role", "institution", "city", "country", "source_url")
IMPACT_PREFIX = "impact_"
_DECADE = re.compile(r"^(\d{3})0s$")


@dataclass
class AchievementSet:
    """An achievement table read into the record model.

    Attributes
    ----------
    achievements : pandas.DataFrame
        One row per achievement: ``record_id, category, subcategory, year,
        period, work, source, source_url, impact_* ..., V, n_impact, row``.
    recordset : RecordSet
        The contract frames (records = achievements, contributors, affiliations),
        ``type = "achievement"``, ``is_corresponding`` from the roles.
    roles : pandas.DataFrame
        ``record_id, position, name, role, is_first, is_corresponding, is_main``.
    impact_columns : list of str
    file : str
    """

    achievements: pd.DataFrame
    recordset: RecordSet
    roles: pd.DataFrame
    impact_columns: list[str] = field(default_factory=list)
    file: str | None = None

    @property
    def contributors(self) -> pd.DataFrame:
        """The record model's contributors with the ``role`` and ``is_main`` columns.

        The model's own ``role`` column (inventor or applicant, for patents) is empty for
        achievements and replaced by the achievement roles.
        """
        return self.recordset.contributors.drop(columns=["role"], errors="ignore").merge(
            self.roles[["record_id", "position", "role", "is_main"]], on=["record_id", "position"], how="left"
        )

    def subset(self, record_ids) -> "AchievementSet":
        """The achievements whose ``record_id`` is in ``record_ids``.

        The subset's counts describe the subset (``read = used + rejected`` with the
        kept achievements as ``used``); the selection's own rejects are reported by
        :func:`select_top`.
        """
        keep = set(record_ids)
        rs = self.recordset
        records = rs.records[rs.records["record_id"].isin(keep)].reset_index(drop=True)
        sub = RecordSet(
            records=records,
            contributors=rs.contributors[rs.contributors["record_id"].isin(keep)].reset_index(drop=True),
            affiliations=rs.affiliations[rs.affiliations["record_id"].isin(keep)].reset_index(drop=True),
            rejects=rs.rejects,
            counts={"read": len(records) + len(rs.rejects), "used": len(records), "rejected": len(rs.rejects)},
            sources=list(rs.sources),
        )
        return AchievementSet(
            achievements=self.achievements[self.achievements["record_id"].isin(keep)].reset_index(drop=True),
            recordset=sub,
            roles=self.roles[self.roles["record_id"].isin(keep)].reset_index(drop=True),
            impact_columns=list(self.impact_columns),
            file=self.file,
        )


# --------------------------------------------------------------------------- score
@register("score", "log_sum")
def log_sum_score(impacts: pd.DataFrame) -> pd.DataFrame:
    """Impact score ``V = sum_i log10(X_i)`` over the impact dimensions present.

    A missing dimension (blank cell) is skipped: it adds nothing, as if ``X_i = 1``,
    and ``n_impact`` counts the dimensions used; an achievement without any impact
    value has ``V = NaN`` (unscored, listed after the scored ones). ``X_i <= 0`` has
    no logarithm: the reader rejects such a cell with a DataError (give ``X + 1``
    if zero is a meaningful value of the dimension). Each dimension counts by its
    order of magnitude, so ten times more citations adds 1 to V, as BenchCouncil's
    evaluation method aggregates multi-dimensional impact.

    Parameters
    ----------
    impacts : pandas.DataFrame
        One column per dimension, positive floats or NaN.

    Returns
    -------
    pandas.DataFrame
        Columns ``V`` and ``n_impact``.

    Examples
    --------
    >>> log_sum_score(pd.DataFrame({"impact_citations": [1000.0, np.nan], "impact_adoption": [10.0, np.nan]}))
         V  n_impact
    0  4.0         2
    1  NaN         0
    """
    values = impacts.astype("float64")
    n = values.notna().sum(axis=1).astype("int64")
    v = np.log10(values).sum(axis=1, min_count=1)
    return pd.DataFrame({"V": v.where(n > 0), "n_impact": n}, index=impacts.index)


# --------------------------------------------------------------------------- reader
def _read_table(path: Path, sheet: str | int | None) -> pd.DataFrame:
    if not path.exists():
        raise DataError("achievement table not found", file=path, reason="not_found")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        with reading(path, "achievement table"):
            df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, keep_default_na=False)
    else:
        df = read_csv_text(path, what="achievement table")
    df.columns = [str(c).strip() for c in df.columns]
    return df.map(lambda v: v.strip() if isinstance(v, str) else ("" if pd.isna(v) else str(v)))


def _parse_roles(text: str, *, file: Path, row: int) -> list[str]:
    if not text:
        return ["other"]
    roles = [r.strip().lower().replace("-", "_").replace(" ", "_") for r in re.split(r"[;,|]", text) if r.strip()]
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise DataError(f"unknown role {bad[0]!r} in {text!r}; roles are {', '.join(ROLES)} (join several with ';')",
                        file=file, row=row, column="role", reason="unknown_role")
    return sorted(set(roles), key=ROLES.index)


def _parse_period(year: str, decade: str, *, file: Path, row: int) -> tuple[int, str]:
    if year:
        if not re.fullmatch(r"\d{3,4}", year):
            raise DataError(f"year must be a whole year like 1947; got {year!r}", file=file, row=row,
                            column="year", reason="unparsable_year")
        y = int(year)
        if decade:
            m = _DECADE.match(decade)
            if not m or int(m.group(1)) != y // 10:
                raise DataError(f"year {y} is not in decade {decade!r}", file=file, row=row, column="decade",
                                reason="conflicting_value")
        return y, str(y)
    if decade:
        m = _DECADE.match(decade)
        if not m:
            raise DataError(f"decade must be written like '1940s'; got {decade!r}", file=file, row=row,
                            column="decade", reason="unparsable_year")
        return int(m.group(1)) * 10, decade
    raise DataError("the achievement has neither a year nor a decade; give one of them", file=file, row=row,
                    column="year", reason="missing_year")


def _country(text: str, *, file: Path, row: int) -> str | None:
    if not text:
        return None
    found, why = explain_country(text, kind="auto")
    if found is None:
        raise DataError(f"unknown country {text!r} ({REASONS[why]}); give a country name or an ISO 3166-1 "
                        f"alpha-2, alpha-3 or numeric code", file=file, row=row, column="country",
                        reason="unknown_country")
    return found.alpha_3


def read_achievements(path: str | os.PathLike, *, sheet: str | int | None = None) -> AchievementSet:
    """Read an achievement table (CSV or Excel) into an :class:`AchievementSet`.

    Raises
    ------
    DataError
        Missing required columns (``reason="schema"``), a blank required cell
        (``missing_value``), an unknown role (``unknown_role``), an unparsable year or
        decade, an unknown country, a non-numeric or non-positive impact value
        (``non_numeric``, ``nonpositive_impact``), or an achievement-level value that
        differs between the rows of one achievement (``conflicting_value``).

    Examples
    --------
    >>> from importlib import resources
    >>> p = resources.files("innometrics").joinpath("data", "achievements", "chip_landmarks.csv")
    >>> aset = read_achievements(p)
    >>> aset.recordset.counts["read"] >= 12
    True
    """
    path = Path(path)
    df = _read_table(path, sheet)
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"missing required column(s) {missing}; found {list(df.columns)}. An achievement table "
                        f"needs {', '.join(REQUIRED_COLUMNS)} and a year or decade column", file=path, row=1,
                        reason="schema")
    if "year" not in df.columns and "decade" not in df.columns:
        raise DataError("the table needs a 'year' or a 'decade' column", file=path, row=1, reason="schema")
    for col in OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    impact_cols = [c for c in df.columns if c.startswith(IMPACT_PREFIX)]
    if not len(df):
        raise DataError("the achievement table has no rows", file=path, reason="empty")

    achievements: dict[str, dict] = {}
    contributors: dict[str, dict[str, dict]] = {}
    affiliations: list[dict] = []
    for i, rec in enumerate(df.to_dict("records")):
        row = i + 2
        rid = rec["achievement_id"]
        if not rid:
            raise DataError("blank achievement_id", file=path, row=row, column="achievement_id",
                            reason="missing_value")
        first_row = rid not in achievements
        values = {c: rec[c] for c in ACHIEVEMENT_COLUMNS + tuple(impact_cols)}
        if first_row:
            for col in ("category", "work", "source"):
                if not values[col]:
                    raise DataError(f"blank {col} on the first row of achievement {rid!r}", file=path, row=row,
                                    column=col, reason="missing_value")
            year, label = _parse_period(values["year"], values["decade"], file=path, row=row)
            impacts = {}
            for col in impact_cols:
                text = values[col]
                if not text:
                    impacts[col] = np.nan
                    continue
                try:
                    x = float(text.replace(",", "").replace("_", ""))
                except ValueError:
                    raise DataError(f"impact value must be a number; got {text!r}", file=path, row=row,
                                    column=col, reason="non_numeric") from None
                if not np.isfinite(x) or x <= 0:
                    raise DataError(f"impact values enter V = sum log10(X) and must be positive; got {text!r} "
                                    f"(use X + 1 if zero is meaningful)", file=path, row=row, column=col,
                                    reason="nonpositive_impact")
                impacts[col] = x
            achievements[rid] = {"record_id": rid, "category": values["category"],
                                 "subcategory": values["subcategory"] or None, "year": year, "period": label,
                                 "work": values["work"], "source": values["source"],
                                 "source_url": values["source_url"] or None, **impacts, "row": row,
                                 "_raw": values}
            contributors[rid] = {}
        else:
            raw = achievements[rid]["_raw"]
            for col, text in values.items():
                if text and text != raw[col]:
                    raise DataError(f"achievement {rid!r} has {col} {raw[col]!r} on row "
                                    f"{achievements[rid]['row']} and {text!r} here; give achievement-level "
                                    f"values once (or repeat them exactly)", file=path, row=row, column=col,
                                    reason="conflicting_value")
        name = rec["contributor"]
        if not name:
            raise DataError(f"blank contributor in achievement {rid!r}", file=path, row=row, column="contributor",
                            reason="missing_value")
        roles = _parse_roles(rec["role"], file=path, row=row)
        people = contributors[rid]
        if name not in people:
            people[name] = {"record_id": rid, "position": len(people) + 1, "name": name, "roles": roles, "row": row}
        elif rec["role"] and roles != people[name]["roles"]:
            raise DataError(f"contributor {name!r} of achievement {rid!r} has role(s) "
                            f"{';'.join(people[name]['roles'])} on row {people[name]['row']} and {rec['role']!r} here",
                            file=path, row=row, column="role", reason="conflicting_value")
        institution, city = rec["institution"] or None, rec["city"] or None
        country = _country(rec["country"], file=path, row=row)
        if institution or city or country:
            parts = [p for p in (institution, city, rec["country"] or None) if p]
            affiliations.append({"record_id": rid, "position": people[name]["position"], "raw": ", ".join(parts),
                                 "institution": institution, "institution_id": None, "city": city,
                                 "country": country, "country_raw": rec["country"] or None})

    ach = pd.DataFrame([{k: v for k, v in a.items() if k != "_raw"} for a in achievements.values()])
    ach["year"] = ach["year"].astype("Int64")
    scores = log_sum_score(ach[impact_cols]) if impact_cols else pd.DataFrame(
        {"V": np.nan, "n_impact": 0}, index=ach.index)
    ach = pd.concat([ach, scores], axis=1)
    cols = ["record_id", "category", "subcategory", "year", "period", "work", "source", "source_url",
            *impact_cols, "V", "n_impact", "row"]
    ach = ach[cols]

    people_rows = [p for rid in achievements for p in contributors[rid].values()]
    roles = main_contributor_roles(pd.DataFrame(people_rows))
    records = [{"record_id": a["record_id"], "year": a["year"], "type": "achievement", "title": a["work"],
                "weight": 1.0, "citations": None, "source_format": "achievement_table"}
               for a in achievements.values()]
    con = roles[["record_id", "position", "name"]].assign(identifier=None,
                                                          is_corresponding=roles["role"].str.contains("corresponding"))
    rs = RecordSet.from_rows(records, con, affiliations, [], read=len(records), sources=[str(path)]).validate()
    return AchievementSet(achievements=ach, recordset=rs, roles=roles, impact_columns=impact_cols, file=str(path))


def main_contributor_roles(people: pd.DataFrame) -> pd.DataFrame:
    """Mark the main contributors of each achievement.

    ``M = F ∪ C`` with ``F`` the contributors marked ``first`` or ``equal_first``
    (the first-listed one when none is marked) and ``C`` those marked
    ``corresponding`` (when none is: the one marked ``last``, else the last-listed).

    Parameters
    ----------
    people : pandas.DataFrame
        ``record_id, position, name, roles`` (``roles`` a list of role names).

    Returns
    -------
    pandas.DataFrame
        ``record_id, position, name, role, is_first, is_corresponding, is_main``.

    Examples
    --------
    >>> p = pd.DataFrame({"record_id": ["a"] * 3, "position": [1, 2, 3], "name": ["X", "Y", "Z"],
    ...                   "roles": [["other"], ["other"], ["other"]]})
    >>> main_contributor_roles(p)["is_main"].tolist()
    [True, False, True]
    """
    out = []
    for _, grp in people.sort_values(["record_id", "position"], kind="mergesort").groupby("record_id", sort=False):
        roles = list(grp["roles"])
        positions = list(grp["position"])
        is_first = [bool({"first", "equal_first"} & set(r)) for r in roles]
        if not any(is_first):
            is_first = [p == min(positions) for p in positions]
        is_corr = ["corresponding" in r for r in roles]
        if not any(is_corr):
            is_corr = ["last" in r for r in roles]
            if not any(is_corr):
                is_corr = [p == max(positions) for p in positions]
        for (_, person), r, f, c in zip(grp.iterrows(), roles, is_first, is_corr):
            out.append({"record_id": person["record_id"], "position": int(person["position"]),
                        "name": person["name"], "role": ";".join(r), "is_first": f, "is_corresponding": c,
                        "is_main": f or c})
    return pd.DataFrame(out, columns=["record_id", "position", "name", "role", "is_first", "is_corresponding",
                                      "is_main"])


def main_contributor_recordset(aset: AchievementSet) -> RecordSet:
    """The RecordSet restricted to main contributors and their affiliations.

    Counting this set with the engine's ``full`` method gives each unit of a main
    contributor the achievement once; ``fractional`` gives each of the ``|M|`` main
    contributors ``1/|M|``, split over its ``k`` affiliations (``1/(|M| k)``).
    """
    rs = aset.recordset
    main = aset.roles.loc[aset.roles["is_main"], ["record_id", "position"]]
    keys = pd.MultiIndex.from_frame(main.astype({"position": "int64"}))
    con = rs.contributors[pd.MultiIndex.from_frame(rs.contributors[["record_id", "position"]]
                                                   .astype({"position": "int64"})).isin(keys)]
    aff = rs.affiliations
    linked = aff["position"].notna()
    probe = pd.MultiIndex.from_arrays([aff["record_id"], aff["position"].fillna(-1).astype("int64")])
    aff = aff[linked & probe.isin(keys)]
    return RecordSet(records=rs.records.copy(), contributors=con.reset_index(drop=True),
                     affiliations=aff.reset_index(drop=True), rejects=rs.rejects.copy(),
                     counts=dict(rs.counts), sources=list(rs.sources)).validate()


# --------------------------------------------------------------------------- selection
def select_top(
    achievements: pd.DataFrame,
    n: int | None = None,
    *,
    category: str | None = None,
    subcategory: str | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Top ``n`` achievements in a field over a period ("Top N in field X over period Y").

    Achievements are filtered by ``category`` (and ``subcategory``) and by the
    inclusive ``years`` window (decades count by their first year), then ordered by
    ``V`` (descending; unscored last), year, and id; the first ``n`` are kept (all
    when ``n`` is None). Returns the selected rows and a ``reason`` for each dropped
    one in ``attrs["rejected"]`` (``other_category``, ``outside_years``, ``below_top_n``).
    """
    df = achievements.copy()
    reason = pd.Series(pd.NA, index=df.index, dtype="object")
    if category is not None:
        reason = reason.mask(reason.isna() & (df["category"] != category), "other_category")
    if subcategory is not None:
        reason = reason.mask(reason.isna() & (df["subcategory"] != subcategory), "other_category")
    if years is not None:
        first, last = years
        reason = reason.mask(reason.isna() & ~df["year"].between(first, last).fillna(False), "outside_years")
    kept = order_achievements(df[reason.isna()])
    if n is not None:
        below = kept.iloc[n:]
        reason.loc[below.index] = "below_top_n"
        kept = kept.iloc[:n]
    rejected = df.loc[reason.notna(), ["record_id", "row"]].assign(reason=reason[reason.notna()])
    kept = kept.reset_index(drop=True)
    kept.attrs["rejected"] = rejected.reset_index(drop=True)
    return kept


def order_achievements(df: pd.DataFrame) -> pd.DataFrame:
    """Sort by V (descending, unscored last), then year and record id."""
    key = df.assign(_v=-df["V"].astype("float64").fillna(-np.inf))
    key["_v"] = key["_v"].where(df["V"].notna(), np.inf)
    return key.sort_values(["_v", "year", "record_id"], kind="mergesort").drop(columns="_v")


# --------------------------------------------------------------------------- counting
@register("count", "main_contributors")
def main_contributors(view):
    """Main-contributor counting (BenchCouncil): only first and corresponding authors credit.

    ``P_main(u) = sum_r sum_{i in M_r} sum_{a in A_i, a in u} w_r / (|M_r| k_i)`` with
    ``M_r`` the main contributors of record ``r`` (first authors including equal
    first; the corresponding authors, or the last author when none is marked) and
    ``k_i`` the number of affiliations of contributor ``i``. This is the fractional
    variant; the full variant (each unit of a main contributor gets ``w_r`` once) is
    the engine's ``full`` count on the same credit rows. Totals reconcile to
    ``sum_r w_r``.

    The credit rows must come from :func:`load_main_contributors`, which keeps only
    the main contributors' links (column ``main``).
    """
    if "main" not in view.columns:
        from innometrics.errors import SpecError

        raise SpecError("counting method 'main_contributors' needs records loaded with "
                        "innometrics.views.achievements.load_main_contributors (achievement tables with roles); "
                        "on its groupings use 'fractional' or 'full', which count main contributors only there",
                        key="count.method")
    return view.main


def load_main_contributors(engine, aset: AchievementSet):
    """Load the main-contributor projection of ``aset`` into ``engine``.

    Returns the engine's :class:`~innometrics.rankings.credits.LoadedRecords` built
    from the main contributors only (:func:`main_contributor_recordset`); its pair
    tables carry the ``main`` column read by the ``main_contributors`` count method.
    ``full`` and ``fractional`` counts on these records are the full and fractional
    main-contributor counts (also on user groupings).
    """
    from dataclasses import replace

    from innometrics.rankings.credits import PAIR_ORDER, load_recordset

    loaded = load_recordset(engine, main_contributor_recordset(aset))
    pairs = {}
    for level, table in loaded.pairs.items():
        pairs[level] = engine.materialise(engine.fresh_name(f"main_pairs_{level}"), table.mutate(main=table.frac),
                                          order_by=PAIR_ORDER)
    return replace(loaded, pairs=pairs)
