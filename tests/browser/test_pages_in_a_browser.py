"""The pages in headless Chromium against a real `ledger serve` (issue 9).

An analyst moves through stated time and follows a claim to its provenance; a
recorder records a statement through the form; a reader finds no forms; axe-core
finds no serious or critical accessibility violation on any page; every control
on every page and form can be reached with the Tab key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import Server
from tests.support import incident_of

SEED = incident_of("libya-drone")
DECEMBER = "townsend-believes-russian-air-defenses-fired"
CLAIM = "drone-shot-down-by-air-defenses"
PAGES = {
    "incidents": "/incidents",
    "incident": f"/incidents/{SEED}?as_of=2019-12-10",
    "statement": f"/statements/{DECEMBER}",
    "claim": f"/claims/{CLAIM}",
    "statuses": f"/incidents/{SEED}/statuses",
    "history": "/history",
    "integrity": "/integrity",
    "actors": "/actors",
    "sign-in": "/sign-in",
}


def sign_in(driver, server: Server, role: str) -> None:
    driver.get(server.url + "/sign-out")
    driver.get(server.url + "/sign-in")
    driver.find_element(By.ID, "token").send_keys(server.tokens[role])
    follow(driver, By.CSS_SELECTOR, "form button[type=submit]")
    assert driver.find_element(By.CSS_SELECTOR, ".who strong").text == (
        f"browser-{role}"
    )


def links_to(driver, scope: str, statement: str) -> int:
    selector = f'{scope} a[href="/statements/{statement}"]'
    return len(driver.find_elements(By.CSS_SELECTOR, selector))


def follow(driver, by: str, what: str) -> None:
    """Click a link or a submit button and wait until the next page has loaded."""
    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, what).click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def arrives_at(driver, path: str, timeout: float = 30) -> None:
    """Wait for the browser to land on ``path``; else say what the page shows."""
    try:
        WebDriverWait(driver, timeout).until(expected_conditions.url_contains(path))
    except TimeoutException:
        shown = driver.find_element(By.TAG_NAME, "main").text[:600]
        raise AssertionError(f"still at {driver.current_url}: {shown}") from None


def set_as_of(driver, value: str) -> None:
    field = driver.find_element(By.ID, "as_of")
    field.clear()
    field.send_keys(value)
    follow(driver, By.CSS_SELECTOR, "form.moments button")


def test_moving_through_stated_time_and_following_a_claim(
    browser, server: Server, screenshots: Path
):
    sign_in(browser, server, "reader")
    browser.get(server.url + "/incidents")
    follow(browser, By.CSS_SELECTOR, f'a[href="/incidents/{SEED}"]')
    assert links_to(browser, ".board", DECEMBER) > 0
    set_as_of(browser, "2019-11-30")
    assert "as_of=2019-11-30" in browser.current_url  # a link reproduces the view
    assert links_to(browser, ".board", DECEMBER) == 0
    assert links_to(browser, ".undetermined", DECEMBER) == 0
    browser.save_screenshot(str(screenshots / "incident-as-of-2019-11-30.png"))
    set_as_of(browser, "2019-12-10")
    assert links_to(browser, ".board", DECEMBER) == 0
    assert links_to(browser, ".undetermined", DECEMBER) == 1
    assert browser.find_elements(By.CSS_SELECTOR, "svg .as-of")
    assert browser.find_elements(By.CSS_SELECTOR, "svg .mark.undetermined")
    browser.save_screenshot(str(screenshots / "incident-as-of-2019-12-10.png"))
    timeline = browser.find_element(By.CSS_SELECTOR, "figure.timeline")
    timeline.screenshot(str(screenshots / "timeline-as-of-2019-12-10.png"))
    set_as_of(browser, "")
    follow(browser, By.CSS_SELECTOR, f'.board a[href="/claims/{CLAIM}"]')
    follow(browser, By.CSS_SELECTOR, f'a[href="/statements/{DECEMBER}"]')
    chain = browser.find_element(By.CSS_SELECTOR, "figure.chain svg")
    assert chain.find_elements(By.CSS_SELECTOR, "rect.document")
    names = browser.find_element(By.CSS_SELECTOR, "ol.chain-list").text
    assert "sha256:" in names
    browser.find_element(By.CSS_SELECTOR, "figure.chain").screenshot(
        str(screenshots / "provenance-diagram.png")
    )


def test_a_recorder_records_a_statement_through_the_form(
    browser, server: Server, screenshots: Path
):
    sign_in(browser, server, "recorder")
    browser.get(f"{server.url}/incidents/{SEED}")
    follow(browser, By.LINK_TEXT, "Record a statement")
    browser.find_element(By.ID, "id").send_keys("recorded-in-chromium")
    browser.find_element(By.ID, "speaker").send_keys("Russia")
    Select(browser.find_element(By.ID, "kind")).select_by_visible_text("denial")
    Select(browser.find_element(By.ID, "claim")).select_by_value(CLAIM)
    browser.find_element(By.ID, "stated_at").send_keys("2019-13-45")
    browser.find_element(By.ID, "quote").send_keys("We did not.")
    follow(browser, By.CSS_SELECTOR, "form.form button")
    problem = browser.find_element(By.ID, "stated_at-problem")
    assert "2019-13-45" in problem.text
    field = browser.find_element(By.ID, "stated_at")
    assert field.get_attribute("aria-describedby") == "stated_at-problem"
    browser.save_screenshot(str(screenshots / "record-bad-date.png"))
    field.clear()
    field.send_keys("2020-01-05")
    follow(browser, By.CSS_SELECTOR, "form.form button")
    arrives_at(browser, "/statements/recorded-in-chromium")
    browser.get(f"{server.url}/incidents/{SEED}")
    assert links_to(browser, "figure.timeline svg", "recorded-in-chromium") == 1
    browser.save_screenshot(str(screenshots / "incident-timeline-recorded.png"))


def test_a_reader_finds_no_forms(browser, server: Server):
    sign_in(browser, server, "reader")
    for path in PAGES.values():
        if path == "/sign-in":
            continue
        browser.get(server.url + path)
        assert browser.find_elements(By.CSS_SELECTOR, "form[method=post]") == []
        assert not browser.find_elements(By.LINK_TEXT, "Record a statement")
        assert not browser.find_elements(By.CSS_SELECTOR, "a.action")


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    browser, server: Server, screenshots: Path, name: str
):
    from axe_selenium_python import Axe

    if name != "sign-in":
        sign_in(browser, server, "admin")
    else:
        browser.get(server.url + "/sign-out")
    browser.get(server.url + PAGES[name])
    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    browser.save_screenshot(str(screenshots / f"page-{name}.png"))
    assert bad == []


FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)
FORMS = {
    "record": f"/incidents/{SEED}/record",
    "correct": f"/statements/{DECEMBER}/correct",
    "withdraw": f"/statements/{DECEMBER}/withdraw",
    "grade": f"/statements/{DECEMBER}/grade",
    "correct-claim": f"/claims/{CLAIM}/correct",
    "correct-actor": "/actors/russia/correct",
}


def reached_by_tab(driver, limit: int) -> list:
    """Elements that take the focus, in order, pressing Tab from the page's top."""
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    reached = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        element = driver.switch_to.active_element
        if element in reached:
            break  # round the page and back to the first
        reached.append(element)
    return reached


def unreachable(driver) -> list[str]:
    """The visible controls of the page that Tab never reaches."""
    controls = [
        element
        for element in driver.find_elements(By.CSS_SELECTOR, FOCUSABLE)
        if element.is_displayed() and element.is_enabled()
    ]
    assert controls, f"nothing to reach on {driver.current_url}"
    reached = reached_by_tab(driver, limit=len(controls) + 20)
    return [
        element.get_attribute("outerHTML")[:120]
        for element in controls
        if element not in reached
    ]


def test_every_control_can_be_reached_with_the_keyboard(browser, server: Server):
    browser.get(server.url + "/sign-out")
    browser.get(server.url + PAGES["sign-in"])
    missed = {"sign-in": unreachable(browser)}
    sign_in(browser, server, "admin")  # an admin sees every form and button
    for name, path in {**PAGES, **FORMS}.items():
        if name != "sign-in":
            browser.get(server.url + path)
            missed[name] = unreachable(browser)
    assert {name: tags for name, tags in missed.items() if tags} == {}
