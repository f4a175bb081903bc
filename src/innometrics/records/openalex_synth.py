"""Synthetic OpenAlex works snapshots: gzipped JSON Lines parts in the real layout and nesting.

For tests, benchmarks and trying :mod:`~innometrics.records.openalex_snapshot`
without the 400 GB download. :func:`write_synthetic_snapshot` writes
``OUT/updated_date=YYYY-MM-DD/part_NNN.gz`` files whose lines are work objects with
OpenAlex's field names and nesting (https://docs.openalex.org/api-entities/works/work-object):
``id``, ``doi``, ``display_name``, ``title``, ``publication_year``, ``type``,
``cited_by_count``, ``open_access {is_oa, oa_status}``, ``primary_topic {id,
display_name, field {id, display_name}}``, ``corresponding_author_ids`` and
``authorships[]`` with ``author_position``, ``author {id, display_name, orcid}``,
``institutions[] {id, display_name, ror, country_code, type}``, ``countries``,
``is_corresponding``, ``raw_author_name``, ``raw_affiliation_strings``. The
snapshot's quirks are included: authorships whose ``institutions`` is ``null`` or
``[]`` (some with ``countries``, some with none), the same institution listed twice
for one author, works without authorships.

Institutions follow a Zipf law over ``n_institutions`` (co-authors cluster in the
work's lead institution), each with one country; the parts are written by DuckDB
(``COPY ... (FORMAT json, COMPRESSION gzip)``) from hashed row keys, so the output
depends only on the arguments.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Countries drawn for institutions (ISO alpha-2, as OpenAlex writes them).
COUNTRY_CODES = ("US", "CN", "GB", "DE", "JP", "FR", "IN", "IT", "CA", "AU", "ES", "KR", "BR", "NL", "RU",
                 "CH", "SE", "PL", "TR", "IR", "BE", "DK", "AT", "NO", "FI", "IL", "PT", "MX", "ZA", "SG",
                 "CZ", "GR", "IE", "NZ", "AR", "CL", "EG", "TW", "HU", "PK")
TYPES = ("article", "article", "article", "review", "book-chapter", "preprint", "dataset")
#: Mean affiliation rows per work (about 5 authors with 1.5 institutions each).
ROWS_PER_WORK = 7.5


def _u(expr: str, seed: int) -> str:
    """A uniform [0, 1) number from hashing ``expr`` with ``seed``."""
    return f"((hash({expr}, {seed}) % 1000000007) / 1000000007.0)"


def write_synthetic_snapshot(
    out_dir: str | os.PathLike,
    *,
    works: int | None = None,
    rows: int | None = None,
    parts: int = 4,
    dates: int = 2,
    n_institutions: int = 5_000,
    seed: int = 1,
    threads: int | None = None,
) -> dict[str, int]:
    """Write a synthetic works snapshot under ``out_dir``; return ``{"works", "parts"}``.

    Give ``works`` (number of work lines) or ``rows`` (about that many
    authorship-institution rows). The works are spread evenly over ``parts`` part
    files in ``dates`` ``updated_date=`` folders.
    """
    import duckdb

    if works is None:
        if rows is None:
            raise ValueError("give works or rows")
        works = max(1, int(round(rows / ROWS_PER_WORK)))
    out = Path(out_dir)
    config = {"preserve_insertion_order": True}
    if threads:
        config["threads"] = int(threads)
    con = duckdb.connect(config=config)
    codes = "[" + ", ".join(f"'{c}'" for c in COUNTRY_CODES) + "]"
    types = "[" + ", ".join(f"'{t}'" for t in TYPES) + "]"
    n_codes = len(COUNTRY_CODES)
    zipf = lambda u: f"CAST(floor(exp({u} * ln({n_institutions}))) AS BIGINT)"  # noqa: E731
    lead = zipf(_u("w", seed))
    own = zipf(_u("w, p, j", seed))
    inst_no = f"(CASE WHEN {_u('w, p, j, 1', seed)} < 0.8 THEN {lead} ELSE {own} END)"
    country_of = f"{codes}[1 + CAST(floor(pow({_u('i', seed)}, 2.0) * {n_codes}) AS INTEGER)]"
    institution = (
        "{'id': 'https://openalex.org/I' || (4000000 + i), 'display_name': 'Institution ' || i, "
        "'ror': 'https://ror.org/0' || lpad(CAST(i AS VARCHAR), 6, '0') || 'x', "
        f"'country_code': {country_of}, 'type': 'education'}}"
    )
    # per author: k institutions (1-3); quirks by a draw q: 3 % null, 3 % [], 2 % the first one twice
    q = _u("w, p, 'q'", seed)
    k = f"(1 + CAST(floor({_u('w, p, 2', seed)} * 2.2) AS INTEGER))"
    inst_list = f"list_transform(list_transform(range({k}), j -> {inst_no}), i -> {institution})"
    institutions = (f"CASE WHEN {q} < 0.03 THEN NULL WHEN {q} < 0.06 THEN [] "
                    f"WHEN {q} < 0.08 THEN list_concat({inst_list}, [({inst_list})[1]]) ELSE {inst_list} END")
    authorship = (
        "{'author_position': CASE WHEN p = 1 THEN 'first' WHEN p = n THEN 'last' ELSE 'middle' END, "
        "'author': {'id': 'https://openalex.org/A' || (5000000000 + w * 16 + p), "
        "'display_name': 'Author ' || w || '-' || p, "
        f"'orcid': CASE WHEN {_u('w, p, 3', seed)} < 0.4 THEN 'https://orcid.org/0000-0002-' || "
        "lpad(CAST((w * 16 + p) % 10000 AS VARCHAR), 4, '0') || '-000X' END}, "
        "'institutions': insts, "
        "'countries': CASE WHEN insts IS NULL OR len(insts) = 0 THEN "
        f"(CASE WHEN {_u('w, p, 4', seed)} < 0.5 THEN [{codes}[1 + CAST(floor({_u('w, p, 5', seed)} * {n_codes}) "
        "AS INTEGER)]] ELSE [] END) "
        "ELSE list_distinct(list_transform(insts, x -> x.country_code)) END, "
        "'is_corresponding': p = 1, "
        "'raw_author_name': 'Author ' || w || '-' || p, "
        "'raw_affiliation_strings': CASE WHEN insts IS NULL THEN [] "
        "ELSE list_transform(insts, x -> x.display_name || ', ' || x.country_code) END}"
    )
    authorship = authorship.replace("insts", "y.insts").replace("p = ", "y.p = ").replace("w, p,", "w, y.p,")
    authorship = authorship.replace("w * 16 + p", "w * 16 + y.p").replace("|| p", "|| y.p")
    authorships = (f"CASE WHEN w % 211 = 7 THEN [] ELSE list_transform(list_transform(range(1, n + 1), p -> "
                   f"{{'p': p, 'insts': {institutions}}}), y -> {authorship}) END")
    field_no = f"CAST(floor({_u('w, 7', seed)} * 26) AS INTEGER)"
    work = f"""
        SELECT 'https://openalex.org/W' || (2000000000 + w) AS id,
               'https://doi.org/10.5555/' || w AS doi,
               'Synthetic work ' || w AS display_name, 'Synthetic work ' || w AS title,
               2015 + CAST(floor({_u('w, 8', seed)} * 10) AS INTEGER) AS publication_year,
               {types}[1 + CAST(floor({_u('w, 9', seed)} * {len(TYPES)}) AS INTEGER)] AS type,
               CAST(floor(exp({_u('w, 10', seed)} * 6.0)) - 1 AS BIGINT) AS cited_by_count,
               {{'is_oa': {_u('w, 11', seed)} < 0.45,
                 'oa_status': CASE WHEN {_u('w, 11', seed)} < 0.45 THEN 'gold' ELSE 'closed' END}} AS open_access,
               CASE WHEN {_u('w, 12', seed)} < 0.05 THEN NULL ELSE
                 {{'id': 'https://openalex.org/T1' || {field_no}, 'display_name': 'Topic ' || {field_no},
                   'field': {{'id': 'https://openalex.org/fields/' || (11 + {field_no}),
                             'display_name': 'Field ' || (11 + {field_no})}}}} END AS primary_topic,
               ['https://openalex.org/A' || (5000000000 + w * 16 + 1)] AS corresponding_author_ids,
               {authorships} AS authorships
        FROM (SELECT w, 1 + CAST(floor({_u('w, 13', seed)} * 10) AS INTEGER) AS n FROM range(@LO@, @HI@) t(w))
        ORDER BY w
    """
    for part in range(parts):
        lo, hi = works * part // parts, works * (part + 1) // parts
        date = f"2024-{1 + part % max(1, dates):02d}-15"
        folder = out / f"updated_date={date}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part_{part:03d}.gz"
        con.execute(f"COPY ({work.replace('@LO@', str(lo)).replace('@HI@', str(hi))}) TO '{path}' (FORMAT json, COMPRESSION gzip)")
    con.close()
    return {"works": works, "parts": parts}
