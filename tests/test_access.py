"""Who may reach what: every URL the app exposes, for every role, against the role table."""

import datetime as dt
import io
import re

import openpyxl
import pytest

from models import Commendation, Deduction, Quota, Report, Solicitation, Staff, Unit, clock, db
from tests import factories

ALL = {"admin", "staff", "leader", "unit"}
# Who may open each screen (list and details).
READ = {
    "reports": ALL,
    "solicitations": ALL,
    "deductions": ALL,
    "quotas": ALL,
    "publications": {"admin", "staff", "leader"},
    "score_rules": {"admin", "staff", "leader"},
    "pay_rates": {"admin", "staff", "leader"},
    "award_sheet": ALL,  # a unit its own lines only
    "commendations": ALL,
    "directives": ALL,
    "assignments": ALL,
    "units": ALL,
    "staff": ALL,
    "trainings": ALL,
    "accounts": {"admin"},
    "notices": {"admin", "staff", "unit"},
    "audit": {"admin"},
    "login_log": {"admin"},
    "ranking": {"admin", "staff", "leader"},
    "bulletins": {"admin", "staff", "leader"},  # units too, as the ranking, if opened to them
    "evaluation": {"admin", "staff", "leader"},  # units too (their own line), as the ranking
    "grade_rules": {"admin", "staff", "leader"},
    "monitor": {"admin"},
    "feedback": ALL,
    "criticism": ALL,
    "directive_report": ALL,
    "deadline_rules": {"admin", "staff", "leader"},
    "calendar_days": {"admin", "staff", "leader"},
    "imports": {"admin", "staff"},
    "key_work_items": ALL,
    "key_work_areas": ALL,
    "key_work_rounds": ALL,
    "key_work_checks": ALL,
    "supervision_projects": ALL,
    "site_visits": ALL,
    "admin": ALL,
}
# Pages of a screen that fewer roles may open than its list.
READ_PAGE = {
    "directives.due_dates": {"admin", "staff"},  # the directive form's due date
    "directives.issue_supervision_notice": {"admin", "staff"},  # numbers the 督办单
    # Drafting, drafting again and issuing a bulletin (numbering it) are the office's.
    **{f"bulletins.{page}": {"admin", "staff"} for page in ("draft", "redraft_view", "issue")},
    "criticism.draft_view": {"admin", "staff"},  # drafts 通报批评 from the records
    "criticism.act": {"admin", "staff"},  # approves, issues, sends, drops one
    "award_sheet.file": {"admin", "staff"},  # files the year's payment sheet
    "evaluation.file": {"admin", "staff"},  # files (报送) the year-end evaluation
    "evaluation.quarter_file": {"admin", "staff"},  # files (报送) the quarterly summary
}
# Who may create records on each screen.
CREATE = {
    "reports": {"admin", "staff", "unit"},
    "feedback": {"admin", "staff", "unit"},
    "deadline_rules": {"admin"},
    "calendar_days": {"admin"},
    "staff": {"admin", "staff", "unit"},
    "trainings": {"admin", "staff"},
    "units": {"admin", "staff"},
    "directives": {"admin", "staff"},
    "solicitations": {"admin", "staff"},
    "deductions": {"admin", "staff"},
    "quotas": {"admin", "staff"},
    "publications": {"admin"},
    "score_rules": {"admin"},
    "pay_rates": {"admin", "staff"},
    "commendations": {"admin", "staff"},
    "grade_rules": {"admin"},
    "accounts": {"admin"},
    "assignments": set(),
    "criticism": set(),
    "notices": set(),
    "audit": set(),
    "login_log": set(),
    "bulletins": set(),  # drafted from the ranking page
    "key_work_items": {"admin", "staff"},
    "key_work_areas": {"admin", "staff"},
    "key_work_rounds": {"admin", "staff"},
    "key_work_checks": set(),  # made by opening a round
    "supervision_projects": {"admin", "staff"},
    "site_visits": {"admin", "staff"},
}


def export_text(response):
    """Every cell of a CSV or XLSX export as one string."""
    if response.mimetype == "text/csv":
        return response.data.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return " ".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row)


def _endpoint_of(rule):
    return rule.endpoint.split(".", 1)[0]


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint.endswith(".static"):
            continue
        yield rule


def _url(rule, record_id):
    url = re.sub(r"<(?:int:)?\w+>", str(record_id), rule.rule.replace("<export_type>", "csv"))
    if url.endswith(("/details/", "/edit/")):
        url += f"?id={record_id}"
    return url


def test_the_role_table_covers_every_screen(app):
    screens = {_endpoint_of(rule) for rule in _admin_rules(app)}
    assert screens == set(READ), "a new screen needs its line in READ (and CREATE)"
    assert set(CREATE) == screens - {
        "ranking",
        "monitor",
        "directive_report",
        "award_sheet",
        "evaluation",
        "imports",
        "admin",
    }


@pytest.mark.parametrize("role", ["anonymous", "admin", "staff", "leader", "unit"])
def test_every_url_answers_by_the_role_table(app, as_role, world, role):
    client = app.test_client() if role == "anonymous" else as_role(role)
    checked = 0
    for rule in _admin_rules(app):
        screen = _endpoint_of(rule)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule, world.report_a), method=method)
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.location, rule.rule
        elif role not in READ_PAGE.get(rule.endpoint, READ[screen]):
            assert response.status_code == 403, (role, rule.rule, response.status_code)
        else:
            assert response.status_code != 403, (role, rule.rule)
            assert response.status_code < 500, (role, rule.rule)
        checked += 1
    assert checked > 100


@pytest.mark.parametrize("role", ["admin", "staff", "leader", "unit"])
def test_create_pages_open_only_for_those_who_may_create(app, as_role, world, role):
    client = as_role(role)
    for screen, creators in CREATE.items():
        if role not in READ[screen]:
            continue
        response = client.get(f"/admin/{screen}/new/")
        expected = 200 if role in creators else 302
        assert response.status_code == expected, (role, screen, response.status_code)


def _foreign_rows(app, world):
    """Rows of unit B in every screen that holds unit records."""
    with app.app_context():
        b = db.session.get(Unit, world.unit_b)
        deduction = Deduction(unit=b, kind="other", reason="乙镇扣分", occurred_on=clock.today())
        quota = Quota(unit=b, year=2026, items=1, points=1)
        solicitation = Solicitation(topic="只问乙镇", due_on=clock.today(), units=[b])
        notice = factories.notice(b, body="乙镇", recipient_name="乙镇信息员")
        training = factories.training(db.session.get(Staff, world.staff_b), place="乙镇会议室")
        criticism = factories.criticism(b, state="issued")
        commendation = Commendation(
            year=2025,
            title="乙镇先进",
            unit=b,
            document_no="乙委办〔2026〕1号",
            awarded_on=dt.date(2026, 1, 10),
        )
        db.session.add_all([deduction, quota, solicitation, notice, commendation])
        db.session.commit()
        return {
            "reports": world.report_b,
            "staff": world.staff_b,
            "units": world.unit_b,
            "directives": world.directive_b,
            "assignments": world.assignment_b,
            "deductions": deduction.id,
            "quotas": quota.id,
            "solicitations": solicitation.id,
            "notices": notice.id,
            "trainings": training.id,
            "criticism": criticism.id,
            "commendations": commendation.id,
        }


def test_every_record_of_another_unit_answers_404_on_every_record_url(app, as_role, world):
    rows = _foreign_rows(app, world)
    client = as_role("unit")
    for screen, record_id in rows.items():
        for page in ("details", "edit"):
            response = client.get(f"/admin/{screen}/{page}/?id={record_id}")
            assert response.status_code == 404, (screen, page)
        delete = client.post(f"/admin/{screen}/delete/", data={"id": record_id})
        assert delete.status_code == 404, screen
        for kind in ("csv", "xlsx"):
            export = client.get(f"/admin/{screen}/export/{kind}/")
            assert export.status_code == 200 and "乙镇" not in export_text(export), (screen, kind)
        assert "乙镇" not in client.get(f"/admin/{screen}/").get_data(as_text=True), screen
    with app.app_context():
        assert db.session.get(Unit, world.unit_b) is not None
        assert Deduction.query.count() == 1


def test_every_id_is_refused_the_same_whether_it_exists_or_not(as_role, world):
    client = as_role("unit")
    missing = client.get("/admin/reports/details/?id=999999")
    foreign = client.get(f"/admin/reports/details/?id={world.report_b}")
    assert missing.status_code == foreign.status_code == 404


def test_a_post_cannot_set_what_the_form_does_not_show(app, as_role, world):
    client = as_role("unit")
    client.post(
        f"/admin/reports/edit/?id={world.report_a}",
        data={
            "title": "改",
            "category": "news",
            "body": "",
            "unit": world.unit_b,
            "unit_id": world.unit_b,
            "status": "adopted",
            "points": "999",
            "submitted_at": "2020-01-01 00:00:00",
            "answer_comment": "自批",
        },
    )
    with app.app_context():
        report = db.session.get(Report, world.report_a)
        assert (report.unit_id, report.status, report.answer_comment) == (
            world.unit_a,
            "received",
            None,
        )
        assert report.submitted_at > clock.now() - dt.timedelta(days=1)


def test_leaders_change_nothing(app, as_role, world):
    client = as_role("leader")
    client.post(f"/admin/reports/edit/?id={world.report_a}", data={"title": "领导改"})
    client.post("/admin/reports/delete/", data={"id": world.report_a})
    client.post("/admin/reports/action/", data={"action": "not_adopted", "rowid": [world.report_a]})
    client.post(
        "/admin/reports/adopt/",
        data={
            "ids": str(world.report_a),
            "publication": world.publication,
            "issue_no": "1",
            "adopted_on": "2026-11-01",
        },
    )
    with app.app_context():
        report = db.session.get(Report, world.report_a)
        assert (report.title, report.status, report.adoptions) == ("甲镇信息", "received", [])
