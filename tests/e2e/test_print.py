"""The office's documents on paper: staff issue a 督办单 and print it, the 催办单 of an
overdue assignment, and last month's ranking bulletin (《信息工作通报》), each printed to PDF
by Chromium (A4, static/print.css) and read back with pypdf: the title, the number, the
issuer and "第 1 页 共 N 页" on every page, and no record id or unit code; in print the page
is no wider than A4's text area and shows no menu or button. The first pages go to
tests/screenshots/ as PNG for a person to look at (docs/bulletin.png is the bulletin's)."""

import io
import re
import shutil
import subprocess
import unicodedata

from playwright.sync_api import expect
from pypdf import PdfReader

from models import Assignment, Bulletin, Directive, Unit, clock, db
from models.documents import number_of
from models.periods import parse_period
from models.ranking import ranking
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import answer_dialog, expect_message, log_in, on_a_phone, scripts_ready

# The text area of A4 inside the margins of static/print.css (GB/T 9704), in CSS pixels.
A4_TEXT_WIDTH = int((210 - 28 - 26) / 25.4 * 96)
# The numbers a document may print: dates, its 督办 number, days, its page number.
NUMBERS = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|督办〔\d{4}〕\d+号|\d+天|第\d+页共\d+页")


def _directive(records):
    """A demo directive handed to several units, not confidential, not issued yet."""
    with records.app_context():
        for directive in Directive.query.order_by(Directive.id):
            live = [a for a in directive.assignments if a.status != "cancelled"]
            if len(live) >= 2 and not directive.confidential and number_of(directive) is None:
                return directive.id, [a.unit.code for a in live]
    raise AssertionError("the demo has no directive to issue")


def _overdue(records):
    """A demo assignment overdue: its id, days overdue and its unit's code."""
    with records.app_context():
        today = clock.today()
        query = Assignment.query.filter(Assignment.overdue_filter(today))
        assignment = query.order_by(Assignment.id).first()
        return assignment.id, assignment.days_overdue(today), assignment.unit.code


def _printed(page, name):
    """The page printed: its page count and text. In print media it is no wider than A4's
    text area (Bootstrap's print styles make the body 992px, which Chromium shrinks and cuts)
    and shows no menu or button. Its first page goes to tests/screenshots/ as PNG."""
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("button:visible, .btn:visible")).to_have_count(0)
    page.set_viewport_size({"width": A4_TEXT_WIDTH, "height": 900})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_TEXT_WIDTH, f"the {name} is {width}px wide in print"

    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        png = SCREENSHOTS / f"print-{name}"  # pdftoppm adds .png
        command = ["pdftoppm", "-png", "-r", "80", "-singlefile", "-", str(png)]
        subprocess.run(command, input=pdf, check=True)
    reader = PdfReader(io.BytesIO(pdf))
    pages = [_plain(p.extract_text()) for p in reader.pages]
    for number, text in enumerate(pages, 1):  # each page's footer, from print.css's @page
        assert f"第{number}页共{len(pages)}页" in text, text[-200:]
    return len(pages), "".join(pages)


# Radicals pypdf reads for simplified characters, which NFKC leaves as they are.
RADICALS = str.maketrans(
    "⻅⻆⻈⻉⻋⻐⻓⻔⻘⻚⻛⻜⻠⻢⻥⻦⻨⻩⻬⻮⻰⻳", "见角讠贝车钅长门青页风飞饣马鱼鸟麦黄齐齿龙龟"
)


def _plain(text):
    """pypdf spaces Chinese at random and reads some characters as radicals (⽉ for 月)."""
    return unicodedata.normalize("NFKC", re.sub(r"\s+", "", text)).translate(RADICALS)


def _office_document(text, records, unit_codes):
    """The issuer and the page number, nothing from the screen, no id or unit code."""
    assert records.config["OFFICE_NAME"] in text
    assert "第1页共1页" in text  # the page number and count, from print.css's @page
    assert "退出" not in text and "打印" not in text  # the menu and the buttons
    assert not any(code in text for code in unit_codes)
    rest = NUMBERS.sub("", text.replace(records.config["OFFICE_CONTACT"], ""))
    assert not re.search(r"\d", rest), f"a number no document prints: {rest}"


def test_the_supervision_notice_on_paper(page, records):
    directive_id, unit_codes = _directive(records)
    log_in(page, "staff", PASSWORD)
    page.goto(f"/admin/directives/notice/?id={directive_id}")
    scripts_ready(page)
    asked = answer_dialog(page, accept=True)
    page.get_by_role("button", name="印发并编号").click()
    expect_message(page, "已印发")
    assert asked
    with records.app_context():
        number = number_of(db.session.get(Directive, directive_id))
        number = f"督办〔{number.year}〕{number.serial}号"

    pages, text = _printed(page, "supervision-notice")
    assert pages == 1, text
    assert f"督办单{number}督办事项" in text  # the title, the number line, the rows
    _office_document(text, records, unit_codes)


def test_the_chase_notice_on_paper(page, records):
    assignment_id, days, unit_code = _overdue(records)
    log_in(page, "staff", PASSWORD)
    page.goto(f"/admin/assignments/chase-notice/?id={assignment_id}")
    expect(page.locator(".ducha-document-title")).to_have_text("催办单")
    on_a_phone(page, ".ducha-document-title")

    pages, text = _printed(page, "chase-notice")
    assert pages == 1, text
    assert "催办单督办事项" in text and f"超期天数{days}天" in text
    _office_document(text, records, [unit_code])


def test_the_ranking_bulletin_on_paper(page, records):
    """Staff draft last month's bulletin of the townships from the ranking page, issue it,
    and print it: the masthead, the issue number, the office, the title, the text and the
    table of every township, with no unit code."""
    with records.app_context():
        period = parse_period(None)
        units = Unit.query.filter_by(ranking_group="township", active=True).all()
        codes = [u.code for u in units]
        # The month's townships: a unit made since (by another walk) is not among them.
        expected = sorted(row.unit for row in ranking(period, "township"))
    log_in(page, "staff", PASSWORD)
    page.goto(f"/admin/ranking/?period={period.key}&group=township")
    page.get_by_role("button", name="起草通报").click()
    expect(page.locator(".ducha-bulletin-title")).to_contain_text("信息工作情况的通报")
    scripts_ready(page)
    asked = answer_dialog(page, accept=True)
    page.get_by_role("button", name="印发并编号").click()
    expect_message(page, "已印发")
    assert asked
    with records.app_context():
        bulletin = Bulletin.query.filter_by(state="issued").order_by(Bulletin.id.desc()).first()
        number, title = bulletin.number_text, bulletin.title
        ranked = [r.unit for r in bulletin.ranked_rows()]
    assert re.fullmatch(r"\d{4}年第\d+期", number)

    on_a_phone(page, ".ducha-bulletin-masthead")
    pages, text = _printed(page, "bulletin")
    assert 1 <= pages <= 3, text
    assert f"信息工作通报{number}{records.config['OFFICE_NAME']}" in text  # the masthead block
    assert _plain(title) in text and "排名前列的单位是" in text
    assert "名次单位县级市级省级中央级采用条数得分名次变化备注" in text  # the reader's table
    assert [name for name in ranked if _plain(name) not in text] == []
    assert sorted(ranked) == expected
    assert not any(
        re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z0-9])", text) for c in codes
    )
    assert "退出" not in text and "打印" not in text
