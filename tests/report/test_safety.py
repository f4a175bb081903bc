"""Safety and self-containment: hostile strings render as text, nothing is fetched, size stays small."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from innometrics.report import render_report
from innometrics.report.charts import plotly_js
from innometrics.report.html import esc, gunzip_base85, json_script, safe_json

from hostile_strings import ATTR, CLOSE_PRE, SCRIPT

KINDS = ["trends", "index", "rank", "achievements", "cities", "generic"]
EXTERNAL = ("http:", "https:", "//", "ftp:", "file:")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.json_blocks: list[object] = []
        self.scripts: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is None:
            return
        if self._script.get("type") == "application/json":
            self.json_blocks.append(json.loads(data))
        else:
            self.scripts.append(data)


def _parse(path: Path) -> tuple[str, _Tags]:
    text = path.read_text(encoding="utf-8")
    p = _Tags()
    p.feed(text)
    return text, p


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


@pytest.mark.parametrize("kind", KINDS)
def test_hostile_strings_render_as_text(make_results, kind):
    html, doc = _parse(render_report(make_results(kind, hostile=True)))
    # Only our own script elements: inline code without attributes, or JSON data blocks.
    for tag, attrs in doc.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "script":
            assert attrs == {} or (set(attrs) == {"type", "id"} and attrs["type"] in ("application/json", "text/plain")), attrs
    code = [t for t, a in doc.tags if t == "script" and a == {}]
    # The unpacker of the gzipped plotly.js, the page's own script, and the map's asset loader.
    assert len(code) == (3 if "geo-world" in html else 2)
    # No raw injected markup anywhere in the file; the escaped text is there.
    assert "<script>alert(" not in html
    assert 'onmouseover="x' not in html
    assert esc(SCRIPT) in html  # &lt;script&gt;alert(1)&lt;/script&gt;
    assert esc(CLOSE_PRE) in html  # the spec text stays inside its <pre>
    assert esc(ATTR) in html
    # Strings handed to Plotly are HTML-escaped (Plotly parses tags in text); drill-down data
    # stays raw because the page writes it with textContent.
    figure_strings = [s for block in doc.json_blocks if isinstance(block, dict) and "layout" in block for s in _strings(block)]
    assert not any("<script" in s for s in figure_strings)
    if kind in ("trends", "index"):
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in s for s in figure_strings)
    if kind in ("rank", "achievements"):
        drill = [b for b in doc.json_blocks if isinstance(b, dict) and "units" in b]
        assert any(s == SCRIPT for b in drill for s in _strings(b))


def test_json_embedding_cannot_close_the_script():
    payload = {"name": "</script><script>alert(1)</script>", "x": "<!-- & \u2028"}
    text = safe_json(payload)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == payload
    block = json_script(payload, 'id" onload="x')
    assert block.startswith('<script type="application/json" id="id&quot; onload=&quot;x">')
    assert block.count("</script>") == 1


@pytest.mark.parametrize("kind", KINDS)
def test_self_contained(make_results, kind):
    html, doc = _parse(render_report(make_results(kind)))
    for tag, attrs in doc.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
        for name in ("src", "href", "action", "data", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(EXTERNAL), (tag, name, value)
        if tag == "a":
            assert attrs.get("href", "#").startswith("#")
    css = html[html.index("<style>"): html.index("</style>")]
    assert "url(" not in css and "@import" not in css
    start = html.index('<script type="text/plain" id="plotly-gz">') + len('<script type="text/plain" id="plotly-gz">')
    assert gunzip_base85(html[start: html.index("</script>", start)]) == plotly_js()


def test_asem_sized_index_report_is_small(make_results, tmp_path):
    # ASEM: 51 countries, 49 indicators in 8 pillars, 2 sub-indices, with audit and sensitivity.
    folder = make_results("index", n_units=51, n_pillars=8, per_pillar=6)
    out = render_report(folder, tmp_path / "asem.html")
    size = out.stat().st_size
    own = size - len(plotly_js().encode("utf-8"))
    assert size < 5_000_000, size
    assert own < 400_000, own  # everything but the plotly.js bundle


def test_plotly_is_always_compressed_and_reports_stay_under_2_5_mb(make_results, tmp_path):
    folder = make_results("index")
    packed = render_report(folder, tmp_path / "packed.html")
    html = packed.read_text(encoding="utf-8")
    assert packed.stat().st_size < 2_500_000
    start = html.index('<script type="text/plain" id="plotly-gz">') + len('<script type="text/plain" id="plotly-gz">')
    blob = html[start: html.index("</script>", start)]
    assert "<" not in blob and "&" not in blob
    assert gunzip_base85(blob) == plotly_js()
    assert render_report(folder, tmp_path / "again.html").read_bytes() == packed.read_bytes()  # deterministic
    plain = render_report(folder, tmp_path / "plain.html", compress_plotly=False)
    assert 'id="plotly-gz"' not in plain.read_text(encoding="utf-8")
