"""The scan of a directive's written instruction (批示件): uploaded with the directive
form, downloaded only by those who may read the directive's content (a unit it was not
handed to never; a leader not when it is confidential)."""

import datetime as dt
import io
from pathlib import Path

import pytest

from models import Attachment, Directive, RuleError, clock, db
from tests.test_views import read

SCAN = b"%PDF-1.4\n% the leader's instruction\n%%EOF\n"


def _form(number, scan=(SCAN, "市长批示.pdf"), **fields):
    data = {
        "number": number,
        "title": "关于河道整治的批示",
        "leader_name": "李市长",
        "leader_level": "city",
        "received_on": (clock.today() - dt.timedelta(days=1)).isoformat(),
        "content": "请抓紧整治",
        "group_part": "lead",
        "scan": (io.BytesIO(scan[0]), scan[1]),
        **fields,
    }
    return data


@pytest.fixture
def scanned(app, as_role, world):
    """Directive S-1 handed to unit A, with its scan; returns the download's URL."""

    def make(confidential=False):
        form = _form("S-1", lead_units=[world.unit_a])
        if confidential:
            form["confidential"] = "y"
        response = as_role("staff").post(
            "/admin/directives/new/", data=form, content_type="multipart/form-data"
        )
        assert response.status_code == 302
        with app.app_context():
            directive = Directive.query.filter_by(number="S-1").one()
            (scan,) = directive.scans
            return directive.id, f"/admin/feedback/attachment/{scan.id}/"

    return make


def test_the_unit_handed_the_directive_downloads_the_scan_and_another_unit_never(as_role, scanned):
    directive_id, url = scanned()
    officer = as_role("unit")
    response = officer.get(url)
    assert response.status_code == 200 and response.data == SCAN
    assert "%E5%B8%82%E9%95%BF%E6%89%B9%E7%A4%BA.pdf" in response.headers["Content-Disposition"]
    page = f"/admin/directives/details/?id={directive_id}"
    assert url in as_role("staff").get(page).get_data(as_text=True)
    assert url in officer.get(page).get_data(as_text=True)
    assert as_role("unit_b").get(url).status_code == 404
    assert as_role("leader").get(url).status_code == 200


def test_a_confidential_directives_scan_is_refused_to_a_leader(as_role, scanned):
    directive_id, url = scanned(confidential=True)
    assert as_role("leader").get(url).status_code == 404
    page = as_role("leader").get(f"/admin/directives/details/?id={directive_id}")
    assert url not in page.get_data(as_text=True)
    assert as_role("unit").get(url).status_code == 200
    assert as_role("staff").get(url).status_code == 200


def test_the_assignment_page_links_the_scan_for_the_unit(app, as_role, world, scanned):
    directive_id, url = scanned()
    with app.app_context():
        (assignment,) = db.session.get(Directive, directive_id).assignments
        assignment_id = assignment.id
    page = as_role("unit").get(f"/admin/assignments/details/?id={assignment_id}")
    assert url in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "scan, message",
    [
        ((b"PK\x03\x04 a word file", "批示.docx"), "只接受以下类型的文件"),
        ((b"not a pdf at all", "批示.pdf"), "的内容不是 .pdf 文件"),
    ],
)
def test_a_file_that_is_not_a_scan_is_refused_and_nothing_saved(app, as_role, world, scan, message):
    response = as_role("staff").post(
        "/admin/directives/new/",
        data=_form("S-2", scan=scan, lead_units=[world.unit_a]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert read(app, Directive, number="S-2") == []
    assert read(app, Attachment) == []


def test_a_scan_of_a_directive_that_was_not_saved_leaves_no_file(app, as_role, world, monkeypatch):
    def refuse(*args, **kwargs):  # a rule broken after the scan was written
        raise RuleError("该单位已撤销")

    monkeypatch.setattr(Directive, "hand_to", refuse)
    folder = Path(app.config["ATTACHMENT_DIR"])
    response = as_role("staff").post(
        "/admin/directives/new/",
        data=_form("S-3", lead_units=[world.unit_b]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "该单位已撤销" in response.get_data(as_text=True)
    assert read(app, Directive, number="S-3") == [] and read(app, Attachment) == []
    assert not [path for path in folder.rglob("*") if path.is_file()]
