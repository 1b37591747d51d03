"""Lead and supporting units (牵头/配合): a directive handed to several units at once, or to
a whole ranking group; the lead unit's accepted result closes it, a supporting unit's does
not; the lead unit reads its supporting units' reports."""

import datetime as dt

import pytest
import sqlalchemy as sa

from models import Assignment, Directive, Notice, Unit, WorkCalendar, clock, db
from models.chase import chase_now
from models.desk import unit_kind
from models.notice_plan import NoticeRules
from models.notice_scan import record_due_notices
from tests import factories
from tests.test_views import read


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _handed(lead, support, received=dt.date(2026, 9, 1)):
    directive = factories.directive(received_on=received)
    directive.hand_to(
        {lead: "lead", support: "support"},
        None,
        WorkCalendar(),
        factories.rules(),
        at=clock.start_of(received),
    )
    return directive


def _finish(assignment):
    assignment.acknowledge(None)
    assignment.submit_result(None, factories.leaders(assignment.unit)[0])
    assignment.accept(None)


def test_a_supporting_units_result_does_not_close_the_directive(ctx):
    lead, support = factories.unit(), factories.unit()
    directive = _handed(lead, support)
    lead_part, support_part = directive.assignments
    assert (lead_part.part, support_part.part) == ("lead", "support")
    _finish(support_part)
    assert not directive.is_done and directive.stage == "in_progress"
    _finish(lead_part)
    assert directive.is_done and directive.stage == "done"


def test_where_no_unit_leads_every_unit_closes_it(ctx):
    a, b = factories.unit(), factories.unit()
    directive = factories.directive(a, b)
    _finish(directive.assignments[0])
    assert not directive.is_done
    _finish(directive.assignments[1])
    assert directive.is_done


def test_handing_to_units_gives_each_the_rules_due_date_and_skips_those_assigned(ctx):
    lead, support = factories.unit(), factories.unit()
    directive = _handed(lead, support)
    assert {a.due_on for a in directive.assignments} == {dt.date(2026, 10, 1)}  # city: a month
    again = directive.hand_to({lead: "support"}, None, WorkCalendar(), [])
    assert again == [] and directive.assignments[0].part == "lead"
    assert directive.assignments[0].partners() == [directive.assignments[1]]
    assert directive.assignments[1].partners() == [directive.assignments[0]]


# ---- over HTTP ----


def _form(number, **fields):
    """A city leader's directive received two days ago: due a month after."""
    return {
        "number": number,
        "title": "关于秸秆禁烧的批示",
        "leader_name": "李市长",
        "leader_level": "city",
        "received_on": (clock.today() - dt.timedelta(days=2)).isoformat(),
        "content": "请牵头单位会同配合单位抓紧落实",
        "group_part": "lead",
        **fields,
    }


def test_the_form_hands_a_directive_to_a_lead_and_a_supporting_unit(app, as_role, world):
    client = as_role("staff")
    form = _form("P-1", lead_units=[world.unit_a], support_units=[world.unit_b])
    response = client.post("/admin/directives/new/", data=form)
    assert response.status_code == 302
    with app.app_context():
        directive = Directive.query.filter_by(number="P-1").one()
        parts = {a.unit_id: (a.part, a.due_on) for a in directive.assignments}
        due_on = directive.received_on.replace(day=1) + dt.timedelta(days=40)
        due_on = due_on.replace(day=min(directive.received_on.day, 28))  # a month on
        assert parts == {world.unit_a: ("lead", due_on), world.unit_b: ("support", due_on)}


def test_a_whole_ranking_group_at_once(app, as_role, world):
    with app.app_context():
        factories.unit(ranking_group="department", name="某局")
        db.session.commit()
        townships = {u.id for u in Unit.query.filter_by(ranking_group="township", active=True)}
    response = as_role("staff").post(
        "/admin/directives/new/",
        data=_form("P-2", group="township", group_part="support", lead_units=[world.unit_a]),
    )
    assert response.status_code == 302
    with app.app_context():
        directive = Directive.query.filter_by(number="P-2").one()
        parts = {a.unit_id: a.part for a in directive.assignments}
    assert set(parts) == townships and len(townships) >= 2
    assert parts[world.unit_a] == "lead"
    assert {parts[u] for u in townships - {world.unit_a}} == {"support"}


def test_a_unit_chosen_to_lead_and_to_support_is_refused_and_nothing_saved(app, as_role, world):
    form = _form("P-3", lead_units=[world.unit_a], support_units=[world.unit_a, world.unit_b])
    response = as_role("staff").post("/admin/directives/new/", data=form)
    assert response.status_code == 200
    assert "同一单位不能既牵头又配合：甲镇" in response.get_data(as_text=True)
    assert read(app, Directive, number="P-3") == []


def test_the_lead_unit_reads_its_supporting_units_reports_and_no_other_does(app, as_role, world):
    with app.app_context():
        a, b = db.session.get(Unit, world.unit_a), db.session.get(Unit, world.unit_b)
        directive = _handed(a, b, clock.today() - dt.timedelta(days=3))
        lead_part, support_part = directive.assignments
        support_part.acknowledge(None)
        factories.feedback(support_part, text="配合单位已完成秸秆巡查")
        db.session.commit()
        lead_id, support_id = lead_part.id, support_part.id
    lead_page = as_role("unit").get(f"/admin/assignments/details/?id={lead_id}")
    assert "配合单位已完成秸秆巡查" in lead_page.get_data(as_text=True)
    support_page = as_role("unit_b").get(f"/admin/assignments/details/?id={support_id}")
    text = support_page.get_data(as_text=True)
    assert "牵头单位" in text and "甲镇" in text
    assert as_role("unit_b").get(f"/admin/assignments/details/?id={lead_id}").status_code == 404
    assert as_role("unit").get(f"/admin/assignments/details/?id={support_id}").status_code == 404


def test_an_inline_assignment_without_a_part_leads(app, as_role, world):
    data = _form("P-4")
    data.update(
        {"assignments-0-unit": world.unit_a, "assignments-0-assigned_on": data["received_on"]}
    )
    assert as_role("staff").post("/admin/directives/new/", data=data).status_code == 302
    (directive,) = read(app, Directive, number="P-4")
    (assignment,) = read(app, Assignment, directive_id=directive.id)
    assert (assignment.unit_id, assignment.part) == (world.unit_a, "lead")


def test_once_the_lead_has_closed_it_a_supporting_part_is_nobodys_move(ctx):
    lead, support = factories.unit(), factories.unit()
    factories.staff(support)  # an information officer with an address: chases would go
    received = clock.today() - dt.timedelta(days=40)  # both parts overdue
    directive = _handed(lead, support, received)
    lead_part, support_part = directive.assignments
    assert not support_part.settled_by_lead()
    _finish(lead_part)
    db.session.commit()
    assert support_part.settled_by_lead() and support_part.status == "assigned"
    settled = db.session.scalars(
        sa.select(Assignment.id).where(Assignment.settled_by_lead_filter())
    ).all()
    assert settled == [support_part.id]
    record_due_notices(clock.today(), NoticeRules())
    assert Notice.query.filter_by(assignment_id=support_part.id).count() == 0
    kind = db.session.scalar(sa.select(unit_kind()).where(Assignment.id == support_part.id))
    assert kind is None
    staff = factories.account("staff")
    assert not support_part.may(staff, "chase")
    assert chase_now([support_part], staff).refused


def test_a_supporting_part_is_chased_while_its_lead_is_still_open(ctx):
    lead, support = factories.unit(), factories.unit()
    factories.staff(support)
    directive = _handed(lead, support, clock.today() - dt.timedelta(days=40))
    db.session.commit()
    record_due_notices(clock.today(), NoticeRules())
    support_part = directive.assignments[1]
    assert Notice.query.filter_by(assignment_id=support_part.id, kind="chase").count() == 1
