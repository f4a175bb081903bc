"""The streaming snapshot converter against the JSON reader, on synthetic snapshot parts."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from innometrics.errors import DataError
from innometrics.entities.resolve import resolve_records
from innometrics.records.openalex import read_openalex
from innometrics.records.openalex_snapshot import convert_openalex_snapshot, find_snapshot_parts
from innometrics.records.openalex_synth import write_synthetic_snapshot
from innometrics.records.read import combine_record_sets
from innometrics.records.tables import read_tables


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    root = tmp_path_factory.mktemp("snapshot")
    write_synthetic_snapshot(root / "works", works=1500, parts=3, dates=2, n_institutions=300, seed=3)
    return root


def _parquet(folder) -> pd.DataFrame:
    return pd.read_parquet(folder)


def test_layout_and_quirks_of_the_synthetic_snapshot(snapshot):
    parts = find_snapshot_parts(snapshot)
    assert [f"{p.parent.name}/{p.name}" for p in parts] == [
        "updated_date=2024-01-15/part_000.gz", "updated_date=2024-01-15/part_002.gz",
        "updated_date=2024-02-15/part_001.gz"]
    works = [json.loads(line) for p in parts for line in gzip.open(p, "rt")]
    assert len(works) == 1500
    auths = [a for w in works for a in w["authorships"]]
    assert any(a["institutions"] is None for a in auths)
    assert any(a["institutions"] == [] for a in auths)
    assert any(a["institutions"] == [] and a["countries"] for a in auths)
    assert any(a["institutions"] and len({i["id"] for i in a["institutions"]}) < len(a["institutions"])
               for a in auths)
    assert any(not w["authorships"] for w in works)
    w = next(w for w in works if w["authorships"] and w["primary_topic"])
    inst = next(a["institutions"][0] for a in w["authorships"] if a["institutions"])
    assert {"ror", "country_code", "id", "display_name"} <= set(inst)
    assert set(w["primary_topic"]["field"]) == {"id", "display_name"}
    assert {"is_oa", "oa_status"} <= set(w["open_access"])


def test_converter_matches_the_json_reader(snapshot, tmp_path):
    out = tmp_path / "tables"
    result = convert_openalex_snapshot(snapshot, out, threads=1)
    assert (result.parts, result.converted, result.skipped) == (3, 3, 0)
    # the converter writes countries as alpha-3, as the resolution stage reads OpenAlex's codes
    expected = resolve_records(combine_record_sets([read_openalex(p) for p in find_snapshot_parts(snapshot)]))
    rec, con, aff, rej = (_parquet(out / t) for t in ("records", "contributors", "affiliations", "rejects"))
    # every work is used or rejected, with the JSON reader's reasons
    assert result.counts["records"] + result.counts["rejects"] == 1500
    assert len(rec) == len(expected.records) and len(rej) == len(expected.rejects) > 0
    assert sorted(rej["reason"]) == sorted(expected.rejects["reason"])
    # ... at the same lines of the same parts
    want = sorted(zip(expected.rejects["file"].map(lambda f: Path(f).parent.name + "/" + Path(f).name), expected.rejects["row"].astype(int),
                      expected.rejects["reason"]))
    assert sorted(zip(rej["file"].map(lambda f: Path(f).parent.name + "/" + Path(f).name), rej["row"].astype(int), rej["reason"])) == want
    assert len({r for _, r, _ in want}) > 3  # rejects on several lines
    key = ["record_id"]
    r = rec.merge(expected.records, on=key, suffixes=("", "_json"))
    assert len(r) == len(rec)
    assert (r["year"] == r["year_json"].astype("int64")).all()
    assert (r["citations"] == r["citations_json"].astype("int64")).all()
    assert (r["type"] == r["type_json"]).all()
    assert rec["field"].notna().mean() > 0.9 and rec["is_oa"].any()
    c = con.merge(expected.contributors, on=["record_id", "position"], suffixes=("", "_json"))
    assert len(c) == len(con) == len(expected.contributors)
    assert (c["is_corresponding"] == c["is_corresponding_json"].astype(bool)).all()
    assert (c["identifier"] == c["identifier_json"]).all()
    cols = ["record_id", "position", "institution_id", "country"]
    ours = aff[cols].astype(str).sort_values(cols).reset_index(drop=True)
    theirs = expected.affiliations[cols].astype(str).replace({"<NA>": "None", "nan": "None"})
    theirs = theirs.sort_values(cols).reset_index(drop=True)
    ours = ours.replace({"<NA>": "None", "nan": "None"})
    pd.testing.assert_frame_equal(ours, theirs)
    # duplicate institutions of an author are kept once; ROR ids are short
    assert not aff.dropna(subset=["institution_id"]).duplicated(["record_id", "position", "institution_id"]).any()
    assert aff["ror"].dropna().str.match(r"^0\d{6}x$").all()


def test_output_reads_back_as_tables(snapshot, tmp_path):
    out = tmp_path / "tables"
    convert_openalex_snapshot(snapshot, out, threads=1)
    rs = read_tables(out)
    assert len(rs.records) + len(rs.rejects) == 1500
    assert rs.counts["read"] == 1500


def test_resume_skips_finished_parts(snapshot, tmp_path):
    out = tmp_path / "tables"
    first = convert_openalex_snapshot(snapshot, out, threads=1)
    done = sorted((out / "done").glob("*.json"))
    os.remove(done[1])  # as if interrupted before the second part's marker
    stamps = {p: p.stat().st_mtime_ns for p in (out / "records").glob("*.parquet")}
    again = convert_openalex_snapshot(snapshot, out, threads=1)
    assert (again.converted, again.skipped) == (1, 2)
    assert again.counts == first.counts
    redone = [p for p in stamps if p.stat().st_mtime_ns != stamps[p]]
    assert [p.stem for p in redone] == [done[1].stem]


def test_corrupt_part_is_a_data_error(snapshot, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(snapshot, bad)
    victim = find_snapshot_parts(bad)[1]
    victim.write_bytes(victim.read_bytes()[:200])  # truncated gzip
    with pytest.raises(DataError, match=victim.name) as info:
        convert_openalex_snapshot(bad, tmp_path / "out", threads=1)
    assert info.value.reason == "unreadable"
    assert len(list((tmp_path / "out" / "done").glob("*.json"))) == 1  # the part before it is done


def test_no_parts_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="updated_date"):
        convert_openalex_snapshot(tmp_path, tmp_path / "out")


def test_cli_convert_openalex(snapshot, tmp_path):
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["records", "convert-openalex", str(snapshot), "--out", str(tmp_path / "t"),
                                 "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert "works read 1,500 = used" in result.output and "3 converted now" in result.output
    again = runner.invoke(app, ["records", "convert-openalex", str(snapshot), "--out", str(tmp_path / "t")])
    assert again.exit_code == 0 and "0 converted now, 3 done before" in again.output
    bad = runner.invoke(app, ["records", "convert-openalex", str(tmp_path / "missing"), "--out", str(tmp_path / "u")])
    assert bad.exit_code != 0 and "snapshot folder not found" in bad.output
    assert "Traceback" not in bad.output


def _tables(out) -> dict[str, pd.DataFrame]:
    return {t: pd.read_parquet(out / t) for t in ("records", "contributors", "affiliations", "rejects")}


@pytest.fixture(scope="module")
def bigger_snapshot(tmp_path_factory):
    # enough rows for several DuckDB vectors and row groups per part, where a join or an
    # aggregate run on two threads changes the order of its output from run to run
    root = tmp_path_factory.mktemp("bigger")
    write_synthetic_snapshot(root / "works", works=24000, parts=3, dates=1, n_institutions=2000, seed=11)
    return root


def test_parts_in_parallel_write_the_same_rows_in_file_order(bigger_snapshot, tmp_path):
    one = convert_openalex_snapshot(bigger_snapshot, tmp_path / "one", threads=1, parallel_parts=1)
    two = convert_openalex_snapshot(bigger_snapshot, tmp_path / "two", threads=2, parallel_parts=2)
    again = convert_openalex_snapshot(bigger_snapshot, tmp_path / "again", threads=2, parallel_parts=3)
    assert one.counts == two.counts == again.counts and one.counts["affiliations"] > 100_000
    first, second, third = _tables(tmp_path / "one"), _tables(tmp_path / "two"), _tables(tmp_path / "again")
    for table in first:
        pd.testing.assert_frame_equal(first[table], second[table])
        pd.testing.assert_frame_equal(first[table], third[table])
    # rows follow the works' order in the part, then authorship position (affiliations: the
    # institutions' rows, then those of authors known only by their countries)
    for folder, runs in (("contributors", 1), ("affiliations", 2)):
        for path in sorted((tmp_path / "two" / folder).glob("*.parquet")):
            rows = pd.read_parquet(path)
            order = pd.read_parquet(tmp_path / "two" / "records" / path.name)["record_id"]
            rank = rows["record_id"].map(dict(zip(order, range(len(order)))))
            key = rank * 100_000 + rows["position"]
            assert rank.notna().all() and int((key.diff() < 0).sum()) == runs - 1, path


def test_parallel_parts_must_be_positive(snapshot, tmp_path):
    with pytest.raises(ValueError, match="parallel_parts"):
        convert_openalex_snapshot(snapshot, tmp_path / "out", parallel_parts=0)


def test_corrupt_part_among_parallel_parts(snapshot, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(snapshot, bad)
    parts = find_snapshot_parts(bad)
    good_bytes = parts[1].read_bytes()
    parts[1].write_bytes(good_bytes[:200])
    with pytest.raises(DataError, match=parts[1].name) as info:
        convert_openalex_snapshot(bad, tmp_path / "out", threads=2, parallel_parts=2)
    assert info.value.reason == "unreadable"
    done = {p.stem for p in (tmp_path / "out" / "done").glob("*.json")}
    assert "2024-01-15_part_002" not in done and "2024-01-15_part_000" in done
    # the parts done are complete: mended, the rerun converts only the others and counts reconcile
    parts[1].write_bytes(good_bytes)
    result = convert_openalex_snapshot(bad, tmp_path / "out", threads=2, parallel_parts=2)
    assert result.converted == 3 - len(done) and result.counts["records"] + result.counts["rejects"] == 1500


def test_country_codes_of_institutions_and_authors(tmp_path):
    part = tmp_path / "works" / "updated_date=2024-03-01" / "part_000.gz"
    part.parent.mkdir(parents=True)

    def inst(i, code):
        return {"id": f"https://openalex.org/I{i}", "display_name": f"Inst {i}", "ror": None, "country_code": code}

    work = {"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": [
        {"author": {"id": "https://openalex.org/A1 ", "display_name": "One"}, "countries": [],
         "institutions": [inst(1, "na"), inst(2, " NA "), inst(3, "XX"), inst(4, ""), inst(5, None), inst(6, "USA")]},
        {"author": {"id": "A2", "display_name": "Two"}, "institutions": None, "countries": ["de", " DE", "", None, "fr"]},
    ]}
    with gzip.open(part, "wt") as handle:
        handle.write(json.dumps(work) + "\n")
    convert_openalex_snapshot(tmp_path, tmp_path / "out", threads=1)
    aff = pd.read_parquet(tmp_path / "out" / "affiliations").astype(object)
    aff = aff.where(aff.notna(), None)
    got = list(zip(aff["position"], aff["institution_id"], aff["country"], aff["country_raw"]))
    assert got == [(1, "I1", "NAM", "na"), (1, "I2", "NAM", "NA"), (1, "I3", None, "XX"), (1, "I4", None, None),
                   (1, "I5", None, None), (1, "I6", None, "USA"),
                   (2, None, "DEU", "DE"), (2, None, "FRA", "FR")]
    con = pd.read_parquet(tmp_path / "out" / "contributors")
    assert list(con["identifier"]) == ["A1", "A2"]


def test_gzip_problem_names_each_way_a_part_can_be_broken(tmp_path):
    from innometrics.records.openalex_snapshot import gzip_problem

    body = b"".join(json.dumps({"id": f"https://openalex.org/W{i}"}).encode() + b"\n" for i in range(5000))
    good = gzip.compress(body, mtime=0)
    two_members = good + gzip.compress(body[:100], mtime=0)  # gzip allows members one after another

    def problem(data: bytes):
        path = tmp_path / "part_000.gz"
        path.write_bytes(data)
        return gzip_problem(path)

    crc = bytearray(good)
    crc[-8] ^= 0x01  # the trailer's CRC-32
    length = bytearray(good)
    length[-1] ^= 0x01  # the trailer's uncompressed length
    deflate = bytearray(good)
    deflate[len(good) // 2] ^= 0xFF  # inside the compressed data
    assert problem(good) is None and problem(two_members) is None
    assert problem(good[:-4]) is not None  # trailer cut
    assert problem(good[: len(good) // 2]) is not None  # truncated
    assert "crc" in problem(bytes(crc)).lower()
    assert "length" in problem(bytes(length)).lower()
    assert problem(bytes(deflate)) is not None
    assert problem(b"not gzip at all") is not None
