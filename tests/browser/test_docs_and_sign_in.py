"""The API docs and the console's sign-in, in a real browser."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as loaded
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import off_site_loads



def test_swagger_ui_renders_every_operation_from_assets_the_product_serves(browser, console):
    browser.get(f"{console.url}/docs")
    WebDriverWait(browser, 30).until(loaded.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    operations = browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    assert any(o.get_attribute("data-path") == "/employees/{employee_id}/status" for o in operations)
    assert off_site_loads(browser, console.url) == []


def test_redoc_renders_from_assets_the_product_serves(browser, console):
    browser.get(f"{console.url}/redoc")
    WebDriverWait(browser, 30).until(loaded.presence_of_element_located((By.CSS_SELECTOR, "h1")))
    assert "Attendance Ledger" in browser.find_element(By.CSS_SELECTOR, "h1").text
    assert off_site_loads(browser, console.url) == []
    assert browser.find_elements(By.CSS_SELECTOR, "img[alt='redocly logo']") == [], "its CDN logo is refused"


def test_the_sign_in_page_meets_wcag_2_2_aa_without_serious_or_critical_violations(browser, console, axe_violations):
    browser.get(f"{console.url}/sign-in")
    assert browser.title == "Sign in - Attendance Ledger"
    assert axe_violations(browser) == []


def test_the_sign_in_error_page_meets_wcag_2_2_aa_and_names_the_field(browser, console, axe_violations):
    browser.get(f"{console.url}/sign-in")
    browser.find_element(By.ID, "token").send_keys("not-a-token")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(loaded.title_contains("Error:"))
    summary = browser.find_element(By.CSS_SELECTOR, ".error-summary a")
    assert summary.get_attribute("href").endswith("#token")
    assert axe_violations(browser) == []


def test_signing_in_keeps_the_token_where_page_scripts_cannot_read_it(browser, console, axe_violations):
    browser.get(f"{console.url}/sign-in")
    browser.find_element(By.ID, "token").send_keys(console.token("manager", "MGR-WARD7"))
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: b.get_cookie("attendance_session") is not None)
    session = browser.get_cookie("attendance_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert "attendance_session" not in browser.execute_script("return document.cookie")
    browser.get(f"{console.url}/sign-in")
    assert "Signed in as MGR-WARD7 (manager)" in browser.find_element(By.TAG_NAME, "header").text
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav a")] == ["Worklist", "Reports"]
    assert axe_violations(browser) == [], "the signed-in layout: navigation and sign-out"


def test_the_timeline_chart_meets_wcag_2_2_aa_inside_the_console_layout(browser, console, axe_violations):
    """The partial the employee page will use, drawn into the console's layout."""
    from datetime import date

    from api.console.pages import templates
    from api.console.timeline import Item, chart

    items = [Item("Absences", date(2025, 3, 10), date(2025, 3, 12), "absence: gastrointestinal", "absence"),
             Item("Absences", date(2025, 10, 20), date(2025, 11, 28), "ongoing absence: musculoskeletal", "absence-open"),
             Item("Fit notes", date(2025, 10, 27), date(2025, 11, 23), "fit note", "fit-note"),
             Item("Meetings", date(2025, 3, 13), None, "welcome back: no further action", "meeting"),
             Item("Monitoring", date(2025, 4, 1), date(2025, 9, 30), "monitoring", "monitoring"),
             Item("Stage changes", date(2025, 11, 17), None, "long-term stage 1 review due", "stage")]
    drawn = chart("Absence timeline", items, date(2024, 11, 29), date(2025, 11, 28), today=date(2025, 11, 28))
    html = templates.env.from_string('{% from "partials/timeline.html" import timeline %}{{ timeline(chart) }}') \
        .render(chart=drawn)
    browser.get(f"{console.url}/sign-in")
    browser.execute_script("document.querySelector('main').innerHTML = '<h1>Employee</h1>' + arguments[0];"
                           "document.querySelector('details').open = true;", html)
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.timeline svg rect, figure.timeline svg path")) == 6
    assert axe_violations(browser) == []


def test_a_bar_chart_is_drawn_by_the_vendored_chart_library_and_meets_wcag_2_2_aa(browser, console, axe_violations):
    """The chart partial the reports pages will use, with its scripts, in the console's layout."""
    from api.console.pages import templates

    html = templates.env.from_string(
        '{% from "partials/bar_chart.html" import bar_chart %}'
        '{{ bar_chart("rate", "Absence rate by month", ["Sep 2025", "Oct 2025"],'
        ' [{"label": "Ward 7", "data": [4.1, 5.3]}, {"label": "Estates", "data": [6.0, 3.2]}], unit="%") }}').render()
    browser.get(f"{console.url}/sign-in")
    browser.execute_script("document.querySelector('main').innerHTML = '<h1>Reports</h1>' + arguments[0];", html)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const load = src => new Promise(ok => { const s = document.createElement('script');"
        "  s.src = src; s.onload = ok; document.body.appendChild(s); });"
        "load('/static/vendor/chartjs/chart.umd.min.js').then(() => load('/static/charts.js')).then(done);")
    drawn = browser.execute_script("return Chart.getChart(document.getElementById('rate')).data.datasets.length")
    assert drawn == 2
    assert "Ward 7" in browser.find_element(By.CSS_SELECTOR, "figure.chart table").get_attribute("textContent")
    assert axe_violations(browser) == []
    assert off_site_loads(browser, console.url) == []
