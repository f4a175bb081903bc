"""Generate the bad-input corpus: ``files/`` (the inputs) and ``cases.json`` (one case per run).

Run from the repository root: ``python tests/badinputs/make_corpus.py``. The output is
committed; the generator is deterministic (fixed bytes, a seeded random source), so a
re-run reproduces the same files.

Each case is a command line with placeholders: ``{here}`` is the ``files`` folder,
``{out}`` a fresh output path that must not exist after the failing run. Every case
must end with exit status 2, one ``error:`` line on stderr and no traceback
(``tests/badinputs/test_badinputs.py``). A case names its failure class, so the corpus
covers each class (container, parser, value, parameter, path, sniffing, ...) for each
reader and command.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
REPO = HERE.parent.parent
DATA = "../../../src/innometrics/data"  # the bundled data, relative to files/

cases: list[dict] = []


def put(name: str, data: bytes | str) -> str:
    """Write one corpus file; return its placeholder path."""
    path = FILES / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return "{here}/" + name


def case(cid: str, klass: str, *args: str) -> None:
    cases.append({"id": cid, "class": klass, "args": list(args)})


# ---------------------------------------------------------------- container bytes
def xlsx_bytes(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_variants(rows: list[list[object]]) -> dict[str, bytes]:
    """Broken workbooks: truncated, bit-flipped, not a zip, unknown compression, bad XML, empty."""
    good = xlsx_bytes(rows)
    rng = random.Random(12)
    flipped = bytearray(good)
    # flip bytes inside the worksheet's compressed data (after its local header)
    header = good.find(b"PK\x03\x04", good.find(b"worksheets/sheet1.xml") - 40)
    name_len, extra_len = struct.unpack("<HH", good[header + 26 : header + 30])
    start = header + 30 + name_len + extra_len + 5
    for k in range(8):
        flipped[start + k] ^= 0xFF
    unknown = bytearray(good)
    # compression method 99 in every local and central header: NotImplementedError in zipfile
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = unknown.find(sig)
        while pos != -1:
            unknown[pos + off : pos + off + 2] = struct.pack("<H", 99)
            pos = unknown.find(sig, pos + 4)
    bad_xml = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(bad_xml, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    no_sheet = io.BytesIO()
    with zipfile.ZipFile(no_sheet, "w") as dst:
        dst.writestr("readme.txt", "not a workbook")
    garbage = bytes(rng.randrange(256) for _ in range(700))
    return {
        "truncated": good[: len(good) // 2],
        "bitflip": bytes(flipped),
        "notzip": b"this is plain text saved with an .xlsx name\n",
        "unknown_compression": bytes(unknown),
        "bad_xml": bad_xml.getvalue(),
        "no_workbook": no_sheet.getvalue(),
        "empty": b"",
        "garbage": garbage,
    }


def parquet_variants(df_rows: dict[str, list]) -> dict[str, bytes]:
    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame(df_rows).to_parquet(buf, index=False)
    good = buf.getvalue()
    return {
        "truncated": good[: len(good) // 2],
        "no_footer": good[:-8],
        "empty": b"",
        "garbage": b"PAR1" + bytes(random.Random(7).randrange(256) for _ in range(300)) + b"PAR1",
    }


def gzip_variants(payload: bytes) -> dict[str, bytes]:
    import gzip

    good = gzip.compress(payload, mtime=0)
    crc = bytearray(good)
    crc[-8] ^= 0xFF  # wrong CRC32
    body = bytearray(good)
    body[20] ^= 0xFF
    return {
        "truncated": good[: len(good) // 2],
        "bad_crc": bytes(crc),
        "bad_body": bytes(body),
        "header_only": good[:10],
        "not_gzip_magic": b"\x1f\x8b" + b"\x00" * 30,
    }


# ---------------------------------------------------------------- panels
LONG_HEADER = "unit,period,indicator,value\n"
PANEL_TEXT = {
    "empty.csv": "",
    "blank_lines.csv": "\n\n  \n",
    "ragged.csv": 'unit,period,indicator,value\nA,2014,x,1\nA,2015,x,2,9,9\n"B,2014\n',
    "not_utf8.csv": b"unit,period,indicator,value\nA,2014,x,1\nB\xff\xfe,2014,x,2\n",
    "dup_header.csv": "unit,period,indicator,value,value\nA,2014,x,1,2\n",
    "dup_header_spaces.csv": "unit,period,indicator, value ,value\nA,2014,x,1,2\n",
    "dup_key.csv": LONG_HEADER + "A,2014,x,1\nA,2014,x,2\n",
    "dup_empty_period_wide.csv": "unit,x,y\nA,1,2\nA,3,4\n",
    "missing_columns.csv": "region,year,value\nA,2014,1\n",
    "only_unit.csv": "name\nA\n",
    "utf16_no_bom.csv": "unit,period,indicator,value\nA,2014,x,1\n".encode("utf-16-le"),
}
STRICT_TEXT = {  # usable only with --strict: the first bad observation stops the run
    "inf.csv": LONG_HEADER + "A,2014,x,1\nA,2015,x,inf\n",
    "neg_infinity.csv": LONG_HEADER + "A,2014,x,-Infinity\nA,2015,x,2\n",
    "e400.csv": LONG_HEADER + "A,2014,x,1e400\nA,2015,x,2\n",
    "period_20_digits.csv": LONG_HEADER + "A,12345678901234567890,x,1\nA,2015,x,2\n",
    "period_text.csv": LONG_HEADER + "A,twenty,x,1\nA,2015,x,2\n",
    "value_text.csv": LONG_HEADER + "A,2014,x,lots\nA,2015,x,2\n",
    "formula_value.csv": LONG_HEADER + 'A,2014,x,"=HYPERLINK(""http://evil/"")"\n',
}
GOOD_PANEL = [["unit", "period", "indicator", "value"], ["A", 2014, "x", 1.0], ["A", 2015, "x", 2.0]]


def panel_cases() -> None:
    files = [put(f"panel/{n}", t) for n, t in PANEL_TEXT.items()]
    files += [put(f"panel/xlsx_{k}.xlsx", v) for k, v in xlsx_variants(GOOD_PANEL).items()]
    files += [put(f"panel/parquet_{k}.parquet", v) for k, v in parquet_variants(
        {"unit": ["A", "A"], "period": [2014, 2015], "indicator": ["x", "x"], "value": [1.0, 2.0]}).items()]
    files.append(put("panel/unknown_ext.dat", LONG_HEADER + "A,2014,x,1\n"))
    files.append(put("panel/tsv_ragged.tsv", "unit\tperiod\tindicator\tvalue\nA\t2014\tx\t1\t5\t6\n\"\n"))
    strict = [put(f"panel/{n}", t) for n, t in STRICT_TEXT.items()]
    folder = "{here}/panel"
    for f in files + [folder, "{here}/panel/no such :ok: file.csv"]:
        stem = Path(f).name
        case(f"trends/{stem}", "panel_reader", "trends", f, "--out", "{out}")
        case(f"panel-validate/{stem}", "panel_reader", "panel", "validate", f)
    for f in files[:: 3]:
        stem = Path(f).name
        case(f"panel-convert/{stem}", "panel_reader", "panel", "convert", f, "{out}.csv")
        case(f"panel-per-capita/{stem}", "panel_reader", "panel", "per-capita", f, "--per", "x", "--out", "{out}.csv")
    for f in strict:
        stem = Path(f).name
        case(f"trends-strict/{stem}", "value", "trends", f, "--out", "{out}", "--strict")
        case(f"panel-validate-strict/{stem}", "value", "panel", "validate", f, "--strict")
    good = put("panel/good.csv", LONG_HEADER + "A,2014,x,1\nA,2015,x,2\nB,2014,x,3\nB,2015,x,4\n")
    put("plain.txt", "a file, not a folder\n")
    case("panel-rebase/absent_base_period", "parameter", "panel", "rebase", good, "--base-period", "1999", "--out", "{out}.csv")
    case("trends/absent_base_period", "parameter", "trends", good, "--base-period", "1999", "--out", "{out}")
    case("trends/out_under_file", "path", "trends", good, "--out", "{here}/plain.txt/sub")
    case("trends/bad_meta_xlsx", "panel_reader", "trends", good, "--meta", "{here}/panel/xlsx_bitflip.xlsx", "--out", "{out}")
    case("trends/bad_layout", "parameter", "trends", good, "--layout", "diagonal", "--out", "{out}")
    case("panel-per-capita/unknown_denominator", "parameter", "panel", "per-capita", good, "--per", "nobody", "--out", "{out}.csv")
    case("panel-convert/unknown_out_ext", "parameter", "panel", "convert", good, "{out}.json")
    case("panel-china/source_is_file", "path", "panel", "china-provinces", "--source", "{here}/plain.txt", "--out", "{out}")


# ---------------------------------------------------------------- specs (every loader)
BAD_SPEC_TEXT = {
    "invalid_toml.toml": "[data\nindicators = 'x'\n",
    "not_utf8.toml": b"[data]\nindicators = '\xff\xfe.csv'\n",
    "deep_arrays.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "deep_tables.toml": "x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    "empty.toml": "",
    "binary.toml": bytes(random.Random(3).randrange(256) for _ in range(400)),
    "unknown_section.toml": "[nonsense]\nkey = 1\n",
}
SPEC_COMMANDS = {
    "index": ["index", "build"],
    "audit": ["index", "audit"],
    "sensitivity": ["index", "sensitivity"],
    "rank": ["rank", "build"],
    "achievements": ["achievements", "build"],
    "cities": ["views", "cities"],
    "clusters": ["views", "clusters"],
    "nature-index": ["views", "nature-index"],
    "designations": ["views", "designations"],
}


def spec_cases() -> None:
    specs = [put(f"spec/{n}", t) for n, t in BAD_SPEC_TEXT.items()]
    (FILES / "spec" / "a_folder.toml").mkdir(parents=True, exist_ok=True)
    (FILES / "spec" / "a_folder.toml" / ".keep").write_text("")
    specs += ["{here}/spec/a_folder.toml", "{here}/spec/missing :ok: spec.toml"]
    for name, cmd in SPEC_COMMANDS.items():
        for s in specs:
            case(f"{name}/spec_{Path(s).name}", "spec_reader", *cmd, s, "--out", "{out}")


# ---------------------------------------------------------------- index data
IMETA = f"{DATA}/asem/ASEM_iMeta.csv"
IDATA = f"{DATA}/asem/ASEM_iData.csv"


def index_spec(name: str, indicators: str, meta: str, extra: str = "") -> str:
    return put(f"index/{name}.toml", f'[data]\nindicators = "{indicators}"\nmeta = "{meta}"\n\n'
               f'[normalise]\nmethod = "minmax"\nrange = [0, 100]\n\n[aggregate]\nmethod = "arithmetic"\n{extra}')


def index_cases() -> None:
    for k, v in xlsx_variants([["uCode", "LPI"], ["AUT", 1.0]]).items():
        put(f"index/idata_{k}.xlsx", v)
        s = index_spec(f"idata_xlsx_{k}", f"idata_{k}.xlsx", "../" + IMETA)
        case(f"index/idata_xlsx_{k}", "table_reader", "index", "build", s, "--out", "{out}")
    for k, v in parquet_variants({"uCode": ["AUT"], "LPI": [1.0]}).items():
        put(f"index/idata_{k}.parquet", v)
        s = index_spec(f"idata_parquet_{k}", f"idata_{k}.parquet", "../" + IMETA)
        case(f"index/idata_parquet_{k}", "table_reader", "index", "build", s, "--out", "{out}")
    for n, t in {"imeta_empty.csv": "", "imeta_ragged.csv": "iCode,Level\nA,1,3\n\"\n",
                 "imeta_dup_header.csv": "iCode,iCode,Level\nA,A,1\n"}.items():
        put(f"index/{n}", t)
        s = index_spec(n.replace(".csv", ""), "../" + IDATA, n)
        case(f"index/{n}", "table_reader", "index", "build", s, "--out", "{out}")
    # every child of the index weighted 0
    top = {"ASEM_zero_weights": "Conn = 0\nSust = 0\n"}
    s = index_spec("zero_weights", "../" + IDATA, "../" + IMETA, "\n[weights]\n" + top["ASEM_zero_weights"])
    case("index/all_children_weight_zero", "value", "index", "build", s, "--out", "{out}")
    s = index_spec("data_is_folder", ".", "../" + IMETA)
    case("index/data_is_folder", "path", "index", "build", s, "--out", "{out}")
    sens = put("index/sensitivity.toml", (REPO / "src/innometrics/data/asem/asem_sensitivity.toml").read_text(encoding="utf-8")
               .replace('"ASEM_iData.csv"', f'"../{IDATA}"').replace('"ASEM_iMeta.csv"', f'"../{IMETA}"'))
    case("sensitivity/runs_1e9", "parameter", "index", "sensitivity", sens, "--runs", "1000000000", "--out", "{out}")
    case("sensitivity/runs_1", "parameter", "index", "sensitivity", sens, "--runs", "1", "--out", "{out}")
    case("sensitivity/seed_negative", "parameter", "index", "sensitivity", sens, "--seed", "-1", "--out", "{out}")
    s = index_spec("no_sensitivity", "../" + IDATA, "../" + IMETA)
    case("sensitivity/no_section", "spec", "index", "sensitivity", s, "--out", "{out}")
    case("audit/out_under_file", "path", "index", "audit", sens, "--out", "{here}/plain.txt/sub")


# ---------------------------------------------------------------- records
def rank_spec(name: str, records: str, fmt: str | None = None, extra: str = "") -> str:
    fmt_line = f'format = "{fmt}"\n' if fmt else ""
    return put(f"records/{name}.rank.toml", f'[records]\npath = "{records}"\n{fmt_line}\n'
               f'[count]\nmethod = "fractional"\nlevels = ["country"]\n{extra}')


def records_cases() -> None:
    work = json.dumps({"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": []})
    for k, v in gzip_variants((work + "\n").encode()).items():
        put(f"records/works_{k}.jsonl.gz", v)
        s = rank_spec(f"gz_{k}", f"works_{k}.jsonl.gz")
        case(f"rank/openalex_gz_{k}", "records_reader", "rank", "build", s, "--out", "{out}")
        case(f"cities/openalex_gz_{k}", "records_reader", "views", "cities",
             put(f"records/gz_{k}.views.toml", f'[records]\npath = "works_{k}.jsonl.gz"\n'), "--out", "{out}")
    texts = {
        "spec_as_records.toml": '[records]\npath = "x.txt"\n[count]\nmethod = "full"\n',
        "empty.txt": "",
        "binary.txt": bytes(random.Random(5).randrange(256) for _ in range(500)),
        "openalex_as_csv.csv": work + "\n",
        "wos_as_jsonl.jsonl": "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nUT WOS:1\nER\nEF\n",
        "scopus_no_affiliations.csv": "Authors,Title,Year,EID,Correspondence Address\n"
                                      '"Li X.","T",2020,2-s2.0-1,"Li X.; Peking University, Beijing, China"\n',
        "scopus_no_eid.csv": "Authors,Title,Year\nLi X.,T,2020\n",
        "openalex_empty_lines.jsonl": "\n\n\n",
        "json_array_empty.json": "[]",
        "unknown_ext.pdf": "%PDF-1.4 not a records export\n",
        "xlsx_records.xlsx": xlsx_variants([["UT", "AU"], ["WOS:1", "Li, X"]])["bitflip"],
    }
    for n, t in texts.items():
        put(f"records/{n}", t)
        s = rank_spec(f"file_{n.replace('.', '_')}", n)
        case(f"rank/{n}", "sniffing" if "as_" in n or "ext" in n else "records_reader",
             "rank", "build", s, "--out", "{out}")
    for fmt in ("wos", "wos_tab", "scopus", "openalex", "tables"):
        s = rank_spec(f"binary_as_{fmt}", "binary.txt", fmt)
        case(f"rank/binary_as_{fmt}", "records_reader", "rank", "build", s, "--out", "{out}")
    # a table-layout folder with a broken records table
    layout = FILES / "records" / "layout_broken"
    layout.mkdir(parents=True, exist_ok=True)
    for k, v in parquet_variants({"record_id": ["r1"]}).items():
        sub = layout.parent / f"layout_{k}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / "records.parquet").write_bytes(v)
        s = rank_spec(f"layout_{k}", f"layout_{k}")
        case(f"rank/layout_parquet_{k}", "records_reader", "rank", "build", s, "--out", "{out}")
    shutil.rmtree(layout)
    (FILES / "records" / "empty_folder").mkdir(parents=True, exist_ok=True)
    (FILES / "records" / "empty_folder" / ".keep").write_text("")
    s = rank_spec("empty_folder", "empty_folder")
    case("rank/empty_folder", "path", "rank", "build", s, "--out", "{out}")
    s = rank_spec("missing :ok: records", "no :ok: such.txt")
    case("rank/missing_records", "path", "rank", "build", s, "--out", "{out}")
    good = f"{DATA}/bibliographic/wos_biblium_500.txt"
    s = rank_spec("good_records", "../" + good)
    case("rank/out_under_file", "path", "rank", "build", s, "--out", "{here}/plain.txt/sub")
    case("rank/bad_engine", "parameter", "rank", "build", s, "--engine", "oracle", "--out", "{out}")


# ---------------------------------------------------------------- achievements and designations
ACH_HEADER = "achievement_id,category,work,contributor,source,year,role,institution,country\n"
PEOPLE_HEADER = "person,primary_affiliation,primary_country\n"


def table_view_cases() -> None:
    ach = {
        "empty.csv": "",
        "header_only.csv": ACH_HEADER,
        "ragged.csv": ACH_HEADER + 'a1,chips,W,Li,S,1990,first,PKU,China,extra,extra\n"\n',
        "missing_columns.csv": "achievement_id,category\na1,chips\n",
        "dup_header.csv": "achievement_id,achievement_id,category,work,contributor,source\na1,a1,c,w,p,s\n",
        "not_utf8.csv": ACH_HEADER.encode() + b"a1,chips,W,Li\xff,S,1990,first,PKU,China\n",
        "bad_role.csv": ACH_HEADER + "a1,chips,W,Li,S,1990,emperor,PKU,China\n",
        "bad_year.csv": ACH_HEADER + "a1,chips,W,Li,S,19x0,first,PKU,China\n",
    }
    ach.update({f"xlsx_{k}.xlsx": v for k, v in xlsx_variants([ACH_HEADER.strip().split(",")]).items()})
    for n, t in ach.items():
        put(f"views/ach_{n}", t)
        s = put(f"views/ach_{n.replace('.', '_')}.toml", f'[achievements]\npath = "ach_{n}"\n')
        case(f"achievements/{n}", "table_reader", "achievements", "build", s, "--out", "{out}")
    people = {
        "empty.csv": "",
        "header_only_wrong.csv": "person,country\n",
        "ragged.csv": PEOPLE_HEADER + 'Li,PKU,China,extra,extra\n"\n',
        "missing_primary_affiliation.csv": "person,primary_country\nLi,China\n",
        "dup_header.csv": "person,person,primary_affiliation,primary_country\nLi,Li,PKU,China\n",
        "not_utf8.csv": PEOPLE_HEADER.encode() + b"Li,PKU\xff,China\n",
        "unknown_country.csv": "person,field,primary_affiliation,primary_country\nLi,Physics,PKU,Atlantis\n",
    }
    people.update({f"xlsx_{k}.xlsx": v for k, v in xlsx_variants([PEOPLE_HEADER.strip().split(",")]).items()})
    for n, t in people.items():
        put(f"views/people_{n}", t)
        s = put(f"views/people_{n.replace('.', '_')}.toml", f'[designations]\npath = "people_{n}"\n')
        case(f"designations/{n}", "table_reader", "views", "designations", s, "--out", "{out}")


# ---------------------------------------------------------------- report (a results folder as input)
def report_cases() -> None:
    folders = {
        "no_manifest": {"trends.csv": "unit\nA\n"},
        "manifest_not_json": {"manifest.json": "{not json"},
        "manifest_deep": {"manifest.json": "[" * 100000 + "]" * 100000},
        "manifest_list": {"manifest.json": "[1, 2]"},
        "table_ragged": {"manifest.json": json.dumps({"kind": "trends", "tables": {"trends": "trends.csv"}}),
                         "trends.csv": 'unit,indicator\nA,x,1,2\n"\n'},
        "table_not_utf8": {"manifest.json": json.dumps({"kind": "trends", "tables": {"trends": "trends.csv"}}),
                           "trends.csv": b"unit,indicator\n\xff\xfe,x\n"},
    }
    for name, content in folders.items():
        for fname, data in content.items():
            put(f"report/{name}/{fname}", data)
        case(f"report/{name}", "results_reader", "report", "{here}/report/" + name, "--out", "{out}.html")
    case("report/not_a_folder", "path", "report", "{here}/plain.txt", "--out", "{out}.html")


# ---------------------------------------------------------------- ROR registry and affiliation matching
ROR_SAMPLE = "../../data/ror/ror-v2-sample.json.gz"  # relative to files/
ROR_RECORD = {"id": "https://ror.org/05rrcem69", "status": "active", "types": ["education"], "established": 1900,
              "names": [{"value": "Example University", "types": ["ror_display"], "lang": None}],
              "locations": [{"geonames_id": 1, "geonames_details": {"name": "Davis", "country_code": "US",
                                                                     "country_name": "United States", "lat": 38.5,
                                                                     "lng": -121.7}}],
              "relationships": []}


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def unknown_compression(good: bytes) -> bytes:
    """Compression method 99 in every local and central header: NotImplementedError in zipfile."""
    out = bytearray(good)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = out.find(sig)
        while pos != -1:
            out[pos + off : pos + off + 2] = struct.pack("<H", 99)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def ror_dumps() -> dict[str, bytes]:
    good = json.dumps([ROR_RECORD]).encode()
    dumps = {f"dump_{k}.json.gz": v for k, v in gzip_variants(good).items()}
    good_zip = zip_bytes({"v2.0-2024-01-01-ror-data.json": good})
    one = lambda **f: json.dumps([{**ROR_RECORD, **f}]).encode()  # noqa: E731
    dumps.update({
        "dump_truncated.zip": good_zip[: len(good_zip) // 2],
        "dump_unknown_compression.zip": unknown_compression(good_zip),
        "dump_not_zip.zip": b"plain text saved with a .zip name\n",
        "dump_two_members.zip": zip_bytes({"a.json": b"[]", "b.json": b"[]"}),
        "dump_no_json.zip": zip_bytes({"readme.txt": b"no dump here"}),
        "dump_bad_json_member.zip": zip_bytes({"v2-ror-data.json": b"[{"}),
        "dump_invalid.json": b"[{\"id\": ",
        "dump_empty.json": b"",
        "dump_deep.json": b"[" * 100000 + b"]" * 100000,
        "dump_object.json": json.dumps(ROR_RECORD).encode(),
        "dump_list_of_numbers.json": b"[1, 2, 3]",
        "dump_not_utf8.json": b"[\xff\xfe]",
        "dump_schema_v1.json": json.dumps([{"id": "https://ror.org/05rrcem69", "name": "X"}]).encode(),
        "dump_bad_status.json": one(status="closed"),
        "dump_types_string.json": one(types="education"),
        "dump_location_number.json": one(locations=[7]),
        "dump_lat_text.json": one(locations=[{"geonames_id": 1, "geonames_details": {"lat": "north"}}]),
        "dump_established_text.json": one(established="1900s"),
        "dump_relationship_number.json": one(relationships=[{"type": "parent", "id": 5}]),
        "dump_short_id.json": one(id="https://ror.org/123"),
    })
    return dumps


def institutions_cases() -> None:
    dumps = [put(f"ror/{n}", v) for n, v in ror_dumps().items()]
    (FILES / "ror" / "a_folder.json").mkdir(parents=True, exist_ok=True)
    (FILES / "ror" / "a_folder.json" / ".keep").write_text("")
    dumps += ["{here}/ror/a_folder.json", "{here}/ror/missing :ok: dump.json.gz"]
    for d in dumps:
        case(f"institutions-load/{Path(d).name}", "registry_reader", "institutions", "load", d,
             "--cache-dir", "{out}")
    strings = put("ror/strings.csv", "affiliation\nExample University, Davis, CA, USA\n")
    for d in dumps[:: 3]:
        case(f"institutions-match/registry_{Path(d).name}", "registry_reader", "institutions", "match", strings,
             "--registry", d, "--cache-dir", "{out}.cache", "--out", "{out}.csv")
    bad_strings = {
        "empty.csv": "",
        "no_affiliation_column.csv": "name,country\nExample University,US\n",
        "not_utf8.csv": b"affiliation\nUniversit\xe9 Paris\n",
        "ragged.csv": 'affiliation\nA,B,C\n"\n',
        "utf16.csv": "affiliation\nExample University\n".encode("utf-16"),
        "binary.csv": bytes(random.Random(9).randrange(256) for _ in range(400)),
    }
    for n, t in bad_strings.items():
        f = put(f"ror/strings_{n}", t)
        case(f"institutions-match/strings_{n}", "table_reader", "institutions", "match", f,
             "--registry", "{here}/" + ROR_SAMPLE, "--cache-dir", "{out}.cache", "--out", "{out}.csv")
    case("institutions-match/strings_folder", "path", "institutions", "match", "{here}/ror",
         "--registry", "{here}/" + ROR_SAMPLE, "--cache-dir", "{out}.cache", "--out", "{out}.csv")
    case("institutions-match/missing_strings", "path", "institutions", "match", "{here}/ror/no :ok: strings.csv",
         "--registry", "{here}/" + ROR_SAMPLE, "--cache-dir", "{out}.cache", "--out", "{out}.csv")


# ---------------------------------------------------------------- OpenAlex works snapshot
def openalex_snapshot_cases() -> None:
    import gzip

    work = {"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": []}
    parts = {
        "not_gzip": b'{"id": "https://openalex.org/W1"}\n',
        "line_not_object": gzip.compress(b"[1, 2]\n", mtime=0),
        "line_not_json": gzip.compress(b"{not json\n", mtime=0),
        "authorships_number": gzip.compress(json.dumps({**work, "authorships": 5}).encode() + b"\n", mtime=0),
    }
    # bad_crc and bad_body: DuckDB's gzip reader skips the CRC-32, the converter checks it
    parts.update(gzip_variants((json.dumps(work) + "\n").encode()))
    for name, data in parts.items():
        put(f"openalex_snapshot/{name}/works/updated_date=2024-01-01/part_000.gz", data)
        case(f"convert-openalex/{name}", "records_reader", "records", "convert-openalex",
             f"{{here}}/openalex_snapshot/{name}", "--out", "{out}", "--threads", "1")
    put("openalex_snapshot/no_parts/works/readme.txt", "no parts here\n")
    case("convert-openalex/no_parts", "path", "records", "convert-openalex", "{here}/openalex_snapshot/no_parts",
         "--out", "{out}", "--threads", "1")
    case("convert-openalex/missing_folder", "path", "records", "convert-openalex",
         "{here}/openalex_snapshot/no :ok: such", "--out", "{out}", "--threads", "1")
    case("convert-openalex/file_not_folder", "path", "records", "convert-openalex", "{here}/plain.txt",
         "--out", "{out}", "--threads", "1")
    case("convert-openalex/out_under_file", "path", "records", "convert-openalex",
         "{here}/openalex_snapshot/not_gzip", "--out", "{here}/plain.txt/sub", "--threads", "1")


# ---------------------------------------------------------------- index leave-out, compare, strengths
def index_toolbox_cases() -> None:
    good = index_spec("toolbox_good", "../" + IDATA, "../" + IMETA)
    specs = [put(f"spec/{n}", t) for n, t in BAD_SPEC_TEXT.items()]
    specs += ["{here}/spec/a_folder.toml", "{here}/spec/missing :ok: spec.toml"]
    for s in specs:
        stem = Path(s).name
        case(f"leave-out/spec_{stem}", "spec_reader", "index", "leave-out", s, "--out", "{out}")
        case(f"compare/spec_{stem}", "spec_reader", "index", "compare", good, s, "--out", "{out}.csv")
        case(f"strengths/spec_{stem}", "spec_reader", "index", "strengths", s, "--unit", "AUT", "--out", "{out}")
    for k in ("truncated", "garbage"):
        s = f"{{here}}/index/idata_parquet_{k}.toml"
        case(f"leave-out/idata_parquet_{k}", "table_reader", "index", "leave-out", s, "--out", "{out}")
        case(f"strengths/idata_parquet_{k}", "table_reader", "index", "strengths", s, "--unit", "AUT", "--out", "{out}")
    panel = put("index/toolbox_panel.toml", (REPO / "examples" / "asem" / "asem.toml").read_text(encoding="utf-8")
                .replace("../../src/innometrics/data/asem/", "../" + DATA + "/asem/")
                .replace("[data]\n", '[data]\nperiod = "all"\n', 1))
    case("leave-out/level_0", "parameter", "index", "leave-out", good, "--level", "0", "--out", "{out}")
    case("leave-out/level_9", "parameter", "index", "leave-out", good, "--level", "9", "--out", "{out}")
    case("leave-out/unknown_target", "parameter", "index", "leave-out", good, "--target", "Nowhere", "--out", "{out}")
    case("leave-out/panel_spec", "spec", "index", "leave-out", panel, "--out", "{out}")
    case("leave-out/out_under_file", "path", "index", "leave-out", good, "--out", "{here}/plain.txt/sub")
    case("compare/unknown_code", "parameter", "index", "compare", good, good, "--code", "Nowhere", "--out", "{out}.csv")
    case("compare/panel_spec", "spec", "index", "compare", good, panel, "--out", "{out}.csv")
    case("compare/out_under_file", "path", "index", "compare", good, good, "--out", "{here}/plain.txt/sub.csv")
    case("strengths/unknown_unit", "parameter", "index", "strengths", good, "--unit", "ATLANTIS", "--out", "{out}")
    case("strengths/unknown_stage", "parameter", "index", "strengths", good, "--unit", "AUT", "--stage", "cooked",
         "--out", "{out}")
    case("strengths/top_0", "parameter", "index", "strengths", good, "--unit", "AUT", "--top", "0", "--out", "{out}")
    case("strengths/panel_spec", "spec", "index", "strengths", panel, "--unit", "AUT", "--out", "{out}")
    case("strengths/out_under_file", "path", "index", "strengths", good, "--unit", "AUT",
         "--out", "{here}/plain.txt/sub")
    case("strengths/out_not_output", "path", "index", "strengths", good, "--unit", "AUT", "--out", "{here}/panel")


# ---------------------------------------------------------------- patents through rank build
ESPACENET_HEADER = ("Title,Publication number,Publication date,Inventor(s),Applicant(s),International classification,"
                    "Cooperative Patent Classification,Application number,Date of application,Priority number(s)\n")
ESPACENET_ROW = ("PIZZA TRAY,CA93181 (S),24/08/2001,DOE JANE [US],SCHWAN S FOOD MFG INC [US],A21B1/00,,"
                 "CA20010093181,20010105,CA20010093181 20010105\n")
LENS_HEADER = ("#,Jurisdiction,Kind,Publication Number,Lens ID,Publication Date,Publication Year,Application Number,"
               "Application Date,Priority Numbers,Earliest Priority Date,Title,Applicants,Inventors\n")
LENS_ROW = ("1,US,A1,US 2011/0185700 A1,122-778-618-820-635,2011-08-04,2011,US 65784810 A,2010-01-29,"
            "US 65784810 A 20100129,2010-01-29,Jet Engine Bird Diverters,NEWCOMER FRED,NEWCOMER FRED\n")
PV_TABLES = {
    "g_patent": "patent_id\tpatent_type\tpatent_date\tpatent_title\twipo_kind\tnum_claims\twithdrawn\tfilename\n"
                "1000001\tutility\t2020-01-07\tA pizza\tB2\t3\t0\t\n",
    "g_inventor_disambiguated": "patent_id\tinventor_sequence\tinventor_id\tdisambig_inventor_name_first\t"
                                "disambig_inventor_name_last\tgender_code\tlocation_id\n"
                                "1000001\t1\ti1\tJane\tDoe\t\tloc1\n",
    "g_assignee_disambiguated": "patent_id\tassignee_sequence\tassignee_id\tdisambig_assignee_individual_name_first\t"
                                "disambig_assignee_individual_name_last\tdisambig_assignee_organization\t"
                                "assignee_type\tlocation_id\n1000001\t1\ta1\t\t\tPizza Co\t2\tloc1\n",
    "g_location_disambiguated": "location_id\tdisambig_city\tdisambig_state\tdisambig_country\tlatitude\tlongitude\t"
                                "county\tstate_fips\tcounty_fips\nloc1\tBoston\tMA\tUS\t42.3\t-71.0\t\t\t\n",
    "g_cpc_current": "patent_id\tcpc_sequence\tcpc_section\tcpc_class\tcpc_subclass\tcpc_group\tcpc_type\n"
                     "1000001\t1\tA\tA21\tA21B\tA21B1/00\tinventional\n",
    "g_ipc_at_issue": "patent_id\tipc_sequence\tsection\tipc_class\tsubclass\tmain_group\tsubgroup\n"
                      "1000001\t1\tA\t21\tB\t1\t00\n",
}
PATSTAT_TABLES = {
    "applications": "appln_id,appln_auth,appln_nr,appln_kind,appln_filing_date,earliest_filing_date,"
                    "earliest_publn_date,docdb_family_id,inpadoc_family_id\nA1,EP,10001,A,2010-03-01,2009-05-01,"
                    "2011-09-01,100,900\n",
    "persons": "person_id,person_name,person_ctry_code\nP1,DUPONT JEAN,FR\n",
    "person_application": "person_id,appln_id,applt_seq_nr,invt_seq_nr\nP1,A1,0,1\n",
}


def patent_spec(name: str, records: str, fmt: str) -> str:
    return put(f"patents/{name}.rank.toml", f'[records]\npath = "{records}"\nformat = "{fmt}"\n\n'
               '[patents]\nby = "inventor"\nfamily = "simple"\ndate = "priority"\n\n'
               '[count]\nmethod = "fractional"\nlevels = ["country"]\n')


def patent_folder(fmt: str, name: str, tables: dict[str, str], change: dict[str, bytes | str | None],
                  ext: str) -> str:
    """A folder of ``tables`` with ``change`` applied (None: the table is left out; a name ending in an
    extension replaces the table file)."""
    for table, text in {**tables, **change}.items():
        if table in change and change[table] is None:
            continue
        if table in tables and any(k.startswith(table + ".") for k in change):
            continue
        put(f"patents/{fmt}_{name}/{table if '.' in table else table + ext}", text)
    return f"{fmt}_{name}"


def patent_cases() -> None:
    for fmt, header, row in (("espacenet", ESPACENET_HEADER, ESPACENET_ROW), ("lens", LENS_HEADER, LENS_ROW)):
        texts = {
            "empty.csv": "",
            "header_only.csv": header,
            "missing_columns.csv": "Title,Publication date\nPIZZA,2001\n",
            "dup_header.csv": header.rstrip("\n") + "," + header.split(",")[1] + "\n" + row,
            "ragged.csv": header + row.rstrip("\n") + ",x,y,z\n" + '"\n',
            "binary.csv": bytes(random.Random(11).randrange(256) for _ in range(600)),
            "utf16.csv": (header + row).encode("utf-16"),
            "xlsx_bitflip.xlsx": xlsx_variants([header.strip().split(","), row.strip().split(",")])["bitflip"],
        }
        for n, t in texts.items():
            put(f"patents/{fmt}_{n}", t)
            s = patent_spec(f"{fmt}_{n.replace('.', '_')}", f"{fmt}_{n}", fmt)
            case(f"rank-{fmt}/{n}", "patent_reader", "rank", "build", s, "--out", "{out}")
        (FILES / "patents" / f"{fmt}_empty_folder").mkdir(parents=True, exist_ok=True)
        (FILES / "patents" / f"{fmt}_empty_folder" / ".keep").write_text("")
        s = patent_spec(f"{fmt}_empty_folder", f"{fmt}_empty_folder", fmt)
        case(f"rank-{fmt}/empty_folder", "path", "rank", "build", s, "--out", "{out}")
        s = patent_spec(f"{fmt}_missing", f"no :ok: such {fmt}.csv", fmt)
        case(f"rank-{fmt}/missing", "path", "rank", "build", s, "--out", "{out}")
    pv_broken = {
        "no_patent_table": {"g_patent": None},
        "patent_empty": {"g_patent": ""},
        "patent_missing_columns": {"g_patent": "patent_id\ttitle\n1000001\tA pizza\n"},
        "patent_ragged": {"g_patent": PV_TABLES["g_patent"] + "1000002\tutility\t2020\tx\ty\tz\tw\tv\tu\tt\n"},
        "patent_binary": {"g_patent": bytes(random.Random(13).randrange(256) for _ in range(500))},
        "patent_zip_truncated": {"g_patent.tsv.zip": zip_bytes({"g_patent.tsv": PV_TABLES["g_patent"].encode()})[:60]},
        "patent_zip_not_zip": {"g_patent.tsv.zip": b"not a zip archive\n"},
        "inventor_missing_columns": {"g_inventor_disambiguated": "patent_id\tname\n1000001\tJane\n"},
        "location_not_utf8": {"g_location_disambiguated": PV_TABLES["g_location_disambiguated"].encode()
                              + b"loc2\tS\xe3o Paulo\t\tBR\t\t\t\t\t\n"},
        "dates_text": {"g_patent": PV_TABLES["g_patent"].replace("2020-01-07", "yesterday")},
    }
    for name, change in pv_broken.items():
        folder = patent_folder("patentsview", name, PV_TABLES, change, ".tsv")
        s = patent_spec(f"patentsview_{name}", folder, "patentsview")
        case(f"rank-patentsview/{name}", "patent_reader", "rank", "build", s, "--out", "{out}")
    ps_broken = {
        "no_applications": {"applications": None},
        "no_persons": {"persons": None},
        "applications_empty": {"applications": ""},
        "applications_missing_columns": {"applications": "appln_auth,appln_nr\nEP,10001\n"},
        "persons_missing_columns": {"persons": "person_id\nP1\n"},
        "links_ragged": {"person_application": PATSTAT_TABLES["person_application"] + 'P1,A1,0,1,9,9\n"\n'},
        "applications_not_utf8": {"applications": PATSTAT_TABLES["applications"].encode()
                                  + b"A2,EP,10002,A,2010-03-01,2009-05-01,2011-09-01,101,901\xff\n"},
        "applications_parquet_truncated": {"applications": None, "applications.parquet": parquet_variants(
            {"appln_id": ["A1"], "appln_auth": ["EP"]})["truncated"]},
        "applications_binary": {"applications": bytes(random.Random(17).randrange(256) for _ in range(500))},
    }
    for name, change in ps_broken.items():
        folder = patent_folder("patstat", name, PATSTAT_TABLES, change, ".csv")
        s = patent_spec(f"patstat_{name}", folder, "patstat")
        case(f"rank-patstat/{name}", "patent_reader", "rank", "build", s, "--out", "{out}")
    s = patent_spec("patstat_file_not_folder", "patstat_no_applications/persons.csv", "patstat")
    case("rank-patstat/file_not_folder", "path", "rank", "build", s, "--out", "{out}")
    s = patent_spec("patentsview_file_not_folder", "patentsview_patent_empty/g_patent.tsv", "patentsview")
    case("rank-patentsview/file_not_folder", "path", "rank", "build", s, "--out", "{out}")


def main() -> None:
    if FILES.exists():
        shutil.rmtree(FILES)
    FILES.mkdir(parents=True)
    panel_cases()
    spec_cases()
    index_cases()
    records_cases()
    table_view_cases()
    report_cases()
    institutions_cases()
    openalex_snapshot_cases()
    index_toolbox_cases()
    patent_cases()
    (HERE / "cases.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    n_files = sum(1 for p in FILES.rglob("*") if p.is_file())
    print(f"{n_files} files, {len(cases)} cases")


if __name__ == "__main__":
    main()
