"""Every string the interface shows has its Simplified Chinese translation."""

import logging
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask

from app import check_translations, missing_catalogues

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_strings():
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    skip = (".venv", "migrations", "tests")
    found = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        callback=None,
        strip_comment_tags=True,
    ):
        if filename.startswith(skip):
            continue
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_interface_string_is_translated():
    with open(CATALOGUE, "rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    strings = _source_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if not catalogue.get(s))
    assert missing == [], f"add these to {CATALOGUE.relative_to(ROOT)} (make messages): {missing}"


def test_a_request_translates_with_its_own_locale_and_inside_force_locale(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context("/?lang=en"):
        assert gettext("Log out") == "Log out"
    with app.test_request_context("/"):
        assert gettext("Log out") == "退出"
        with force_locale("en"):
            assert gettext("Log out") == "Log out"
        assert gettext("Log out") == "退出"
        with force_locale("zh_Hans_CN"):
            assert gettext("Log out") == "退出"


def test_flask_admins_list_and_dropdowns_speak_chinese(as_role):
    client = as_role("staff")
    page = client.get("/admin/reports/").get_data(as_text=True)
    # the page sizes (their button's "项目" is Flask-Admin's own catalogue, which wins)
    assert "每页 50 条" in page and "50 items" not in page
    assert 'data-no-matches="没有找到匹配项"' in page  # select2's own texts (static/ducha.js)
    english = client.get("/admin/reports/?lang=en").get_data(as_text=True)
    assert "50 items" in english and 'data-no-matches="No matches found"' in english


def test_missing_compiled_translations_are_said_at_start(app, tmp_path, caplog):
    bare = Flask("bare", root_path=str(tmp_path))  # a checkout nobody compiled
    with caplog.at_level(logging.WARNING):
        check_translations(bare)
    (record,) = [r for r in caplog.records if "translations missing" in r.getMessage()]
    assert "messages.mo" in record.getMessage() and "admin.mo" in record.getMessage()
    assert "pybabel compile" in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        check_translations(app)  # this checkout: compiled
    assert missing_catalogues(app) == []
    assert not [r for r in caplog.records if "translations missing" in r.getMessage()]
