"""The credit rows, record facts and pair tables of credits.py, checked by hand on eight tiny records.

Every number below is worked out by hand from the module docstring's rules (weight ``w``,
``n`` contributors, ``k`` linked affiliations of a contributor, ``c`` corresponding
authors, ``m`` addresses of an address-only record), not read from the code's output.

The records (``hand_records``); record keys 0-7 in record-id order:

P1 (2020, w=3, 10 cit.): A (position 2, first, corresponding) at Alpha (I-A, Paris, FRA) and
    Beta (no id, Lyon, FRA); B (3) at "ALPHA" (I-A); C (5) without address.
    frac: A 3/(3*2) = 0.5 per address, B 1, C 1 -> unknown. first: A 3/2 per address.
    corr (c=1): A 3/2 per address.
P2 (2020, no weight -> 1, 4 cit.): D, E; three addresses not linked to authors: Gamma (I-G, Bonn,
    DEU), Alpha, and one with nothing known -> 1/3 each; first and corr (1 each) to unknown
    through a helper row.
P3 (2021, w=2, no citation count): no contributor, no address -> 2 to unknown on every rule.
P4 (2021, w=0.5, 0 cit.): F (1, corresponding) at Gamma and "Alpha Univ" (I-A); G (2,
    corresponding) without address. frac: F 0.5/(2*2) = 0.125 per address, G 0.25 -> unknown.
    first: F 0.25 per address. corr (c=2): F 0.5/(2*2) = 0.125 per address, G 0.25 -> unknown.
P5 (2022, w=1, 7 cit.): H (1) without address, I (2) at Delta (no id, no city, USA); an unlinked
    address Epsilon (Toronto, CAN) takes no credit (the links say who is where) but makes the
    record international. frac: H 0.5 -> unknown, I 0.5. first: H's 1 -> unknown. No
    corresponding author: corr 1 -> unknown (helper row).
P6 (2022, w=1, 9 cit.): J (1, corresponding), no address at all: 1 to unknown on every rule.
P7 (2022, w=1, 7 cit.): no contributor; addresses Alpha, Gamma, Zeta (city Atlantis, no
    country) -> 1/3 each; first and corr to unknown (helper row).
P8 (2023, w=2, 1 cit.): no contributor, a single address (Beta) -> all 2 of frac there; first and
    corr to unknown (helper row).

The records are listed out of record-id order: record keys follow the ids, not the input order.
"""

from __future__ import annotations

import pandas as pd
import pytest

from innometrics.rankings import credits as cr
from innometrics.rankings.credits import (
    BASE_LEVELS,
    CARRIED,
    UNKNOWN,
    PairTables,
    contributor_credits,
    credit_rows,
    level_pairs,
    linked_fractional_sums,
    load_recordset,
    load_tables,
    location_sums,
    pair_table,
    record_facts,
    unit_dictionary,
)
from innometrics.records.model import RecordSet

ALPHA = dict(institution="Alpha", institution_id="I-A", city="Paris", country="FRA")
BETA = dict(institution="Beta", institution_id=None, city="Lyon", country="FRA")
GAMMA = dict(institution="Gamma", institution_id="I-G", city="Bonn", country="DEU")
DELTA = dict(institution="Delta", institution_id=None, city=None, country="USA")
EPSILON = dict(institution="Epsilon", institution_id=None, city="Toronto", country="CAN")
ZETA = dict(institution="Zeta", institution_id=None, city="Atlantis", country=None)
NOWHERE = dict(institution=None, institution_id=None, city=None, country=None)


def hand_records() -> RecordSet:
    records = [
        dict(record_id="P7", year=2022, weight=1.0, citations=7),
        dict(record_id="P2", year=2020, weight=None, citations=4),
        dict(record_id="P5", year=2022, weight=1.0, citations=7),
        dict(record_id="P1", year=2020, weight=3.0, citations=10),
        dict(record_id="P8", year=2023, weight=2.0, citations=1),
        dict(record_id="P3", year=2021, weight=2.0, citations=None),
        dict(record_id="P6", year=2022, weight=1.0, citations=9),
        dict(record_id="P4", year=2021, weight=0.5, citations=0),
    ]
    people = [("P1", 2, "A", True), ("P1", 3, "B", False), ("P1", 5, "C", False),
              ("P2", 1, "D", False), ("P2", 2, "E", False),
              ("P4", 1, "F", True), ("P4", 2, "G", True),
              ("P5", 1, "H", False), ("P5", 2, "I", False),
              ("P6", 1, "J", True)]
    contributors = [dict(record_id=r, position=p, name=n, is_corresponding=c) for r, p, n, c in people]
    affiliations = [
        dict(record_id="P1", position=2, **ALPHA), dict(record_id="P1", position=2, **BETA),
        dict(record_id="P1", position=3, **{**ALPHA, "institution": "ALPHA"}),
        dict(record_id="P2", position=None, **GAMMA), dict(record_id="P2", position=None, **ALPHA),
        dict(record_id="P2", position=None, **NOWHERE),
        dict(record_id="P4", position=1, **GAMMA), dict(record_id="P4", position=1, **{**ALPHA, "institution": "Alpha Univ"}),
        dict(record_id="P5", position=2, **DELTA), dict(record_id="P5", position=None, **EPSILON),
        dict(record_id="P7", position=None, **ALPHA), dict(record_id="P7", position=None, **GAMMA),
        dict(record_id="P7", position=None, **ZETA),
        dict(record_id="P8", position=None, **BETA),
    ]
    return RecordSet.from_rows(records, contributors, affiliations, [], read=8)


WEIGHTS = [3.0, 1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 2.0]  # P1..P8, P2's missing weight read as 1
T = 1 / 3

#: Hand-derived record facts, record keys 0-7 (P1..P8); top shares at the default top 10 %:
#: 2020 has P1 (10) and P2 (4): 0.2 top positions, all P1's; 2021 only P4 (P3 has no
#: citation count): 0.1; 2022 has P6 (9), P5 and P7 (7): P6 takes the 0.3; 2023 only P8: 0.1.
FACTS = pd.DataFrame({
    "record_key": [0, 1, 2, 3, 4, 5, 6, 7],
    "record_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"],
    "year": [2020, 2020, 2021, 2021, 2022, 2022, 2022, 2023],
    "weight": WEIGHTS,
    "citations": [10.0, 4.0, None, 0.0, 7.0, 9.0, 7.0, 1.0],
    "top_share": [0.2, 0.0, None, 0.1, 0.0, 0.3, 0.0, 0.1],
    "is_international": [False, True, False, True, True, False, True, False],
    "n_authors": [3, 2, 0, 2, 2, 1, 0, 0],
    "n_corr": [1, 0, 0, 2, 0, 1, 0, 0],
    "first_position": [2, 1, None, 1, 1, 1, None, None],
    "n_addresses": [3, 3, 0, 2, 2, 0, 3, 1],
    "mode": ["authors", "addresses", "none", "authors", "authors", "authors", "addresses", "addresses"],
})

#: Hand-derived credit rows: record key, position, role, institution, institution name, city,
#: country, frac, first, corr.
U = UNKNOWN
CREDIT_ROWS = [
    (0, 2, "author", "I-A", "Alpha", "Paris, FRA", "FRA", 0.5, 1.5, 1.5),
    (0, 2, "author", "Beta", "Beta", "Lyon, FRA", "FRA", 0.5, 1.5, 1.5),
    (0, 3, "author", "I-A", "ALPHA", "Paris, FRA", "FRA", 1.0, 0.0, 0.0),
    (0, 5, "unlinked_author", U, None, U, U, 1.0, 0.0, 0.0),
    (1, None, "address", "I-G", "Gamma", "Bonn, DEU", "DEU", T, 0.0, 0.0),
    (1, None, "address", "I-A", "Alpha", "Paris, FRA", "FRA", T, 0.0, 0.0),
    (1, None, "address", U, None, U, U, T, 0.0, 0.0),
    (1, None, "helper", U, None, U, U, 0.0, 1.0, 1.0),
    (2, None, "no_authors", U, None, U, U, 2.0, 2.0, 2.0),
    (3, 1, "author", "I-G", "Gamma", "Bonn, DEU", "DEU", 0.125, 0.25, 0.125),
    (3, 1, "author", "I-A", "Alpha Univ", "Paris, FRA", "FRA", 0.125, 0.25, 0.125),
    (3, 2, "unlinked_author", U, None, U, U, 0.25, 0.0, 0.25),
    (4, 1, "unlinked_author", U, None, U, U, 0.5, 1.0, 0.0),
    (4, 2, "author", "Delta", "Delta", U, "USA", 0.5, 0.0, 0.0),  # no city: unknown, not ", USA"
    (4, None, "helper", U, None, U, U, 0.0, 0.0, 1.0),
    (5, 1, "unlinked_author", U, None, U, U, 1.0, 1.0, 1.0),
    (6, None, "address", "I-A", "Alpha", "Paris, FRA", "FRA", T, 0.0, 0.0),
    (6, None, "address", "I-G", "Gamma", "Bonn, DEU", "DEU", T, 0.0, 0.0),
    (6, None, "address", "Zeta", "Zeta", "Atlantis", U, T, 0.0, 0.0),  # no country: the bare city
    (6, None, "helper", U, None, U, U, 0.0, 1.0, 1.0),
    (7, None, "address", "Beta", "Beta", "Lyon, FRA", "FRA", 2.0, 0.0, 0.0),  # one address takes all
    (7, None, "helper", U, None, U, U, 0.0, 2.0, 2.0),
]

#: Hand-derived pair tables: level -> (record key, unit, unit name, is_helper) -> (frac, first, corr, n_links),
#: summed from CREDIT_ROWS by hand (e.g. P1's I-A: A's 0.5 at Alpha + B's 1 at "ALPHA", named
#: "ALPHA", the alphabetically first of its names on P1).
PAIRS = {
    "country": {
        (0, "FRA", "FRA", False): (2.0, 3.0, 3.0, 3), (0, U, U, False): (1.0, 0.0, 0.0, 1),
        (1, "DEU", "DEU", False): (T, 0.0, 0.0, 1), (1, "FRA", "FRA", False): (T, 0.0, 0.0, 1),
        (1, U, U, False): (T, 0.0, 0.0, 1), (1, U, U, True): (0.0, 1.0, 1.0, 1),
        (2, U, U, False): (2.0, 2.0, 2.0, 1),
        (3, "DEU", "DEU", False): (0.125, 0.25, 0.125, 1), (3, "FRA", "FRA", False): (0.125, 0.25, 0.125, 1),
        (3, U, U, False): (0.25, 0.0, 0.25, 1),
        (4, "USA", "USA", False): (0.5, 0.0, 0.0, 1), (4, U, U, False): (0.5, 1.0, 0.0, 1),
        (4, U, U, True): (0.0, 0.0, 1.0, 1),
        (5, U, U, False): (1.0, 1.0, 1.0, 1),
        (6, "FRA", "FRA", False): (T, 0.0, 0.0, 1), (6, "DEU", "DEU", False): (T, 0.0, 0.0, 1),
        (6, U, U, False): (T, 0.0, 0.0, 1), (6, U, U, True): (0.0, 1.0, 1.0, 1),
        (7, "FRA", "FRA", False): (2.0, 0.0, 0.0, 1), (7, U, U, True): (0.0, 2.0, 2.0, 1),
    },
    "city": {
        (0, "Paris, FRA", "Paris, FRA", False): (1.5, 1.5, 1.5, 2),
        (0, "Lyon, FRA", "Lyon, FRA", False): (0.5, 1.5, 1.5, 1), (0, U, U, False): (1.0, 0.0, 0.0, 1),
        (1, "Bonn, DEU", "Bonn, DEU", False): (T, 0.0, 0.0, 1), (1, "Paris, FRA", "Paris, FRA", False): (T, 0.0, 0.0, 1),
        (1, U, U, False): (T, 0.0, 0.0, 1), (1, U, U, True): (0.0, 1.0, 1.0, 1),
        (2, U, U, False): (2.0, 2.0, 2.0, 1),
        (3, "Bonn, DEU", "Bonn, DEU", False): (0.125, 0.25, 0.125, 1),
        (3, "Paris, FRA", "Paris, FRA", False): (0.125, 0.25, 0.125, 1), (3, U, U, False): (0.25, 0.0, 0.25, 1),
        (4, U, U, False): (1.0, 1.0, 0.0, 2), (4, U, U, True): (0.0, 0.0, 1.0, 1),  # Delta has no city
        (5, U, U, False): (1.0, 1.0, 1.0, 1),
        (6, "Paris, FRA", "Paris, FRA", False): (T, 0.0, 0.0, 1), (6, "Bonn, DEU", "Bonn, DEU", False): (T, 0.0, 0.0, 1),
        (6, "Atlantis", "Atlantis", False): (T, 0.0, 0.0, 1), (6, U, U, True): (0.0, 1.0, 1.0, 1),
        (7, "Lyon, FRA", "Lyon, FRA", False): (2.0, 0.0, 0.0, 1), (7, U, U, True): (0.0, 2.0, 2.0, 1),
    },
    "institution": {
        (0, "I-A", "ALPHA", False): (1.5, 1.5, 1.5, 2), (0, "Beta", "Beta", False): (0.5, 1.5, 1.5, 1),
        (0, U, None, False): (1.0, 0.0, 0.0, 1),
        (1, "I-G", "Gamma", False): (T, 0.0, 0.0, 1), (1, "I-A", "Alpha", False): (T, 0.0, 0.0, 1),
        (1, U, None, False): (T, 0.0, 0.0, 1), (1, U, None, True): (0.0, 1.0, 1.0, 1),
        (2, U, None, False): (2.0, 2.0, 2.0, 1),
        (3, "I-G", "Gamma", False): (0.125, 0.25, 0.125, 1), (3, "I-A", "Alpha Univ", False): (0.125, 0.25, 0.125, 1),
        (3, U, None, False): (0.25, 0.0, 0.25, 1),
        (4, "Delta", "Delta", False): (0.5, 0.0, 0.0, 1), (4, U, None, False): (0.5, 1.0, 0.0, 1),
        (4, U, None, True): (0.0, 0.0, 1.0, 1),
        (5, U, None, False): (1.0, 1.0, 1.0, 1),
        (6, "I-A", "Alpha", False): (T, 0.0, 0.0, 1), (6, "I-G", "Gamma", False): (T, 0.0, 0.0, 1),
        (6, "Zeta", "Zeta", False): (T, 0.0, 0.0, 1), (6, U, None, True): (0.0, 1.0, 1.0, 1),
        (7, "Beta", "Beta", False): (2.0, 0.0, 0.0, 1), (7, U, None, True): (0.0, 2.0, 2.0, 1),
    },
}


def _none(value):
    return None if pd.isna(value) else value


def _num(value):
    return None if pd.isna(value) else round(float(value), 12)


def facts_frame(engine, loaded) -> pd.DataFrame:
    return engine.execute(loaded.facts).sort_values("record_key").reset_index(drop=True)


def credit_row_set(df: pd.DataFrame) -> list[tuple]:
    cols = ["record_key", "position", "role", "institution", "institution_name", "city", "country"]
    rows = [tuple(_none(r[c]) for c in cols) + tuple(_num(r[c]) for c in ("frac", "first", "corr"))
            for _, r in df.iterrows()]
    return sorted(rows, key=repr)


def expected_credit_rows() -> list[tuple]:
    rows = [r[:7] + tuple(round(v, 12) for v in r[7:]) for r in CREDIT_ROWS]
    return sorted(rows, key=repr)


def pair_dict(df: pd.DataFrame) -> dict:
    return {(int(r.record_key), r.unit, _none(r.unit_name), bool(r.is_helper)):
            (_num(r.frac), _num(r.first), _num(r.corr), int(r.n_links)) for r in df.itertuples()}


def expected_pairs(level: str) -> dict:
    return {k: (round(v[0], 12), round(v[1], 12), round(v[2], 12), v[3]) for k, v in PAIRS[level].items()}


def assert_carried_facts(pairs: pd.DataFrame) -> None:
    """Every pair row carries its record's facts (year, weight, citations, top share, international)."""
    facts = FACTS.set_index("record_key")
    for row in pairs.itertuples():
        want = facts.loc[int(row.record_key)]
        got = [getattr(row, c) for c in CARRIED]
        assert [_num(g) if c != "is_international" else bool(g) for c, g in zip(CARRIED, got)] == [
            _num(want[c]) if c != "is_international" else bool(want[c]) for c in CARRIED], row


@pytest.fixture(scope="module")
def hand():
    return hand_records()


def test_record_facts_by_hand(duckdb_engine, hand):
    loaded = load_recordset(duckdb_engine, hand)
    assert not loaded.facts_built()
    got = facts_frame(duckdb_engine, loaded)
    assert loaded.facts_built()
    assert list(got.columns) == list(FACTS.columns)
    for col in FACTS.columns:
        assert [_num(v) if col not in ("record_id", "mode", "is_international") else v
                for v in got[col]] == [_num(v) if col not in ("record_id", "mode", "is_international") else v
                                       for v in FACTS[col]], col


def test_top_share_splits_the_tied_top_positions():
    """Top 50 %: 2020 (10, 4 cit.) has 1 top position: P1's; 2021 (P4 alone) 0.5; 2022 has 1.5:
    P6 (9) takes 1, P5 and P7 (tied at 7) share the other 0.5, 0.25 each; 2023 (P8 alone) 0.5.
    P3 has no citation count and no share."""
    from innometrics.rankings.engines import connect_duckdb

    eng = connect_duckdb()
    loaded = load_recordset(eng, hand_records(), top_proportion=0.5)
    got = facts_frame(eng, loaded)
    assert [_num(v) for v in got["top_share"]] == [1.0, 0.0, None, 0.5, 0.25, 1.0, 0.25, 0.5]
    assert loaded.top_proportion == 0.5


def test_credit_rows_by_hand(duckdb_engine, hand):
    loaded = load_recordset(duckdb_engine, hand)
    records, contributors, affiliations = loaded.inputs
    rows = duckdb_engine.execute(credit_rows(loaded.facts, contributors, affiliations))
    assert credit_row_set(rows) == expected_credit_rows()
    assert list(rows.columns) == ["record_key", *CARRIED, "position", "role", "is_helper", "institution",
                                  "institution_name", "city", "country", "frac", "first", "corr"]
    assert (rows["is_helper"] == (rows["role"] == "helper")).all()
    # every rule spreads each record's weight exactly once
    for rule in ("frac", "first", "corr"):
        per_record = rows.groupby("record_key")[rule].sum().round(12).tolist()
        assert per_record == WEIGHTS, rule
    assert_carried_facts(rows)


def test_contributor_credits_and_bare_or_located_rows(duckdb_engine, hand):
    """The contributors' credits by hand; credit rows without carried facts, and with
    location numbers, give the hand-derived rows and pairs."""
    loaded = load_recordset(duckdb_engine, hand)
    _, contributors, affiliations = loaded.inputs
    ck = contributor_credits(loaded.facts, contributors, affiliations)
    people = duckdb_engine.execute(ck).sort_values(["record_key", "position"])
    # contributors of author-mode records only (P1, P4, P5, P6), with their number of linked addresses
    assert [(int(r.record_key), int(r.position), int(r.k)) for r in people.itertuples()] == [
        (0, 2, 2), (0, 3, 1), (0, 5, 0), (3, 1, 2), (3, 2, 0), (4, 1, 0), (4, 2, 1), (5, 1, 0)]
    assert [(_num(r.frac), _num(r.first), _num(r.corr)) for r in people.itertuples()] == [
        (0.5, 1.5, 1.5), (1.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.125, 0.25, 0.125), (0.25, 0.0, 0.25),
        (0.5, 1.0, 0.0), (0.5, 0.0, 0.0), (1.0, 1.0, 1.0)]
    bare = duckdb_engine.execute(credit_rows(loaded.facts, contributors, affiliations, carried=()))
    assert credit_row_set(bare) == expected_credit_rows()
    assert not set(CARRIED) & set(bare.columns)
    # and with location numbers: the level pairs summed from them are the hand-derived ones
    units = duckdb_engine.materialise(duckdb_engine.fresh_name("u"), unit_dictionary(affiliations))
    located = credit_rows(loaded.facts, contributors, affiliations, carried=(), units=units)
    assert int(duckdb_engine.execute(located)["loc"].isna().sum()) == 9  # the rows of no address
    locations = duckdb_engine.materialise(duckdb_engine.fresh_name("loc"), location_sums(located))
    for level in BASE_LEVELS:
        pairs = duckdb_engine.execute(level_pairs(locations, units, level, loaded.facts))
        assert pair_dict(pairs) == expected_pairs(level), level


@pytest.mark.parametrize("path", ["all_levels", "one_level", "keep_rows", "eager"])
def test_pair_tables_by_hand(duckdb_engine, hand, path):
    """Every way of building the pair tables gives the hand-derived rows and record facts."""
    if path == "all_levels":
        loaded = load_recordset(duckdb_engine, hand)
    elif path == "eager":
        loaded = load_tables(duckdb_engine, *load_recordset(duckdb_engine, hand).inputs, eager=True)
        assert loaded.pairs.built() == BASE_LEVELS and loaded.facts_built()
    elif path == "keep_rows":
        loaded = load_tables(duckdb_engine, *load_recordset(duckdb_engine, hand).inputs, keep_rows=True)
        assert credit_row_set(duckdb_engine.execute(loaded.credits)) == expected_credit_rows()
    for level in ("country", "city", "institution"):
        if path == "one_level":
            loaded = load_recordset(duckdb_engine, hand, levels=(level,))
            assert list(loaded.pairs) == [level]
        pairs = duckdb_engine.execute(loaded.pairs[level])
        assert list(pairs.columns) == ["record_key", "unit", "unit_name", "is_helper", "frac", "first", "corr",
                                       "n_links", *CARRIED]
        assert pair_dict(pairs) == expected_pairs(level), (path, level)
        assert len(pairs) == len(PAIRS[level])
        assert_carried_facts(pairs)
        assert pairs["frac"].sum() == pytest.approx(sum(WEIGHTS), abs=1e-12)


def test_pair_table_without_facts_carries_them_through(duckdb_engine, hand):
    loaded = load_recordset(duckdb_engine, hand)
    _, contributors, affiliations = loaded.inputs
    rows = credit_rows(loaded.facts, contributors, affiliations)
    for level in BASE_LEVELS:
        pairs = duckdb_engine.execute(pair_table(rows, level))
        assert pair_dict(pairs) == expected_pairs(level), level
        assert_carried_facts(pairs)


def test_level_pairs_from_location_sums(duckdb_engine, hand):
    loaded = load_recordset(duckdb_engine, hand)
    _, contributors, affiliations = loaded.inputs
    units = duckdb_engine.materialise(duckdb_engine.fresh_name("u"), unit_dictionary(affiliations))
    rows = credit_rows(loaded.facts, contributors, affiliations, carried=(), units=units)
    got = duckdb_engine.execute(rows)
    assert list(got.columns) == ["record_key", "position", "role", "is_helper", "loc", "frac", "first", "corr"]
    # rows of no address (unknown at every level) carry no location number
    # rows of no address (unknown at every level) carry no location: 4 unlinked authors, 4 helpers, P3
    assert int(got["loc"].isna().sum()) == 9
    sums = duckdb_engine.execute(location_sums(rows))
    assert sums["n_links"].sum() == len(CREDIT_ROWS)
    assert sums["frac"].sum() == pytest.approx(sum(WEIGHTS), abs=1e-12)
    locations = duckdb_engine.materialise(duckdb_engine.fresh_name("loc"), location_sums(rows))
    for level in BASE_LEVELS:
        pairs = duckdb_engine.execute(level_pairs(locations, units, level, loaded.facts))
        assert pair_dict(pairs) == expected_pairs(level), level
        assert_carried_facts(pairs)


def test_unit_dictionary_numbers_places(duckdb_engine, hand):
    """Nine distinct places (Alpha under three names, one address with nothing known), numbered
    1-9; per level one number per unit, 0 for unknown; names ranked alphabetically from 1."""
    loaded = load_recordset(duckdb_engine, hand)
    d = duckdb_engine.execute(unit_dictionary(loaded.inputs[2])).sort_values("loc").reset_index(drop=True)
    assert list(d.columns) == ["institution", "institution_name", "city", "country", "loc", "name_no",
                               "institution_no", "city_no", "country_no"]
    assert d["loc"].tolist() == list(range(1, 10))
    places = [(r.institution, _none(r.institution_name), r.city, r.country) for r in d.itertuples()]
    assert sorted(places, key=repr) == sorted([
        ("I-A", "Alpha", "Paris, FRA", "FRA"), ("I-A", "ALPHA", "Paris, FRA", "FRA"),
        ("I-A", "Alpha Univ", "Paris, FRA", "FRA"), ("Beta", "Beta", "Lyon, FRA", "FRA"),
        ("I-G", "Gamma", "Bonn, DEU", "DEU"), ("Delta", "Delta", U, "USA"),
        ("Epsilon", "Epsilon", "Toronto, CAN", "CAN"), ("Zeta", "Zeta", "Atlantis", U), (U, None, U, U),
    ], key=repr)
    names = sorted(n for _, n, _, _ in places if n is not None)
    assert {n: int(no) for n, no in zip(d["institution_name"], d["name_no"]) if not pd.isna(n)} == {
        n: i + 1 for i, n in enumerate(names)}
    assert d.loc[d["institution_name"].isna(), "name_no"].isna().all()
    for level, col in (("institution", "institution_no"), ("city", "city_no"), ("country", "country_no")):
        numbers = dict(zip(d[level], d[col]))
        assert numbers[U] == 0, level
        known = sorted(u for u in numbers if u != U)
        assert sorted(int(numbers[u]) for u in known) == list(range(1, len(known) + 1)), level
        assert len(d[[level, col]].drop_duplicates()) == len(numbers)


def test_linked_fractional_sums_by_hand(duckdb_engine, hand):
    """Linked rows only: w / (n k) per row, coverage 1 / (n k) per row (see the docstring)."""
    loaded = load_recordset(duckdb_engine, hand)
    got = duckdb_engine.execute(linked_fractional_sums(*loaded.inputs, "country")).set_index("unit")
    # P1: FRA 0.5 + 0.5 + 1 (coverage 1/6 + 1/6 + 1/3); P4: DEU and FRA 0.125 each (coverage 1/4
    # each); P5: USA 0.5 (coverage 1/2). n_max: P1's 3 authors (FRA), P4's 2, P5's 2.
    assert {u: _num(v) for u, v in got["p_frac"].items()} == {"FRA": 2.125, "DEU": 0.125, "USA": 0.5}
    assert {u: _num(v) for u, v in got["coverage"].items()} == {"FRA": _num(2 / 3 + 1 / 4), "DEU": 0.25,
                                                                 "USA": 0.5}
    assert got["n_max"].to_dict() == {"FRA": 3, "DEU": 2, "USA": 2}
    assert set(got["n_records"]) == {8}
    city = duckdb_engine.execute(linked_fractional_sums(*loaded.inputs, "city", years=(2021, 2022)))
    # 2021-2022: P4's Bonn and Paris 0.125 each, P5's Delta (no city) 0.5 to unknown; 5 records
    assert {u: _num(v) for u, v in zip(city["unit"], city["p_frac"])} == {
        "Bonn, DEU": 0.125, "Paris, FRA": 0.125, U: 0.5}
    assert set(city["n_records"]) == {5}
    single = duckdb_engine.execute(linked_fractional_sums(*loaded.inputs, "institution", years=(2020, 2020)))
    assert {u: _num(v) for u, v in zip(single["unit"], single["p_frac"])} == {"I-A": 1.5, "Beta": 0.5}
    assert set(single["n_records"]) == {2}
    # a record without weight counts 1: P4's 0.5 dropped, its F now 1/(2*2) per address
    unweighted = load_recordset(duckdb_engine, hand, weights=pd.Series({"P1": 3.0, "P5": 1.0}))
    dropped = duckdb_engine.execute(linked_fractional_sums(*unweighted.inputs, "country"))
    assert {u: _num(v) for u, v in zip(dropped["unit"], dropped["p_frac"])} == {
        "FRA": 2.25, "DEU": 0.25, "USA": 0.5}


def test_weights_replace_the_record_weights(duckdb_engine, hand):
    """``weights`` (by record id) replace ``records.weight``; a record without one gets 1."""
    weights = pd.Series({"P1": 6.0, "P3": 0.25, "P4": 1.0, "P5": 2.0, "P6": 1.0, "P7": 3.0})
    loaded = load_recordset(duckdb_engine, hand, weights=weights)
    facts = facts_frame(duckdb_engine, loaded)
    assert facts["weight"].tolist() == [6.0, 1.0, 0.25, 1.0, 2.0, 1.0, 3.0, 1.0]
    pairs = pair_dict(duckdb_engine.execute(loaded.pairs["country"]))
    assert pairs[(0, "FRA", "FRA", False)] == (4.0, 6.0, 6.0, 3)  # twice P1's credit at weight 3
    assert pairs[(6, "DEU", "DEU", False)] == (1.0, 0.0, 0.0, 1)  # P7: 3 over three addresses


def test_typed_inputs_read_numbers_leniently():
    df = pd.DataFrame({"year": ["2020", "x", None], "citations": [3, None, "7"]})
    before = df.copy()
    out = cr._typed(df, {"year": "float64", "citations": "float64"})
    assert out["year"].tolist()[:1] == [2020.0] and out["year"].isna().tolist() == [False, True, True]
    assert out["citations"].tolist()[0] == 3.0 and out["citations"].tolist()[2] == 7.0
    assert str(out["year"].dtype) == "float64" and str(out["citations"].dtype) == "float64"
    pd.testing.assert_frame_equal(df, before)  # the input is left alone


def test_pair_tables_mapping_builds_each_level_once():
    built = []

    def build(level):
        built.append(level)
        return f"table of {level}"

    pairs = PairTables(build, ("city", "country"))
    assert len(pairs) == 2 and list(pairs) == ["city", "country"]
    assert "city" in pairs and "institution" not in pairs and built == []
    assert pairs.built() == ()
    assert pairs["country"] == "table of country" and pairs["country"] == "table of country"
    assert built == ["country"] and pairs.built() == ("country",)
    assert repr(pairs) == "PairTables(levels=('city', 'country'), built=('country',))"
    with pytest.raises(KeyError, match="institution"):
        pairs["institution"]
    assert built == ["country"]


def test_load_tables_names_what_it_stores_and_rejects_unknown_levels(duckdb_engine, hand):
    inputs = load_recordset(duckdb_engine, hand).inputs
    loaded = load_tables(duckdb_engine, *inputs, tag="hand", levels=("country", "city"))
    assert loaded.tables == {} and loaded.pairs.built() == ()
    duckdb_engine.execute(loaded.pairs["city"])
    assert loaded.tables == {"facts": "hand_facts", "units": "hand_units", "locations": "hand_locations",
                             "pairs_city": "hand_pairs_city"}
    duckdb_engine.execute(loaded.pairs["country"])
    assert loaded.tables["pairs_country"] == "hand_pairs_country" and len(loaded.tables) == 5
    one = load_tables(duckdb_engine, *inputs, tag="one", levels=("institution",))
    duckdb_engine.execute(one.pairs["institution"])
    assert one.tables == {"facts": "one_facts", "pairs_institution": "one_pairs_institution"}
    kept = load_tables(duckdb_engine, *inputs, tag="kept", keep_rows=True)
    assert kept.tables == {"facts": "kept_facts", "credits": "kept_credits"}
    with pytest.raises(ValueError, match=r"unknown base level\(s\) \['region'\]; base levels are "
                                         r"institution, city, country"):
        load_tables(duckdb_engine, *inputs, levels=("country", "region"))


def test_loads_without_a_tag_keep_their_own_tables(duckdb_engine, hand):
    """Loads named by the engine upload and store different tables: a later load overwrites nothing."""
    first = load_recordset(duckdb_engine, hand)
    japan = RecordSet.from_rows([{"record_id": "Q1", "year": 2020}], [{"record_id": "Q1", "position": 1, "name": "Q"}],
                                [{"record_id": "Q1", "position": 1, "country": "JPN"}], [], read=1)
    second = load_recordset(duckdb_engine, japan)
    # Q's one author is first but not corresponding: the corresponding credit goes to unknown
    japan_pairs = {(0, "JPN", "JPN", False): (1.0, 1.0, 0.0, 1), (0, U, U, True): (0.0, 0.0, 1.0, 1)}
    # the first load's pairs are built after the second upload, from the first load's own inputs
    assert pair_dict(duckdb_engine.execute(first.pairs["country"])) == expected_pairs("country")
    assert pair_dict(duckdb_engine.execute(second.pairs["country"])) == japan_pairs
    again = load_tables(duckdb_engine, *first.inputs, levels=("country",))
    duckdb_engine.execute(again.pairs["country"])
    other = load_tables(duckdb_engine, *second.inputs, levels=("country",))
    assert pair_dict(duckdb_engine.execute(other.pairs["country"])) == japan_pairs
    assert set(again.tables.values()).isdisjoint(other.tables.values())
    assert pair_dict(duckdb_engine.execute(again.pairs["country"])) == expected_pairs("country")
