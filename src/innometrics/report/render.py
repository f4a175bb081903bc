"""``render_report``: one self-contained HTML file (and optionally a workbook) per results folder.

The manifest's ``kind`` picks the renderer (:data:`RENDERERS`); any other kind gets
the generic report listing every table. Every report ends with the Method section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from innometrics import __version__
from innometrics.errors import reading
from innometrics.io.writers import write_text
from innometrics.report import achievements, generic, index, rank, trends
from innometrics.report.charts import plotly_js
from innometrics.report.context import ResultsDir, method_section
from innometrics.report.excel import export_excel
from innometrics.report.html import Page

#: Manifest kind -> function adding that kind's sections to the page.
RENDERERS: dict[str, Callable[[ResultsDir, Page], None]] = {
    "trends": trends.render,
    "index": index.render,
    "rank": rank.render,
    "achievements": achievements.render,
}

TITLES = {
    "trends": "Indicator trends",
    "index": "Composite index",
    "rank": "Contribution ranking",
    "achievements": "Achievement lists",
}

REPORT_NAME = "report.html"

#: Reports stay under 5 MB (issue 5). plotly.js alone is about 4.8 MB; a page that would
#: pass this limit with the plain bundle carries it gzipped instead (about 2 MB).
SIZE_LIMIT = 5_000_000


def _title(results: ResultsDir) -> tuple[str, str]:
    m = results.manifest
    spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
    title = m.get("title") or spec.get("title") or spec.get("name")
    if not isinstance(title, str) or not title.strip():
        title = TITLES.get(results.kind, results.kind.replace("_", " ").capitalize())
    subtitle = f"{results.kind} results from {results.path.name}"
    return title, subtitle


def build_page(results: ResultsDir) -> Page:
    """The report page for ``results`` (not yet serialised)."""
    title, subtitle = _title(results)
    page = Page(title=title, subtitle=subtitle)
    RENDERERS.get(results.kind, generic.render)(results, page)
    method_section(results, page)
    return page


def render_report(
    results_dir: str | Path,
    out: str | Path | None = None,
    *,
    xlsx: str | Path | None = None,
    highlight: Sequence[str] | None = None,
    compress_plotly: bool | None = None,
) -> Path:
    """Render the results in ``results_dir`` as one self-contained HTML file.

    Parameters
    ----------
    results_dir : path
        A build's output folder (it holds ``manifest.json``).
    out : path, optional
        The HTML file; default ``<results_dir>/report.html``.
    xlsx : path, optional
        Also write an Excel workbook, one sheet per table.
    highlight : sequence of str, optional
        Units (codes or names) drawn in colour in trend charts; default: the
        manifest's ``highlight``.
    compress_plotly : bool, optional
        Carry plotly.js gzipped (True) or plain (False); default (None): plain unless
        the page would pass :data:`SIZE_LIMIT`.

    Returns
    -------
    Path
        The HTML file written. Same inputs give the same bytes.
    """
    with reading(results_dir, "results folder"):
        results = ResultsDir.open(results_dir, highlight=highlight)
    page = build_page(results)
    target = Path(out) if out is not None else results.path / REPORT_NAME
    html = render_html(page, compress=compress_plotly)
    write_text(html, target)
    if xlsx is not None:
        export_excel(results, xlsx)
    return target


def render_html(page: Page, *, compress: bool | None = None) -> str:
    """Serialise ``page``; with ``compress=None`` gzip plotly.js only when the plain page is too big."""
    generator = f"innometrics {__version__}"
    if compress is None:
        html = page.render(generator=generator, plotly_js=plotly_js())
        if len(html.encode("utf-8")) < SIZE_LIMIT:
            return html
        compress = True
    return page.render(generator=generator, plotly_js=plotly_js(), compress_plotly=compress)


def maybe_write_report(out_dir: str | Path, enabled: bool, *, highlight: Sequence[str] | None = None) -> Path | None:
    """For build commands: write ``<out_dir>/report.html`` unless ``enabled`` is False (``--no-report``).

    Returns the report's path, or None when disabled.
    """
    if not enabled:
        return None
    return render_report(out_dir, Path(out_dir) / REPORT_NAME, highlight=highlight)
