"""``rift app`` in headless Chromium: change a parameter, run, see the figure change, pin and
compare, save the scenario and validate it, write the report, stop with Ctrl-C; add an
intervention, fix an election setting and a lever, run, see the figure change, save and
validate.

The app runs as ``rift app`` does, in its own process on a free port of 127.0.0.1, stopped
at the end; the page must fetch nothing from outside 127.0.0.1 (Solara's assets are served
from the ``solara-assets`` package).
"""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from rift.analysis.compare import compare
from rift.analysis.tables import outcome_table
from rift.results import load
from rift.scenario import load_scenario
from tests.test_report import CHROMIUM, _browser

PARAM = "territory.cost_per_member_usd"  # at its maximum, armed control falls within a year


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app(tmp_path):
    """``rift app`` on a free port, 6 runs per batch, its outputs in tmp_path; stopped after."""
    if importlib.util.find_spec("solara") is None:
        if os.environ.get("RIFT_REQUIRE_BROWSER"):
            pytest.fail("the app extra is required (RIFT_REQUIRE_BROWSER)")
        pytest.skip("needs the app extra (pip install -e '.[app]')")
    _browser()  # skips (or fails in CI) without Chromium, before the app starts
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rift", "app", "baseline", "--port", str(port), "--runs", "6",
         "--workers", "2", "--out", str(tmp_path / "out")],
        cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "RIFT_DEBUG": ""},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and "rift app: http" not in line:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
    if "rift app: http" not in line:
        proc.kill()
        pytest.fail(f"rift app did not start: {line!r} {proc.stderr.read()[-2000:]}")
    try:
        yield proc, f"http://127.0.0.1:{port}/", tmp_path
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _choose(page, label: str, option: str) -> None:
    """Pick an option of a Vuetify select by its label."""
    page.locator(".v-select", has=page.locator("label", has_text=label)).first.click()
    menu = page.locator(".menuable__content__active")
    menu.get_by_text(re.compile(f"^{re.escape(option)}$")).first.click()
    page.wait_for_timeout(300)


def _message(page, kind: str, pattern: str, timeout: float = 120_000) -> str:
    loc = page.locator(f".rift-message-{kind}", has_text=re.compile(pattern))
    loc.first.wait_for(timeout=timeout)
    return loc.first.inner_text()


def _click_tab(page, tab) -> None:
    """Click a tab until it is the selected one (a click during a re-render can be lost)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        tab.click()
        try:
            page.wait_for_function(
                "t => t.getAttribute('aria-selected') === 'true'",
                arg=tab.element_handle(),
                timeout=5_000,
            )
            return
        except PlaywrightTimeout:
            continue


def _show_tab(page, name: str, stem: str, other: str) -> None:
    """Show a tab and wait for one of its figures (drawn on the server when it is shown).

    In 2 of 3 CI runs of 2026-12-04 (not once in 6 runs alone or beside other tests) the Map
    tab's figure did not come after its tab was shown, for 30 s and then 120 s. The cause is
    not known (an open defect, in the closing note of issue 24). So when the figure has not
    come in 60 s, the state of the page is reported as a warning and the tab is shown again
    from ``other``, as a user would; the figure must then come.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab = page.get_by_role("tab", name=name, exact=True)
    _click_tab(page, tab)
    figure = page.locator(f"img[data-figure={stem}]").first
    try:
        figure.wait_for(timeout=60_000)
        return
    except PlaywrightTimeout:
        messages = page.locator("[class*=rift-message-]").all_inner_texts()
        shown = page.locator("img[data-figure]").evaluate_all(
            "els => els.map(e => e.dataset.figure)"
        )
        warnings.warn(
            f"no {stem} figure 60 s after showing the {name!r} tab (aria-selected="
            f"{tab.get_attribute('aria-selected')}, figures {shown}, messages {messages}): "
            f"shown again",
            stacklevel=2,
        )
    _click_tab(page, page.get_by_role("tab", name=other, exact=True))
    _click_tab(page, tab)
    figure.wait_for(timeout=120_000)


def _digest(page, stem: str) -> str:
    return page.locator(f"img[data-figure={stem}]").first.get_attribute("data-digest")


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_app_in_chromium(app):
    proc, url, tmp = app
    sync_playwright = _browser()
    errors, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    outside.append(r.url)
                    if not r.url.startswith(
                        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
                    )
                    else None
                ),
            )
            page.goto(url)
            page.get_by_text("press Run").first.wait_for(timeout=60_000)
            _choose(page, "Last month", "2027-06")
            # run the scenario as it is
            page.get_by_role("button", name="Run").click()
            first = _message(page, "success", r"baseline: 6 runs in")
            before = _digest(page, "fan_control_any")
            # only the visible tab's figures are drawn: the map is drawn when its tab is shown
            assert before and page.locator("img[data-figure=map_control]").count() == 0
            _show_tab(page, "Map", "map_control", "Events")
            assert page.locator("img[data-figure=fan_control_any]").count() == 0
            _show_tab(page, "Armed control", "fan_control_any", "Coca")
            assert _digest(page, "fan_control_any") == before  # drawn once, shown again
            page.get_by_role("button", name="Pin this batch").click()
            _message(page, "success", "pinned baseline")
            # change a parameter: its slider to the top of its range
            _choose(page, "Group", "territory")
            slider = page.locator(f".param-{PARAM.replace('.', '-')} [role=slider]")
            slider.focus()
            slider.press("End")
            page.get_by_text(f"{PARAM} = 100000.0 USD").first.wait_for(timeout=10_000)
            page.get_by_role("button", name="Run").click()
            second = _message(page, "success", r"baseline_app: 6 runs in")
            after = _digest(page, "fan_control_any")
            assert after != before
            # the paired difference table is the comparison of the two stored batches
            page.get_by_text("paired differences").first.wait_for(timeout=10_000)
            paths = [re.search(r"\((/.*)\)$", m).group(1) for m in (first, second)]
            table = outcome_table(compare([load(p) for p in paths])).set_index("outcome")
            cell = table.loc["Municipalities under armed control"].iloc[-1]
            assert cell.startswith("-") or cell.startswith("−")
            assert page.get_by_text(cell, exact=True).count() >= 1
            # save the scenario and validate it with the command line
            target = tmp / "saved.yaml"
            box = page.get_by_label("Save as (.yaml)")
            box.fill(str(target))
            box.press("Enter")
            page.get_by_role("button", name="Save scenario").click()
            _message(page, "success", "scenario saved")
            done = subprocess.run(
                [sys.executable, "-m", "rift", "validate", str(target)],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            saved = load_scenario(target)
            assert saved.parameters == {PARAM: 100000.0} and saved.end == "2027-06"
            # the report of both batches
            page.get_by_role("button", name="Report").click()
            report = Path(_message(page, "success", "report written").split(": ", 1)[1])
            assert report.is_file() and "baseline_app" in report.read_text(encoding="utf-8")
            # a bad saved-batch folder is a message, not a traceback
            pin = page.get_by_label("Saved batch folder to pin")
            pin.fill(str(tmp / "no-such-batch"))
            pin.press("Enter")
            page.get_by_role("button", name="Pin folder").click()
            text = _message(page, "error", "no-such-batch", timeout=10_000)
            assert "Traceback" not in text
        finally:
            browser.close()
    assert errors == [] and outside == []
    proc.send_signal(signal.SIGINT)  # Ctrl-C: stops cleanly
    proc.wait(timeout=30)
    err = proc.stderr.read()
    assert proc.returncode == 0 and "rift app: stopped" in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_app_intervention_election_and_lever_in_chromium(app):
    """An intervention, an election setting and a lever from the page, run and saved."""
    _, url, tmp = app
    sync_playwright = _browser()
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.get_by_text("press Run").first.wait_for(timeout=60_000)
            _choose(page, "Last month", "2027-06")
            page.get_by_role("button", name="Run").click()
            _message(page, "success", r"baseline: 6 runs in")
            before = _digest(page, "fan_control_any")
            # an intervention: Colombia's posture forced to the offensive from 2026-09
            _choose(page, "Instrument", "col.posture")
            slider = page.locator(".param-col-posture [role=slider]")
            slider.focus()
            slider.press("End")
            page.locator(".param-col-posture", has_text="col.posture = 1.0").first.wait_for(
                timeout=10_000
            )
            _choose(page, "From", "2026-09")
            page.get_by_role("button", name="Add intervention").click()
            page.get_by_text("2026-09: col.posture = 1.0").first.wait_for(timeout=10_000)
            # an election setting fixed, and a lever: the US tariff for the whole run
            _choose(page, "House after the 2026 US midterms", "unified")
            lever = page.locator(".lever-us-tariff_rate [role=slider]")
            page.locator(".lever-us-tariff_rate", has_text="endogenous").first.wait_for()
            lever.focus()
            lever.press("End")
            page.get_by_text("Levers fixed: us.tariff_rate = 2.0").first.wait_for(timeout=10_000)
            page.get_by_role("button", name="Run").click()
            _message(page, "success", r"baseline_app: 6 runs in")
            after = _digest(page, "fan_control_any")
            assert after and after != before
            target = tmp / "edited.yaml"
            box = page.get_by_label("Save as (.yaml)")
            box.fill(str(target))
            box.press("Enter")
            page.get_by_role("button", name="Save scenario").click()
            _message(page, "success", "scenario saved")
        finally:
            browser.close()
    done = subprocess.run(
        [sys.executable, "-m", "rift", "validate", str(target)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    saved = load_scenario(target)
    assert [(i.at, i.set, i.until) for i in saved.interventions] == [
        ("2026-09", {"col.posture": 1.0}, None)
    ]
    assert saved.election.midterms_2026 == "unified"
    assert saved.parameters == {"us.tariff_rate": 2.0} and saved.end == "2027-06"
    assert errors == []
