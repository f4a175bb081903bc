"""Roll-up along ROR parent links: shares for units with several parents."""

from __future__ import annotations

import pandas as pd
import pytest

from innometrics.entities.institutions.resolve import rollup_mapping
from innometrics.entities.institutions.ror import ROR_PREFIX, Registry


def _registry(parents: dict[str, list[str]]) -> Registry:
    ids = sorted(set(parents) | {p for ps in parents.values() for p in ps} | {"solo"})
    orgs = pd.DataFrame({"ror_id": ids, "name": [f"Org {i}" for i in ids]})
    rel = pd.DataFrame([(c, "parent", p) for c, ps in parents.items() for p in ps],
                       columns=["ror_id", "rel_type", "target_id"])
    empty = pd.DataFrame()
    return Registry(orgs=orgs, names=empty, locations=empty, relationships=rel)


# a joint lab of two institutes of one academy and of a university; a cycle x <-> y
REG = _registry({"lab": ["inst1", "inst2", "univ"], "inst1": ["academy"], "inst2": ["academy"],
                 "umr": ["cnrs", "univ"], "x": ["y"], "y": ["x"]})


@pytest.mark.parametrize(("unit", "rollup", "expected"), [
    ("lab", "parent", {"inst1": 1 / 3, "inst2": 1 / 3, "univ": 1 / 3}),
    ("lab", "top", {"academy": 2 / 3, "univ": 1 / 3}),  # two paths to the academy add up
    ("umr", "parent", {"cnrs": 0.5, "univ": 0.5}),
    ("umr", "top", {"cnrs": 0.5, "univ": 0.5}),
    ("inst1", "top", {"academy": 1.0}),
    ("academy", "top", {"academy": 1.0}),
    ("solo", "parent", {"solo": 1.0}),
    ("lab", "none", {"lab": 1.0}),
    ("x", "top", {"y": 1.0}),  # the link back to x is ignored
])
def test_rollup_shares(unit, rollup, expected):
    got = REG.rollup_shares(unit, rollup)
    assert got == pytest.approx(expected)
    assert sum(got.values()) == pytest.approx(1.0)


def test_rollup_mapping_rows_with_shares():
    aff = pd.DataFrame({"institution_id": [ROR_PREFIX + "lab", ROR_PREFIX + "solo", None, ROR_PREFIX + "gone"],
                        "institution": ["Joint Lab", "Solo", "Unmatched Dept", "Not in registry"]})
    m = rollup_mapping(REG, aff, "top")
    rows = {(u, g): (n, s) for u, g, n, s in m.itertuples(index=False)}
    assert rows == {
        (ROR_PREFIX + "lab", ROR_PREFIX + "academy"): ("Org academy", pytest.approx(2 / 3)),
        (ROR_PREFIX + "lab", ROR_PREFIX + "univ"): ("Org univ", pytest.approx(1 / 3)),
        (ROR_PREFIX + "solo", ROR_PREFIX + "solo"): ("Org solo", 1.0),
        ("Unmatched Dept", "Unmatched Dept"): ("Unmatched Dept", 1.0),
        (ROR_PREFIX + "gone", ROR_PREFIX + "gone"): (ROR_PREFIX + "gone", 1.0),
    }
    assert m.groupby("unit")["share"].sum().tolist() == pytest.approx([1.0] * 4)
