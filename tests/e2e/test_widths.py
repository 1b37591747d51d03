"""Every main page fits a phone: each role opens home, each list of its menu, a record's
page, a form, the ranking, the monthly directive report and the notices at 375x667 (a
phone, touch) and at 1366x768 (an office screen), and no page is wider than the window.
On the phone a list's rows are cards whose fields carry their column's name, the menu
folds behind its toggler, and the report rows' quick answers show their names. Each page at
each width goes to tests/screenshots/widths-<role>-<page>-<width>.png.

One login per role: the phone's browser profile takes the office screen's cookies."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPORT_CSP_VIOLATIONS, TIMEOUT_MS
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import log_in

PHONE = {"width": 375, "height": 667}
SCREEN = {"width": 1366, "height": 768}
# Pages a role opens besides its menu: a record's page and a form where its lists offer one.
RECORD_LINKS = ("a[title='查看记录']", "a[title='编辑记录']", ".nav-tabs a[title='新建记录']")
RECORDS_OF = ("reports", "directives", "assignments")
# The pages each role must find in its menu (the lists come along).
MAIN_PAGES = {
    "admin": ("/admin/", "/admin/ranking/", "/admin/directive-report/", "/admin/notices/"),
    "staff": ("/admin/", "/admin/ranking/", "/admin/directive-report/", "/admin/notices/"),
    "qinghe": ("/admin/", "/admin/reports/", "/admin/directive-report/", "/admin/notices/"),
    "leader": ("/admin/", "/admin/ranking/", "/admin/directive-report/"),
}
# A Chinese character followed by a half-width colon: the text should say "：".
HALF_WIDTH_COLON = re.compile(r"[\u4e00-\u9fff]:")

MEASURE = """() => {
  const page = document.documentElement;
  const lists = Array.from(document.querySelectorAll(".table-responsive"))
    .filter((box) => box.querySelector("table.model-list"))
    .map((box) => [box.scrollWidth, box.clientWidth]);
  const cell = document.querySelector("table.model-list tbody td[class^='col-']");
  return {
    wide: page.scrollWidth,
    window: window.innerWidth,
    lists: lists,
    label: cell ? getComputedStyle(cell, "::before").content : null,
    text: document.body.innerText,
  };
}"""


def _phone_context(browser, server, watch, desk):
    """A phone's browser profile (touch, 375px) holding the office screen's login."""
    phone = browser.new_context(
        base_url=server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        storage_state=desk.storage_state(),
    )
    phone.set_default_timeout(TIMEOUT_MS)
    phone.add_init_script(REPORT_CSP_VIOLATIONS)
    phone.on("page", watch.attach)
    return phone


def _pages(page):
    """The role's main pages: home, its menu's screens, and a record's page and its forms
    from the lists of reports, directives and assignments."""
    links = page.eval_on_selector_all(
        "nav.navbar .dropdown-menu a[href], nav.navbar a.nav-link[href]",
        "links => links.map((a) => a.getAttribute('href'))",
    )
    menu = [u for u in dict.fromkeys(links) if u.startswith("/admin/") and "#" not in u]
    urls = ["/admin/", *(u for u in menu if u != "/admin/")]
    for endpoint in RECORDS_OF:
        if f"/admin/{endpoint}/" not in menu:
            continue
        page.goto(f"/admin/{endpoint}/")
        for selector in RECORD_LINKS:
            link = page.locator(selector).first
            if link.count():
                urls.append(link.get_attribute("href"))
    return urls


def _name(url):
    path, _, query = url.partition("?")
    name = path.strip("/").removeprefix("admin").strip("/").replace("/", "-") or "home"
    return name + ("-" + query.partition("&")[0].replace("=", "") if "id=" in query else "")


def _fits(page, url, size, screenshot, role):
    response = page.goto(url)
    assert response.ok, f"{url}: {response.status}"
    page.wait_for_load_state("load")
    seen = page.evaluate(MEASURE)
    screenshot(page, f"widths-{role}-{_name(url)}-{size['width']}")
    # A phone's browser widens its window to a page wider than the screen: hold it to both.
    assert seen["window"] == size["width"], f"{url} widened the window to {seen['window']}px"
    assert seen["wide"] <= seen["window"], f"{url} is {seen['wide']}px wide at {size['width']}"
    colons = HALF_WIDTH_COLON.findall(seen["text"])
    assert not colons, f"{url}: half-width colons after Chinese: {colons}"
    return seen


@pytest.mark.parametrize("role", ["admin", "staff", "qinghe", "leader"])
def test_every_main_page_fits_a_phone_and_an_office_screen(
    browser, server, watch, context, page, screenshot, role
):
    page.set_viewport_size(SCREEN)
    log_in(page, role, PASSWORD)
    urls = _pages(page)
    assert set(MAIN_PAGES[role]) <= set(urls), urls
    assert any("/details/" in u for u in urls), urls
    forms = [u for u in urls if re.search("/(new|edit)/", u)]
    assert forms or role == "leader", urls  # a leader reads only
    for url in urls:
        _fits(page, url, SCREEN, screenshot, role)
    expect(page.locator("button.navbar-toggler")).to_be_hidden()

    phone_context = _phone_context(browser, server, watch, context)
    try:
        phone = phone_context.new_page()
        cards = 0
        for url in urls:
            seen = _fits(phone, url, PHONE, screenshot, role)
            for wide, box in seen["lists"]:
                assert wide <= box, f"{url}: a list row is {wide}px in a {box}px box"
            if seen["label"] is not None:
                assert seen["label"] not in ("none", "normal", '""'), url  # a labelled card
                cards += 1
        assert cards >= 3, "lists with rows drawn as cards"
        _menu_folds(phone)
        if role == "staff":
            _quick_answers_are_named(phone)
    finally:
        phone_context.close()


def _menu_folds(phone):
    """The menu hides behind the toggler, and the toggler opens it. The folded bar keeps
    the site's name and the to-do link (to the home page's list), on one line."""
    phone.goto("/admin/")
    phone.wait_for_load_state("load")
    menu = phone.locator("#admin-navbar-collapse")
    expect(menu).to_be_hidden()
    bar = phone.locator("nav.navbar")
    brand, todo = bar.locator(".navbar-brand"), bar.locator("a.ducha-todo-bar")
    expect(brand).to_have_text("督查")
    expect(todo).to_be_visible()
    expect(todo).to_contain_text("待办")
    assert todo.get_attribute("href").endswith("/admin/#todo")
    toggler = phone.locator("button.navbar-toggler").bounding_box()
    for shown in (brand, todo):
        box = shown.bounding_box()
        assert abs(box["y"] - toggler["y"]) < toggler["height"], f"not on the toggler's line: {box}"
        assert box["x"] + box["width"] <= toggler["x"], box
    phone.locator("button.navbar-toggler").tap()
    expect(menu).to_be_visible()
    expect(menu.locator("a.nav-link").first).to_be_visible()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width == [PHONE["width"]] * 2, f"the open menu: {width}"


def _quick_answers_are_named(phone):
    """On a touch screen a report row's answers say what they do, finger-sized."""
    phone.goto("/admin/reports/")
    answer = phone.locator("table.model-list .ducha-answers button[title='不采用']").first
    expect(answer).to_be_visible()
    shown = answer.evaluate("(b) => getComputedStyle(b, '::after').content")
    assert shown == '"不采用"', shown
    box = answer.bounding_box()
    assert box["height"] >= 36 and box["x"] + box["width"] <= PHONE["width"], box


def test_the_refusal_page_fills_the_window(page, watch):
    """The page a unit gets for a screen not its own: its background reaches the bottom
    of the window on a phone and an office screen alike."""
    log_in(page, "qinghe", PASSWORD)
    watch.expect_status("/admin/accounts/", 403)
    for size in (PHONE, SCREEN):
        page.set_viewport_size(size)
        assert page.goto("/admin/accounts/").status == 403
        height = page.evaluate("document.body.getBoundingClientRect().height")
        assert height >= size["height"], f"the background stops at {height}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


TABLE_BOXES = """() => Array.from(document.querySelectorAll(".table-responsive"))
  .map((box) => [box.scrollWidth, box.clientWidth])"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_yearly_ranking_fits_an_office_screen_in_both_languages(page, screenshot, lang):
    """The year's ranking has the most columns (the quota's progress too), and English
    headers are the longest: at 1366px its table shows whole, without scrolling its box."""
    page.set_viewport_size(SCREEN)
    log_in(page, "admin", PASSWORD)
    page.goto(f"/admin/ranking/?lang={lang}")
    year = page.locator("#period").input_value()[:4]
    assert re.fullmatch(r"\d{4}", year), year
    page.goto(f"/admin/ranking/?period={year}")
    page.wait_for_load_state("load")
    header = page.locator("table.ducha-ranking thead th")
    expect(header.last).to_be_visible()
    assert header.count() == 19  # the quota's column is there: a year
    screenshot(page, f"widths-ranking-year-{lang}-1366")
    boxes = page.evaluate(TABLE_BOXES)
    assert boxes, "the ranking's table box"
    for wide, box in boxes:
        assert wide <= box, f"the year's ranking ({lang}) is {wide}px in a {box}px box"
    seen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert seen == [SCREEN["width"]] * 2, seen
