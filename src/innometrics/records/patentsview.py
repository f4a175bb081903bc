"""PatentsView bulk tables (granted US patents), read in place with DuckDB.

A folder holding the PatentsView "granted patent disambiguated" downloads, each a
tab-separated file with a header row, as ``.tsv`` or ``.tsv.zip`` (zip members are
streamed to a temporary file, as DuckDB reads gzip but not zip):

==============================  ===============================================
``g_patent`` (required)         ``patent_id, patent_type, patent_date, patent_title,
                                wipo_kind, withdrawn``: one record per patent;
                                ``patent_date`` is the grant date
``g_inventor_disambiguated``    ``patent_id, inventor_sequence, inventor_id,
                                disambig_inventor_name_first/_last, location_id``
``g_assignee_disambiguated``    ``patent_id, assignee_sequence, assignee_id,
                                disambig_assignee_organization, ..._individual_name_
                                first/_last, location_id``
``g_location_disambiguated``    ``location_id, disambig_city, disambig_country`` (alpha-2)
``g_cpc_current``               ``patent_id, cpc_sequence, cpc_subclass, cpc_group``
``g_ipc_at_issue``              ``patent_id, ipc_sequence, section, ipc_class, subclass,
                                main_group, subgroup``
``g_application`` (optional)    ``patent_id, filing_date``
``g_foreign_priority`` (opt.)   ``patent_id, foreign_application_id, filing_date,
                                foreign_country_filed``
==============================  ===============================================

The files are never loaded whole into pandas: DuckDB scans them (``read_csv``) and
the joins, de-duplication and checks run in SQL; :func:`read_patentsview` fetches
only the assembled RecordSet, and :func:`patentsview_relations` gives the assembled
tables as DuckDB views for counting tens of millions of rows in place.

Rows. A patent row with no ``patent_id``, a repeated ``patent_id``, a withdrawn
patent (``withdrawn = 1``) or an unparsable ``patent_date`` is a reject of the
RecordSet (``missing_id``, ``duplicate_id``, ``withdrawn``, ``unparsable_date``).
Rows of the other tables are accounted in ``RecordSet.table_counts`` (read, used and
rejected by reason): ``orphan_row`` (patent not in ``g_patent`` or rejected),
``duplicate_row`` (the same (patent, inventor) or (patent, assignee) again) and
``missing_value`` (no person id).

Families: the bulk tables carry no family id. With ``g_foreign_priority`` the
families are derived from the priority numbers: in SQL the simple family key (the
sorted distinct priorities, DOCDB's definition), and in :func:`read_patentsview` also
the extended family (connected components, :mod:`~innometrics.records.patent_fields`);
over :func:`patentsview_relations` an extended-family count falls back to the simple
family. Without ``g_foreign_priority`` each patent is its own family.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

from innometrics.errors import DataError
from innometrics.records.model import RecordSet

TABLE_NAMES = ("g_patent", "g_inventor_disambiguated", "g_assignee_disambiguated", "g_location_disambiguated",
               "g_cpc_current", "g_ipc_at_issue", "g_application", "g_foreign_priority")
_COUNTRIES_SQL = None


def is_patentsview_dir(path: Path) -> bool:
    """Whether ``path`` is a folder holding ``g_patent.tsv`` (or ``.tsv.zip``)."""
    return path.is_dir() and _find(path, "g_patent") is not None


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".tsv", ".tsv.zip", ".tsv.gz", ".zip"):
        p = folder / f"{name}{suffix}"
        if p.is_file():
            return p
    return None


def _unzip(path: Path, workdir: Path) -> Path:
    with zipfile.ZipFile(path) as z:
        members = [m for m in z.namelist() if not m.endswith("/")]
        if len(members) != 1:
            raise DataError(f"expected one file in the zip archive, found {len(members)}", file=path,
                            reason="format")
        target = workdir / Path(members[0]).name
        with z.open(members[0]) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 20)
    return target


def _alpha2_table() -> pd.DataFrame:
    import pycountry

    return pd.DataFrame({"a2": [c.alpha_2 for c in pycountry.countries],
                         "a3": [c.alpha_3 for c in pycountry.countries]})


def register_files(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike,
                   workdir: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Register each PatentsView file of ``folder`` as a DuckDB view ``pv_<name>``.

    Returns name -> file and name -> its columns."""
    folder = Path(folder)
    found: dict[str, str] = {}
    columns: dict[str, set[str]] = {}
    for name in TABLE_NAMES:
        path = _find(folder, name)
        if path is None:
            continue
        if path.suffix == ".zip":
            path = _unzip(path, workdir)
        found[name] = str(path)
        literal = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"CREATE OR REPLACE VIEW pv_{name} AS SELECT * FROM read_csv({literal}, delim='\\t', "
                    f"header=true, all_varchar=true, quote='\"', escape='\"')")
        columns[name] = {r[0] for r in con.execute(f"DESCRIBE pv_{name}").fetchall()}
    if "g_patent" not in found:
        raise DataError("the folder holds no g_patent.tsv (or .tsv.zip); expected the PatentsView bulk tables",
                        file=folder, reason="not_found")
    for name, required in (("g_patent", {"patent_id", "patent_date"}),
                           ("g_inventor_disambiguated", {"patent_id", "inventor_id", "location_id"}),
                           ("g_assignee_disambiguated", {"patent_id", "assignee_id"}),
                           ("g_location_disambiguated", {"location_id", "disambig_country"})):
        if name in found:
            missing = sorted(required - columns[name])
            if missing:
                raise DataError(f"missing column(s) {missing}; expected the PatentsView {name} layout",
                                file=found[name], row=1, column=missing[0], reason="schema")
    return found, columns


def _assemble(con: duckdb.DuckDBPyConnection, found: dict[str, str], cols: dict[str, set[str]]) -> None:
    """Create views ``pv_records``, ``pv_rejects``, ``pv_parties`` (contributors without
    positions, for counting), ``pv_contributors`` and ``pv_row_counts``."""
    con.register("pv_alpha2", _alpha2_table())
    has = found.__contains__
    withdrawn = "coalesce(trim(withdrawn), '0') IN ('1', 'true', 'TRUE')" if _has_col(cols, "g_patent", "withdrawn") \
        else "false"
    con.execute(f"""
        CREATE OR REPLACE VIEW pv_patent_rows AS
        SELECT nullif(trim(patent_id), '') AS patent_id, patent_date, try_cast(patent_date AS DATE) AS grant_d,
               {withdrawn} AS is_withdrawn,
               {_col(cols, 'g_patent', 'patent_title')} AS title, {_col(cols, 'g_patent', 'patent_type')} AS ptype,
               {_col(cols, 'g_patent', 'wipo_kind')} AS kind
        FROM pv_g_patent""")
    row_reason = """CASE WHEN patent_id IS NULL THEN 'missing_id'
                         WHEN is_withdrawn THEN 'withdrawn'
                         WHEN grant_d IS NULL AND nullif(trim(patent_date), '') IS NOT NULL THEN 'unparsable_date'
                    END"""
    # the patents used: one per id passing the row checks (values: the smallest over its rows,
    # as they are equal in PatentsView); no row numbers needed, so the scan stays parallel
    con.execute(f"""
        CREATE OR REPLACE VIEW pv_patent_checked AS
        SELECT patent_id, min(grant_d) AS grant_d, min(title) AS title, min(ptype) AS ptype, min(kind) AS kind
        FROM pv_patent_rows WHERE {row_reason} IS NULL GROUP BY patent_id""")
    # the rejects, with line numbers (header = line 1); only read by read_patentsview
    con.execute(f"""
        CREATE OR REPLACE VIEW pv_patent_reasons AS
        SELECT patent_id, line, coalesce(reason, CASE WHEN row_number() OVER (PARTITION BY patent_id, reason IS NULL
                                                      ORDER BY line) > 1 THEN 'duplicate_id' END) AS reason
        FROM (SELECT patent_id, row_number() OVER () + 1 AS line, {row_reason} AS reason FROM pv_patent_rows)""")
    filing = ("SELECT trim(patent_id) AS patent_id, min(try_cast(filing_date AS DATE)) AS filing_d "
              "FROM pv_g_application GROUP BY 1") if has("g_application") else \
        "SELECT NULL::VARCHAR AS patent_id, NULL::DATE AS filing_d WHERE false"
    # sets of codes as sorted, de-duplicated lists: the same text whatever order the threads
    # read the rows in (a family key must not depend on it; `list_distinct` drops NULLs as
    # string_agg does, and an empty set is NULL again), and one hash aggregation, where an
    # ordered DISTINCT string_agg sorts every group (twice the time at 1.7M priority rows)
    prio = ("SELECT trim(patent_id) AS patent_id, min(try_cast(filing_date AS DATE)) AS prio_d, "
            "nullif(array_to_string(list_sort(list_distinct(list(coalesce(foreign_country_filed, '') "
            "|| trim(foreign_application_id)))), '|'), '') AS prios "
            "FROM pv_g_foreign_priority WHERE nullif(trim(foreign_application_id), '') IS NOT NULL GROUP BY 1") \
        if has("g_foreign_priority") else \
        "SELECT NULL::VARCHAR AS patent_id, NULL::DATE AS prio_d, NULL::VARCHAR AS prios WHERE false"
    ipc = ("SELECT trim(patent_id) AS patent_id, nullif(array_to_string(list_sort(list_distinct(list(upper("
           "section || ipc_class || subclass || ltrim(main_group, '0') || '/' || subgroup)))), '; '), '') AS ipc "
           "FROM pv_g_ipc_at_issue "
           "WHERE nullif(trim(subclass), '') IS NOT NULL GROUP BY 1") if has("g_ipc_at_issue") else \
        "SELECT NULL::VARCHAR AS patent_id, NULL::VARCHAR AS ipc WHERE false"
    cpc = ("SELECT trim(patent_id) AS patent_id, nullif(array_to_string(list_sort(list_distinct(list(replace("
           "coalesce(nullif(trim(cpc_group), ''), cpc_subclass), ' ', '')))), '; '), '') AS cpc "
           "FROM pv_g_cpc_current GROUP BY 1") \
        if has("g_cpc_current") else \
        "SELECT NULL::VARCHAR AS patent_id, NULL::VARCHAR AS cpc WHERE false"
    con.execute(f"""
        CREATE OR REPLACE VIEW pv_records AS
        SELECT p.patent_id AS record_id,
               CAST(year(coalesce(fp.prio_d, fa.filing_d, p.grant_d)) AS BIGINT) AS year,
               coalesce(p.ptype, 'patent') AS type, p.title,
               1.0 AS weight, NULL::BIGINT AS citations, 'patentsview' AS source_format,
               fp.prios AS family_simple, NULL::VARCHAR AS family_extended,
               CASE WHEN fp.prios IS NULL THEN 'none' ELSE 'priority_numbers' END AS family_source,
               CAST(coalesce(fp.prio_d, fa.filing_d) AS VARCHAR) AS priority_date,
               CAST(fa.filing_d AS VARCHAR) AS filing_date, CAST(p.grant_d AS VARCHAR) AS publication_date,
               CAST(p.grant_d AS VARCHAR) AS grant_date, 'US' AS office, p.kind,
               replace(fp.prios, '|', '; ') AS priority_numbers, i.ipc, c.cpc
        FROM pv_patent_checked p
        LEFT JOIN ({filing}) fa ON fa.patent_id = p.patent_id
        LEFT JOIN ({prio}) fp ON fp.patent_id = p.patent_id
        LEFT JOIN ({ipc}) i ON i.patent_id = p.patent_id
        LEFT JOIN ({cpc}) c ON c.patent_id = p.patent_id""")
    con.execute("CREATE OR REPLACE VIEW pv_patent_ok AS SELECT patent_id FROM pv_patent_checked")
    con.execute(f"""
        CREATE OR REPLACE VIEW pv_rejects AS
        SELECT '{found['g_patent']}' AS file, line AS row, patent_id AS record_id, reason
        FROM pv_patent_reasons WHERE reason IS NOT NULL""")
    loc = ("SELECT location_id, any_value(nullif(trim(disambig_city), '')) AS city, "
           "any_value(upper(trim(disambig_country))) AS cc FROM pv_g_location_disambiguated GROUP BY 1") \
        if has("g_location_disambiguated") else \
        "SELECT NULL::VARCHAR AS location_id, NULL::VARCHAR AS city, NULL::VARCHAR AS cc WHERE false"
    parts, counts, raw_parts = [], [], []
    def assignee_name() -> str:
        def c(name):
            return _col(cols, "g_assignee_disambiguated", name)
        return (f"coalesce(nullif(trim({c('disambig_assignee_organization')}), ''), concat_ws(' ', "
                f"nullif(trim({c('disambig_assignee_individual_name_first')}), ''), "
                f"nullif(trim({c('disambig_assignee_individual_name_last')}), '')))")

    def inventor_name() -> str:
        def c(name):
            return _col(cols, "g_inventor_disambiguated", name)
        return (f"concat_ws(' ', nullif(trim({c('disambig_inventor_name_first')}), ''), "
                f"nullif(trim({c('disambig_inventor_name_last')}), ''))")

    for role, table, pid, seq, name_sql in (
            ("inventor", "g_inventor_disambiguated", "inventor_id", "inventor_sequence", inventor_name),
            ("applicant", "g_assignee_disambiguated", "assignee_id", "assignee_sequence", assignee_name)):
        if not has(table):
            continue
        loc_col = _col(cols, table, "location_id")
        name = name_sql()
        seq = _col(cols, table, seq)
        # one row per (patent, person): the lowest sequence number's row
        con.execute(f"""
            CREATE OR REPLACE VIEW pv_{role}_rows AS
            SELECT trim(patent_id) AS patent_id, nullif(trim({pid}), '') AS person_id,
                   coalesce(try_cast({seq} AS BIGINT), 9223372036854775807) AS seq, {name} AS name,
                   {loc_col} AS location_id
            FROM pv_{table}""")
        con.execute(f"""
            CREATE OR REPLACE VIEW pv_{role}_used AS
            SELECT patent_id, person_id, min(seq) AS seq,
                   arg_min(location_id, seq) AS loc, arg_min(name, seq) AS name, count(*) AS n_rows
            FROM pv_{role}_rows
            WHERE person_id IS NOT NULL AND patent_id IN (SELECT patent_id FROM pv_patent_ok)
            GROUP BY patent_id, person_id""")
        parts.append(f"""
            SELECT k.patent_id AS record_id, '{role}' AS role, k.seq, k.person_id AS identifier,
                   k.name, l.city, a.a3 AS country
            FROM pv_{role}_used k LEFT JOIN ({loc}) l ON l.location_id = k.loc
            LEFT JOIN pv_alpha2 a ON a.a2 = l.cc""")
        raw_parts.append(f"""
            SELECT r.patent_id AS record_id, '{role}' AS role, r.person_id AS identifier, r.name, l.city,
                   a.a3 AS country
            FROM pv_{role}_rows r LEFT JOIN ({loc}) l ON l.location_id = r.location_id
            LEFT JOIN pv_alpha2 a ON a.a2 = l.cc
            WHERE r.person_id IS NOT NULL""")
        counts.append(f"""
            SELECT '{found[table]}' AS file, outcome, n FROM (
              SELECT 'used' AS outcome, count(*) AS n FROM pv_{role}_used
              UNION ALL SELECT 'duplicate_row', sum(n_rows - 1) FROM pv_{role}_used
              UNION ALL SELECT 'missing_value', count(*) FROM pv_{role}_rows WHERE person_id IS NULL
              UNION ALL SELECT 'orphan_row', count(*) FROM pv_{role}_rows
                        WHERE person_id IS NOT NULL AND patent_id NOT IN (SELECT patent_id FROM pv_patent_ok))
            WHERE n > 0""")
    if parts:
        con.execute(f"CREATE OR REPLACE VIEW pv_parties AS {' UNION ALL '.join(parts)}")
        con.execute(f"CREATE OR REPLACE VIEW pv_party_rows AS {' UNION ALL '.join(raw_parts)}")
        con.execute("""
            CREATE OR REPLACE VIEW pv_contributors AS
            SELECT record_id,
                   row_number() OVER (PARTITION BY record_id ORDER BY role = 'applicant', seq, identifier) AS position,
                   name, identifier, false AS is_corresponding, role, country, city
            FROM pv_parties""")
        con.execute(f"CREATE OR REPLACE VIEW pv_row_counts AS {' UNION ALL '.join(counts)}")
    else:
        con.execute("CREATE OR REPLACE VIEW pv_parties AS SELECT NULL::VARCHAR AS record_id, NULL::VARCHAR AS role, "
                    "0::BIGINT AS seq, NULL::VARCHAR AS identifier, NULL::VARCHAR AS name, NULL::VARCHAR AS city, "
                    "NULL::VARCHAR AS country WHERE false")
        con.execute("CREATE OR REPLACE VIEW pv_party_rows AS SELECT * EXCLUDE (seq) FROM pv_parties")
        con.execute("CREATE OR REPLACE VIEW pv_contributors AS SELECT NULL::VARCHAR AS record_id, 0::BIGINT AS "
                    "position, NULL::VARCHAR AS name, NULL::VARCHAR AS identifier, false AS is_corresponding, "
                    "NULL::VARCHAR AS role, NULL::VARCHAR AS country, NULL::VARCHAR AS city WHERE false")
        con.execute("CREATE OR REPLACE VIEW pv_row_counts AS SELECT NULL::VARCHAR AS file, NULL::VARCHAR AS "
                    "outcome, 0::BIGINT AS n WHERE false")


def _has_col(cols: dict[str, set[str]], table: str, column: str) -> bool:
    return column in cols.get(table, set())


def _col(cols: dict[str, set[str]], table: str, column: str) -> str:
    return column if _has_col(cols, table, column) else "NULL::VARCHAR"


def patentsview_relations(con: duckdb.DuckDBPyConnection, folder: str | os.PathLike,
                          workdir: str | os.PathLike | None = None) -> dict[str, str]:
    """Register the assembled PatentsView tables in ``con`` as views, without reading them.

    Creates ``pv_records`` (the RecordSet's record columns), ``pv_contributors``
    (plus ``city``), ``pv_parties`` (the same without the position window),
    ``pv_party_rows`` (every party row with a person id, not de-duplicated and not
    checked against the patents: what counting reads, as
    :func:`~innometrics.rankings.patents.project` keeps one row per person and unit
    and joins the parties to the used records anyway), ``pv_rejects`` and
    ``pv_row_counts``. ``workdir`` receives
    unzipped members (a temporary folder when omitted; the caller removes it).
    Returns the files found by table name.
    """
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="innometrics_pv_"))
    found, columns = register_files(con, folder, workdir)
    _assemble(con, found, columns)
    return found


def read_patentsview(path: str | os.PathLike) -> RecordSet:
    """Read a folder of PatentsView bulk tables into a RecordSet (see the module doc).

    The contributors' cities go to ``affiliations`` (one row per contributor with a
    city or country), so the city level can be counted.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="innometrics_pv_") as work:
        con = duckdb.connect()
        try:
            found = patentsview_relations(con, path, work)
            records = con.execute("SELECT * FROM pv_records ORDER BY record_id").df()
            rejects = con.execute("SELECT * FROM pv_rejects ORDER BY row").df()
            cons = con.execute("SELECT * FROM pv_contributors ORDER BY record_id, position").df()
            row_counts = con.execute("SELECT * FROM pv_row_counts ORDER BY file, outcome").df()
            n_read = con.execute("SELECT count(*) FROM pv_patent_rows").fetchone()[0]
        finally:
            con.close()
    affs = cons[cons["city"].notna() | cons["country"].notna()][["record_id", "position", "city", "country"]]
    affs = affs.assign(raw=None, institution=None, institution_id=None, country_raw=None)
    rs = RecordSet.from_rows(records, cons.drop(columns=["city"]), affs, rejects, read=int(n_read),
                             sources=[found[n] for n in TABLE_NAMES if n in found])
    rs.table_counts = {
        file: {"read": int(g["n"].sum()), "used": int(g.loc[g["outcome"] == "used", "n"].sum()),
               "rejected": {o: int(n) for o, n in zip(g["outcome"], g["n"]) if o != "used"}}
        for file, g in row_counts.groupby("file")
    }
    return rs
