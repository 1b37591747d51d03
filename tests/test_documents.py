"""The documents the office puts its name on: a directive's 督办单, numbered once per year
when issued, and an overdue assignment's 催办单; each a print page and a Word file built
from the same rows, for those who may see the directive, its instruction where they may."""

import datetime as dt
import io
import re

import docx
import pytest
import sqlalchemy as sa
from docx.oxml.ns import qn

from models import (
    Account,
    Assignment,
    Directive,
    DocumentNumber,
    Unit,
    WorkCalendar,
    clock,
    db,
    documents,
)
from models.chase import chase_now
from tests import factories

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _number(year, serial):
    return f"督办〔{year}〕{serial}号"


def _issue(client, directive_id):
    return client.post(f"/admin/directives/notice/issue/?id={directive_id}")


def _word(response):
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == DOCX
    return docx.Document(io.BytesIO(response.data))


def _cells(word):
    return {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}


def _east_asian(element):
    return element.rPr.rFonts.get(qn("w:eastAsia"))


@pytest.fixture
def confidential(app, world):
    with app.app_context():
        unit_a = db.session.get(Unit, world.unit_a)
        directive = factories.directive(unit_a, confidential=True, content="绝密批示原文")
        db.session.commit()
        return directive.id


@pytest.fixture
def overdue(app, world):
    """Unit A's assignment five days overdue."""
    with app.app_context():
        unit_a = db.session.get(Unit, world.unit_a)
        due_on = clock.today() - dt.timedelta(days=5)
        assignment = factories.assignment_due(unit_a, due_on, title="超期事项")
        db.session.commit()
        return assignment.id


# ---- the 督办单 ----


def test_the_word_file_of_an_issued_notice(app, as_role, world):
    staff = as_role("staff")
    assert _issue(staff, world.directive_b).status_code == 302
    response = staff.get(f"/admin/directives/notice/docx/?id={world.directive_b}")
    word = _word(response)
    year = clock.today().year
    texts = [p.text for p in word.paragraphs]
    assert texts[:2] == ["督办单", _number(year, 1)]
    assert texts[-2:] == [
        app.config["OFFICE_NAME"],
        f"{year}年{clock.today().month}月{clock.today().day}日",
    ]
    cells = _cells(word)
    assert cells["督办事项"] == "乙镇批示"
    assert cells["领导批示"] == "乙镇的批示内容"
    assert cells["牵头单位"] == "乙镇"
    assert cells["批示来源"].startswith("张书记（市级）批示，")
    due = clock.today() + dt.timedelta(days=27)  # received 3 days ago, due 30 days after
    assert cells["办理时限"] == f"应于{due.year}年{due.month}月{due.day}日前办结。"
    assert "分管领导" in cells["办理要求"]
    assert "B" not in "".join(cells.values())  # no unit code
    # Chinese fonts: the body's style and the title's run name their East Asian font.
    assert _east_asian(word.styles["Normal"].element) == "仿宋"
    assert _east_asian(word.paragraphs[0].runs[0]._element) == "黑体"
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 'w:instr="PAGE"' in section.footer._element.xml
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E7%9D%A3%E5%8A%9E%E5%8D%95" in disposition  # 督办单


def test_the_print_page_shows_the_same_rows(app, as_role, world):
    staff = as_role("staff")
    _issue(staff, world.directive_a)
    page = staff.get(f"/admin/directives/notice/?id={world.directive_a}").get_data(as_text=True)
    assert "print.css" in page and "data-print" in page
    assert _number(clock.today().year, 1) in page
    with app.app_context():
        directive = db.session.get(Directive, world.directive_a)
        account = db.session.get(Account, world.account_ids["staff"])
        rows = documents.supervision_notice(directive, account).rows
    for label, text in rows:
        assert f"<th>{label}</th>" in page
        assert text.split("\n")[0] in page
    assert f"id={world.directive_a}" not in re.sub(r'href="[^"]*"|action="[^"]*"', "", page)


def test_numbers_run_per_year_and_are_kept(app, world):
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        a, b = (
            db.session.get(Directive, world.directive_a),
            db.session.get(Directive, world.directive_b),
        )
        march = dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)
        first = documents.issue_number(a, staff, now=march)
        second = documents.issue_number(b, staff, now=march)
        again = documents.issue_number(a, staff, now=march + dt.timedelta(days=40))
        db.session.commit()
        assert (first.year, first.serial, second.serial) == (2026, 1, 2)
        assert again.id == first.id and str(again) == _number(2026, 1)
        assert first.issued_by_name == staff.name
        later = factories.directive(db.session.get(Unit, world.unit_a))
        # New Year's Eve in UTC is already the new year in the office.
        new_year = documents.issue_number(
            later, staff, now=dt.datetime(2026, 12, 31, 17, tzinfo=dt.UTC)
        )
        db.session.commit()
        assert (new_year.year, new_year.serial) == (2027, 1)


def test_a_serial_taken_meanwhile_is_retried(app, world, monkeypatch):
    """Another issue took the serial between reading the highest and inserting: the
    unique constraint refuses it and the next one is taken."""
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        documents.issue_number(db.session.get(Directive, world.directive_a), staff)
        db.session.commit()
        real, stale = documents.next_serial, iter([1])
        monkeypatch.setattr(documents, "next_serial", lambda k, y: next(stale, None) or real(k, y))
        number = documents.issue_number(db.session.get(Directive, world.directive_b), staff)
        db.session.commit()
        assert number.serial == 2
        assert db.session.query(DocumentNumber).count() == 2


def test_reprinting_keeps_the_number(app, as_role, world):
    staff = as_role("staff")
    _issue(staff, world.directive_a)
    _issue(staff, world.directive_a)  # issuing again gives nothing new
    _issue(staff, world.directive_b)
    for _ in range(2):
        word = _word(staff.get(f"/admin/directives/notice/docx/?id={world.directive_a}"))
        assert word.paragraphs[1].text == _number(clock.today().year, 1)
    with app.app_context():
        assert db.session.query(DocumentNumber).count() == 2


def test_a_directive_handed_to_nobody_is_not_issued(app, as_role, world):
    with app.app_context():
        bare = factories.directive(title="未交办")
        db.session.commit()
        bare_id = bare.id
    page = as_role("staff").post(
        f"/admin/directives/notice/issue/?id={bare_id}", follow_redirects=True
    )
    assert "请先将批示件交办给承办单位" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(DocumentNumber).count() == 0


def test_only_the_office_issues(app, as_role, world):
    for role in ("leader", "unit"):
        assert _issue(as_role(role), world.directive_a).status_code == 403
    with app.app_context():
        assert db.session.query(DocumentNumber).count() == 0


def test_who_may_print_the_notice(app, as_role, world):
    _issue(as_role("staff"), world.directive_a)
    url = f"/admin/directives/notice/docx/?id={world.directive_a}"
    with app.app_context():
        content = db.session.get(Directive, world.directive_a).content
    assert _cells(_word(as_role("unit").get(url)))["领导批示"] == content
    assert _word(as_role("leader").get(url))
    assert as_role("unit_b").get(url).status_code == 404
    assert (
        as_role("unit_b").get(f"/admin/directives/notice/?id={world.directive_a}").status_code
        == 404
    )


def test_units_see_no_notice_before_it_is_issued(app, as_role, world):
    unit = as_role("unit")
    response = unit.get(f"/admin/directives/notice/?id={world.directive_a}", follow_redirects=True)
    assert "督查室尚未印发此批示件的督办单" in response.get_data(as_text=True)
    assert unit.get(f"/admin/directives/notice/docx/?id={world.directive_a}").status_code == 302
    # The office sees the draft, with the button that issues it.
    draft = as_role("staff").get(f"/admin/directives/notice/?id={world.directive_a}")
    assert "ducha-issue" in draft.get_data(as_text=True)


def test_a_leader_reads_confidential_in_place_of_the_instruction(app, as_role, world, confidential):
    _issue(as_role("staff"), confidential)
    url = f"/admin/directives/notice/docx/?id={confidential}"
    leader = _cells(_word(as_role("leader").get(url)))
    assert leader["领导批示"] == "涉密"
    page = (
        as_role("leader").get(f"/admin/directives/notice/?id={confidential}").get_data(as_text=True)
    )
    assert "绝密批示原文" not in page and "涉密" in page
    assert _cells(_word(as_role("unit").get(url)))["领导批示"] == "绝密批示原文"
    assert _cells(_word(as_role("staff").get(url)))["领导批示"] == "绝密批示原文"
    assert as_role("unit_b").get(url).status_code == 404


def test_a_unit_sees_its_own_and_its_partners(app, as_role, world):
    """A unit officer's notice names its own unit and the units it works with, not every
    lead unit of the directive."""
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        c = factories.unit(name="丙镇")
        directive = factories.directive(a, b)
        lead = directive.assignments[0]
        support = Assignment(
            unit=c, part="support", assigned_on=lead.assigned_on, due_on=lead.due_on
        )
        directive.assignments.append(support)
        support.assign(None, WorkCalendar(), rules=[])
        db.session.commit()
        directive_id = directive.id
    _issue(as_role("staff"), directive_id)
    url = f"/admin/directives/notice/docx/?id={directive_id}"
    office = _cells(_word(as_role("staff").get(url)))
    assert (office["牵头单位"], office["配合单位"]) == ("甲镇、乙镇", "丙镇")
    unit = _cells(_word(as_role("unit").get(url)))
    assert (unit["牵头单位"], unit["配合单位"]) == ("甲镇", "丙镇")


def test_links_from_the_directive_and_the_assignment(app, as_role, world, overdue):
    staff = as_role("staff")
    page = staff.get(f"/admin/directives/details/?id={world.directive_a}").get_data(as_text=True)
    assert "ducha-supervision-notice" in page
    unit = as_role("unit")
    assert "ducha-supervision-notice" not in unit.get(
        f"/admin/directives/details/?id={world.directive_a}"
    ).get_data(as_text=True)
    assignment = unit.get(f"/admin/assignments/details/?id={overdue}").get_data(as_text=True)
    assert "ducha-chase-notice" in assignment
    on_time = unit.get(f"/admin/assignments/details/?id={world.assignment_a}").get_data(
        as_text=True
    )
    assert "ducha-chase-notice" not in on_time


# ---- the 催办单 ----


def test_the_chase_notice_holds_an_extreme_reply_days_setting(app, as_role, world, overdue):
    """CHASE_REPLY_DAYS set on the app beyond its range (config.py refuses it at start):
    the 催办单 still prints, asking for an answer within 30 working days at most."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        assignment = db.session.get(Assignment, overdue)
        chase_now([assignment], db.session.get(Account, world.account_ids["staff"]), "请速办")
        db.session.commit()
    for value in (10**30, "x"):
        app.config["CHASE_REPLY_DAYS"] = value
        response = as_role("unit").get(f"/admin/assignments/chase-notice/?id={overdue}")
        assert response.status_code == 200, value


def test_the_chase_notice_of_an_overdue_assignment(app, as_role, world, overdue):
    today = clock.today()
    with app.app_context():
        assignment = db.session.get(Assignment, overdue)
        unit = assignment.unit
        yesterday = clock.start_of(today - dt.timedelta(days=4))
        for officer in ("甲", "乙"):  # one scheduled chase to two officers: one chase
            factories.notice(
                unit,
                kind="chase",
                assignment=assignment,
                created_at=yesterday,
                recipient_name=officer,
            )
        chase_now([assignment], db.session.get(Account, world.account_ids["staff"]), "请速办")
        db.session.commit()
    response = as_role("unit").get(f"/admin/assignments/chase-notice/docx/?id={overdue}")
    word = _word(response)
    assert word.paragraphs[0].text == "催办单"
    cells = _cells(word)
    assert cells["督办事项"] == "《超期事项》"
    assert cells["承办单位"] == "甲镇（牵头）"
    assert cells["超期天数"] == "5天"
    chases = cells["此前催办"].split("\n")
    assert len(chases) == 2
    assert chases[0].startswith("1. ") and chases[0].endswith("逾期催办")
    assert chases[1].startswith("2. ") and chases[1].endswith("督查室催办")
    assert "前向督查室报送办理结果" in cells["回复期限"]
    assert "%E5%82%AC%E5%8A%9E%E5%8D%95" in response.headers["Content-Disposition"]  # 催办单
    page = (
        as_role("staff")
        .get(f"/admin/assignments/chase-notice/?id={overdue}")
        .get_data(as_text=True)
    )
    assert "督查室催办" in page and "5天" in page


def test_the_chase_notice_names_the_supervision_number(app, as_role, world, overdue):
    with app.app_context():
        directive_id = db.session.get(Assignment, overdue).directive_id
    _issue(as_role("staff"), directive_id)
    cells = _cells(
        _word(as_role("staff").get(f"/admin/assignments/chase-notice/docx/?id={overdue}"))
    )
    assert cells["督办事项"] == f"《超期事项》（{_number(clock.today().year, 1)}）"
    assert cells["此前催办"] == "无"


def test_no_chase_notice_for_an_assignment_not_overdue(app, as_role, world):
    staff = as_role("staff")
    for path in ("chase-notice", "chase-notice/docx"):
        response = staff.get(
            f"/admin/assignments/{path}/?id={world.assignment_a}", follow_redirects=True
        )
        assert response.status_code == 200
        assert "此事项未超期" in response.get_data(as_text=True)
        assert response.mimetype == "text/html"


def test_another_unit_gets_no_chase_notice(app, as_role, world, overdue):
    for path in ("chase-notice", "chase-notice/docx"):
        assert as_role("unit_b").get(f"/admin/assignments/{path}/?id={overdue}").status_code == 404
    assert _word(as_role("leader").get(f"/admin/assignments/chase-notice/docx/?id={overdue}"))


def test_a_number_is_never_given_twice(app, world):
    """Deleting a directive keeps its number taken: the next directive gets the next one."""
    with app.app_context():
        staff = db.session.get(Account, world.account_ids["staff"])
        doomed = db.session.get(Directive, world.directive_a)
        documents.issue_number(doomed, staff)
        db.session.commit()
        assert doomed.delete_problem() is None
        db.session.delete(doomed)
        db.session.commit()
        kept = db.session.scalars(sa.select(DocumentNumber)).one()
        assert (kept.serial, kept.directive_id) == (1, None)
        number = documents.issue_number(db.session.get(Directive, world.directive_b), staff)
        assert number.serial == 2
