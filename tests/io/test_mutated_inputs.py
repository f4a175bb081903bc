"""Property: mutated bytes of every supported format never crash a reader.

Each reader gets a small valid file of its format with random damage (bit flips,
truncation, inserted, deleted or repeated slices). Whatever the bytes, the reader
either returns, with read = used + rejected, or raises the project's own error
(:class:`~innometrics.errors.InnometricsError`); never a library exception.

The default run tries 25 inputs per reader; ``test_mutations_slow`` (marked ``slow``,
run by ``make test`` and CI; skip it with ``-m "not slow"``) tries 10,000 in all.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from innometrics.errors import InnometricsError

DATA = Path(__file__).resolve().parents[1] / "data" / "bibliographic"
ASEM = Path(__file__).resolve().parents[2] / "src" / "innometrics" / "data" / "asem"
BEIJING = ASEM.parent / "beijing"


def _head_lines(path: Path, n: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n])


def _wos_records(path: Path, n: int) -> bytes:
    text = path.read_bytes()
    cut = 0
    for _ in range(n):
        cut = text.index(b"\nER", cut + 1) + 3
    return text[:cut] + b"\nEF\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


LONG = b"unit,period,indicator,value\nA,2014,x,1\nA,2015,x,2.5\nB,2014,x,-3\nB,2015,y,1e3\n"
WORK = (DATA / "openalex_works_sample.jsonl").read_bytes().splitlines(keepends=True)[:3]


def seeds() -> dict[str, tuple[str, bytes]]:
    """reader name -> (file name, valid bytes)."""
    long_rows = [["unit", "period", "indicator", "value"], ["A", 2014, "x", 1.0], ["A", 2015, "x", 2.0]]
    return {
        "panel_csv": ("p.csv", LONG),
        "panel_tsv": ("p.tsv", LONG.replace(b",", b"\t")),
        "panel_xlsx": ("p.xlsx", _xlsx(long_rows)),
        "panel_parquet": ("p.parquet", _parquet(pd.DataFrame({"unit": [1, 2], "period": [2014, 2015],
                                                              "indicator": ["x", "x"], "value": [1.0, 2.0]}))),
        "indicator_meta": ("m.csv", (BEIJING / "beijing_indicators.csv").read_bytes()),
        "coinr_imeta": ("m.csv", (ASEM / "ASEM_iMeta.csv").read_bytes()),
        "wos": ("r.txt", _wos_records(DATA / "wos_biblium_500.txt", 2)),
        "wos_tab": ("r.csv", _head_lines(DATA / "wos_bibliometrix_management_898.csv", 3)),
        "scopus": ("r.csv", _head_lines(DATA / "scopus_biblium_200.csv", 3)),
        "openalex_jsonl": ("r.jsonl", b"".join(WORK[:2])),
        "openalex_gz": ("r.jsonl.gz", gzip.compress(b"".join(WORK[:2]), mtime=0)),
        "openalex_csv": ("r.csv", _head_lines(DATA / "openalex_biblium_613.csv", 3)),
        "spec_toml": ("s.toml", (ASEM / "asem_sensitivity.toml").read_bytes()[:1500]),
        "achievements": ("a.csv", b"achievement_id,category,work,contributor,source,year,role,institution,country\n"
                                  b"a1,chips,W,Li,S,1990,first,Peking University,China\n"
                                  b"a1,chips,W,Wu,S,1990,corresponding,MIT,USA\n"),
        "designations": ("d.csv", b"person,field,primary_affiliation,primary_country\nLi,Physics,PKU,China\n"
                                  b"Wu,Chemistry,MIT,United States\n"),
    }


def _check_counts(result) -> None:
    counts = getattr(result, "counts", None)
    if isinstance(counts, dict) and {"read", "used", "rejected"} <= set(counts):
        assert counts["read"] == counts["used"] + counts["rejected"], counts
    if hasattr(result, "read") and hasattr(result, "used") and hasattr(result, "rejected"):
        assert result.read == result.used + result.rejected


def run_reader(name: str, path: Path):
    """Call the reader ``name`` on ``path`` (the readers of every supported format)."""
    from innometrics.io.panels import read_indicator_meta, read_panel
    from innometrics.io.specfiles import read_spec_source
    from innometrics.entities.resolve import read_resolved

    if name.startswith("panel_"):
        return read_panel(path)
    if name == "indicator_meta":
        return read_indicator_meta(path)
    if name == "coinr_imeta":
        from innometrics.io.coinr import read_imeta

        return read_imeta(path)
    if name in {"wos", "wos_tab", "scopus"}:
        return read_resolved(path, format=name)
    if name.startswith("openalex"):
        return read_resolved(path, format="openalex")
    if name == "spec_toml":
        return read_spec_source(path)
    if name == "achievements":
        from innometrics.views.achievements import read_achievements

        return read_achievements(path)
    if name == "designations":
        from innometrics.views.designations import read_people

        return read_people(path)
    raise AssertionError(name)


SEEDS = seeds()


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """``data`` with 1-4 random edits: bit flips, truncation, insertions, deletions, repeats."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "repeat", "byte"]))
        if not out:
            out += draw(st.binary(max_size=16))
            continue
        i = draw(st.integers(0, len(out) - 1))
        if kind == "flip":
            out[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            out[i] = draw(st.sampled_from([0, 0x22, 0x2C, 0x0A, 0x0D, 0x09, 0x7B, 0x5B, 0xFF, 0x80]))
        elif kind == "truncate":
            del out[i:]
        elif kind == "insert":
            out[i:i] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "delete":
            del out[i : i + draw(st.integers(1, 64))]
        else:
            j = draw(st.integers(i, min(len(out), i + 200)))
            out[i:i] = out[i:j] * draw(st.integers(1, 3))
    return bytes(out)


def check_reader(name: str, folder: Path, data: bytes) -> None:
    fname = SEEDS[name][0]
    path = folder / fname
    path.write_bytes(data)
    try:
        result = run_reader(name, path)
    except InnometricsError:
        return
    _check_counts(result)


def _property(name: str, examples: int):
    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=mutated(SEEDS[name][1]))
    def prop(data):
        check_reader(name, _folder(name), data)

    return prop


_FOLDERS: dict[str, Path] = {}


def _folder(name: str) -> Path:
    import tempfile

    if name not in _FOLDERS:
        _FOLDERS[name] = Path(tempfile.mkdtemp(prefix=f"mut-{name}-"))
    return _FOLDERS[name]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_files_are_valid(name, tmp_path):
    """The unmutated seeds read without error, so mutations start from real input."""
    path = tmp_path / SEEDS[name][0]
    path.write_bytes(SEEDS[name][1])
    _check_counts(run_reader(name, path))


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutations(name):
    _property(name, 25)()


#: Examples per reader in the slow run, 10,000 in all: more for the fast readers, fewer
#: for those that parse, normalise and validate every record (about 0.1-0.5 s a file).
SLOW_EXAMPLES = {
    "panel_csv": 1000, "panel_tsv": 600, "panel_xlsx": 800, "panel_parquet": 2000,
    "spec_toml": 2000, "indicator_meta": 200, "coinr_imeta": 300,
    "achievements": 150, "designations": 1500,
    "wos": 300, "wos_tab": 300, "scopus": 300, "openalex_jsonl": 150, "openalex_gz": 300, "openalex_csv": 100,
}


def test_slow_run_covers_every_reader_with_10000_examples():
    assert set(SLOW_EXAMPLES) == set(SEEDS)
    assert sum(SLOW_EXAMPLES.values()) >= 10_000


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_mutations_slow(name):
    """:data:`SLOW_EXAMPLES` mutated files per reader, 10,000 and more in all."""
    _property(name, SLOW_EXAMPLES[name])()
