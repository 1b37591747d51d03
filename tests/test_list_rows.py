"""Our list page (views/fast_list/, templates/admin/fast_list.html) is
Flask-Admin's list page, drawn faster.

Each list page of the demo city is drawn twice for each role: with our template and with
Flask-Admin's own list template, and the pages must match (spaces next to tags aside). The
second drawing uses the same view, so the same rows, formatters and guards.
"""

import re
from collections import Counter

import pytest
from flask_babel.speaklater import LazyString

import demo
from models import Unit, db
from tests.helpers import login
from views.secure import SecureModelView

PASSWORD = "list-rows-password-1"
ROWS = re.compile(r"</thead>(.*?)</table>", re.S)
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')
NONCE = re.compile(r'nonce="[^"]*"')
SPACES = re.compile(r"\s+")
# What a person does on a list: page, sort either way, search, filter, a page size.
ASKED = ("", "page=1", "sort=0", "sort=1&desc=1", "search=镇", "flt0_0=1", "page_size=50")


def _rows(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    (body,) = ROWS.findall(response.get_data(as_text=True))
    body = TOKEN.sub(r'\1"', body)
    return re.sub(r">\s+|\s+<", lambda m: m[0].strip(), body).strip()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    page = TOKEN.sub(r'\1"', response.get_data(as_text=True))
    page = NONCE.sub('nonce=""', page)
    return SPACES.sub(" ", re.sub(r">\s+|\s+<", lambda m: m[0].strip(), page)).strip()


def _model_views(app):
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, SecureModelView)]


@pytest.fixture
def demo_city(app):
    with app.app_context():
        demo.seed(PASSWORD)


@pytest.mark.parametrize("username", ["admin", "leader", "qinghe"])
def test_every_list_draws_flask_admins_rows(app, demo_city, monkeypatch, username):
    client = login(app.test_client(), username, PASSWORD)
    compared = []
    for view in _model_views(app):
        url = f"/admin/{view.endpoint}/?page_size=100"
        if client.get(url).status_code != 200:
            continue  # not this role's screen
        ours = _rows(client, url)
        with monkeypatch.context() as patch:
            patch.setattr(view, "list_template", "admin/model/list.html")
            stock = _rows(client, url)
        assert ours == stock, view.endpoint
        if "<tr" in ours:
            compared.append(view.endpoint)
    assert len(compared) >= 5, compared  # screens with rows, not empty tables


@pytest.mark.parametrize("username", ["admin", "leader", "qinghe"])
def test_every_list_page_is_flask_admins_page(app, demo_city, monkeypatch, username):
    client = login(app.test_client(), username, PASSWORD)
    compared = 0
    for view in _model_views(app):
        if view.list_template != SecureModelView.list_template:
            continue  # a page of its own around our list (the calendar's notes)
        for asked in ASKED:
            url = f"/admin/{view.endpoint}/?{asked}"
            if client.get(url).status_code != 200:
                continue  # not this role's screen, or a filter this list has not
            ours = _page(client, url)
            with monkeypatch.context() as patch:
                patch.setattr(view, "list_template", "admin/model/list.html")
                stock = _page(client, url)
            assert ours == stock, url
            compared += 1
    assert compared >= 40, compared


def test_every_sort_link_of_every_list_answers(app, demo_city):
    """A header a list offers to sort by sorts (a directive's light, a query expression,
    had sent ORDER BY NULL, which PostgreSQL refuses)."""
    client = login(app.test_client(), "admin", PASSWORD)
    SORT_LINK = re.compile(r'<th class="column-header[^"]*">\s*<a href="([^"]+)"')
    followed = 0
    for view in _model_views(app):
        page = client.get(f"/admin/{view.endpoint}/").get_data(as_text=True)
        for link in SORT_LINK.findall(page):
            link = link.replace("&amp;", "&")
            for url in (link, link + "&desc=1", link + "&page=1"):
                assert client.get(url).status_code == 200, url
            followed += 1
    assert followed >= 50, followed


def test_a_view_wanting_what_our_list_does_not_draw_is_refused(app):
    class Editable(SecureModelView):
        column_editable_list = ["name"]

    class Modal(SecureModelView):
        details_modal = True

    with app.app_context():
        for view in (Editable, Modal):
            with pytest.raises(TypeError, match="admin/model/list.html"):
                view(Unit, db, endpoint=f"x{view.__name__}")
        Editable.list_template = "admin/model/list.html"
        Editable(Unit, db, endpoint="xeditable")  # Flask-Admin's page draws it


def test_row_cells_translate_choice_labels_once_a_page(app, demo_city, monkeypatch):
    """A status column's labels: one translation for each choice, not two for every row."""
    client = login(app.test_client(), "admin", PASSWORD)
    client.get("/admin/reports/?page_size=100")  # warm
    translated = Counter()
    original = LazyString.__str__

    def counted(self):
        translated[self._args] += 1
        return original(self)

    monkeypatch.setattr(LazyString, "__str__", counted)
    page = client.get("/admin/reports/?page_size=100").get_data(as_text=True)
    assert page.count('class="col-status"') == 100
    view = next(v for v in _model_views(app) if v.endpoint == "reports")
    labels = [label._args for label in view._column_choices_map["status"].values()]
    assert sum(translated[label] for label in labels) > 0
    assert max(translated[label] for label in labels) <= 3, translated


def test_static_urls_follow_each_path_the_app_is_served_under(app, as_role):
    client = as_role("admin")
    STATIC = re.compile(r'(?:href|src)="([^"]*/static/[^"]*)"')
    plain = STATIC.findall(client.get("/admin/units/").get_data(as_text=True))
    under = client.get("/admin/units/", base_url="http://localhost/ducha")
    prefixed = STATIC.findall(under.get_data(as_text=True))
    assert len(plain) >= 10 and len(prefixed) == len(plain)
    assert all(url.startswith("/admin/static/") or url.startswith("/static/") for url in plain)
    assert prefixed == ["/ducha" + url for url in plain]
    again = STATIC.findall(client.get("/admin/units/").get_data(as_text=True))
    assert again == plain
