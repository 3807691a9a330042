"""A real headless Chromium opens the reports from file://: no console errors, filters, search and
details work, and screenshots are taken (one copy at /tmp/report-screenshot.png for people to look at).

Needs Debian's `chromium` and `chromium-driver` (installed by .ci/run) and the `selenium` package;
without them these tests skip and say why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.reports import merge, write_html

from .conftest import FIXTURES, load_fixture

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOT_COPY = Path("/tmp/report-screenshot.png")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1366,1800",
]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium is not installed (CI installs it: apt-get install -y chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="report-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def visible_case_ids(driver: Any) -> list[str]:
    rows = driver.find_elements("css selector", "#cases tr.case")
    return [r.get_attribute("id")[len("case-") :] for r in rows if r.is_displayed()]


@pytest.fixture(scope="module")
def faulty_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "index.html"
    write_html(load_fixture("faulty"), out)
    return out


def test_report_in_chromium(browser: Any, faulty_page: Path, tmp_path: Path) -> None:
    run = load_fixture("faulty")
    browser.get(faulty_page.as_uri())
    assert browser.title == "Cognito device operations conformance: http://127.0.0.1:9229"
    assert console_errors(browser) == []
    for section in ("summary", "cases", "coverage", "by-operation", "latency"):
        assert browser.find_element("id", section).is_displayed()
    assert len(visible_case_ids(browser)) == len(run["cases"])

    # Verdict filter: untick PASS, so only the other verdicts stay.
    browser.find_element("css selector", "#verdict-filter input[value='PASS']").click()
    shown = visible_case_ids(browser)
    assert len(shown) == len(run["cases"]) - run["summary"]["PASS"]
    assert "VAL-DEVICEKEY-LENGTH[56]" in shown and "VAL-ACCESSTOKEN-MISSING" not in shown
    assert browser.find_element("id", "shown").text == f"{len(shown)} of {len(run['cases'])} cases shown"

    # The family filter and the text search narrow further; a group without rows disappears.
    browser.find_element("id", "reset-filters").click()
    search = browser.find_element("id", "search")
    search.send_keys("devicekey-length")
    assert visible_case_ids(browser) == [f"VAL-DEVICEKEY-LENGTH[{n}]" for n in (0, 1, 55, 56)]
    assert not browser.find_element("css selector", "tbody[data-family='protocol']").is_displayed()
    search.clear()
    search.send_keys("nothing matches this")
    assert visible_case_ids(browser) == [] and browser.find_element("id", "no-match").is_displayed()
    browser.find_element("id", "reset-filters").click()
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "family")).select_by_value("state")
    assert {i.split("-")[0] for i in visible_case_ids(browser)} == {"STATE"}
    browser.find_element("id", "reset-filters").click()

    # Details expand on click, and collapse again.
    details = browser.find_element("id", "case-VAL-DEVICEKEY-LENGTH[56]-details")
    assert not details.is_displayed()
    browser.find_element("id", "case-VAL-DEVICEKEY-LENGTH[56]").click()
    assert details.is_displayed()
    assert "a 56-character DeviceKey was accepted" in details.text
    assert "curl -sS -X POST" in details.text and "$ACCESS_TOKEN" in details.text
    # The check outcomes, worst first; an outcome's exchange unfolds on a click.
    outcomes = browser.find_element("id", "case-VAL-DEVICEKEY-LENGTH[56]-outcomes")
    assert outcomes.is_displayed()
    rows = outcomes.find_elements("css selector", "tr.outcome")
    assert [r.get_attribute("data-verdict") for r in rows] == ["FAIL", "PASS"]
    request = outcomes.find_element("css selector", "tr.exchange details pre")
    assert not request.is_displayed()
    outcomes.find_element("css selector", "tr.exchange summary").click()
    assert request.is_displayed() and "X-Amz-Target" in request.text
    browser.find_element("id", "case-AUTH-NOT-JWT").click()
    browser.execute_script("window.scrollTo(0, 0)")
    assert console_errors(browser) == []

    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    shutil.copyfile(shot, SCREENSHOT_COPY)


def test_outcomes_and_steps_of_a_real_run_in_chromium(browser: Any, tmp_path: Path) -> None:
    """engine-faulty, a real run: a failing case's checks and the state machine's steps, looked at."""
    page = tmp_path / "index.html"
    write_html(load_fixture("engine-faulty"), page)
    browser.get(page.as_uri() + "#case-STATE-MACHINE")
    steps = browser.find_element("id", "case-STATE-MACHINE-steps")
    assert steps.is_displayed() and "update_other\n3" in steps.text  # the heading is upper-cased by CSS
    browser.get(page.as_uri() + "#case-RES-OTHER-USER-DEVICE")
    table = browser.find_element("id", "case-RES-OTHER-USER-DEVICE-outcomes")
    assert table.is_displayed() and "the other user's device now not_remembered" in table.text
    table.find_element("css selector", "tr.exchange summary").click()
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", table)
    assert console_errors(browser) == []
    shot = tmp_path / "outcomes.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


@pytest.fixture(scope="module")
def moto_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of a real run against moto (in-process) on a few cases: UpdateDeviceStatus and
    ConfirmDevice not implemented, FLOW FAILs."""
    out = tmp_path_factory.mktemp("moto")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    cases = "FLOW-*,VAL-STATUS-ENUM,AUTH-NOT-JWT,STATE-REMEMBERED"
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", "moto", "--case", cases]
    done = subprocess.run(
        [*command, "--report-dir", str(out)], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    return out / "index.html"


def test_the_header_names_the_missing_operations_against_moto(browser: Any, moto_page: Path) -> None:
    browser.get(moto_page.as_uri())
    assert console_errors(browser) == []
    status = browser.find_element("id", "overall-status")
    assert status.is_displayed()
    rows = json.loads(moto_page.with_name("results.json").read_text())["cases"]
    missing = {c["unimplemented"]["operation"] for c in rows if c["verdict"] == "UNIMPLEMENTED"}
    assert {"UpdateDeviceStatus", "ConfirmDevice"} <= missing
    assert re.fullmatch(r"\d+ UNIMPLEMENTED: UpdateDeviceStatus, .* missing", status.text), status.text
    assert all(operation in status.text for operation in missing)
    assert browser.find_element("id", "overall-also").text.startswith("also ")
    # The top causes, biggest first, each a click away from its cases.
    causes = browser.find_elements("css selector", "#top-causes li.cause")
    assert causes[0].is_displayed() and "UpdateDeviceStatus not implemented" in causes[0].text
    assert "NotImplementedError" in causes[0].text
    confirm = next(c for c in causes if "ConfirmDevice not implemented" in c.text)
    confirm.find_element("css selector", "summary").click()
    confirm.find_element("link text", "FLOW-CONFIRM-DEVICE").click()
    assert browser.find_element("id", "case-FLOW-CONFIRM-DEVICE-details").is_displayed()
    # A stacked bar per family, its parts colored by verdict, sized by their counts.
    browser.execute_script("window.scrollTo(0, 0)")
    row = browser.find_element("css selector", "#by-family .famrow[data-family='device-flow']")
    stack = row.find_element("css selector", ".stack")
    assert stack.get_attribute("aria-label").startswith("device-flow: 6 cases, ")
    parts = {s.get_attribute("data-verdict"): s for s in stack.find_elements("css selector", ".seg")}
    assert {"FAIL", "UNIMPLEMENTED"} <= set(parts)
    widths = {v: s.size["width"] for v, s in parts.items()}
    assert sum(widths.values()) == pytest.approx(stack.size["width"], abs=2)
    assert parts["UNIMPLEMENTED"].value_of_css_property("background-color") == "rgba(87, 96, 106, 1)"
    shot = moto_page.with_name("moto.png")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    assert console_errors(browser) == []


def test_a_device_flow_fail_shows_its_exchange_and_curl(browser: Any, moto_page: Path) -> None:
    browser.get(moto_page.as_uri() + "#case-FLOW-NEW-DEVICE-METADATA")
    details = browser.find_element("id", "case-FLOW-NEW-DEVICE-METADATA-details")
    assert (
        details.is_displayed() and "FAIL" in browser.find_element("id", "case-FLOW-NEW-DEVICE-METADATA").text
    )
    assert "curl -sS -i -X POST" in details.text and "RespondToAuthChallenge" in details.text
    outcomes = browser.find_element("id", "case-FLOW-NEW-DEVICE-METADATA-outcomes")
    outcomes.find_element("css selector", "tr.exchange summary").click()
    assert "NewDeviceMetadata" not in outcomes.find_element("css selector", "tr.exchange").text
    assert "AuthenticationResult" in outcomes.find_element("css selector", "tr.exchange").text
    assert console_errors(browser) == []


def test_link_from_the_coverage_table_opens_the_case(browser: Any, faulty_page: Path) -> None:
    browser.get(faulty_page.as_uri() + "#case-RES-UNKNOWN-DEVICE")
    assert browser.find_element("id", "case-RES-UNKNOWN-DEVICE-details").is_displayed()
    assert console_errors(browser) == []


def test_matrix_in_chromium(browser: Any, tmp_path: Path) -> None:
    index = merge([FIXTURES / "reference.results.json", FIXTURES / "faulty.results.json"], tmp_path)
    browser.get(index.as_uri())
    assert console_errors(browser) == []
    rows = browser.find_elements("css selector", "#matrix tr.mrow")
    browser.find_element("id", "only-differing").click()
    shown = [r for r in rows if r.is_displayed()]
    assert 0 < len(shown) < len(rows)
    assert all(r.get_attribute("data-differs") == "true" for r in shown)
    browser.save_screenshot(str(tmp_path / "matrix.png"))
    # A cell opens the target's report at that case, details expanded.
    browser.find_element("css selector", "#matrix tr.mrow[data-differs=true] td.cell a.v-fail").click()
    assert "targets/" in browser.current_url
    opened = [e for e in browser.find_elements("css selector", "tr.details") if e.is_displayed()]
    assert len(opened) == 1
    assert console_errors(browser) == []


def test_the_operation_matrix_in_chromium(browser: Any, tmp_path: Path) -> None:
    """A run of several operations: the matrix near the top, the operation filter, and a cell that opens
    its cases even when a filter hid them."""
    from selenium.webdriver.support.ui import Select

    from .test_operations import JUDGED, several_operations

    run = several_operations()
    page = tmp_path / "index.html"
    write_html(run, page)
    browser.get(page.as_uri())
    assert console_errors(browser) == []
    matrix = browser.find_element("id", "operation-matrix")
    assert matrix.is_displayed()
    rows = matrix.find_elements("css selector", "tr.oprow")
    assert [r.get_attribute("data-operation") for r in rows] == JUDGED
    # It fits the page (1366 px): no column hidden behind a scroll bar.
    assert browser.execute_script(
        "var w = document.querySelector('.opgrid-wrap'); return w.scrollWidth <= w.clientWidth"
    )
    unimplemented = matrix.find_element("css selector", "tr.oprow[data-operation='GetDevice'] td.opcell a")
    assert unimplemented.value_of_css_property("background-color") == "rgba(87, 96, 106, 1)"
    browser.execute_script("document.getElementById('operations').scrollIntoView()")
    shot = tmp_path / "operations.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    shutil.copyfile(shot, SCREENSHOT_COPY.with_name("report-operations.png"))

    # The operation filter: only ListDevices' cases, under its heading alone.
    Select(browser.find_element("id", "operation")).select_by_value("ListDevices")
    listed = [c["id"] for c in run["cases"] if c["operation"] == "ListDevices"]
    assert visible_case_ids(browser) == listed
    headings = browser.find_elements("css selector", "#cases tbody.operation")
    assert [h.get_attribute("data-operation") for h in headings if h.is_displayed()] == ["ListDevices"]

    # A cell of another operation: the filters are reset and its family's group is on screen, below the
    # sticky toolbar.
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element(
        "css selector",
        "#operation-matrix tr.oprow[data-operation='ForgetDevice'] td.opcell[data-family='state'] a",
    ).click()
    group = browser.find_element("id", "group-ForgetDevice-state")
    assert group.is_displayed() and len(visible_case_ids(browser)) == len(run["cases"])
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", group)
    toolbar = browser.execute_script(
        "return document.querySelector('.toolbar').getBoundingClientRect().bottom"
    )
    height = browser.execute_script("return window.innerHeight")
    assert toolbar <= top + 1 and top < height, (toolbar, top, height)
    assert browser.find_element("id", "case-FORGET-STATE-GONE").is_displayed()
    # An operation's name: its heading in the case list, even when the operation filter hid it.
    Select(browser.find_element("id", "operation")).select_by_value("GetDevice")
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element("link text", "AdminListDevices").click()
    heading = browser.find_element("id", "op-AdminListDevices")
    assert heading.is_displayed() and browser.find_element("id", "case-ADMIN-LIST-PAGE-LIMIT").is_displayed()
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", heading)
    toolbar = browser.execute_script(
        "return document.querySelector('.toolbar').getBoundingClientRect().bottom"
    )
    assert toolbar <= top + 1 and top < height, (toolbar, top, height)
    assert console_errors(browser) == []
