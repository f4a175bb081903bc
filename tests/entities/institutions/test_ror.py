"""The ROR dump reader: tables, counts, cache, and hostile input."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile

import pytest

from pathlib import Path

from innometrics.entities.institutions.ror import bare_id, load_registry
from innometrics.errors import DataError

SAMPLE = Path(__file__).parents[2] / "data" / "ror" / "ror-v2-sample.json.gz"


def _records():
    return json.loads(gzip.decompress(SAMPLE.read_bytes()))


def test_tables_match_the_dump(registry):
    recs = _records()
    assert len(registry.orgs) == len(recs) == 2667
    assert registry.orgs["ror_id"].is_unique
    # every name of every record is one row per name type
    n_names = sum(len(n["types"]) for r in recs for n in r["names"])
    assert len(registry.names) == n_names
    assert len(registry.relationships) == sum(len(r.get("relationships") or []) for r in recs)
    c = registry.counts()
    assert c["organisations"] == sum(c["status"].values())
    assert c["names"]["ror_display"] == len(recs)
    ucd = registry.orgs.set_index("ror_id").loc["05rrcem69"]
    assert (ucd["name"], ucd["city"], ucd["country_code"], ucd["geonames_id"]) == (
        "University of California, Davis", "Davis", "US", 5341704)
    assert ucd["lat"] == pytest.approx(38.54491)
    assert registry.top_parent("05rrcem69") == "00pjdza24"  # UC System
    assert registry.parent_map["05rrcem69"] == ["00pjdza24"]


def test_successor_is_followed(registry):
    succ = registry.successor_map
    assert succ, "the sample holds inactive organisations with successors"
    old, new = next(iter(sorted(succ.items())))
    assert registry.current(old) == registry.current(new) != old  # followed transitively
    status = dict(zip(registry.orgs["ror_id"], registry.orgs["status"]))
    assert status[old] in ("inactive", "withdrawn")


def test_cache_is_reused_and_rebuilt_when_the_dump_changes(tmp_path):
    dump = tmp_path / "ror.json"
    recs = _records()[:20]
    dump.write_text(json.dumps(recs), encoding="utf-8")
    first = load_registry(dump)
    assert not first.from_cache and (tmp_path / "ror.json.cache" / "orgs.parquet").is_file()
    second = load_registry(dump)
    assert second.from_cache and second.orgs.equals(first.orgs) and second.sha256 == first.sha256
    # touched but same bytes: the SHA-256 keeps the cache
    os.utime(dump, ns=(1, 1))
    assert load_registry(dump).from_cache
    dump.write_text(json.dumps(recs[:10]), encoding="utf-8")
    third = load_registry(dump)
    assert not third.from_cache and len(third.orgs) == 10


@pytest.mark.parametrize("kind", ["json", "gz", "zip"])
def test_distributed_forms_read_the_same(tmp_path, kind):
    recs = _records()[:30]
    raw = json.dumps(recs).encode()
    path = tmp_path / {"json": "d.json", "gz": "d.json.gz", "zip": "v2.9-2026-06-23-ror-data.zip"}[kind]
    if kind == "json":
        path.write_bytes(raw)
    elif kind == "gz":
        path.write_bytes(gzip.compress(raw))
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("v2.9-2026-06-23-ror-data.json", raw)
        path.write_bytes(buf.getvalue())
    reg = load_registry(path, use_cache=False)
    assert list(reg.orgs["ror_id"]) == [bare_id(r["id"]) for r in recs]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.json.gz", gzip.compress(b"[{")[:12], "not a readable gzip file"),
    ("bad.json.gz", gzip.compress(b"[{\"id\": 1"), "not valid JSON"),
    ("bad.zip", b"PK\x03\x04 broken", "not a readable zip file"),
    ("bad.json", b"\xff\xfe[]", "not UTF-8"),
    ("bad.json", b'{"id": "x"}', "expected a JSON array"),
    ("bad.json", b'[{"id": "https://ror.org/05rrcem69", "status": "active", "names": []}]', "'names' must be"),
    ("bad.json", b'[{"id": "https://ror.org/05rrcem69", "name": "X"}]', "schema v1 record"),
    ("bad.json", b'[{"id": "https://ror.org/05rrcem69", "status": "gone", "names": []}]', "'status' must be"),
])
def test_hostile_input_is_a_data_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as exc:
        load_registry(path, use_cache=False)
    assert str(path) in str(exc.value)


def test_zip_with_two_json_files_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.json", "[]")
        zf.writestr("b.json", "[]")
    path = tmp_path / "two.zip"
    path.write_bytes(buf.getvalue())
    with pytest.raises(DataError, match="expected one ROR JSON file"):
        load_registry(path)


def test_missing_dump(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_registry(tmp_path / "nope.json.gz")
