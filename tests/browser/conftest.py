"""Browser tests: the real `attendance serve` on a free loopback port, over a
temporary SQLite ledger holding the demo case files, driven by Selenium in
Debian's headless Chromium (`make test` installs chromium and chromium-driver).

Each test's last screen is kept as tests/artifacts/<test>.png; `axe_violations`
runs the vendored axe-core in the page and returns what WCAG 2.2 AA checks
find serious or critical.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as loaded
from selenium.webdriver.support.ui import WebDriverWait

from tests.serving import ATTENDANCE, start_serving, wait_for_listening

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: the rule tags of WCAG 2.2 levels A and AA (axe-core's names)
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
JWT_KEY = "browser-test-signing-key-0123456789abcdef"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass(frozen=True)
class Console:
    url: str
    environment: dict[str, str]
    home: Path

    def token(self, role: str, sub: str, employee: str | None = None) -> str:
        """A bearer token the running server accepts (`attendance token`)."""
        args = [ATTENDANCE, "token", "--role", role, "--sub", sub] + (["--employee", employee] if employee else [])
        done = subprocess.run(args, env=self.environment, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@pytest.fixture(scope="session")
def console(tmp_path_factory) -> Iterator[Console]:
    """`attendance serve --port 0` over the demo examples; its URL from the line it prints."""
    home = tmp_path_factory.mktemp("console")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")}
    environment.update(ATTENDANCE_DATABASE_URL=str(home / "attendance.db"), ATTENDANCE_JWT_KEY=JWT_KEY,
                       ATTENDANCE_ACCESS_LOG=str(home / "access.log"))
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.json")) + \
        sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    imported = subprocess.run([ATTENDANCE, "import", *examples], env=environment, cwd=home,
                              capture_output=True, text=True, check=False)
    assert imported.returncode == 0, imported.stderr
    projected = subprocess.run([ATTENDANCE, "project", "--once"], env=environment, cwd=home,
                               capture_output=True, text=True, check=False)
    assert projected.returncode == 0, projected.stderr  # the reports page's statistics
    server, log = start_serving(environment, home)
    try:
        url = wait_for_listening(server, log)
        yield Console(url, environment, home)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[webdriver.Chrome]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, f"missing {', '.join(missing)}: run `make browser-binaries` (Debian's chromium, chromium-driver)"
    options = Options()
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to read CSP refusals
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1024",
                     "--disable-gpu", "--no-first-run", "--lang=en-GB"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium, console, request) -> Iterator[webdriver.Chrome]:
    """The browser with no cookies, at the console's origin; the test's last
    screen saved to tests/artifacts/ whatever the outcome."""
    chromium.get(f"{console.url}/healthz")
    chromium.delete_all_cookies()
    yield chromium
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    chromium.save_screenshot(str(ARTIFACTS / f"{name}.png"))


@pytest.fixture(scope="session")
def axe_violations() -> Callable[..., list[dict]]:
    source = AXE.read_text(encoding="utf-8")

    def run(driver: webdriver.Chrome, impacts: tuple[str, ...] = ("serious", "critical"),
            context: str | dict = "html") -> list[dict]:
        """axe-core's WCAG 2.2 AA violations of these impacts on the current page."""
        if not driver.execute_script("return typeof window.axe === 'object'"):
            driver.execute_script(source)
        results = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(arguments[0], {runOnly: {type: 'tag', values: arguments[1]}})"
            "   .then(done, error => done({error: String(error)}));", context, WCAG_AA)
        assert "error" not in results, results.get("error")
        assert results["passes"], "axe-core checked nothing: the page is empty"
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "targets": [n["target"] for n in v["nodes"]]}
                for v in results["violations"] if v["impact"] in impacts]

    return run


def off_site_loads(driver: webdriver.Chrome, origin: str) -> list[str]:
    """What the current page fetched from anywhere but `origin`, less what the
    page's Content-Security-Policy refused to load (the browser log says so)."""
    fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    refused = " ".join(entry["message"] for entry in driver.get_log("browser")
                       if "Content Security Policy" in entry["message"] and "blocked" in entry["message"])
    return [url for url in fetched if not url.startswith(origin) and url not in refused]


def signed_in(driver: webdriver.Chrome, console: Console, role: str, sub: str, employee: str | None = None) -> None:
    """A session as the sign-in form leaves it (HttpOnly, SameSite=Strict), without the form."""
    driver.get(f"{console.url}/healthz")
    driver.delete_all_cookies()
    driver.add_cookie({"name": "attendance_session", "value": console.token(role, sub, employee), "path": "/",
                       "httpOnly": True, "sameSite": "Strict"})


def follow(driver: webdriver.Chrome, element: WebElement) -> None:
    """Click a link or a submit button and wait for the page it leads to: a
    form's submission navigates after the click returns, so reading at once
    could read the page being left."""
    leaving = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, 10).until(loaded.staleness_of(leaving))


def keep_screen(driver: webdriver.Chrome, name: str) -> None:
    """This screen as tests/artifacts/<name>.png, the whole page long."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1024, min(int(height), 8000)))
    try:
        driver.save_screenshot(str(ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"))
    finally:
        driver.set_window_size(1280, 1024)
