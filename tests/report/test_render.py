"""Content of each kind of report, on synthetic results folders (see conftest.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from innometrics.errors import DataError
from innometrics.report import maybe_write_report, render_report


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.json_blocks: dict[str, object] = {}
        self.text: list[str] = []
        self._in_json: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json":
            self._in_json = attrs["id"]

    def handle_endtag(self, tag):
        self._in_json = None

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks[self._in_json] = json.loads(data)
        else:
            self.text.append(data)


def parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def figures(doc: _Collector) -> list[dict]:
    return [v for k, v in doc.json_blocks.items() if k.endswith("-fig")]


def test_trends_report(make_results):
    out = render_report(make_results("trends"))
    assert out.name == "report.html"
    doc = parse(out)
    text = " ".join(doc.text)
    # Beijing's patents: 48.2 (2014) -> 262.9 (2023) = x5.45, +445 %, +20.74 % a year.
    assert "Beijing" in text
    assert "x5.45 (+445 %)" in text
    assert "+20.74 % a year" in text
    figs = figures(doc)
    growth = figs[0]  # growth multiples of the highlighted units, labelled with multiple and percentage
    assert [t["name"] for t in growth["data"]] == ["Beijing", "China (national total)", "Shanghai"]
    beijing_bars = dict(zip(growth["data"][0]["y"], growth["data"][0]["text"]))
    assert beijing_bars["Patents per 10,000 people"] == "x5.45 (+445 %)"
    assert growth["data"][0]["x"][growth["data"][0]["y"].index("Patents per 10,000 people")] == pytest.approx(262.9 / 48.2)
    assert figs[1]["data"][0]["y"] == growth["data"][0]["y"]  # the lead chart and the section's, same indicators
    figs = figs[2:]
    assert len(figs) == 2  # one line chart per indicator
    titles = {f["layout"]["title"]["text"] for f in figs}
    assert "Patents per 10,000 people (patents_per_10k)" in titles
    per_capita = text.index("Per-capita views")
    assert per_capita > text.index("Indicators over time")
    # Highlighted units are coloured lines with markers, peers grey.
    patents = next(f for f in figs if "patents" in f["layout"]["title"]["text"])
    names = [t["name"] for t in patents["data"] if t["mode"] == "lines+markers"]
    assert names == ["Beijing", "China (national total)", "Shanghai"]
    beijing = next(t for t in patents["data"] if t["name"] == "Beijing")
    assert beijing["y"][0] == 48.2 and beijing["y"][-1] == 262.9
    assert patents["layout"]["xaxis"]["tickformat"] == "d"
    # The unit with one point has no growth, shown with its note.
    assert "fewer than two points" in text


def test_trends_highlight_argument_overrides_manifest(make_results):
    out = render_report(make_results("trends"), highlight=["guangdong", "CN-ZJ", "nowhere"])
    doc = parse(out)
    patents = next(f for f in figures(doc) if f["layout"]["title"]["text"].startswith("Patents"))
    assert [t["name"] for t in patents["data"] if t["mode"] == "lines+markers"] == ["Guangdong", "Zhejiang"]
    assert "Not found among the units: nowhere." in " ".join(doc.text)


def test_index_report(make_results):
    folder = make_results("index")
    out = render_report(folder, folder / "out" / "index.html")
    doc = parse(out)
    text = " ".join(doc.text)
    for section in ("Framework", "Ranking", "Top units", "Unit profile", "Statistical audit",
                    "Rank intervals", "Sobol indices", "Method"):
        assert section in text
    html = out.read_text(encoding="utf-8")
    # Framework tree nests indicators under pillars under sub-indices.
    assert re.search(r"Innovation Index.*?Sub-index Conn.*?Pillar P0.*?Indicator P0_I0", html, re.S)
    assert "lower is better" in text
    # Ranking table: every unit, sorted by rank.
    table = re.search(r'<table class="sortable" id="table-1">(.*?)</table>', html, re.S).group(1)
    assert table.count("<tr>") == 8 + 1
    ranks = [int(v) for v in re.findall(r'<tr><td data-v="(\d+)">', table)]
    assert ranks == sorted(ranks) and ranks[0] == 1
    # Unit profile: one variant per unit, pillar scores + median of all units + group median.
    variants = next(v for k, v in doc.json_blocks.items() if k.endswith("-variants"))
    assert len(variants["items"]) == 8
    base = variants["base"]
    assert [t["name"] for t in base["data"]][1] == "median of all units"
    assert len(base["data"][0]["y"]) == 4
    # Other units differ in their own bars and title only; the overall median is shared.
    second = variants["items"][1]
    assert second["n"] == 3 and "y" in second["data"][0] and second["data"][1] == {}
    assert set(second["layout"]) == {"title"}
    figs = figures(doc)
    kinds = sorted({t["type"] for f in figs for t in f["data"]})
    assert kinds == ["bar", "heatmap", "scatter"]
    heat = next(f for f in figs if f["data"][0]["type"] == "heatmap")
    assert len(heat["data"][0]["z"]) == 12 and heat["data"][0]["zmin"] == -1
    intervals = next(f for f in figs if f["data"][0].get("error_x") and f["data"][0]["type"] == "scatter")
    assert len(intervals["data"][0]["y"]) == 8
    # Audit: three heatmaps from the long correlation table + one from the square matrix.
    heat_titles = [f["layout"]["title"]["text"] for f in figs if f["data"][0]["type"] == "heatmap"]
    assert len(heat_titles) == 4 and heat_titles[1] == "Indicators with their aggregates"
    upward = next(f for f in figs if f["layout"]["title"]["text"] == "Indicators with their aggregates")["data"][0]
    assert len(upward["y"]) == 12 and len(upward["x"]) == 4 + 2 + 1  # indicators x (pillars, sub-indices, index)
    assert "1 of 12 rows flagged" in text
    sobol = next(f for f in figs if "Sobol" in f["layout"]["title"]["text"])
    assert [t["error_y"]["array"][0] for t in sobol["data"]] == pytest.approx([0.1, 0.1])


def test_index_framework_from_the_checked_meta_input(make_results):
    folder = make_results("index")
    html = render_report(folder).read_text(encoding="utf-8")
    # weights.csv has no parents: the tree comes from the iMeta input, with the build's weights.
    assert "Framework read from the build&#x27;s input iMeta.csv" in html
    assert re.search(r"Pillar P1 <span class=\"code\">P1</span> <span class=\"w\">weight 2 \(67 % of parent\)", html)
    meta = folder / "inputs" / "iMeta.csv"
    meta.write_text(meta.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    html = render_report(folder).read_text(encoding="utf-8")
    assert "changed since the build" in html and '<ul class="tree">' not in html


def test_index_with_full_weights_table(make_results):
    html = render_report(make_results("index", full_weights=True)).read_text(encoding="utf-8")
    assert '<ul class="tree">' in html and "Framework read from" not in html


def test_index_without_audit_or_sensitivity(make_results):
    out = render_report(make_results("index", audit=False, sensitivity=False))
    text = " ".join(parse(out).text)
    assert "Ranking" in text and "Statistical audit" not in text and "Sensitivity analysis" not in text


def test_rank_report(make_results):
    out = render_report(make_results("rank"))
    doc = parse(out)
    text = " ".join(doc.text)
    for section in ("Level: countries", "Level: institutions", "Yearly trend (countries)",
                    "Records behind a unit (institutions)", "Rejected records"):
        assert section in text
    drills = [v for k, v in doc.json_blocks.items() if k.startswith("drill-")]
    assert len(drills) == 2
    countries = drills[0]
    assert countries["columns"][:2] == ["record_id", "year"]
    # Each unit's records carry its fractional credits, which sum to its p_frac.
    assert countries["columns"] == ["record_id", "year", "type", "title", "citations", "source_format", "p_full", "p_frac"]
    col = countries["columns"].index("p_frac")
    first = countries["units"][0]
    top = next(f for f in figures(doc) if "countries" in f["layout"]["title"]["text"] and f["data"][0]["type"] == "bar")
    assert sum(r[col] for r in first["rows"]) == pytest.approx(top["data"][0]["x"][0], rel=1e-6)
    # Stability interval p_frac_lb .. p_frac_ub as error bars.
    assert top["data"][0]["error_x"]["array"][0] == pytest.approx(top["data"][0]["x"][0] * 0.2, rel=1e-5)
    # summary.json in words, not dumped ("levels / country / reconciled True").
    assert "levels / countries" not in text
    assert "5 units; credits add up to the records" in text
    # HTML table: the intervals of p_frac, share and rank stay; those of pp_top10 go to the CSV/workbook.
    html = out.read_text(encoding="utf-8")
    header = re.search(r"<thead><tr>(.*?)</tr></thead>", html[html.index("<h3>Table (countries)</h3>"):]).group(1)
    cols = re.findall(r"<th[^>]*>([^<]+)", header)
    assert {"p_frac_lb", "p_frac_ub", "share_lb", "rank_ub", "pp_top10"} <= set(cols)
    assert "pp_top10_lb" not in cols
    assert "2 interval columns of secondary indicators" in text


def test_rank_drill_down_without_records_table(make_results):
    doc = parse(render_report(make_results("rank", with_records=False)))
    drills = [v for k, v in doc.json_blocks.items() if k.startswith("drill-")]
    assert drills[0]["columns"] == ["record_id", "p_full", "p_frac"]
    assert all(len(row) == 3 for unit in drills[0]["units"] for row in unit["rows"])


def test_growth_table_for_many_highlighted_pairs(make_results):
    folder = make_results("trends")
    out = render_report(folder, highlight=["CN", "CN-BJ", "CN-SH", "CN-GD", "CN-JS", "CN-ZJ", "CN-SC"])
    html = out.read_text(encoding="utf-8")
    section = html[html.index("<h2>Growth of the highlighted units</h2>"): html.index("<h2>Indicators over time</h2>")]
    assert "<li>" not in section and "<th" in section
    assert "x5.45 (+445 %), +20.74 % a year, 2014-2023" in section


def test_log_scale_buttons_only_for_wide_ranges(make_results):
    doc = parse(render_report(make_results("trends")))
    figs = {f["layout"]["title"]["text"]: f for f in figures(doc)}
    contract = figs["Technology contract value (contract_value)"]
    ys = [y for t in contract["data"] for y in t["y"] if y]
    assert (max(ys) / min(ys) > 50) == ("updatemenus" in contract["layout"])
    patents = figs["Patents per 10,000 people (patents_per_10k)"]
    ys = [y for t in patents["data"] for y in t["y"] if y]
    assert (max(ys) / min(ys) > 50) == ("updatemenus" in patents["layout"])
    assert any("updatemenus" in f["layout"] for f in figs.values())


def test_counts_that_do_not_add_up_are_flagged(make_results):
    folder = make_results("cities")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["counts"] = {"read": 12667, "used": 12219, "rejected": 0}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = " ".join(parse(render_report(folder)).text)
    assert "read 12,667 differs from used 12,219 + rejected 0 by 448" in text


def test_duplicates_are_part_of_the_reconciliation(make_results):
    folder = make_results("cities")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["counts"] = {"read": 12667, "used": 12219, "rejected": 0, "duplicates": 448}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = " ".join(parse(render_report(folder)).text)
    assert "read 12,667 = used 12,219 + rejected 0 + duplicates 448" in text
    assert "differs" not in text


def test_generic_report_lists_every_table(make_results):
    out = render_report(make_results("generic"))
    doc = parse(out)
    text = " ".join(doc.text)
    assert "Munich" in text and "Aalborg" in text
    assert "Listed in the manifest but missing: missing.csv." in text
    # The ranked table gets a bar chart of its first units, by share; the unranked one none.
    figs = figures(doc)
    assert len(figs) == 1
    assert figs[0]["data"][0]["y"] == ["Munich", "Beijing", "Leiden"] and figs[0]["data"][0]["x"] == [18.4, 16.8, 7.5]
    html = out.read_text(encoding="utf-8")
    assert "<td>2023</td>" in html or 'data-v="2023">2023<' in html  # years without a thousands separator


def test_achievements_report(make_results):
    doc = parse(render_report(make_results("achievements")))
    text = " ".join(doc.text)
    for section in ("Achievement list", "Level: country", "Level: institution", "Records behind a unit (institution)"):
        assert section in text
    assert "drilldown" not in [t for t in text.split() if t.startswith("Level")]
    drills = [v for k, v in doc.json_blocks.items() if k.startswith("drill-")]
    assert drills[0]["columns"] == ["record_id", "year", "period", "category", "work", "p_full", "p_frac", "V"]
    usa = drills[0]["units"][0]
    assert [r[0] for r in usa["rows"]] == ["A01", "A02", "A03"]


@pytest.mark.parametrize("kind", ["trends", "index", "rank", "achievements", "cities"])
def test_method_section_and_determinism(make_results, tmp_path, kind):
    folder = make_results(kind)
    a = render_report(folder, tmp_path / "a.html")
    b = render_report(folder, tmp_path / "b.html")
    assert a.read_bytes() == b.read_bytes()
    text = " ".join(parse(a).text)
    method = text[text.index("Method"):]
    assert "read 10 = used 8 + rejected 2" in method
    assert "3a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7" in method  # sha256("data")
    assert "Step log" in method and "Specification" in method


def test_errors_name_the_folder(tmp_path):
    with pytest.raises(DataError, match="no manifest.json"):
        render_report(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        render_report(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "trends", "tables": {}}')
    with pytest.raises(DataError, match="trends.csv"):
        render_report(tmp_path)


def test_maybe_write_report(make_results):
    folder = make_results("cities")
    assert maybe_write_report(folder, False) is None
    assert not (folder / "report.html").exists()
    assert maybe_write_report(folder, True) == folder / "report.html"
    assert (folder / "report.html").is_file()


def test_cli(make_results, tmp_path):
    from innometrics.cli.main import app

    folder = make_results("rank")
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(folder), "--out", str(tmp_path / "r.html"), "--xlsx", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.html").is_file() and (tmp_path / "r.xlsx").is_file()
    result = runner.invoke(app, ["report", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    ("text", "per_capita"),
    [
        ("invention_patents_per_10k", True),
        ("high_tech_enterprises_per_10000_resident_population", True),
        ("Patents per 10,000 people", True),
        ("GDP per capita", True),
        ("每万人发明专利拥有量", True),
        ("New technology companies founded per day", False),
        ("new_tech_companies_per_day", False),
        ("papers_sci", False),
    ],
)
def test_per_capita_views_are_recognised(text, per_capita):
    from innometrics.report.trends import _PER_CAPITA

    assert bool(_PER_CAPITA.search(text)) == per_capita


def test_tables_outside_the_folder_are_refused(make_results, tmp_path):
    folder = make_results("cities")
    (tmp_path / "secret.csv").write_text("a,b\n1,2\n")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["secret"] = "../secret.csv"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match="outside the results folder"):
        render_report(folder)


def test_missing_trends_columns_are_named(make_results):
    folder = make_results("trends")
    (folder / "trends.csv").write_text("unit,indicator,multiple\nCN-BJ,x,2.0\n")
    with pytest.raises(DataError, match="first_period, last_period, first_value, last_value, cagr, n_points"):
        render_report(folder)


def test_index_panel_results_show_the_latest_period(make_results):
    import pandas as pd

    folder = make_results("index", audit=False, sensitivity=False)
    res = pd.read_csv(folder / "results.csv")
    older = res.assign(Index=res["Index"] - 10, Time=2019)
    pd.concat([older, res.assign(Time=2020)]).to_csv(folder / "results.csv", index=False)
    html = render_report(folder).read_text(encoding="utf-8")
    assert "Period 2020 (the latest of 2; every period is in results.csv)." in html
    table = html[html.index("<h2>Ranking</h2>"):]
    assert table[: table.index("</table>")].count("<tr>") == len(res) + 1


def test_unit_groups_come_from_the_checked_data_input(make_results):
    import hashlib

    import pandas as pd

    folder = make_results("index", audit=False, sensitivity=False)
    res = pd.read_csv(folder / "results.csv")
    res.drop(columns="GDP_group").to_csv(folder / "results.csv", index=False)
    data = pd.DataFrame({"uCode": list(res["uCode"]) * 2, "Time": [2019] * len(res) + [2020] * len(res),
                         "GDP_group": ["S", "M", "L", "XL"] * (len(res) // 2),
                         "EurAsia_group": ["Asia"] * len(res) + ["Asia", "Europe"] * (len(res) // 2)})
    data.to_csv(folder / "inputs" / "data.csv", index=False)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["spec"]["data"]["indicators"] = str(folder / "inputs" / "data.csv")
    manifest["inputs"].append({"path": str(folder / "inputs" / "data.csv"),
                               "sha256": hashlib.sha256((folder / "inputs" / "data.csv").read_bytes()).hexdigest()})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    doc = parse(render_report(folder))
    assert "Unit groups read from the build's input data.csv" in " ".join(doc.text)
    variants = next(v for k, v in doc.json_blocks.items() if k.endswith("-variants"))
    # The broadest grouping (EurAsia: 2 groups) of the latest period (2020) gives the group median.
    first = res.sort_values("Rank").iloc[0]
    expected_group = "Asia" if list(res["uCode"]).index(first["uCode"]) % 2 == 0 else "Europe"
    assert variants["base"]["data"][2]["name"] == f"median of EurAsia_group = {expected_group}"


def test_cli_highlight(make_results, tmp_path):
    from innometrics.cli.main import app

    result = CliRunner().invoke(app, ["report", str(make_results("trends")), "-o", str(tmp_path / "t.html"),
                                      "--highlight", "CN-GD", "--highlight", "Zhejiang"])
    assert result.exit_code == 0, result.output
    assert "Highlighted: <b>Guangdong</b>, <b>Zhejiang</b>." in (tmp_path / "t.html").read_text(encoding="utf-8")
