"""The Nature Index view with a ROR registry: parents and joint institutions from ROR's parent links."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from innometrics.rankings.credits import load_recordset
from innometrics.rankings.engines import connect
from innometrics.records.model import RecordSet
from innometrics.views.nature_index import research_leaders

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "ror" / "ror-v2-sample.json.gz"
ROR = "https://ror.org/"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from innometrics.entities.institutions.ror import load_registry

    return load_registry(SAMPLE, cache_dir=tmp_path_factory.mktemp("ror"))


def test_registry_relations_split_single_parents_and_joints(registry):
    from innometrics.entities.institutions.resolve import registry_relations

    relations, joints = registry_relations(registry)
    assert not relations["child_id"].duplicated().any()
    assert set(relations["child_id"]).isdisjoint(joints["joint_id"])
    assert (joints.groupby("joint_id").size() >= 2).all()
    # a Max Planck institute's one parent; a joint medical school of a university and a health system
    assert relations.set_index("child_id").loc[ROR + "02pp7px91", "parent_id"] == ROR + "01hhn8329"
    assert set(joints.loc[joints["joint_id"] == ROR + "01ff5td15", "partner_id"]) == {
        ROR + p for p in registry.parent_map["01ff5td15"]}


def test_leaders_roll_up_through_ror(registry):
    from innometrics.entities.institutions.matcher import shared_matcher
    from innometrics.entities.institutions.resolve import registry_relations, resolve_affiliations

    rs = RecordSet.from_rows(
        [{"record_id": "r1", "year": 2020}, {"record_id": "r2", "year": 2020}],
        [{"record_id": "r1", "position": 1, "name": "A"}, {"record_id": "r1", "position": 2, "name": "B"},
         {"record_id": "r2", "position": 1, "name": "C"}],
        [{"record_id": "r1", "position": 1, "raw": "University of California, Davis, CA, USA", "country": "USA"},
         {"record_id": "r1", "position": 2, "raw": "University of California, Berkeley, CA, USA", "country": "USA"},
         {"record_id": "r2", "position": 1, "raw": "Max Planck Institute for Human Development, Berlin, Germany",
          "country": "DEU"}],
        [], read=2)
    aff, counts = resolve_affiliations(rs.affiliations, shared_matcher(registry))
    assert counts["matched"] == counts["links"] == 3
    rs2 = RecordSet.from_rows(rs.records.to_dict("records"), rs.contributors.to_dict("records"),
                              aff.to_dict("records"), [], read=2)
    eng = connect("duckdb")
    try:
        relations, joints = registry_relations(registry)
        table, _ = research_leaders(load_recordset(eng, rs2), relations=relations, joints=joints)
    finally:
        eng.close()
    t = table.set_index("unit")
    # two campuses of one system on one record: Count 1 for the system, Share 1
    assert t.loc[ROR + "00pjdza24", "count"] == 1 and t.loc[ROR + "00pjdza24", "share"] == pytest.approx(1.0)
    assert t.loc[ROR + "01hhn8329", "count"] == 1  # the institute's record goes to the Max Planck Society
    assert ROR + "05rrcem69" not in t.index


def test_views_spec_uses_the_registry(tmp_path):
    from innometrics.views.pipeline import build_nature_index

    spec = tmp_path / "views.toml"
    spec.write_text(f'[records]\npath = "{DATA / "bibliographic" / "scopus_bibexpy_3658.csv"}"\n'
                    f'[nature_index]\nlevel = "institution"\n'
                    f'[institutions]\nregistry = "{SAMPLE}"\nrollup = "top"\ncache_dir = "{tmp_path / "c"}"\n',
                    encoding="utf-8")
    out = build_nature_index(spec, tmp_path / "ni")
    leaders = pd.read_csv(out / "leaders.csv").set_index("unit")
    assert leaders.loc[ROR + "00pjdza24", "name"] == "University of California System"
    assert ROR + "05rrcem69" not in leaders.index
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["relations_from_registry"]["parent_links"] > 0
