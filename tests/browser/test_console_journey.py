"""The journey of the issue's "done when", in a real browser and without
writing JSON: a manager signs in, reports an absence and a return; the
worklist shows the welcome-back discussion; HR records the review and the
stage changes on the timeline; HR compares W22 V5.13 with V6 on Policies."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as loaded
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import ATTENDANCE, follow, keep_screen

EMPLOYEE = "ESR-900001"


def _case(monday: date) -> dict:
    """Three short absences in the last six months, each followed by its
    welcome-back discussion: one more episode makes four in the rolling
    year, the W22 V6 stage 1 trigger (11.1.1)."""
    events = []
    for number, (weeks, reason) in enumerate(((26, "S13"), (18, "S16"), (10, "S25")), start=1):
        first = monday - timedelta(weeks=weeks)
        back = first + timedelta(days=2)
        events += [{"type": "SicknessReported", "absence_id": f"A{number}", "first_day": first.isoformat(), "reason": reason},
                   {"type": "ReturnedToWork", "absence_id": f"A{number}", "first_day_back": back.isoformat()},
                   {"type": "MeetingHeld", "kind": "welcome_back", "date": back.isoformat(),
                    "outcome": "no_further_action"}]
    return {"employee": {"employee_id": EMPLOYEE, "service_start": "2015-01-05", "contracted_hours": 37.5,
                         "calendar": "england-and-wales", "policy": "sath-w22-v6", "department": "Ward 9",
                         "manager_id": "MGR-WARD9"},
            "events": events}


def _sign_in(browser, console, token: str) -> None:
    browser.get(f"{console.url}/sign-in")
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(loaded.presence_of_element_located((By.CSS_SELECTOR, ".header__who")))


def _fill(browser, values: dict[str, str]) -> None:
    """Type into text fields; set dates as the date picker would; choose options."""
    for field, value in values.items():
        element = browser.find_element(By.ID, field)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        elif element.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)


def _record(browser, link: str, values: dict[str, str]) -> None:
    follow(browser, browser.find_element(By.LINK_TEXT, link))
    _fill(browser, values)
    browser.find_element(By.CSS_SELECTOR, "#form button[type=submit]").click()
    WebDriverWait(browser, 10).until(loaded.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Employee {EMPLOYEE}"


def _timeline(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, "figure.timeline table").get_attribute("textContent")


def test_a_manager_records_an_absence_and_a_return_and_hr_the_review_that_changes_the_stage(
        browser, console, axe_violations, tmp_path):
    today = date.today()
    monday = today - timedelta(days=today.weekday())
    case = tmp_path / "journey.json"
    case.write_text(json.dumps(_case(monday)))
    imported = subprocess.run([ATTENDANCE, "import", str(case)], env=console.environment, cwd=console.home,
                              capture_output=True, text=True, check=False)
    assert imported.returncode == 0, imported.stderr

    # The manager reports the absence and the return, from the employee's page.
    _sign_in(browser, console, console.token("manager", "MGR-WARD9"))
    browser.get(f"{console.url}/people/{EMPLOYEE}")
    first_day, back = monday - timedelta(days=7), monday - timedelta(days=5)
    _record(browser, "Report sickness", {"first_day": first_day.isoformat(), "reason": "S13"})
    _record(browser, "Record a return to work", {"absence_id": "A4", "first_day_back": back.isoformat()})
    assert f"{first_day.isoformat()} to {(back - timedelta(days=1)).isoformat()}" in _timeline(browser)
    assert "S13" not in browser.find_element(By.TAG_NAME, "main").text, "a manager sees the reason's group only"

    # The worklist shows the welcome-back discussion and the review now due; one click to the employee.
    follow(browser, browser.find_element(By.LINK_TEXT, "Worklist"))
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "main tbody tr") if EMPLOYEE in r.text]
    absence = f"sickness absence {first_day.isoformat()} to {(back - timedelta(days=1)).isoformat()}"
    assert any("(welcome back) discussion" in r and absence in r for r in rows), "\n".join(rows)
    assert any("Hold an informal review (stage 1)" in r for r in rows), rows
    keep_screen(browser, "journey-1-manager-worklist")
    assert axe_violations(browser) == []
    follow(browser, browser.find_element(By.LINK_TEXT, EMPLOYEE))
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Employee {EMPLOYEE}"
    assert "stage 1 informal review due (short-term track)" in _timeline(browser)
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".header__signout button"))

    # HR records the informal review; the stage changes on the timeline.
    _sign_in(browser, console, console.token("hr", "HR-ADVISER"))
    browser.get(f"{console.url}/people/{EMPLOYEE}")
    assert "Stage 1 informal review" in browser.find_element(By.TAG_NAME, "main").text
    _record(browser, "Record a review meeting", {"kind": "informal_review", "date": today.isoformat(),
                                                 "outcome": "monitoring"})
    assert "stage 1 informal review held: monitoring" in _timeline(browser)
    standing = browser.find_element(By.XPATH, "//th[text()='Short-term']/..").text
    assert "informal (stage 1)" in standing, standing
    assert "No review is due." in browser.find_element(By.TAG_NAME, "main").text
    keep_screen(browser, "journey-2-hr-employee-after-review")
    assert axe_violations(browser) == []

    # HR compares W22 V5.13 with V6 over the workforce.
    follow(browser, browser.find_element(By.LINK_TEXT, "Policies"))
    _fill(browser, {"first": "sath-w22-v5.13", "second": "sath-w22-v6", "as_of": "2025-11-28"})
    follow(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    totals = browser.find_element(By.ID, "totals").text
    assert "sath-w22-v5.13" in totals and "sath-w22-v6" in totals
    drawn = browser.execute_script("return Chart.getChart(document.getElementById('policy-totals')).data.datasets"
                                   ".map(d => d.label)")
    assert drawn == ["sath-w22-v5.13", "sath-w22-v6"]
    keep_screen(browser, "journey-3-hr-policies")
    assert axe_violations(browser) == []


def test_a_record_form_names_the_field_in_error_and_stores_nothing(browser, console, axe_violations):
    _sign_in(browser, console, console.token("manager", "MGR-WARD7"))
    browser.get(f"{console.url}/people/ESR-100231/record/annual-leave")
    _fill(browser, {"from": "2025-12-10", "to": "2025-12-01", "hours": "15"})
    browser.find_element(By.CSS_SELECTOR, "#form button[type=submit]").click()
    WebDriverWait(browser, 10).until(loaded.title_contains("Error:"))
    links = browser.find_elements(By.CSS_SELECTOR, ".error-summary a")
    assert [a.get_attribute("href").rsplit("#", 1)[1] for a in links] == ["to"]
    assert "To: must not be before" in browser.find_element(By.ID, "to-error").text
    assert browser.find_element(By.ID, "to").get_attribute("aria-invalid") == "true"
    keep_screen(browser, "record-form-error")
    assert axe_violations(browser) == []
    browser.get(f"{console.url}/people/ESR-100231")
    assert "2025-12-10" not in browser.find_element(By.TAG_NAME, "main").text
