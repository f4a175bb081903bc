"""Reports opened in a real headless Chromium (selenium + chromedriver).

Skipped with a message when Chromium, chromedriver or selenium is missing on a developer's
machine (``.ci/install-chromium.sh`` installs Debian's ``chromium`` and ``chromium-driver``);
in CI (``CI=true``) a missing or broken browser FAILS, so the checks cannot silently vanish.
Checks at 1440x900: the headline, the first table and the lead chart are within the first
900 px, every chart (maps included) is drawn as SVG with data, no network request is made
(Chrome's performance log), no console error; at 390 px the page does not scroll sideways.
Also: table search filters rows, header click sorts, the select boxes switch charts and
drill-downs, hostile names show as text and open no alert. Screenshots (first screen, whole
page, phone) are kept in ``test-artifacts/`` (CI keeps them as artifacts).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from innometrics.report import render_report

from hostile_strings import ATTR, SCRIPT
from tools_present import tool_missing

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Folders where `make demo` leaves results (each sub-folder with a report.html is opened too).


def _find_chromium() -> tuple[str, str] | None:
    binary = os.environ.get("CHROMIUM") or next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
    if binary and driver:
        return binary, driver
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        tool_missing("selenium is not installed: pip install -e '.[test]' to run the browser tests")
    found = _find_chromium()
    if found is None:
        tool_missing("Chromium or chromedriver not found: run .ci/install-chromium.sh "
                     "(apt-get install chromium chromium-driver) to run the browser tests")
    binary, driver_path = found
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1280,1800"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # A browser that is installed but cannot start is an error, not a skip.
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _viewport(driver, width: int, height: int) -> None:
    """Set the page's viewport exactly (the window size would include the browser's own bars)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _open(driver, path: Path, *, timeout: float = 30.0) -> list[dict]:
    """Load ``path``; wait until every chart has drawn; return the console log entries."""
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = driver.execute_script(
            "return Array.prototype.filter.call(document.querySelectorAll('div.chart'),"
            " function(d){return !d.querySelector('svg.main-svg');}).length;")
        if pending == 0:
            break
        time.sleep(0.2)
    return driver.get_log("browser")


def _assert_no_network(driver) -> None:
    """No request left the file: every request Chrome logged is file:, data: or blob:."""
    import json as _json

    urls = []
    for entry in driver.get_log("performance"):
        message = _json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    outside = [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert urls, "the performance log recorded no request at all (not even the file): the check is blind"
    assert not outside, outside


def _assert_answer_first(driver) -> dict:
    """At 1440x900 the headline, the lead table and the lead chart start within the first 900 px."""
    box = driver.execute_script("""
      function b(sel){var e=document.querySelector(sel);if(!e){return null;}var r=e.getBoundingClientRect();
        return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};}
      return {headline: b('.lead .headline'), table: b('.lead table'), chart: b('.lead .chart'),
              text: (document.querySelector('.lead .headline')||{}).textContent};""")
    assert box["headline"] and box["headline"]["bottom"] <= 900, box
    assert box["table"] and box["table"]["top"] < 900, box
    # The table's first rows are on screen, not just its header.
    assert box["table"]["top"] + 120 < 900, box
    if box["chart"]:
        assert box["chart"]["top"] < 900, box
    return box


def _assert_maps_drawn(driver) -> int:
    """Every map (a chart with a geo subplot) draws its base land and its data."""
    maps = driver.execute_script("""
      return Array.prototype.filter.call(document.querySelectorAll('div.chart'), function(d){
        return d._fullLayout && d._fullLayout.geo;}).map(function(d){
        return {id: d.id, geo: d.querySelectorAll('.geo path').length,
                data: d.querySelectorAll('g.choroplethlayer path, g.scattergeolayer path, g.trace path').length};});""")
    for m in maps:
        assert m["geo"] > 0 and m["data"] > 0, m
    return len(maps)


def _assert_fits_phone(driver, path: Path, name: str) -> None:
    """At 390 px the page does not scroll sideways (wide tables scroll inside their box)."""
    _viewport(driver, 390, 844)
    _open(driver, path, timeout=60)
    width = driver.execute_script("return document.documentElement.scrollWidth;")
    assert width <= 392, width
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}-phone.png"))
    _viewport(driver, 1440, 900)


def _assert_no_console_errors(log: list[dict]) -> None:
    errors = [e for e in log if e.get("level") in ("SEVERE", "ERROR")]
    assert not errors, errors


def _assert_charts_drawn(driver) -> int:
    charts = driver.execute_script("""
      return Array.prototype.map.call(document.querySelectorAll('div.chart'), function(d){
        return {id: d.id, svg: d.querySelectorAll('svg.main-svg').length,
                traces: (d._fullData || []).length,
                marks: d.querySelectorAll('g.trace path, g.trace .point, g.hm image, g.heatmaplayer image').length};
      });""")
    for c in charts:
        assert c["svg"] > 0 and c["traces"] > 0 and c["marks"] > 0, c
    return len(charts)


def _visible_rows(driver, table_id: str) -> int:
    return driver.execute_script(
        "return Array.prototype.filter.call(document.getElementById(arguments[0]).tBodies[0].rows,"
        " function(r){return !r.hidden;}).length;", table_id)


def _assert_search_filters(driver) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, "input.tsearch")
    driver.execute_script("arguments[0].scrollIntoView();", box)
    table_id = box.get_attribute("data-for")
    total = _visible_rows(driver, table_id)
    # Search for the text of the last row's first non-empty cell: at least one row, fewer than all.
    needle = driver.execute_script(
        "var rows=document.getElementById(arguments[0]).tBodies[0].rows, r=rows[rows.length-1];"
        "for(var i=0;i<r.cells.length;i++){var t=r.cells[i].textContent.trim(); if(t.length>3){return t;}}"
        "return r.cells[0].textContent.trim();", table_id)
    box.send_keys(needle)
    shown = _visible_rows(driver, table_id)
    assert 1 <= shown <= total
    box.clear()
    box.send_keys("zzzz-no-such-unit")
    assert _visible_rows(driver, table_id) == 0
    count = driver.find_element(By.CSS_SELECTOR, f"input.tsearch[data-for='{table_id}'] ~ .tcount").text
    assert count.startswith("0 of ")
    box.clear()
    box.send_keys(" ")
    assert _visible_rows(driver, table_id) == total


def _assert_sort(driver) -> None:
    from selenium.webdriver.common.by import By

    # The first numeric column of a table with at least two rows with values (a lead table may have one row).
    header = next(h for h in driver.find_elements(By.CSS_SELECTOR, "table.sortable th.num")
                  if driver.execute_script(
                      "var t=arguments[0].closest('table'),c=arguments[0].cellIndex;"
                      "return Array.prototype.filter.call(t.tBodies[0].rows,function(r){"
                      "return r.cells[c].getAttribute('data-v')!==null;}).length;", h) >= 2)
    table = header.find_element(By.XPATH, "ancestor::table")
    col = driver.execute_script("return arguments[0].cellIndex;", header)
    column_values = (
        "var t=arguments[0], c=arguments[1];"
        "return Array.prototype.map.call(t.tBodies[0].rows, function(r){"
        "var v=r.cells[c].getAttribute('data-v'); return v===null?null:parseFloat(v);});")
    header.click()
    numbers = [v for v in driver.execute_script(column_values, table, col) if v is not None]
    assert len(numbers) >= 2 and numbers == sorted(numbers)
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    numbers = [v for v in driver.execute_script(column_values, table, col) if v is not None]
    assert numbers == sorted(numbers, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"


def _screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0);")
    driver.save_screenshot(str(ARTIFACTS / f"{name}-first-screen.png"))
    height = driver.execute_script("return document.documentElement.scrollHeight;")
    _viewport(driver, 1440, min(max(int(height), 900), 12000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    _viewport(driver, 1440, 900)


def _assert_no_alert(driver) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - raises when no alert is open


@pytest.mark.parametrize("kind", ["trends", "index", "rank", "achievements", "cities"])
def test_report_in_chromium(browser, make_results, kind):
    out = render_report(make_results(kind, hostile=True))
    _viewport(browser, 1440, 900)
    log = _open(browser, out)
    _assert_no_alert(browser)
    _assert_no_console_errors(log)
    _assert_no_network(browser)
    assert _assert_charts_drawn(browser) > 0
    _assert_answer_first(browser)
    if kind == "cities":
        assert _assert_maps_drawn(browser) == 1
    # The hostile names are on the page as text.
    assert SCRIPT in browser.execute_script("return document.body.innerText;")
    _assert_search_filters(browser)
    _assert_sort(browser)
    _screenshot(browser, f"report-{kind}")
    _assert_no_console_errors(browser.get_log("browser"))


def test_unit_profile_switch_and_drill_down(browser, make_results):
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.common.by import By

    _open(browser, render_report(make_results("index")))
    select = browser.find_element(By.CSS_SELECTOR, "select.switch")
    chart_id = select.get_attribute("data-target")
    title = "return document.getElementById(arguments[0]).layout.title.text;"
    first = browser.execute_script(title, chart_id)
    Select(select).select_by_index(3)
    time.sleep(0.3)
    third = browser.execute_script(title, chart_id)
    assert first != third and third.startswith("Unit ")
    _assert_no_console_errors(browser.get_log("browser"))

    _open(browser, render_report(make_results("rank")))
    drill = browser.find_element(By.CSS_SELECTOR, "select.drill")
    out_id = drill.get_attribute("data-out")
    rows = "return document.getElementById(arguments[0]).querySelectorAll('tbody tr').length;"
    before = browser.execute_script(rows, out_id)
    assert before > 0
    labels = [o.text for o in Select(drill).options]
    Select(drill).select_by_index(len(labels) - 1)
    after = browser.execute_script(rows, out_id)
    expected = int(labels[-1].rsplit(", ", 1)[1].split()[0])
    assert after == expected
    _assert_no_console_errors(browser.get_log("browser"))


def test_gzipped_plotly_unpacks_in_chromium(browser, make_results, tmp_path):
    out = render_report(make_results("index"), tmp_path / "packed.html")
    assert out.stat().st_size < 2_500_000
    log = _open(browser, out)
    _assert_no_console_errors(log)
    assert _assert_charts_drawn(browser) >= 5


def _designations_folder(tmp_path: Path) -> Path:
    """A designations build as ``innometrics views designations`` writes it, from the example's synthetic
    people table plus people, institutions and a field with hostile names."""
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    example = ROOT / "examples" / "views"
    people = (example / "designations_synthetic.csv").read_text(encoding="utf-8").rstrip("\n").splitlines()
    people += [f'"{SCRIPT}",Physics,"{SCRIPT}",France,,', f'Researcher 99,"{SCRIPT}","{ATTR.replace(chr(34), 2 * chr(34))}",Japan,,']
    (tmp_path / "people.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    (tmp_path / "designations.toml").write_text((example / "designations.toml").read_text(encoding="utf-8")
                                                .replace("designations_synthetic.csv", "people.csv"), encoding="utf-8")
    out = tmp_path / "designations"
    result = CliRunner().invoke(app, ["views", "designations", str(tmp_path / "designations.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_designations_report_in_chromium(browser, tmp_path):
    """The designations page: country map lead, tables by institution and country, the people table."""
    from selenium.webdriver.common.by import By

    report = _designations_folder(tmp_path) / "report.html"
    _viewport(browser, 1440, 900)
    log = _open(browser, report)
    _assert_no_alert(browser)
    _assert_no_console_errors(log)
    _assert_no_network(browser)
    assert _assert_charts_drawn(browser) > 0
    box = _assert_answer_first(browser)
    assert "designations" in box["text"] and "United States" in box["text"]
    assert _assert_maps_drawn(browser) == 1  # the lead is the country map
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "main h2, main h3")]
    assert {"By country", "By institution", "People"} <= set(headings), headings
    text = browser.execute_script("return document.body.innerText;")
    assert SCRIPT in text and ATTR in text  # hostile names are text, never markup
    _assert_search_filters(browser)
    _assert_sort(browser)
    _screenshot(browser, "report-designations")
    _assert_fits_phone(browser, report, "report-designations")
    _assert_no_console_errors(browser.get_log("browser"))


#: Report folders that `innometrics demo` writes (issue 5: trends, index with sensitivity, rankings).
DEMO_REPORTS = ("beijing", "china_provinces", "china_st_index", "asem_index", "rank_wos", "achievements", "cities", "clusters",
                "nature_index")
#: Demo reports whose lead is a map (countries, cities, clusters).
DEMO_MAPS = ("asem_index", "rank_wos", "achievements", "cities", "clusters", "nature_index")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The demo's output: $INNOMETRICS_DEMO_DIR if set, else a fresh `innometrics demo` run."""
    extra = os.environ.get("INNOMETRICS_DEMO_DIR")
    if extra:
        return Path(extra)
    from typer.testing import CliRunner

    from innometrics.cli.main import app

    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", DEMO_REPORTS)
def test_demo_reports_in_chromium(browser, demo_dir, name):
    report = demo_dir / name / "report.html"
    assert report.is_file(), f"the demo wrote no {report}"
    assert report.stat().st_size < 2_500_000
    _viewport(browser, 1440, 900)
    log = _open(browser, report, timeout=60)
    _assert_no_console_errors(log)
    _assert_no_network(browser)
    assert _assert_charts_drawn(browser) > 0
    _assert_answer_first(browser)
    assert (_assert_maps_drawn(browser) > 0) == (name in DEMO_MAPS)
    _screenshot(browser, "demo-" + name)
    if browser.find_elements("css selector", "input.tsearch"):
        _assert_search_filters(browser)
    _assert_fits_phone(browser, report, "demo-" + name)
    _assert_no_console_errors(browser.get_log("browser"))
