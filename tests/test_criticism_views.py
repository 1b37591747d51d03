"""Criticism notices on the screens, for each role: the office drafts, edits, approves and
issues them; a unit officer reads its own once issued and nothing of another unit's (404,
not listed); a leader reads them all and changes nothing."""

import datetime as dt
import io

import docx
import pytest
import sqlalchemy as sa

from models import CriticismNotice, Notice, Unit, clock, db
from tests import factories


@pytest.fixture
def app_config():
    return {"CRITICISM_OVERDUE_DAYS": 2}


@pytest.fixture
def overdue(app, world):
    """An assignment of each unit overdue by weeks (the world's own are not yet due)."""
    with app.app_context():
        due = clock.today() - dt.timedelta(days=40)
        for unit_id in (world.unit_a, world.unit_b):
            factories.assignment_due(db.session.get(Unit, unit_id), due)
        db.session.commit()


def _notice_of(app, unit_id):
    with app.app_context():
        notice = CriticismNotice.query.filter_by(unit_id=unit_id).one()
        return notice.id, notice.state, str(notice.number or "")


def _draft(client):
    response = client.post(
        "/admin/criticism/draft/", data={"month": clock.today().strftime("%Y-%m")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def _issue(client, notice_id):
    for step in ("approve", "issue"):
        response = client.post(f"/admin/criticism/act/{step}/?id={notice_id}")
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:800])


def test_staff_draft_review_approve_and_issue(app, as_role, world, overdue):
    staff = as_role("staff")
    page = staff.get("/admin/criticism/draft/").get_data(as_text=True)
    assert "超过办理期限2个工作日及以上" in page and "起草" in page
    _draft(staff)
    _draft(staff)  # again: nothing new
    with app.app_context():
        assert CriticismNotice.query.count() == 2
    notice_id, state, _number = _notice_of(app, world.unit_a)
    assert state == "draft"
    listed = staff.get("/admin/criticism/").get_data(as_text=True)
    assert "关于对甲镇领导批示件办理超期的通报批评" in listed and "根据记录起草" in listed

    details = staff.get(f"/admin/criticism/details/?id={notice_id}").get_data(as_text=True)
    assert 'data-confirm="确定按现稿批准该通报？' in details and "批示件" in details
    edited = staff.post(
        f"/admin/criticism/edit/?id={notice_id}",
        data={"title": "关于对甲镇的通报批评", "text": "甲镇：\n经查，修改后的正文。"},
    )
    assert edited.status_code == 302

    _issue(staff, notice_id)
    notice_id, state, number = _notice_of(app, world.unit_a)
    assert state == "issued" and number == f"通报〔{clock.today().year}〕1号"
    details = staff.get(f"/admin/criticism/details/?id={notice_id}").get_data(as_text=True)
    assert number in details and "发送记录" in details and "已发送" in details
    assert "经查，修改后的正文" in details
    # Issued: no longer edited, and issuing again changes nothing.
    assert staff.get(f"/admin/criticism/edit/?id={notice_id}").status_code == 403
    staff.post(f"/admin/criticism/act/issue/?id={notice_id}")
    staff.post(f"/admin/criticism/act/send/?id={notice_id}")
    with app.app_context():
        sent = Notice.query.filter_by(kind="criticism", unit_id=world.unit_a).all()
        assert len(sent) == 2  # the officer and the principal leader, once each
        assert {n.state for n in sent} == {"sent"}

    printed = staff.get(f"/admin/criticism/print/?id={notice_id}").get_data(as_text=True)
    assert number in printed and app.config["OFFICE_NAME"] in printed
    word = staff.get(f"/admin/criticism/print/docx/?id={notice_id}")
    assert word.status_code == 200 and word.mimetype.endswith("document")
    unit_page = staff.get(f"/admin/units/details/?id={world.unit_a}").get_data(as_text=True)
    assert number in unit_page


def test_the_batch_actions_approve_and_issue(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    with app.app_context():
        ids = [str(n.id) for n in CriticismNotice.query.order_by(CriticismNotice.id)]
    staff.post("/admin/criticism/action/", data={"action": "issue", "rowid": ids})
    with app.app_context():
        assert {n.state for n in CriticismNotice.query} == {"draft"}  # not approved yet
    staff.post("/admin/criticism/action/", data={"action": "approve", "rowid": ids})
    staff.post("/admin/criticism/action/", data={"action": "issue", "rowid": ids})
    with app.app_context():
        serials = sorted(n.number.serial for n in CriticismNotice.query)
        assert serials == [1, 2]


def test_a_bad_month_gets_a_message_and_drafts_nothing(app, as_role, world, overdue):
    staff = as_role("staff")
    for month in ("2026-13", "1999-01", "x" * 5000, "2099-12", ""):
        response = staff.post("/admin/criticism/draft/", data={"month": month})
        assert response.status_code == 200, month
        assert "invalid-feedback" in response.get_data(as_text=True)
    with app.app_context():
        assert CriticismNotice.query.count() == 0


def test_a_unit_sees_its_own_issued_notices_only(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    b_id, _state, _number = _notice_of(app, world.unit_b)
    officer = as_role("unit")
    # A draft about its own unit is the office's business until issued.
    assert officer.get(f"/admin/criticism/details/?id={a_id}").status_code == 404
    assert "办理超期的通报批评" not in officer.get("/admin/criticism/").get_data(as_text=True)

    _issue(staff, a_id)
    _issue(staff, b_id)
    _a, _s, number_a = _notice_of(app, world.unit_a)
    _b, _s, number_b = _notice_of(app, world.unit_b)
    listed = officer.get("/admin/criticism/").get_data(as_text=True)
    assert number_a in listed and number_b not in listed and "关于对乙镇" not in listed
    details = officer.get(f"/admin/criticism/details/?id={a_id}").get_data(as_text=True)
    assert number_a in details and "发送记录" not in details and "办理环节" not in details
    assert officer.get(f"/admin/criticism/print/?id={a_id}").status_code == 200
    for url in ("details/", "print/", "print/docx/", "edit/"):
        assert officer.get(f"/admin/criticism/{url}?id={b_id}").status_code == 404, url
    assert officer.post(f"/admin/criticism/act/drop/?id={a_id}").status_code == 403
    assert officer.get("/admin/criticism/draft/").status_code == 403
    export = officer.get("/admin/criticism/export/csv/").get_data(as_text=True)
    assert number_a in export and number_b not in export
    own_unit = officer.get(f"/admin/units/details/?id={world.unit_a}").get_data(as_text=True)
    assert number_a in own_unit
    assert officer.get(f"/admin/units/details/?id={world.unit_b}").status_code == 404

    other = as_role("unit_b")
    listed_b = other.get("/admin/criticism/").get_data(as_text=True)
    assert number_b in listed_b and number_a not in listed_b
    assert other.get(f"/admin/criticism/details/?id={a_id}").status_code == 404


def test_a_leader_reads_the_issued_notices_and_changes_none(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    b_id, _state, _number = _notice_of(app, world.unit_b)
    leader = as_role("leader")
    # A draft is the office's: not listed, not printed, no Word file for a leader.
    assert "甲镇" not in _list_rows(leader.get("/admin/criticism/"))
    for url in ("details/", "print/", "print/docx/"):
        assert leader.get(f"/admin/criticism/{url}?id={a_id}").status_code == 404, url
    _issue(staff, b_id)
    assert "乙镇" in _list_rows(leader.get("/admin/criticism/"))
    details = leader.get(f"/admin/criticism/details/?id={b_id}").get_data(as_text=True)
    assert "办理环节" not in details
    assert leader.get(f"/admin/criticism/print/?id={b_id}").status_code == 200
    assert leader.post(f"/admin/criticism/act/approve/?id={a_id}").status_code == 403
    assert leader.post("/admin/criticism/draft/", data={"month": "2026-11"}).status_code == 403
    leader.post("/admin/criticism/action/", data={"action": "approve", "rowid": [a_id]})
    leader.post(f"/admin/criticism/edit/?id={a_id}", data={"title": "领导改", "text": "改"})
    assert _notice_of(app, world.unit_a)[1] == "draft"
    with app.app_context():
        assert db.session.get(CriticismNotice, a_id).title != "领导改"


def _list_rows(response):
    page = response.get_data(as_text=True)
    return page.split("model-list", 1)[1].split("</table>", 1)[0] if "model-list" in page else ""


def test_a_drafts_print_page_is_marked_draft_and_unnumbered(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    page = staff.get(f"/admin/criticism/print/?id={a_id}").get_data(as_text=True)
    assert '<span class="ducha-draft-mark">草稿</span>' in page and "〕" not in page
    word = docx.Document(io.BytesIO(staff.get(f"/admin/criticism/print/docx/?id={a_id}").data))
    assert "草稿" in [p.text for p in word.paragraphs]
    assert staff.post(f"/admin/criticism/act/approve/?id={a_id}").status_code == 302
    approved = staff.get(f"/admin/criticism/print/?id={a_id}").get_data(as_text=True)
    assert "ducha-draft-mark" in approved  # approved is not issued yet
    staff.post(f"/admin/criticism/act/issue/?id={a_id}")
    _a, state, number = _notice_of(app, world.unit_a)
    issued = staff.get(f"/admin/criticism/print/?id={a_id}").get_data(as_text=True)
    assert state == "issued" and number in issued and "ducha-draft-mark" not in issued


def test_a_drop_needs_its_reason(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    refused = staff.post(f"/admin/criticism/act/drop/?id={a_id}", data={"reason": "  "})
    assert refused.status_code == 200 and "invalid-feedback" in refused.get_data(as_text=True)
    staff.post(f"/admin/criticism/act/drop/?id={a_id}", data={"reason": "已现场督办"})
    assert _notice_of(app, world.unit_a)[1] == "dropped"
    assert staff.post("/admin/criticism/delete/", data={"id": a_id}).status_code == 403


def _cell_lines(response, label):
    """The paragraphs of the Word file's row `label`."""
    assert response.status_code == 200
    word = docx.Document(io.BytesIO(response.data))
    (cell,) = [row.cells[1] for row in word.tables[0].rows if row.cells[0].text == label]
    return [p.text for p in cell.paragraphs]


def test_text_from_a_browser_is_kept_with_plain_line_ends(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    response = staff.post(
        f"/admin/criticism/edit/?id={a_id}",
        data={"title": "标题\r\n", "text": "第一段。\r\n第二段。\r\n\r\n第三段。"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(CriticismNotice, a_id).text == "第一段。\n第二段。\n\n第三段。"
    lines = _cell_lines(staff.get(f"/admin/criticism/print/docx/?id={a_id}"), "正文")
    assert lines == ["第一段。", "第二段。", "", "第三段。"]
    # A text saved with CR LF before this was fixed prints as well.
    with app.app_context():
        db.session.execute(
            sa.update(CriticismNotice).where(CriticismNotice.id == a_id).values(text="甲\r\n乙")
        )
        db.session.commit()
    lines = _cell_lines(staff.get(f"/admin/criticism/print/docx/?id={a_id}"), "正文")
    assert lines == ["甲", "乙"]


def test_the_month_and_the_grounds_are_named_as_people_read_them(app, as_role, world, overdue):
    staff = as_role("staff")
    _draft(staff)
    a_id, _state, _number = _notice_of(app, world.unit_a)
    today = clock.today()
    shown, stored = f"{today.year}年{today.month}月", f"{today:%Y-%m}"
    listed = _list_rows(staff.get("/admin/criticism/"))
    assert shown in listed and f">{stored}<" not in listed.replace(" ", "").replace("\n", "")
    details = staff.get(f"/admin/criticism/details/?id={a_id}").get_data(as_text=True)
    assert shown in details
    page = staff.get("/admin/criticism/").get_data(as_text=True)
    assert "事由" in page and "原因" not in page  # the column and its filter alike
    english = _list_rows(staff.get("/admin/criticism/?lang=en"))
    assert f"{today:%B} {today.year}" in english  # in the reader's language
