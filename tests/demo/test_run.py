"""``abscopal demo run`` as a real subprocess on a free loopback port with a temporary database:
it prints the URL and a one-time password, the API answers with five trials with subjects, a
browser logs in with that password and sees them, and a second run prints no new password and
adds no data. The browser test saves a dashboard screenshot (the README's, with
ABSCOPAL_UPDATE_DOC_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service_support import server_env

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Screenshots are test artifacts; set ABSCOPAL_UPDATE_DOC_SCREENSHOTS=1 to refresh the README's
# copies in docs/img/ (a normal test run must not modify tracked files).
_SHOTS = (ROOT / "docs" / "img" if os.environ.get("ABSCOPAL_UPDATE_DOC_SCREENSHOTS")
          else ROOT / "test-artifacts" / "screenshots")
SCREENSHOT = _SHOTS / "dashboard.png"
TRIAL_SCREENSHOT = _SHOTS / "trial-dashboard.png"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
# Two real server start-ups with a demo load each (~25 s of work, more on a loaded machine).
pytestmark = [pytest.mark.slow, pytest.mark.browser]

TRIALS = ("NCT05628038", "NCT06076135", "NCT06120127", "NCT06439888", "NCT07277777")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Run:
    """One ``abscopal demo run`` child process and the lines it printed."""

    def __init__(self, db_url: str, port: int) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "abscopal.cli.main", "demo", "run", "--db", db_url,
             "--port", str(port), "--max-screened", "5"],
            env=server_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_until_serving(self, base: str, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"demo run exited {self.proc.returncode}:\n{self.output}")
            if "serving at" in self.output:
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"demo run did not serve within {timeout_s} s:\n{self.output}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # Ctrl+C
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str, _Run]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('demo-run')}/demo.sqlite"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    run = _Run(db_url, port)
    try:
        run.wait_until_serving(base)
        match = re.search(r"one-time password:\s+(\S+)", run.output)
        assert match, run.output
        yield db_url, base, match.group(1), run
    finally:
        run.stop()


def _token(base: str, password: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login",
                          json={"username": "admin", "password": password}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _subject_counts(base: str, headers: dict[str, str]) -> dict[str, int]:
    trials = httpx.get(f"{base}/api/v1/trials", headers=headers, timeout=30).json()["data"]
    return {t["registry_id"]: httpx.get(f"{base}/api/v1/trials/{t['id']}/subjects?limit=1",
                                        headers=headers, timeout=30).json()["count"]
            for t in trials}


def test_first_run_prints_url_and_password_and_serves_five_trials(first_run: Any) -> None:
    _db, base, password, run = first_run
    assert f"serving at {base}/" in run.output
    assert "admin account created" in run.output
    counts = _subject_counts(base, _token(base, password))
    assert sorted(counts) == list(TRIALS)
    assert all(n == 5 for n in counts.values()), counts


def test_browser_logs_in_with_the_printed_password_and_sees_the_trials(first_run: Any) -> None:
    assert CHROMIUM.exists(), f"browser test needs Debian's chromium at {CHROMIUM}"
    from playwright.sync_api import sync_playwright

    _db, base, password, _run = first_run
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 640}).new_page()
            page.set_default_timeout(20_000)
            page.goto("/login")
            page.fill("#f-username", "admin")
            page.fill("#f-password", password)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r".*/trials$"))
            rows = page.locator("table tbody tr")
            assert rows.count() == 5
            seen = {}
            for i in range(5):
                cells = rows.nth(i).locator("td").all_inner_texts()
                seen[cells[0].strip()] = int(cells[3])
            assert seen == dict.fromkeys(TRIALS, 5)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))
            assert 0 < SCREENSHOT.stat().st_size < 300_000
            # One trial's dashboard renders with its data.
            page.click(f"text={TRIALS[2]}")
            page.wait_for_url(re.compile(r".*/trials/\d+$"))
            assert TRIALS[2] in page.content()
            page.set_viewport_size({"width": 1280, "height": 1500})
            page.wait_for_load_state("networkidle")  # the SVG plots are <img> requests
            page.screenshot(path=str(TRIAL_SCREENSHOT))
            assert 0 < TRIAL_SCREENSHOT.stat().st_size < 300_000
        finally:
            browser.close()


def test_second_run_prints_no_password_and_adds_no_data(first_run: Any) -> None:
    db_url, base, password, run = first_run
    before = _subject_counts(base, _token(base, password))
    run.stop()
    port = _free_port()
    again_base = f"http://127.0.0.1:{port}"
    again = _Run(db_url, port)
    try:
        again.wait_until_serving(again_base)
        assert "one-time password" not in again.output
        assert "admin account exists" in again.output
        assert "abscopal db reset-password admin" in again.output
        assert again.output.count("already loaded") == 5
        assert _subject_counts(again_base, _token(again_base, password)) == before
    finally:
        again.stop()
