"""Every page of the Chinese interface speaks Chinese, for every role, over the demo city;
the same pages with ?lang=en speak English.

One app and one client per role walk the pages a person reaches from the home page
(lists, details, create and edit forms, ranking, reports, notices, imports, audit, the
documents), one page of each kind, plus the error pages. What a person reads is checked:
text, tooltips, placeholders, button values, the filter menus' words and the words our
script gives Flask-Admin's dropdowns and date pickers; not scripts, field names or data.
"""

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

import demo
from app import create_app
from models import db
from tests.helpers import base_config, empty_tables, login

PASSWORD = "all-chinese-password-1"
USERS = {"admin": "admin", "staff": "staff", "unit": "qinghe", "leader": "leader"}
USERNAMES = {*USERS.values(), "chengguan"}  # the demo's accounts, listed by name
CATALOGUES = "translations/zh_Hans_CN/LC_MESSAGES"

# English interface words (whole words, case-sensitive) that a Chinese page must not show.
FORBIDDEN = [
    "Save", "Cancel", "Delete", "Edit", "Create", "List", "Details", "View", "Back",
    "Submit", "Apply", "Search", "Filter", "Add Filter", "Home", "Log out", "Next",
    "Previous", "Yes", "No", "Select", "items", "item", "With selected", "Su Mo",
    "Su", "Mo", "Tu", "We", "Th", "Fr", "Sa", "Jan", "Dec", "true", "false", "True",
    "False", "None", "__None", "null", "undefined", "nan", "Page", "Export", "Print",
    "Total", "Actions", "Required", "Close", "Apply",
]  # fmt: skip
# Python objects where words should be: reprs, lazy strings, Markup, dates.
REPRS = re.compile(
    r"<[\w.]+ object at 0x|<\w+ (?:\d+|id=\d+)>|<[A-Z]\w*\(|LazyString|Markup\(|"
    r"datetime\.(?:date|datetime)\(|Decimal\(|\bUndefined\b|\{\{|\}\}|\{%"
)
# Latin words a Chinese page may show: the language switch, file kinds, brands, units.
ALLOWED = {
    "English", "Excel", "CSV", "JSON", "XLSX", "xlsx", "csv", "UTF", "GBK", "GB",
    "BOM", "PDF", "OFD", "WPS", "JPEG", "PNG", "Word", "ID", "MB", "KB", "Email",
    "RQ", "Redis", "SMTP", "Ducha", "Q1", "Q2", "Q3", "Q4", "NUL", "SQL", "SQLite",
    "PostgreSQL", "HTTP", "URL", "txt", "docx", "pdf", "ofd", "jpg", "png", "eml",
}  # fmt: skip
LATIN_WORD = re.compile(r"(?<![\w@.])[A-Za-z][A-Za-z_]{2,}(?![\w@])")
DATA = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+|/\S*|\b[\w-]+\.(?:xlsx|csv|pdf|ofd|docx?)\b")
PERIOD_LABEL = re.compile(r"^\d{4}年(?:\d{1,2}月|第\d季度)?$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# A link that leaves the pages, downloads, changes the language or signs out.
NOT_FOLLOWED = re.compile(
    r"^/(?:static|admin/static)/|logout|lang=|format=(?:xlsx|csv|json)|export|"
    r"download|/file/|\.xlsx|\.csv|/todo[-_]count|/template|^/admin/audit/"
)
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-placeholder", "data-confirm")


class Reading(HTMLParser):
    """What a person reads on a page: text outside scripts, styles, textareas (their own
    words) and hidden JSON; tooltips, placeholders, buttons' values, the filter menus, the
    texts ducha.js hands to Flask-Admin's widgets, and inline forms' templates."""

    SKIPPED = {"script", "style", "textarea", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self._skip = []  # the tags whose content is not read, innermost last
        self._json = None
        self._template_depth = 0
        self._template = []
        self._classes = []  # the classes of the open <div>s

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.texts.append(attrs.get("value") or "")
        if (attrs.get("id") or "").startswith("ducha-") and attrs["id"].endswith("-texts"):
            self.texts += [v for k, v in attrs.items() if k.startswith("data-") and v]
        if tag in self.SKIPPED:
            self._skip.append(tag)
        if tag == "div":
            self._classes.append(attrs.get("class") or "")
            if "inline-field-template" in self._classes[-1]:
                self._template_depth += 1
            if attrs.get("id") == "filter-groups-data":
                self._json = []
            elif (attrs.get("id") or "").endswith("-data"):
                self._skip.append("div")

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag == "div":
            if self._json is not None:
                self._read_filters("".join(self._json))
                self._json = None
            closed = self._classes.pop() if self._classes else ""
            if "inline-field-template" in closed:  # the form Flask-Admin adds on a click
                self._template_depth -= 1
                self.texts += reading("".join(self._template))
                self._template = []

    def handle_data(self, data):
        if self._json is not None:
            self._json.append(data)
        elif self._template_depth:
            self._template.append(data)
        elif not self._skip:
            self.texts.append(data)

    def _read_filters(self, text):
        for group, operations in json.loads(text).items():
            self.texts.append(group)
            for operation in operations:
                self.texts.append(operation["operation"])
                self.texts += [label for _value, label in operation["options"] or []]


def reading(page):
    parser = Reading()
    parser.feed(page)
    return [" ".join(t.split()) for t in parser.texts if t.strip()]


def english_in(texts, usernames):
    """The English a Chinese page shows: forbidden words, reprs and other Latin words."""
    found = set()
    for text in texts:
        found |= {m[0] for m in REPRS.finditer(text)}
        plain = DATA.sub(" ", text)
        for word in FORBIDDEN:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", plain):
                found.add(word)
        found |= {
            w
            for w in LATIN_WORD.findall(plain)
            if w not in ALLOWED and w not in usernames and not w.isupper()
        }
    return found


def _catalogue_words():
    """Our catalogues' Chinese words that stand as a whole text (buttons, labels, headers)."""
    words = set()
    for name in ("messages.po", "admin.po"):
        with open(f"{CATALOGUES}/{name}", "rb") as po:
            for message in read_po(po):
                for text in (
                    message.string if isinstance(message.string, tuple) else [message.string]
                ):
                    if text and CHINESE.search(text) and "%" not in text and len(text) <= 12:
                        words.add(text)
    return words


def _data_texts(app):
    """Short Chinese texts of the records (names, notes): data, in whatever language."""
    found = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.String):
                    query = sa.select(column).distinct().where(sa.func.length(column) <= 12)
                    found |= {v for v in db.session.scalars(query) if v}
    return found


def chinese_in(texts, interface_words):
    """The Chinese interface an English page shows: whole texts our catalogues translate
    to, a Chinese period label, Flask-Admin's words."""
    found = set()
    for text in texts:
        if text in interface_words or PERIOD_LABEL.match(text):
            found.add(text)
        if re.search(
            r"\d+ (?:项目|条)$|^(?:选中的|批量操作)$|每页 \d+|Information.*\d{4}年|\d{4}年\S* Information|period: \d{4}年",
            text,
        ):
            found.add(text)
    return found


def with_lang(url, lang):
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return f"{parts.path}?{urlencode(query + [('lang', lang)])}"


def kind_of(url):
    """One page of each kind: the path with its ids, and the names of its arguments."""
    parts = urlsplit(url)
    names = sorted({k for k, _v in parse_qsl(parts.query) if k not in ("url", "page_size")})
    return re.sub(r"\d+", "N", parts.path), tuple(names)


def test_the_checks_find_what_they_look_for():
    chinese_page = (
        '<button>20 项目</button><select><option value="__None">__None</option></select>'
        '<span title="active: true"></span><p>&lt;Unit 3&gt; None</p>'
        '<span id="ducha-date-texts" data-apply="Apply" data-days="Su Mo Tu We Th Fr Sa"></span>'
        '<div class="inline-field-template d-none">&lt;legend&gt;Save&lt;/legend&gt;</div>'
    )
    found = english_in(reading(chinese_page), set())
    assert {"__None", "true", "<Unit 3>", "None", "Apply", "Su Mo", "Save"} <= found
    english_page = (
        "<p>Previous period: 2026年10月 ·</p><h4>2026年11月 Information work bulletin</h4>"
        "<a>20 项目</a><b>选中的</b><td>保存</td><td>清河县</td>"
    )
    assert len(chinese_in(reading(english_page), {"保存"})) == 5


@pytest.fixture(scope="module")
def city(database_url, tmp_path_factory):
    folder = tmp_path_factory.mktemp("all_chinese")
    app = create_app(
        {**base_config(database_url, folder / "files"), "MAIL_OUTBOX_DIR": str(folder / "out")}
    )
    with app.app_context():
        demo.seed(PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
        db.engine.dispose()


# Documents the office prints are Chinese whatever the screen's language (models/documents.py),
# and the import page lists its templates' Chinese headers: there only the labels are checked.
CHINESE_BY_DESIGN = re.compile(
    r"/(?:notice|chase-notice)/|^/admin/import/|^/admin/criticism/print/"
)
# Flask-Admin's menu button says "Toggle navigation" in its template; ducha.js relabels it
# from #ducha-nav-texts, which is read here like the other texts.
RELABELLED = "Toggle navigation"

# Pages a walk from the home page may not reach: forms, the errors, the account's pages.
START = [
    "/admin/",
    "/admin/no-such-page/",
    "/admin/reports/details/?id=999999999",
    "/account/password",
    "/admin/search/?q=信息",
]
FORBIDDEN_TO = {  # a page each role may not open: its 403
    "admin": None,
    "staff": "/admin/accounts/",
    "unit": "/admin/accounts/",
    "leader": "/admin/accounts/",
}


def walk(client, start, most=400):
    """(url, status, page) of one page of each kind reachable from `start`, in Chinese."""
    seen, queue, kinds = set(), list(start), set()
    while queue and len(seen) < most:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(with_lang(url, "zh"))
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(response.location)
            continue
        if "text/html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        yield url, response.status_code, page
        for link in re.findall(r'href="(/[^"#]*)"', page):
            link = html.unescape(link)
            if NOT_FOLLOWED.search(link) or kind_of(link) in kinds:
                continue
            kinds.add(kind_of(link))
            queue.append(link)


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_speaks_chinese_and_english(city, role):
    client = login(city.test_client(), USERS[role], PASSWORD)
    interface_words = _catalogue_words() - _data_texts(city)
    start = START + [u for u in [FORBIDDEN_TO[role]] if u]
    english, chinese, statuses = {}, {}, set()
    pages = 0
    for url, status, page in walk(client, start):
        pages += 1
        statuses.add(status)
        texts = reading(page)
        if 'id="ducha-nav-texts"' in page:
            texts = [t for t in texts if t != RELABELLED]
        found = english_in(texts, USERNAMES)
        if found:
            english[url] = sorted(found)
        translated = client.get(with_lang(url, "en"))
        assert translated.status_code == status, url
        words = set() if CHINESE_BY_DESIGN.search(url) else interface_words
        found = chinese_in(reading(translated.get_data(as_text=True)), words)
        if found:
            chinese[url] = sorted(found)[:10]
    assert english == {}, f"English on Chinese pages ({role})"
    assert chinese == {}, f"Chinese interface on English pages ({role})"
    assert pages >= 30, pages
    assert {200, 404} <= statuses, statuses
    if FORBIDDEN_TO[role]:
        assert 403 in statuses, statuses


def test_the_audit_trail_speaks_chinese(city):
    client = login(city.test_client(), USERS["admin"], PASSWORD)
    page = client.get("/admin/audit/?lang=zh").get_data(as_text=True)
    texts = [t for t in reading(page) if t != RELABELLED]
    assert english_in(texts, USERNAMES) == set()
