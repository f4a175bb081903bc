"""``render_report``: one self-contained HTML file (and optionally a workbook) per results folder.

The manifest's ``kind`` picks the page (:data:`innometrics.report.pages.PAGES`, filled by
the page modules imported here); a kind without a page gets the generic report
listing every table. Every report opens with its answer and ends with the Method
section.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from innometrics import __version__
from innometrics.errors import reading
from innometrics.io.writers import write_text
# Importing the page modules registers their pages (innometrics.report.pages.PAGES).
from innometrics.report import achievements, generic, index, rank, trends, views  # noqa: F401
from innometrics.report.charts import plotly_js
from innometrics.report.context import ResultsDir, method_section
from innometrics.report.excel import export_excel
from innometrics.report.html import Page
from innometrics.report.pages import PAGES

REPORT_NAME = "report.html"

#: Reports stay under 2.5 MB (issue 15): plotly.js (about 4.8 MB plain) always travels
#: gzipped (about 1.4 MB) and is unpacked by the browser.
SIZE_LIMIT = 2_500_000


def _title(results: ResultsDir) -> tuple[str, str]:
    m = results.manifest
    spec = m.get("spec") if isinstance(m.get("spec"), dict) else {}
    title = m.get("title") or spec.get("title") or spec.get("name")
    if not isinstance(title, str) or not title.strip():
        page = PAGES.get(results.kind)
        title = page.title if page else results.kind.replace("_", " ").capitalize()
    subtitle = f"{results.kind} results from {results.path.name}"
    return title, subtitle


def build_page(results: ResultsDir) -> Page:
    """The report page for ``results`` (not yet serialised)."""
    title, subtitle = _title(results)
    page = Page(title=title, subtitle=subtitle)
    builder = PAGES[results.kind].build if results.kind in PAGES else generic.render
    builder(results, page)
    method_section(results, page)
    return page


def render_report(
    results_dir: str | Path,
    out: str | Path | None = None,
    *,
    xlsx: str | Path | None = None,
    highlight: Sequence[str] | None = None,
    compress_plotly: bool = True,
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
        Carry plotly.js gzipped (True, the default: no report passes :data:`SIZE_LIMIT`)
        or plain (False, for browsers without ``DecompressionStream``).

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


def render_html(page: Page, *, compress: bool = True) -> str:
    """Serialise ``page``, with plotly.js gzipped unless ``compress`` is False."""
    return page.render(generator=f"innometrics {__version__}", plotly_js=plotly_js(), compress_plotly=compress)


def maybe_write_report(out_dir: str | Path, enabled: bool, *, highlight: Sequence[str] | None = None,
                       xlsx: str | Path | None = None) -> Path | None:
    """For build commands: write ``<out_dir>/report.html`` unless ``enabled`` is False (``--no-report``),
    and the workbook ``xlsx`` when given (``--xlsx``, written even with ``--no-report``).

    Returns the report's path, or None when disabled.
    """
    if not enabled:
        if xlsx is not None:
            export_excel(ResultsDir.open(out_dir), xlsx)
        return None
    return render_report(out_dir, Path(out_dir) / REPORT_NAME, highlight=highlight, xlsx=xlsx)
