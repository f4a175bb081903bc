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
        path.write_bytes(gzip.compress(raw, mtime=0))
    else:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("v2.9-2026-06-23-ror-data.json", raw)
        path.write_bytes(buf.getvalue())
    reg = load_registry(path, use_cache=False)
    assert list(reg.orgs["ror_id"]) == [bare_id(r["id"]) for r in recs]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.json.gz", gzip.compress(b"[{", mtime=0)[:12], "not a readable gzip file"),
    ("bad.json.gz", gzip.compress(b"[{\"id\": 1", mtime=0), "not valid JSON"),
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


def _zip(data: bytes, name: str = "v2.9-2026-06-23-ror-data.json") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def _unknown_compression(good: bytes) -> bytes:
    """Compression method 99 in every local and central header (zipfile: NotImplementedError)."""
    import struct

    out = bytearray(good)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = out.find(sig)
        while pos != -1:
            out[pos + off: pos + off + 2] = struct.pack("<H", 99)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def _bad_crc(good: bytes) -> bytes:
    out = bytearray(good)
    pos = out.find(b"PK\x03\x04")
    out[pos + 14: pos + 18] = bytes(b ^ 0xFF for b in out[pos + 14: pos + 18])  # CRC-32 of the local header
    central = out.find(b"PK\x01\x02")
    out[central + 16: central + 20] = out[pos + 14: pos + 18]
    return bytes(out)


GOOD = {"id": "https://ror.org/05rrcem69", "status": "active", "names": [{"value": "X", "types": ["ror_display"]}],
        "types": ["education"], "established": 1900, "relationships": [],
        "locations": [{"geonames_id": 1, "geonames_details": {"name": "A", "country_code": "US", "lat": 1.0, "lng": 2.0}}]}


def _one(**fields) -> bytes:
    return json.dumps([{**GOOD, **fields}]).encode()


RAW = json.dumps([GOOD]).encode()


@pytest.mark.parametrize(("name", "content", "reason", "message"), [
    # corrupt zips
    ("d.zip", _zip(RAW)[: len(_zip(RAW)) // 2], "corrupt_zip", "not a readable zip file"),
    ("d.zip", _unknown_compression(_zip(RAW)), "corrupt_zip", "compression method is not supported"),
    ("d.zip", _bad_crc(_zip(RAW)), "corrupt_zip", "Bad CRC-32"),
    ("d.zip", b"", "corrupt_zip", "not a readable zip file"),
    ("d.zip", _zip(b"[]", name="readme.txt"), "zip_members", "found 0"),
    # truncated gzip
    ("d.json.gz", gzip.compress(RAW, mtime=0)[:-6], "corrupt_gzip", "not a readable gzip file"),
    ("d.json.gz", gzip.compress(RAW, mtime=0)[:10], "corrupt_gzip", "not a readable gzip file"),
    # invalid JSON
    ("d.json", RAW[:-3], "bad_json", "not valid JSON"),
    ("d.json", b"[" * 100_000 + b"]" * 100_000, "bad_json", "nested too deeply"),
    ("d.json", b"[" + b"9" * 5000 + b"]", "bad_json", "not valid JSON"),
    ("d.zip", _zip(b"[{]"), "bad_json", "member v2.9-2026-06-23-ror-data.json: not valid JSON"),
    # JSON that is not a list of ROR records
    ("d.json", b"null", "not_a_list", "expected a JSON array"),
    ("d.json", b"[[1]]", "bad_record", "record 1: expected an object"),
    ("d.json", _one(id=123456789), "bad_record", "'id' must be a string"),
    ("d.json", _one(types="education"), "bad_record", "'types' must be a list of strings"),
    ("d.json", _one(types=[1]), "bad_record", "'types' must be a list of strings"),
    ("d.json", _one(established="1900"), "bad_record", "'established' must be a year"),
    ("d.json", _one(established=10 ** 30), "bad_record", "'established' must be a year"),
    ("d.json", _one(locations="Boston"), "bad_record", "'locations' must be a list"),
    ("d.json", _one(locations=[1]), "bad_record", "each of 'locations' must be an object"),
    ("d.json", _one(locations=[{"geonames_id": "x"}]), "bad_record", "'geonames_id' must be a whole number"),
    ("d.json", _one(locations=[{"geonames_details": [1]}]), "bad_record", "'geonames_details' must be an object"),
    ("d.json", _one(locations=[{"geonames_details": {"lat": "north"}}]), "bad_record", "'geonames_details.lat' must be a number"),
    ("d.json", _one(locations=[{"geonames_details": {"country_code": ["US"]}}]), "bad_record", "country_code' must be a string"),
    ("d.json", _one(relationships=[1]), "bad_record", "each of 'relationships' needs an 'id' string"),
    ("d.json", _one(relationships=[{"type": "parent", "id": 5}]), "bad_record", "each of 'relationships' needs"),
    ("d.json", _one(names=[{"value": "X", "types": ["ror_display"], "lang": 5}]), "bad_record", "'lang' must be a string"),
])
def test_broken_dump_is_a_data_error_from_the_api(tmp_path, name, content, reason, message):
    """Every broken dump raises DataError with the file and a reason, never zipfile/gzip/json/pandas errors."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as exc:
        load_registry(path, cache_dir=tmp_path / "cache")
    assert exc.value.reason == reason and message in str(exc.value) and str(path) in str(exc.value)
    assert len(str(exc.value)) < 400  # a value is quoted cut short, never a whole record
    assert not (tmp_path / "cache").exists()


def test_good_record_of_the_broken_cases_loads(tmp_path):
    path = tmp_path / "d.json"
    path.write_bytes(RAW)
    reg = load_registry(path, use_cache=False)
    assert reg.orgs[["ror_id", "types", "established", "city", "lat"]].values.tolist() == [
        ["05rrcem69", "education", 1900, "A", 1.0]]
