"""What a person does on Ducha's pages, in Playwright terms: log in, pick from a dropdown,
fill a date, save a form, read the message the page answers with."""

import re

from playwright.sync_api import expect


def log_in(page, username, password):
    """Log in through the login page (in Chinese) and land on the home page."""
    page.goto("/login")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    page.fill("#username", username)
    page.fill("#password", password)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="退出").click()
    expect_message(page, "您已退出")


def scripts_ready(page):
    """Wait for the page's scripts: a click lands on a link (say) before they have run,
    and the dropdown it should open stays shut."""
    page.wait_for_load_state("load")


def menu(page, category, item):
    """Open a screen through the menu bar: its category, then the screen."""
    scripts_ready(page)
    bar = page.locator("nav.navbar")
    bar.get_by_role("link", name=category).click()
    bar.get_by_role("link", name=item, exact=True).click()


def choose(page, field_id, label, search=None):
    """Pick `label` in the select2 dropdown of field `field_id`, typing `search` first
    (needed by the dropdowns that ask the server as one types)."""
    page.locator(f"#s2id_{field_id} a.select2-choice").click()
    drop = page.locator("#select2-drop")
    if search is not None:
        drop.locator("input.select2-input").fill(search)
    drop.locator(".select2-result-label", has_text=label).first.click()
    expect(page.locator(f"#s2id_{field_id} .select2-chosen")).to_contain_text(label)


def fill_date(page, selector, day):
    """Type a date into a date field (Flask-Admin's picker or the browser's own)."""
    field = page.locator(selector)
    field.fill(day.isoformat())
    if field.get_attribute("type") != "date":
        # Flask-Admin's picker opened on the field; it closes on a press anywhere else.
        page.locator("body").dispatch_event("mousedown")
        expect(page.locator(".daterangepicker:visible")).to_have_count(0)


def save(page, name="保存"):
    page.get_by_role("button", name=name, exact=True).click()


def expect_message(page, text):
    """The page shows a message (flashed at its top) holding `text`."""
    expect(page.locator(".alert", has_text=text)).to_be_visible()


def row(page, text):
    """The row of the list (or any table) holding `text`."""
    return page.locator("table tbody tr", has_text=text)


def answer_dialog(page, accept):
    """Answer the next dialog the page opens (Playwright dismisses one nobody answers);
    the list returned receives its text."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)
    return asked


# The characters of an element's text on each line it is drawn on, top to bottom.
LINE_LENGTHS = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const lines = new Map();
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      if (!node.data[i].trim()) continue;
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const top = Math.round(range.getBoundingClientRect().top);
      lines.set(top, (lines.get(top) || 0) + 1);
    }
  }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}"""


def line_lengths(page, selector):
    """How many characters of `selector`'s text stand on each of its lines."""
    return page.locator(selector).first.evaluate(LINE_LENGTHS)


def on_a_phone(page, heading):
    """The document read on a phone (375 px, screen media): nothing wider than the screen,
    and its `heading` on one line. Leaves the page as it was found (print media kept)."""
    size = page.viewport_size
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 375, "height": 667})
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 375, f"{wide}px wide on a 375px phone"
        lines = line_lengths(page, heading)
        assert len(lines) == 1, f"{heading} breaks on a phone: {lines}"
    finally:
        page.set_viewport_size(size)
