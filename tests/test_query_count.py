"""A list page costs the same number of SQL statements whatever the number of rows on it."""

import datetime as dt

import pytest

from models import CalendarDay, Unit, db
from tests import factories
from tests.conftest import count_statements

LISTS = [
    "/admin/reports/",
    "/admin/units/",
    "/admin/staff/",
    "/admin/directives/",
    "/admin/assignments/",
    "/admin/publications/",
    "/admin/accounts/",
    "/admin/notices/",
    "/admin/feedback/",
    "/admin/deadline_rules/",
    "/admin/calendar_days/",
    "/admin/directive-report/",
]


def _grow(app, world, n):
    with app.app_context():
        a = db.session.get(Unit, world.unit_a)
        parent = factories.unit(name="上级县")
        for i in range(n):
            u = factories.unit(parent=parent)
            factories.staff(u)
            report = factories.report(u)
            factories.adoption(report, factories.publication())
            assignment = factories.directive(u, a).assignments[0]
            assignment.acknowledge(None)
            factories.feedback(assignment, "result", signer=factories.leaders(u)[1])
            db.session.add(CalendarDay(day=dt.date(2030, 1, 1) + dt.timedelta(i), kind="holiday"))
            factories.account("unit", u, password="x" * 8)
        db.session.commit()


def _statements(app, client, url):
    client.get(url)  # warm up: Flask-Admin and SQLAlchemy caches
    with count_statements(app) as statements:
        response = client.get(url + "?page_size=100")
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
