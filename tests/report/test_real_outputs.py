"""Reports on real build outputs: the ASEM index (audit + sensitivity), a ranking of a real
Web of Science export, and the Beijing trends. The inputs are bundled with the project, and
a build command that exits non-zero fails the test (never a skip): a crash after writing
some outputs must not pass as "not usable here"."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from innometrics.report import render_report
from innometrics.report.context import read_csv
from innometrics.report.render import SIZE_LIMIT

ROOT = Path(__file__).resolve().parents[2]
ASEM_SPEC = ROOT / "examples" / "asem" / "asem_sensitivity.toml"
WOS = ROOT / "tests" / "data" / "bibliographic" / "wos_biblium_500.txt"
BEIJING = ROOT / "src" / "innometrics" / "data" / "beijing"


def _run(args: list[str]) -> None:
    from innometrics.cli.main import app

    result = CliRunner().invoke(app, args)
    if result.exit_code != 0:
        pytest.fail(f"`innometrics {' '.join(args)}` exited {result.exit_code}: "
                    f"{(result.output or repr(result.exception))[-600:]}", pytrace=False)


@pytest.fixture(scope="module")
def asem_dir(tmp_path_factory):
    assert ASEM_SPEC.is_file(), f"{ASEM_SPEC} is bundled with the project"
    out = tmp_path_factory.mktemp("asem") / "asem_index"
    _run(["index", "audit", str(ASEM_SPEC), "--out", str(out)])
    _run(["index", "sensitivity", str(ASEM_SPEC), "--runs", "16", "--out", str(out)])
    return out


def test_asem_index_report(asem_dir, tmp_path):
    out = render_report(asem_dir, tmp_path / "asem.html", xlsx=tmp_path / "asem.xlsx")
    html = out.read_text(encoding="utf-8")
    assert out.stat().st_size < SIZE_LIMIT
    results = read_csv(asem_dir / "results.csv")
    rank_col = next(c for c in results.columns if c.lower() == "rank")
    # The ranking table lists every unit, the best first, as results.csv does.
    body = html[html.index("<h2>Ranking</h2>"):]
    table = body[: body.index("</table>")]
    assert table.count("<tr>") == len(results) + 1
    best = results.sort_values(rank_col).iloc[0]
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", table).group(1)
    assert f">{best['uCode']}<" in first_row
    for section in ("Framework", "Unit profile", "Statistical audit", "Cronbach&#x27;s alpha", "Rank intervals", "Sobol indices"):
        assert f">{section}</h" in html, section
    # The tree nests every indicator (49 for ASEM) below its pillar.
    tree = html[html.index('<ul class="tree">'):]
    tree = tree[: tree.index("</section>")]
    n_indicators = int((pd.to_numeric(read_csv(asem_dir / "weights.csv")["Level"]) == 1).sum())
    assert tree.count("<li>") >= n_indicators > 0


def test_rank_report_on_a_wos_export(tmp_path):
    assert WOS.is_file(), f"{WOS} is bundled with the project"
    spec = tmp_path / "rank.toml"
    spec.write_text(f'[records]\npath = "{WOS.as_posix()}"\n\n[count]\nmethod = "fractional"\n'
                    'levels = ["country", "institution"]\n\n[stability]\nresamples = 30\nseed = 1\n', encoding="utf-8")
    out = tmp_path / "rank"
    _run(["rank", "build", str(spec), "--out", str(out)])
    page = render_report(out, tmp_path / "rank.html", xlsx=tmp_path / "rank.xlsx")
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < SIZE_LIMIT
    countries = read_csv(out / "country.csv")
    assert "<h2>Level: country</h2>" in html and "<h2>Level: institution</h2>" in html
    top = countries.sort_values("rank").iloc[0]
    assert f"{top['name']} ({top['unit']})" in html  # first unit of the drill-down
    assert "Records behind a unit (country)" in html


def test_beijing_trends_report(tmp_path):
    panel, meta = BEIJING / "beijing_2014_2023.csv", BEIJING / "beijing_indicators.csv"
    assert panel.is_file(), f"{panel} is bundled with the project"
    out = tmp_path / "beijing"
    _run(["trends", str(panel), "--meta", str(meta), "--out", str(out), "--highlight", "CN-BJ", "--no-report"])
    html = render_report(out, tmp_path / "beijing.html", highlight=["CN-BJ"]).read_text(encoding="utf-8")
    # Patents per 10,000 people: 48.2 (2014) -> 262.9 (2023).
    assert "x5.45 (+445 %)" in html
    assert "+20.74 % a year" in html
