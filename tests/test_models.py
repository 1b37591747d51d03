"""The data model's rules, without HTTP: what the database itself refuses, and the methods."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import Account, Adoption, Assignment, Directive, Report, Staff, Unit, clock, db
from tests import factories


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _refused(statement_or_objects):
    """Assert the database refuses the insert, and leave the session usable."""
    with pytest.raises(IntegrityError):
        if isinstance(statement_or_objects, list):
            db.session.add_all(statement_or_objects)
            db.session.flush()
        else:
            db.session.execute(statement_or_objects)
    db.session.rollback()


def test_unit_code_is_unique(ctx):
    factories.unit(code="X1")
    db.session.commit()
    _refused([Unit(code="X1", name="另一个", kind="township", ranking_group="township")])


@pytest.mark.parametrize("column,value", [("kind", "village"), ("ranking_group", "misc")])
def test_unit_enumerations_are_checked_by_the_database(ctx, column, value):
    values = {"code": "E1", "name": "单位", "kind": "township", "ranking_group": "township"}
    values[column] = value
    _refused(sa.insert(Unit).values(active=True, **values))


@pytest.mark.parametrize("column", ["code", "name", "kind", "ranking_group"])
def test_unit_required_columns_are_not_null(ctx, column):
    values = {
        "code": "N1",
        "name": "单位",
        "kind": "township",
        "ranking_group": "township",
        "active": True,
    }
    values[column] = None
    _refused(sa.insert(Unit).values(**values))


def test_blank_text_is_refused_by_the_database(ctx):
    _refused(
        sa.insert(Unit).values(
            code="  ", name="单位", kind="township", ranking_group="township", active=True
        )
    )


def test_foreign_keys_are_enforced(ctx):
    _refused(sa.insert(Staff).values(name="某人", unit_id=999999, duty="other", active=True))


def test_a_unit_in_use_cannot_be_deleted(ctx):
    unit = factories.unit()
    factories.report(unit)
    db.session.commit()
    _refused(sa.delete(Unit).where(Unit.id == unit.id))


def test_due_date_before_assignment_date_is_refused_by_the_database(ctx):
    unit = factories.unit()
    directive = factories.directive()
    db.session.commit()
    today = clock.today()
    _refused(
        sa.insert(Assignment).values(
            directive_id=directive.id,
            unit_id=unit.id,
            assigned_on=today,
            due_on=today - dt.timedelta(days=1),
            status="assigned",
        )
    )


def test_unit_officer_account_needs_a_unit(ctx):
    _refused(
        sa.insert(Account).values(
            username="u",
            name="u",
            password_hash="x",
            role="unit",
            active=True,
            session_version=0,
            created_at=clock.now(),
        )
    )


def test_adoption_stores_points_of_the_day_and_keeps_them(ctx):
    unit = factories.unit()
    pub = factories.publication(points=10)
    first = factories.adoption(factories.report(unit), pub)
    db.session.commit()
    assert first.points == 10
    pub.points = 25  # the office edits the scoring table
    db.session.commit()
    second = factories.adoption(factories.report(unit), pub)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Adoption, first.id).points == 10
    assert db.session.get(Adoption, second.id).points == 25


def test_a_report_adopted_twice_by_one_publication_is_refused(ctx):
    unit = factories.unit()
    pub = factories.publication()
    report = factories.report(unit)
    factories.adoption(report, pub)
    db.session.commit()
    _refused(
        [Adoption(report_id=report.id, publication_id=pub.id, issue_no=9, adopted_on=clock.today())]
    )


def test_report_points_add_up_across_publications(ctx):
    unit = factories.unit()
    report = factories.report(unit)
    factories.adoption(report, factories.publication(points=3))
    factories.adoption(report, factories.publication(points=10))
    db.session.commit()
    assert db.session.get(Report, report.id).points == 13


def test_timestamps_come_back_aware_in_utc(ctx):
    unit = factories.unit()
    local_noon = dt.datetime(2026, 3, 1, 12, 0)  # naive: taken as office time (UTC+8)
    report = factories.report(unit, submitted_at=local_noon)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Report, report.id).submitted_at
    assert stored.tzinfo is not None
    assert stored == dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC)
    assert clock.local(stored).hour == 12


def test_visibility_of_unit_records(ctx):
    a, b = factories.unit(), factories.unit()
    ra, rb = factories.report(a), factories.report(b)
    officer = factories.account("unit", a)
    staff = factories.account("staff")
    db.session.commit()
    mine = Report.query.filter(Report.visible_to(officer)).all()
    assert [r.id for r in mine] == [ra.id]
    assert {r.id for r in Report.query.filter(Report.visible_to(staff))} == {ra.id, rb.id}


def test_a_unit_officer_sees_only_directives_assigned_to_the_unit(ctx):
    a, b = factories.unit(), factories.unit()
    da, _db, shared = factories.directive(a), factories.directive(b), factories.directive(a, b)
    officer = factories.account("unit", a)
    db.session.commit()
    visible = {d.id for d in Directive.query.filter(Directive.visible_to(officer))}
    assert visible == {da.id, shared.id}


def test_assignment_date_rules():
    received = dt.date(2026, 5, 10)
    ok = Assignment(assigned_on=received, due_on=received + dt.timedelta(days=15))
    assert ok.date_problem(received) is None
    early_due = Assignment(assigned_on=received, due_on=received - dt.timedelta(days=1))
    assert early_due.date_problem(received) is not None
    early_assignment = Assignment(assigned_on=received - dt.timedelta(days=1), due_on=received)
    assert early_assignment.date_problem(received) is not None
    same_day = Assignment(assigned_on=received, due_on=received)
    assert same_day.date_problem(received) is None


def test_overdue_starts_the_day_after_the_due_date(ctx):
    due = clock.today() + dt.timedelta(days=20)
    item = factories.directive(factories.unit(), due_on=due).assignments[0]
    item.acknowledge(None)
    assert not item.is_overdue(today=due)
    assert item.is_overdue(today=due + dt.timedelta(days=1))
    assert item.days_overdue(today=due + dt.timedelta(days=8)) == 8
    overdue = Assignment.query.filter(Assignment.overdue_filter(due + dt.timedelta(days=1)))
    assert overdue.count() == 1
    assert Assignment.query.filter(Assignment.overdue_filter(due)).count() == 0


def test_password_hashing_and_session_version(ctx):
    account = factories.account("staff")
    version = account.session_version
    assert account.check_password(factories.PASSWORD)
    assert not account.check_password("wrong-password")
    assert account.password_hash.startswith("scrypt:")
    account.set_password("another-password-1")
    assert account.session_version == version + 1
    with pytest.raises(ValueError):
        account.set_password("short")


def test_account_load_refuses_old_versions_and_inactive_accounts(ctx):
    account = factories.account("staff")
    db.session.commit()
    session_id = account.get_id()
    assert Account.load(session_id).id == account.id
    account.session_version += 1
    db.session.commit()
    assert Account.load(session_id) is None
    assert Account.load(account.get_id()).id == account.id
    account.active = False
    db.session.commit()
    assert Account.load(account.get_id()) is None
    assert Account.load("garbage") is None


def test_directive_is_done_when_every_live_assignment_is_accepted(ctx):
    a, b = factories.unit(), factories.unit()
    principal, _ = factories.leaders(a)
    directive = factories.directive(a, b)
    first, second = directive.assignments
    first.acknowledge(None)
    factories.feedback(first, "result", signer=principal)
    first.accept(None)
    assert not directive.is_done and directive.stage == "in_progress"
    second.cancel(None, "改由他人办理")
    assert directive.is_done and directive.stage == "done"
    assert factories.directive().stage == "received"
    lone = factories.directive(b)
    lone.assignments[0].cancel(None, "撤销")
    assert not lone.is_done and lone.stage == "cancelled"


def test_unit_ancestors_stop_at_a_cycle(ctx):
    top = factories.unit()
    middle = factories.unit(parent=top)
    bottom = factories.unit(parent=middle)
    db.session.commit()
    assert [u.id for u in bottom.ancestors()] == [middle.id, top.id]


def test_every_record_that_belongs_to_a_unit_says_who_may_see_it(ctx):
    owners = {"unit_id", "assignment_id", "feedback_id", "report_id"}
    checked = []
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if owners & set(model.__table__.columns.keys()):
            assert hasattr(model, "visible_to"), model.__name__
            officer = factories.account("unit", factories.unit())
            model.query.filter(model.visible_to(officer)).all()  # a valid filter
            checked.append(model.__name__)
    assert {"AssignmentEvent", "Objection", "ExtensionRequest", "Attachment"} <= set(checked)
