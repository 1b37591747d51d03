"""One name for each field (models/glossary.py): the list's column label, the export's
header and the import template's header are the same words; an older template's header
is still read."""

import csv
import io
import re

import pytest

from models import Directive, Report, Staff, Unit, db
from models.glossary import in_chinese
from models.imports import IMPORTERS, check_rows
from models.keywork import KeyWorkItem
from models.training import Training
from tests import factories
from tests.import_files import csv_bytes

# The fields the office saw under two names (信息类别/类别, 撰稿人/作者, 收件日期/收文日期,
# 领导/批示领导), and others the three places share.
FIELDS = [
    ("reports", "reports", "category", "信息类别"),
    ("reports", "reports", "author", "撰稿人"),
    ("reports", "reports", "title", "标题"),
    ("directives", "directives", "received_on", "收件日期"),
    ("directives", "directives", "leader_name", "批示领导"),
    ("units", "units", "kind", "单位类型"),
    ("staff", "staff", "email", "电子邮箱"),
]


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _list_headers(page):
    """The column headers of a list page, as shown."""
    cells = re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    return {re.sub(r"<[^>]+>|\s+", "", cell) for cell in cells}


@pytest.mark.parametrize("endpoint,kind,key,name", FIELDS)
def test_a_field_has_one_name_on_screen_in_exports_and_in_the_template(
    app, as_role, world, endpoint, kind, key, name
):
    client = as_role("admin")
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == endpoint)
    with app.test_request_context():
        assert str(view.column_labels[key]) == name  # the screens' label
    assert name in _list_headers(client.get(f"/admin/{endpoint}/").get_data(as_text=True))
    assert name in _csv(client.get(f"/admin/{endpoint}/export/csv/"))[0]  # the export
    template = _csv(client.get(f"/admin/import/template/{kind}/csv/"))[0]
    assert name in template  # the import template


def test_every_template_column_of_a_field_is_named_as_the_field(app):
    """Wherever a template column fills a model field, its header is the field's label."""
    models = {
        "units": [Unit],
        "staff": [Staff],
        "reports": [Report],
        "directives": [Directive],
        "trainings": [Training],
        "key_work": [KeyWorkItem],
    }
    with app.test_request_context():
        for kind, importer in IMPORTERS.items():
            for column in importer.columns:
                for model in models[kind]:
                    attribute = getattr(model, column.key, None)
                    if attribute is not None and "label" in getattr(attribute, "info", {}):
                        assert column.header == in_chinese(attribute), (kind, column.key)


def test_an_older_templates_headers_are_still_read(app):
    with app.app_context():
        office = factories.account("staff")
        factories.unit(code="QH-CG", name="城关镇")
        db.session.commit()
        header = ["标题", "单位代码", "报送时间", "类别", "作者", "正文"]
        row = ["城关镇开展安全检查", "QH-CG", "2026-03-05 10:00", "动态信息", "李明", "正文"]
        (outcome,) = check_rows("reports", csv_bytes(header, [row]), office, commit=True)
        assert outcome.action == "create", outcome.detail
        db.session.commit()
        report = Report.query.filter_by(title="城关镇开展安全检查").one()
        assert (report.category, report.author) == ("news", "李明")
        # The same column twice, under its name and an older one: refused, saying so.
        header = ["标题", "单位代码", "报送时间", "信息类别", "类别", "撰稿人"]
        row = ["另一篇", "QH-CG", "2026-03-05 10:00", "动态信息", "动态信息", "李明"]
        with pytest.raises(Exception, match="信息类别"):
            check_rows("reports", csv_bytes(header, [row]), office, commit=False)


def test_the_import_page_shows_its_title_once(as_role, world):
    page = as_role("admin").get("/admin/import/").get_data(as_text=True)
    body = page.split("</nav>", 1)[1]  # below the menu
    assert body.count("数据导入") == 1
