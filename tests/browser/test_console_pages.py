"""Each console page for each role that may open it, in a real browser: it
answers, says what it is, meets WCAG 2.2 AA without serious or critical
violations, loads nothing from off-site, and is kept as a screenshot. And
each role is refused what the API refuses it, on a page that says so."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import follow, keep_screen, off_site_loads, signed_in

ON = "2025-11-28"  # the day the examples' stories reach
PAGES = [
    # role, subject, own employee, path, the page's heading
    ("manager", "MGR-WARD7", None, f"/?as_of={ON}", "Worklist"),
    ("manager", "MGR-WARD7", None, f"/people/ESR-100231?as_of={ON}", "Employee ESR-100231"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/sickness", "Report sickness"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/return", "Record a return to work"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/fit-note", "Record a fit note"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/welcome-back", "Record a welcome-back discussion"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/oh-referral", "Record an occupational health referral"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/oh-report", "Record an occupational health report"),
    ("manager", "MGR-WARD7", None, "/people/ESR-100231/record/annual-leave", "Book annual leave"),
    ("manager", "MGR-WARD7", None, "/reports", "Reports"),
    ("hr", "HR-ADVISER", None, f"/?as_of={ON}&department=Estates+and+Facilities", "Worklist"),
    ("hr", "HR-ADVISER", None, f"/people/ESR-100877?as_of={ON}", "Employee ESR-100877"),
    ("hr", "HR-ADVISER", None, "/people/ESR-100877/record/review", "Record a review meeting"),
    ("hr", "HR-ADVISER", None, f"/audit?employee_id=ESR-100231&known_at=2025-10-21&as_of={ON}", "Audit of ESR-100231"),
    ("hr", "HR-ADVISER", None, f"/policies?first=sath-w22-v5.13&second=sath-w22-v6&as_of={ON}", "Policies"),
    ("hr", "HR-ADVISER", None, f"/policies/transition?old=sath-w22-v5.13&new=sath-w22-v6&as_of={ON}",
     "Policy transition review"),
    ("hr", "HR-ADVISER", None, f"/reports?as_of={ON}", "Reports"),
    ("auditor", "AUDIT-1", None, f"/audit?employee_id=ESR-100877&known_at=2025-06-01&as_of={ON}", "Audit of ESR-100877"),
    ("auditor", "AUDIT-1", None, f"/policies?first=sath-w22-v5.13&second=sath-w22-v6&as_of={ON}", "Policies"),
    ("payroll", "PAYROLL-1", None, f"/pay?employee_id=ESR-100877&start=2025-01-01&end={ON}",
     "Pay and leave of ESR-100877"),
    ("employee", "ESR-100231", "ESR-100231", f"/people/ESR-100231?as_of={ON}", "Employee ESR-100231"),
]
REFUSED = [
    ("manager", "MGR-WARD7", None, "/people/ESR-100877"),  # not their report
    ("manager", "MGR-WARD7", None, "/policies"),
    ("payroll", "PAYROLL-1", None, "/people/ESR-100877"),  # pay and leave only
    ("employee", "ESR-100231", "ESR-100231", "/people/ESR-100877"),
    ("auditor", "AUDIT-1", None, "/people/ESR-100231/record/sickness"),  # read-only
    ("auditor", "AUDIT-1", None, "/policies/transition"),  # applying a transition is HR's
]


def _name(case) -> str:
    return f"{case[0]}-{case[3].split('?')[0].strip('/').replace('/', '-') or 'worklist'}"


@pytest.mark.parametrize("role, sub, employee, path, heading", PAGES, ids=[_name(c) for c in PAGES])
def test_each_page_opens_for_each_role_that_may_see_it_and_meets_wcag_2_2_aa(
        browser, console, axe_violations, role, sub, employee, path, heading):
    signed_in(browser, console, role, sub, employee)
    browser.get(f"{console.url}{path}")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith(heading)
    assert "Signed in as" in browser.find_element(By.TAG_NAME, "header").text
    for summary in browser.find_elements(By.CSS_SELECTOR, "details"):  # the charts' tables checked too
        browser.execute_script("arguments[0].open = true", summary)
    keep_screen(browser, f"page-{_name((role, sub, employee, path))}")
    assert axe_violations(browser) == []
    assert off_site_loads(browser, console.url) == []


@pytest.mark.parametrize("role, sub, employee, path", REFUSED, ids=[_name(c) for c in REFUSED])
def test_a_role_is_refused_what_the_api_refuses_it_on_a_page_that_says_why(
        browser, console, axe_violations, role, sub, employee, path):
    signed_in(browser, console, role, sub, employee)
    browser.get(f"{console.url}{path}")
    assert browser.find_element(By.TAG_NAME, "h1").text == "You cannot see this page"
    assert "Absence timeline" not in browser.find_element(By.TAG_NAME, "main").text
    assert axe_violations(browser) == []


def test_a_page_opened_without_signing_in_asks_for_sign_in_and_returns_there(browser, console):
    browser.get(f"{console.url}/people/ESR-100231?as_of={ON}")
    assert browser.title == "Sign in - Attendance Ledger"
    browser.find_element(By.ID, "token").send_keys(console.token("manager", "MGR-WARD7"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Employee ESR-100231"
    assert browser.current_url.endswith(f"/people/ESR-100231?as_of={ON}")


def test_payroll_sees_no_reason_note_or_meeting_on_the_pay_page(browser, console):
    signed_in(browser, console, "payroll", "PAYROLL-1")
    browser.get(f"{console.url}/pay?employee_id=ESR-100877&start=2025-01-01&end={ON}")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Sick pay from 2025-01-01" in text and "Annual leave" in text
    assert "musculoskeletal" not in text.lower() and "S11" not in text and "Meetings" not in text
