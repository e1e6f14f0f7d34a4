"""End-to-end browser tests: Playwright driving Debian's Chromium against a real uvicorn server
on loopback with a temporary SQLite database seeded through the store.

They fail (never skip) when /usr/bin/chromium is missing. Screenshots go to
test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service_support import ARM_STRINGS, Seeded, fast_settings, migrated, seed, server_env
from tests.web.conftest import seed_web

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]

LABEL_CHECK = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Seeded]]:
    tmp = tempfile.mkdtemp(prefix="abscopal-web-")
    url = f"sqlite:///{tmp}/trial.db"
    settings = fast_settings(url)
    db = migrated(settings)
    seeded = seed(db, settings)
    seed_web(seeded)
    db.dispose()
    port = _free_port()
    env = server_env() | {"ABSCOPAL_DATABASE_URL": url}
    log = open(Path(tmp) / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "abscopal.web.app:app_from_env",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((Path(tmp) / "server.log").read_text())
            time.sleep(0.1)
        yield base, seeded
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), f"browser tests need Debian's chromium at {CHROMIUM} (apt install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()


def _page(browser: Any, base: str) -> Any:
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    return context.new_page()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")  # server-rendered SVG plots are <img> requests
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page: Any, username: str, password: str) -> None:
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/trials$"))


def _no_unlabelled_inputs(page: Any) -> None:
    assert page.evaluate(LABEL_CHECK) == [], f"inputs without a label on {page.url}"


def _tab_to(page: Any, element_id: str, *, max_presses: int = 6) -> None:
    """Press Tab (only) until ``element_id`` has the focus."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _lesion_followup(page: Any, base: str, date: str, timepoint: str, diameter: str) -> None:
    page.goto(base)
    page.fill("#f-assessed_on", date)
    page.fill("#f-timepoint", timepoint)
    page.fill("#lesion-0-lesion_label", "T1")
    page.fill("#lesion-0-organ", "liver")
    page.fill("#lesion-0-diameter_mm", diameter)
    page.click("button:text('Save')")
    page.wait_for_url(re.compile(r".*/subjects/\d+\?saved=.*"))


def test_site_investigator_journey(browser: Any, server: tuple[str, Seeded]) -> None:
    base, seeded = server
    page = _page(browser, base)
    page.goto("/trials")
    assert "/login" in page.url  # no session yet
    _no_unlabelled_inputs(page)
    _shot(page, "01-login")
    _login(page, "u_investigator", seeded.passwords["investigator"])

    # screen a patient for all five trials
    page.goto("/screening")
    _no_unlabelled_inputs(page)
    page.select_option("#f-trial", "all")
    page.fill("#f-m_ecog", "1")
    page.select_option("#f-sex", "F")
    page.click("button:text('Check eligibility')")
    page.wait_for_selector("h2.trial-result")
    shown = page.locator("h2.trial-result").all_inner_texts()
    for rid in ("NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777"):
        assert any(rid in s for s in shown), rid
    assert page.input_value("#f-m_ecog") == "1"
    _shot(page, "02-screening-all-trials")

    # register, screen and enrol + randomise a subject of the randomised test trial
    t = seeded.trial_id
    page.goto(f"/trials/{t}/register")
    _no_unlabelled_inputs(page)
    page.fill("#f-screening_id", "A-900")
    page.click("button:text('Register')")
    page.wait_for_url(re.compile(r".*/subjects/\d+$"))
    subject_url = page.url
    page.click("a.button:text-is('Screen')")
    page.fill("#f-as_of", "2026-01-02")
    page.click("button:text('Check eligibility')")
    page.select_option("#confirm-adult", "met")
    _no_unlabelled_inputs(page)
    page.click("button:text('Save eligibility snapshot')")
    page.wait_for_url(re.compile(r".*/randomise$"))
    page.fill("#f-enrolled_on", "2026-01-03")
    page.click("button:text('Review enrolment')")
    page.click("button:text('Confirm: enrol and randomise')")
    arm = page.inner_text("#allocated-arm")
    assert arm in ("Zircon combination arm", "Zircon control arm")
    _shot(page, "03-randomised")

    # baseline lesion assessment, keyboard only: Tab, typing and Enter
    new_lesion = subject_url + "/lesion-assessments/new"
    page.goto(new_lesion)
    _no_unlabelled_inputs(page)
    assert page.evaluate("document.activeElement.id") == "f-assessed_on"
    page.keyboard.type("01052026")  # mm dd yyyy in the en-US date input
    _tab_to(page, "f-timepoint")
    page.keyboard.type("baseline")
    _tab_to(page, "lesion-0-lesion_label")  # modality CT and RECIST 1.1 are the defaults
    page.keyboard.type("T1")
    _tab_to(page, "lesion-0-organ")  # category: target (default)
    page.keyboard.type("liver")
    _tab_to(page, "lesion-0-diameter_mm")  # nodal: no
    page.keyboard.type("40")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/subjects/\d+\?saved=lesion-assessments.*"))
    assert "2026-01-05" in page.inner_text("#lesion-assessments + table")

    # two follow-ups and the derived responses
    _lesion_followup(page, new_lesion, "2026-03-02", "week 8", "26")
    _lesion_followup(page, new_lesion, "2026-04-27", "week 16", "50")
    overall = page.locator("strong.response").all_inner_texts()
    assert overall == ["PR", "PD"]
    assert page.inner_text("#bor") == "PR"
    _shot(page, "04-subject-responses")

    # a lab: invalid value first (message next to the field, input kept), then a valid one
    page.goto(subject_url + "/labs/new")
    _no_unlabelled_inputs(page)
    page.fill("#f-test", "Lymphocyte count decreased")
    page.fill("#f-value", "0,45")
    page.fill("#f-unit", "10^9/L")
    page.fill("#f-lower_limit", "1.0")
    page.fill("#f-upper_limit", "4.0")
    page.click("button:text('Save')")
    assert "Input should be a valid number" in page.inner_text("#m-value")
    assert page.input_value("#f-value") == "0,45"
    assert page.input_value("#f-test") == "Lymphocyte count decreased"
    _shot(page, "05-lab-invalid")
    page.fill("#f-value", "0.45")
    page.click("button:text('Save')")
    page.wait_for_url(re.compile(r".*saved=labs.*"))
    grade = page.locator("#labs ~ table td.lab-grade").first.inner_text()
    # CTCAE v5.0: lymphocytes 0.45 x 10^9/L is grade 3 (<0.5 - 0.2 x 10e9 /L)
    assert grade.startswith("Grade 3"), grade

    page.goto(f"/trials/{t}")
    assert page.locator("h2:text('Response (RECIST 1.1 / iRECIST, derived)')").count() == 1
    _shot(page, "06-dashboard")
    page.context.close()


def test_blinded_reviewer_sees_no_arm(browser: Any, server: tuple[str, Seeded]) -> None:
    base, seeded = server
    page = _page(browser, base)
    _login(page, "u_imaging_reviewer", seeded.passwords["imaging_reviewer"])
    t = seeded.trial_id
    page.goto(f"/trials/{t}")
    assert page.url.endswith("/worklist")
    _shot(page, "07-reviewer-worklist")
    urls = [f"/trials/{t}/worklist", f"/trials/{t}/subjects/{seeded.subject_a}",
            f"/trials/{t}/subjects/{seeded.subject_a}/lesion-assessments/new", f"/trials/{t}/audit", "/trials"]
    for url in urls:
        page.goto(url)
        html = page.content().lower()
        text = page.inner_text("body").lower()
        for arm in ARM_STRINGS:
            assert arm.lower() not in html and arm.lower() not in text, (url, arm)
    page.goto(f"/trials/{t}/subjects/{seeded.subject_a}")
    _shot(page, "08-reviewer-subject")
    page.context.close()


def test_site_user_cannot_open_another_sites_subject(browser: Any, server: tuple[str, Seeded]) -> None:
    base, seeded = server
    page = _page(browser, base)
    _login(page, "u_investigator_b", seeded.passwords["investigator_b"])
    response = page.goto(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_a}")
    assert response is not None and response.status == 404
    assert "A-001" not in page.content()
    assert page.goto(f"/trials/{seeded.trial_id}/subjects/{seeded.subject_b}").status == 200  # type: ignore[union-attr]
    page.context.close()


def test_server_used_the_temporary_database(server: tuple[str, Seeded]) -> None:
    base, seeded = server
    assert os.path.exists(seeded.settings.database_url.removeprefix("sqlite:///"))
