"""A list page costs the same number of SQL statements whatever the number of rows on it."""

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import (
    CalendarDay,
    CheckRound,
    Commendation,
    GradeRule,
    KeyWorkCheck,
    PayRate,
    SiteVisit,
    SupervisionProject,
    Unit,
    clock,
    db,
)
from models.bulletins import draft_bulletin
from models.periods import month
from tests import factories
from tests.helpers import count_statements
from tests.test_keywork import key_work

LISTS = [
    "/admin/reports/",
    "/admin/units/",
    "/admin/staff/",
    "/admin/trainings/",
    "/admin/directives/",
    "/admin/assignments/",
    "/admin/publications/",
    "/admin/accounts/",
    "/admin/notices/",
    "/admin/feedback/",
    "/admin/deadline_rules/",
    "/admin/calendar_days/",
    "/admin/directive-report/",
    "/admin/solicitations/",
    "/admin/deductions/",
    "/admin/quotas/",
    "/admin/score_rules/",
    "/admin/audit/",
    "/admin/login_log/",
    "/admin/ranking/",
]


def _grow(app, world, n):
    with app.app_context():
        a = db.session.get(Unit, world.unit_a)
        parent = factories.unit(name="上级县")
        for i in range(n):
            u = factories.unit(parent=parent)
            factories.training(factories.staff(u))
            report = factories.report(u)
            factories.adoption(report, factories.publication())
            assignment = factories.directive(u, a).assignments[0]
            assignment.acknowledge(None)
            factories.feedback(assignment, "result", signer=factories.leaders(u)[1])
            db.session.add(CalendarDay(day=dt.date(2030, 1, 1) + dt.timedelta(i), kind="holiday"))
            factories.account("unit", u, password="x" * 8)
        db.session.commit()


def _statements(app, client, url, page_size=100):
    url += f"{'&' if '?' in url else '?'}page_size={page_size}"
    client.get(url)  # warm up: Flask-Admin and SQLAlchemy caches
    with count_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", LISTS)
def test_list_statement_count_does_not_grow_with_rows(app, as_role, world, url):
    client = as_role("admin")
    few = _statements(app, client, url)
    _grow(app, world, 30)
    many = _statements(app, client, url)
    assert many == few, f"{url}: {few} statements with a few rows, {many} with 30 more"
    assert many <= 8, f"{url}: {many} statements"


def _thousand_reports(app, world):
    """1,000 reports with adoptions, inserted in bulk, and the roll-up recomputed."""
    from models import Adoption, Report, clock, rollup

    with app.app_context():
        now = clock.now()
        db.session.execute(
            sa.insert(Report),
            [
                {
                    "title": f"批量信息{n}",
                    "body": "",
                    "category": "news",
                    "unit_id": world.unit_a,
                    "author": "李明",
                    "submitted_at": now - dt.timedelta(days=n % 60),
                    "status": "adopted",
                    "late": False,
                }
                for n in range(1000)
            ],
        )
        ids = db.session.scalars(sa.select(Report.id).where(Report.title.like("批量信息%")))
        db.session.execute(
            sa.insert(Adoption),
            [
                {
                    "report_id": report_id,
                    "unit_id": world.unit_a,
                    "publication_id": world.publication,
                    "issue_no": 1,
                    "adopted_on": clock.today(),
                    "points": 10,
                }
                for report_id in ids
            ],
        )
        rollup.rebuild()
        db.session.commit()


@pytest.mark.parametrize("url", ["/admin/reports/", "/admin/ranking/", "/admin/"])
def test_ten_rows_or_a_thousand_cost_the_same_statements(app, as_role, world, url):
    client = as_role("staff")
    few = _statements(app, client, url)
    _thousand_reports(app, world)
    assert _statements(app, client, url) == few


@pytest.mark.parametrize("sort_up_to", [2000, 10])  # a search's rows sorted, or walked to
@pytest.mark.parametrize("url", ["/admin/reports/", "/admin/reports/?search=批量信息"])
def test_twenty_rows_a_page_or_a_hundred_cost_the_same_statements(
    app, as_role, world, monkeypatch, url, sort_up_to
):
    from views.base import paging

    monkeypatch.setattr(paging, "SORT_UP_TO", sort_up_to)
    _thousand_reports(app, world)
    client = as_role("staff")
    # The account, the count (on PostgreSQL a small table's estimate, then its exact count;
    # at a million rows the estimate alone, as the benchmark shows) and the page.
    assert _statements(app, client, url, 20) == _statements(app, client, url, 100) <= 4


def test_the_offices_answers_on_each_row_read_nothing_per_row(app, as_role, world):
    """A report's quick answers on its list row come from its status alone."""
    client = as_role("staff")
    few = _statements(app, client, "/admin/reports/")
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        for status in ("received", "editing", "not_adopted", "returned", "adopted") * 8:
            factories.report(unit, status=status, answer_comment="理由")
        db.session.commit()
    assert _statements(app, client, "/admin/reports/") == few
    page = client.get("/admin/reports/?page_size=100").get_data(as_text=True)
    assert (
        page.count('action="/admin/reports/answer/') == 8 + 8 + 2
    )  # received (and the two of the world), editing
    assert page.count("/admin/reports/adopt/?ids=") == 8 * 4 + 2  # all but the returned


# The screens added with criticism, bulletins, key work, supervision, awards and grades,
# and the exports whose related names read more than the related row.
RECENT = [
    "/admin/criticism/",
    "/admin/bulletins/",
    "/admin/trainings/",
    "/admin/trainings/export/csv/",
    "/admin/key_work_areas/",
    "/admin/key_work_items/",
    "/admin/key_work_rounds/",
    "/admin/key_work_checks/",
    "/admin/key_work_checks/export/csv/",
    "/admin/supervision_projects/",
    "/admin/supervision_projects/export/csv/",
    "/admin/site_visits/",
    "/admin/site_visits/export/csv/",
    "/admin/pay_rates/",
    "/admin/commendations/",
    "/admin/grade_rules/",
    "/admin/award-sheet/",
    "/admin/evaluation/",
    "/admin/",  # the to-do: notices to approve and issue, self-assessments to judge
]


# The year-end evaluation reads the year's ranking, its rules and what was filed; the
# home page one statement per to-do (models/desk.py) beside its counts and lists.
RECENT_CAPS = {"/admin/evaluation/": 11, "/admin/": 15}


def _grow_recent(app, world, start, n):
    """`n` more of each: a unit with a person, a training, a commendation and a criticism
    notice; a key work item (three areas) with its checks; a project and a site visit with
    its rectification; a pay rate, a grade rule, a bulletin and a check round."""
    with app.app_context():
        a = db.session.get(Unit, world.unit_a)
        for i in range(start, start + n):
            unit = factories.unit(name=f"新增镇{i}")
            person = factories.staff(unit)
            factories.training(person)
            factories.criticism(unit, state=("draft", "issued", "approved")[i % 3])
            key_work(unit, support=[a], area_seq=1 + i % 3, seq=1 + i)
            project = SupervisionProject(title=f"专项督查{i}", started_on=clock.today())
            project.units = [unit, a]
            visit = SiteVisit(
                project=project,
                unit=unit,
                visited_on=clock.today(),
                place="项目现场",
                members="督查室张三",
                rectification="恢复施工",
                rectify_by=clock.today() + dt.timedelta(days=20),
            )
            db.session.add_all([project, visit])
            visit.require_rectification(None)
            day = dt.date(2001, 1, 1) + dt.timedelta(days=i)
            db.session.add_all(
                [
                    Commendation(
                        year=clock.today().year,
                        title="优秀信息员",
                        unit=unit,
                        staff=person,
                        document_no=f"县委办〔2026〕{i}号",
                        awarded_on=clock.today(),
                    ),
                    PayRate(kind="adoption", level="city", amount=Decimal("50"), valid_from=day),
                    GradeRule(key="excellent_share", value=30, valid_from=day),
                    CheckRound(year=2040 + i, half="h1", checked_on=dt.date(2040 + i, 7, 5)),
                ]
            )
            draft_bulletin(month(dt.date(2001 + i // 12, 1 + i % 12, 1)), "township", None)
        this_year = CheckRound.query.filter_by(year=clock.today().year).one_or_none()
        if this_year is None:
            this_year = CheckRound(
                year=clock.today().year, half="h1", checked_on=dt.date(clock.today().year, 7, 5)
            )
            db.session.add(this_year)
        for check in this_year.open():  # a check per item and unit, the new items' too
            if check.unit_id == a.id:  # the supporting unit's: the office's verdict to give
                check.assess(None, "推进中", "on_schedule")
        db.session.commit()
        assert KeyWorkCheck.query.count() == 2 * (start + n)


@pytest.mark.parametrize("url", RECENT)
def test_recent_screens_cost_the_same_statements_with_more_rows(app, as_role, world, url):
    client = as_role("admin")
    _grow_recent(app, world, 0, 2)
    few = _statements(app, client, url)
    _grow_recent(app, world, 2, 30)
    many = _statements(app, client, url)
    assert many == few, f"{url}: {few} statements with a few rows, {many} with 30 more"
    assert many <= RECENT_CAPS.get(url, 8), f"{url}: {many} statements"
