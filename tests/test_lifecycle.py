"""An assignment's life, enforced by the model and tested without HTTP: transitions, who may
take each step, history, objections, extensions and their cap, the signer rule, lights and
overdue counting."""

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    Assignment,
    AssignmentEvent,
    Directive,
    ExtensionRequest,
    Feedback,
    IllegalTransition,
    RuleError,
    WorkCalendar,
    clock,
    db,
)
from models.steps import ASSIGNMENT_STATUSES, STEPS, TRANSITIONS
from tests import factories

D = dt.date


def at(day, hour=10):
    """An instant on an office-local day."""
    return clock.start_of(day) + dt.timedelta(hours=hour)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def unit(ctx):
    return factories.unit()


@pytest.fixture
def people(unit):
    """The unit's leaders and officer, the office staff and an administrator."""
    principal, in_charge = factories.leaders(unit)
    return {
        "principal": principal,
        "in_charge": in_charge,
        "officer": factories.account("unit", unit),
        "other_officer": factories.account("unit", factories.unit()),
        "staff": factories.account("staff"),
        "admin": factories.account("admin"),
        "leader": factories.account("leader"),
    }


def make(unit, received=D(2026, 6, 1), due=D(2026, 6, 30), level="city"):
    return factories.directive(unit, received_on=received, due_on=due, leader_level=level)


# ---- every illegal transition is refused by the model ----

ILLEGAL = [
    (old, new)
    for old, new in itertools.product(ASSIGNMENT_STATUSES, repeat=2)
    if old != new and (old, new) not in TRANSITIONS
]


def test_the_graph_is_what_the_rules_say():
    assert len(ILLEGAL) == 8 * 7 - len(TRANSITIONS)
    assert ("submitted", "accepted") in TRANSITIONS and ("returned", "in_progress") in TRANSITIONS
    assert not any(old in ("accepted", "cancelled") for old, _ in TRANSITIONS)


def test_every_step_that_leads_to_one_status_is_a_legal_move_from_where_it_is_taken():
    moves = [
        (name, status, step.leads_to)
        for name, step in STEPS.items()
        if step.leads_to
        for status in step.statuses
    ]
    assert len(moves) == 1 + 2 + 3 + 3 + 1 + 1 + 6
    for name, old, new in moves:
        # progress in progress stays; a returned result resumes before it is submitted
        assert (
            old == new or (old, new) in TRANSITIONS or (name, old) == ("submit_result", "returned")
        )


@pytest.mark.parametrize("old,new", ILLEGAL)
def test_an_illegal_transition_is_refused(old, new):
    assignment = Assignment()
    set_committed_value(assignment, "status", old)
    with pytest.raises(IllegalTransition):
        assignment.status = new
    assert assignment.status == old


def test_a_new_assignment_starts_as_assigned():
    with pytest.raises(IllegalTransition):
        Assignment(status="accepted")


def test_a_legal_change_that_skips_the_history_is_not_saved(unit):
    assignment = make(unit).assignments[0]
    db.session.commit()
    assignment.status = "acknowledged"  # legal, but not through a recorded step
    with pytest.raises(IllegalTransition):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Assignment, assignment.id).status == "assigned"


def test_an_assignment_saved_without_being_assigned_is_refused(unit):
    directive = factories.directive()
    directive.assignments.append(Assignment(unit=unit, assigned_on=D(2026, 6, 1)))
    with pytest.raises(IllegalTransition):
        db.session.flush()


@pytest.mark.parametrize(
    "step",
    [
        lambda a, p: a.accept(p["staff"]),
        lambda a, p: a.return_result(p["staff"], "原因不清"),
        lambda a, p: a.report_progress(p["officer"]),
        lambda a, p: a.submit_result(p["officer"], p["in_charge"]),
        lambda a, p: a.request_extension(p["officer"], D(2026, 7, 10), "需协调"),
        lambda a, p: a.decide_objection(p["staff"], False),
    ],
)
def test_steps_out_of_turn_are_refused(unit, people, step):
    assignment = make(unit).assignments[0]  # assigned, not yet acknowledged
    with pytest.raises(IllegalTransition):
        step(assignment, people)
    assert assignment.status == "assigned" and len(assignment.events) == 1


def test_nothing_moves_a_closed_assignment(unit, people):
    assignment = make(unit).assignments[0]
    assignment.cancel(people["staff"], "撤销")
    for step in (
        lambda: assignment.acknowledge(people["officer"]),
        lambda: assignment.cancel(people["staff"], "再撤销"),
        lambda: assignment.change_due_date(people["staff"], D(2026, 7, 1), "调整"),
    ):
        with pytest.raises(IllegalTransition):
            step()
    assert assignment.status == "cancelled"


# ---- who may take each step ----


def test_only_the_units_own_officer_or_the_office_acts_for_the_unit(unit, people):
    assignment = make(unit).assignments[0]
    for outsider in (people["other_officer"], people["leader"]):
        with pytest.raises(RuleError):
            assignment.acknowledge(outsider)
    assignment.acknowledge(people["officer"])
    assert assignment.status == "acknowledged"
    other = make(factories.unit()).assignments[0]
    other.acknowledge(people["staff"])  # the office files for a unit on paper
    assert other.events[-1].actor_name == str(people["staff"])


def test_a_unit_officer_cannot_take_the_offices_steps(unit, people):
    assignment = make(unit).assignments[0]
    assignment.acknowledge(people["officer"])
    factories.feedback(assignment, "result", signer=people["in_charge"], actor=people["officer"])
    for step in (
        lambda: assignment.accept(people["officer"]),
        lambda: assignment.return_result(people["officer"], "自己退回"),
        lambda: assignment.cancel(people["officer"], "不想办"),
        lambda: assignment.change_due_date(people["officer"], D(2026, 8, 1), "延后"),
    ):
        with pytest.raises(RuleError):
            step()
    assert assignment.status == "submitted"
    assert not assignment.may(people["officer"], "accept")
    assert assignment.may(people["staff"], "accept")


def test_only_the_office_assigns(unit, people):
    directive = factories.directive(received_on=D(2026, 6, 1))
    assignment = Assignment(unit=unit, assigned_on=D(2026, 6, 1), due_on=D(2026, 6, 30))
    directive.assignments.append(assignment)
    with pytest.raises(RuleError):
        assignment.assign(people["officer"], WorkCalendar(), rules=[])
    directive.assignments.remove(assignment)


# ---- history ----


def test_every_step_is_kept_who_when_from_to_and_why(unit, people):
    assignment = make(unit).assignments[0]
    assignment.acknowledge(people["officer"], "收到", at=at(D(2026, 6, 2)))
    factories.feedback(assignment, actor=people["officer"], at=at(D(2026, 6, 10)))
    factories.feedback(
        assignment,
        "result",
        signer=people["in_charge"],
        actor=people["officer"],
        at=at(D(2026, 6, 20)),
    )
    assignment.return_result(people["staff"], "措施不具体", at=at(D(2026, 6, 22)))
    factories.feedback(
        assignment,
        "result",
        signer=people["principal"],
        actor=people["officer"],
        at=at(D(2026, 6, 25)),
    )
    assignment.accept(people["staff"], "同意办结", at=at(D(2026, 6, 27)))
    db.session.commit()
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AssignmentEvent)
        .where(AssignmentEvent.assignment_id == assignment.id)
        .order_by(AssignmentEvent.at, AssignmentEvent.id)
    ).all()
    steps = [(e.action, e.from_status, e.to_status) for e in events]
    assert steps == [
        ("assign", None, "assigned"),
        ("acknowledge", "assigned", "acknowledged"),
        ("progress", "acknowledged", "in_progress"),
        ("submit_result", "in_progress", "submitted"),
        ("return_result", "submitted", "returned"),
        ("resume", "returned", "in_progress"),
        ("submit_result", "in_progress", "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    returned = events[4]
    assert returned.comment == "措施不具体" and returned.account_id == people["staff"].id
    assert returned.at == at(D(2026, 6, 22)) and returned.at.tzinfo is not None
    assert events[1].actor_name == str(people["officer"])


def test_accepting_dates_the_finish_by_the_accepted_result(unit, people):
    assignment = make(unit).assignments[0]
    assignment.acknowledge(people["officer"])
    factories.feedback(
        assignment,
        "result",
        signer=people["in_charge"],
        actor=people["officer"],
        at=at(D(2026, 6, 30)),
    )
    assignment.accept(people["staff"], at=at(D(2026, 7, 6)))
    db.session.commit()
    assert assignment.finished_on == D(2026, 6, 30)  # on time, though accepted later


def test_the_database_refuses_a_finish_date_without_acceptance(unit):
    assignment = make(unit).assignments[0]
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.update(Assignment)
            .where(Assignment.id == assignment.id)
            .values(finished_on=D(2026, 6, 20))
        )
    db.session.rollback()


# ---- objections: within two working days, decided by the office ----


@pytest.fixture
def before_national_day(unit):
    """Assigned Wednesday 30 September 2026: two working days end Friday 9 October."""
    return make(unit, received=D(2026, 9, 30), due=D(2026, 10, 30)).assignments[0]


def test_an_objection_on_the_last_working_day_is_taken(before_national_day, people):
    assignment = before_national_day
    assert assignment.objection_deadline(WorkCalendar()) == D(2026, 10, 9)
    assignment.raise_objection(
        people["officer"], "deadline", "时间太紧", WorkCalendar(), at=at(D(2026, 10, 9), 17)
    )
    assert assignment.status == "objected" and assignment.objection.state == "pending"


def test_an_objection_a_day_late_is_refused(before_national_day, people):
    with pytest.raises(RuleError) as refused:
        before_national_day.raise_objection(
            people["officer"], "deadline", "时间太紧", WorkCalendar(), at=at(D(2026, 10, 10))
        )
    assert "2026-10-09" in str(refused.value)
    assert before_national_day.status == "assigned"


def test_one_objection_per_assignment(before_national_day, people):
    a = before_national_day
    a.raise_objection(people["officer"], "deadline", "太紧", WorkCalendar(), at=at(D(2026, 10, 8)))
    a.decide_objection(people["staff"], False, "仍按原时限")
    assert a.status == "acknowledged" and a.objection.state == "rejected"
    with pytest.raises(RuleError):
        a.raise_objection(
            people["officer"], "assignment", "再议", WorkCalendar(), at=at(D(2026, 10, 8))
        )


def test_an_upheld_deadline_objection_sets_the_new_date(before_national_day, people):
    a = before_national_day
    a.raise_objection(people["officer"], "deadline", "太紧", WorkCalendar(), at=at(D(2026, 10, 8)))
    with pytest.raises(RuleError):
        a.decide_objection(people["staff"], True)  # no new date
    a.decide_objection(people["staff"], True, "同意", new_due_on=D(2026, 11, 15))
    assert a.status == "acknowledged" and a.due_on == a.original_due_on == D(2026, 11, 15)


def test_an_upheld_assignment_objection_cancels_it(before_national_day, people):
    a = before_national_day
    a.raise_objection(
        people["officer"], "assignment", "不属职责", WorkCalendar(), at=at(D(2026, 10, 8))
    )
    a.decide_objection(people["staff"], True, "改交他单位")
    assert a.status == "cancelled" and a.objection.state == "upheld"


# ---- extensions: asked by the due date, together at most a month past the original ----


@pytest.fixture
def working(unit, people):
    """Due 30 June 2026, acknowledged: the cap is 30 July."""
    assignment = make(unit, due=D(2026, 6, 30)).assignments[0]
    assignment.acknowledge(people["officer"])
    return assignment


def test_an_extension_may_be_asked_on_the_due_date_itself(working, people):
    working.request_extension(
        people["officer"], D(2026, 7, 15), "需协调", at=at(D(2026, 6, 30), 17)
    )
    assert working.pending_extension().proposed_due_on == D(2026, 7, 15)


def test_an_extension_asked_the_day_after_is_refused(working, people):
    with pytest.raises(RuleError) as refused:
        working.request_extension(people["officer"], D(2026, 7, 15), "需协调", at=at(D(2026, 7, 1)))
    assert refused.value.field == "proposed_due_on"
    assert working.extension_requests == []


@pytest.mark.parametrize("proposed", [D(2026, 6, 30), D(2026, 6, 20), None])
def test_the_proposed_date_must_be_later(working, people, proposed):
    with pytest.raises(RuleError):
        working.request_extension(people["officer"], proposed, "需协调", at=at(D(2026, 6, 10)))


def test_a_request_needs_a_reason_and_waits_alone(working, people):
    with pytest.raises(RuleError):
        working.request_extension(people["officer"], D(2026, 7, 10), "  ", at=at(D(2026, 6, 10)))
    working.request_extension(people["officer"], D(2026, 7, 10), "需协调", at=at(D(2026, 6, 10)))
    with pytest.raises(RuleError):
        working.request_extension(
            people["officer"], D(2026, 7, 12), "再申请", at=at(D(2026, 6, 11))
        )


def test_two_waiting_requests_are_refused_by_the_database(working, people):
    working.request_extension(people["officer"], D(2026, 7, 10), "需协调", at=at(D(2026, 6, 10)))
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.add(
            ExtensionRequest(
                assignment_id=working.id,
                requested_on=D(2026, 6, 11),
                due_on_before=D(2026, 6, 30),
                proposed_due_on=D(2026, 7, 20),
                reason="再申请",
                state="requested",
            )
        )
        db.session.flush()


def test_a_grant_up_to_exactly_one_month_is_allowed(working, people):
    working.request_extension(people["officer"], D(2026, 7, 30), "需协调", at=at(D(2026, 6, 10)))
    working.grant_extension(people["staff"])
    assert working.due_on == D(2026, 7, 30) and working.original_due_on == D(2026, 6, 30)
    assert working.extension_requests[0].state == "granted"
    assert working.events[-1].comment.startswith("2026-06-30 → 2026-07-30")


def test_a_grant_one_day_past_the_month_is_refused_to_staff(working, people):
    working.request_extension(people["officer"], D(2026, 7, 31), "需协调", at=at(D(2026, 6, 10)))
    with pytest.raises(RuleError) as refused:
        working.grant_extension(people["staff"])
    assert "2026-07-30" in str(refused.value)
    assert working.due_on == D(2026, 6, 30) and working.pending_extension() is not None


def test_staff_may_grant_a_shorter_date_than_asked(working, people):
    working.request_extension(people["officer"], D(2026, 8, 15), "需协调", at=at(D(2026, 6, 10)))
    working.grant_extension(people["staff"], D(2026, 7, 20), "只同意延至7月20日")
    assert working.due_on == D(2026, 7, 20)
    assert working.extension_requests[0].granted_due_on == D(2026, 7, 20)


def test_an_administrator_goes_past_the_month_only_with_a_reason(working, people):
    working.request_extension(people["officer"], D(2026, 8, 15), "需协调", at=at(D(2026, 6, 10)))
    with pytest.raises(RuleError) as refused:
        working.grant_extension(people["admin"])
    assert refused.value.field == "cap_override_reason"
    working.grant_extension(people["admin"], cap_override_reason="市领导同意延期")
    assert working.due_on == D(2026, 8, 15)
    assert working.extension_requests[0].cap_override_reason == "市领导同意延期"


def test_all_grants_together_stay_within_the_month(working, people):
    working.request_extension(people["officer"], D(2026, 7, 20), "第一次", at=at(D(2026, 6, 10)))
    working.grant_extension(people["staff"])
    working.request_extension(people["officer"], D(2026, 8, 5), "第二次", at=at(D(2026, 7, 18)))
    with pytest.raises(RuleError):
        working.grant_extension(people["staff"])
    working.grant_extension(people["staff"], D(2026, 7, 30))
    assert working.due_on == D(2026, 7, 30)


def test_a_refusal_needs_a_reason_and_keeps_the_date(working, people):
    working.request_extension(people["officer"], D(2026, 7, 20), "需协调", at=at(D(2026, 6, 10)))
    with pytest.raises(RuleError):
        working.refuse_extension(people["staff"], "")
    working.refuse_extension(people["staff"], "理由不充分")
    assert working.due_on == D(2026, 6, 30) and working.extension_requests[0].state == "refused"


def test_a_result_or_a_cancellation_lapses_a_waiting_request(working, people):
    working.request_extension(people["officer"], D(2026, 7, 20), "需协调", at=at(D(2026, 6, 10)))
    working.cancel(people["staff"], "撤销")
    assert working.extension_requests[0].state == "lapsed"


def test_a_changed_due_date_needs_a_reason_and_moves_the_cap(working, people):
    with pytest.raises(RuleError):
        working.change_due_date(people["staff"], D(2026, 7, 10), "")
    with pytest.raises(RuleError):
        working.change_due_date(people["staff"], D(2026, 5, 31), "早于收件")
    working.change_due_date(people["staff"], D(2026, 7, 10), "领导要求")
    assert working.due_on == working.original_due_on == D(2026, 7, 10)
    assert working.extension_cap() == D(2026, 8, 10)


# ---- the signer (签发) ----


@pytest.mark.parametrize(
    "level,duty,allowed",
    [
        ("central", "principal", True),
        ("central", "in_charge", False),
        ("province", "principal", True),
        ("province", "in_charge", False),
        ("city", "in_charge", True),
        ("city", "principal", True),
        ("county", "in_charge", True),
    ],
)
def test_who_signs_a_result(unit, people, level, duty, allowed):
    assignment = make(unit, level=level).assignments[0]
    assignment.acknowledge(people["officer"])
    if allowed:
        factories.feedback(assignment, "result", signer=people[duty], actor=people["officer"])
        assert assignment.status == "submitted"
        assert assignment.feedback[-1].signer_duty == people[duty].duty
    else:
        with pytest.raises(RuleError) as refused:
            factories.feedback(assignment, "result", signer=people[duty], actor=people["officer"])
        assert refused.value.field == "signer"
        assert assignment.status == "acknowledged"


def test_an_officer_or_another_units_leader_cannot_sign(unit, people):
    assignment = make(unit).assignments[0]
    assignment.acknowledge(people["officer"])
    others_leader, _ = factories.leaders(factories.unit())
    for signer in (None, factories.staff(unit), others_leader):
        with pytest.raises(RuleError):
            assignment.submit_result(people["officer"], signer)
    assert assignment.status == "acknowledged"


def test_the_database_refuses_an_unsigned_result(unit, people):
    assignment = make(unit).assignments[0]
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Feedback).values(
                assignment_id=assignment.id,
                kind="result",
                text="结果",
                submitted_at=clock.now(),
                author_name="",
            )
        )
    db.session.rollback()


# ---- lights and overdue counting ----


TODAY = D(2026, 6, 20)


@pytest.mark.parametrize(
    "due,expected",
    [
        (D(2026, 6, 19), "red"),
        (D(2026, 6, 20), "yellow"),
        (D(2026, 6, 23), "yellow"),
        (D(2026, 6, 24), "green"),
    ],
)
def test_the_light_at_its_boundaries(unit, people, due, expected):
    assignment = make(unit, due=due).assignments[0]
    assignment.acknowledge(people["officer"])
    assert assignment.light(TODAY, 3) == expected
    db.session.flush()
    in_sql = db.session.scalar(
        sa.select(Assignment.light_expression(TODAY, 3)).where(Assignment.id == assignment.id)
    )
    assert in_sql == expected


def test_a_first_progress_report_late_turns_yellow(unit, people):
    rules = factories.rules()
    directive = factories.directive(received_on=D(2026, 6, 1), urgent=True)
    assignment = Assignment(unit=unit, assigned_on=D(2026, 6, 1))
    directive.assignments.append(assignment)
    assignment.assign(people["staff"], WorkCalendar(), rules)
    assert assignment.progress_due_on == D(2026, 6, 8)
    assignment.acknowledge(people["officer"])
    assert assignment.light(D(2026, 6, 8), 3) == "green"
    assert assignment.light(D(2026, 6, 9), 3) == "yellow"
    factories.feedback(assignment, actor=people["officer"], at=at(D(2026, 6, 9)))
    assert assignment.light(D(2026, 6, 9), 3) == "green"


def test_a_submitted_result_is_not_overdue_and_closed_ones_have_no_light(unit, people):
    assignment = make(unit, due=D(2026, 6, 10)).assignments[0]
    assignment.acknowledge(people["officer"])
    factories.feedback(assignment, "result", signer=people["in_charge"], actor=people["officer"])
    assert assignment.light(TODAY, 3) == "green" and not assignment.is_overdue(TODAY)
    assignment.return_result(people["staff"], "重新办理")
    assert assignment.light(TODAY, 3) == "red" and assignment.days_overdue(TODAY) == 10
    cancelled = make(unit, due=D(2026, 6, 10)).assignments[0]
    cancelled.cancel(people["staff"], "撤销")
    assert cancelled.light(TODAY, 3) == "closed" and not cancelled.is_overdue(TODAY)


def test_overdue_counting_in_sql(unit, people):
    for due in (D(2026, 6, 18), D(2026, 6, 19), D(2026, 6, 20), D(2026, 6, 30)):
        make(unit, due=due)
    submitted = make(unit, due=D(2026, 6, 1)).assignments[0]
    submitted.acknowledge(people["officer"])
    factories.feedback(submitted, "result", signer=people["in_charge"], actor=people["officer"])
    db.session.flush()
    count = Assignment.query.filter(Assignment.overdue_filter(TODAY)).count()
    assert count == 2


def test_a_directive_shows_the_worst_light_the_reader_may_see(unit, people):
    other = factories.unit()
    directive = factories.directive(unit, other, received_on=D(2026, 6, 1), due_on=D(2026, 6, 30))
    late = directive.assignments[1]
    late.change_due_date(people["staff"], D(2026, 6, 15), "提前")
    db.session.flush()

    def light_for(account):
        expression = Directive.light_expression(TODAY, 3, account)
        return db.session.scalar(sa.select(expression).where(Directive.id == directive.id))

    assert light_for(people["staff"]) == "red"
    assert light_for(people["officer"]) == "green"  # the other unit's lateness is not theirs
    empty = factories.directive()
    db.session.flush()
    expression = Directive.light_expression(TODAY, 3, people["staff"])
    assert db.session.scalar(sa.select(expression).where(Directive.id == empty.id)) == "unassigned"


def test_an_objection_is_offered_only_within_its_window(unit, people):
    fresh = make(unit, received=clock.today(), due=clock.today() + dt.timedelta(days=30))
    assert fresh.assignments[0].may(people["officer"], "object")
    old = make(unit, received=D(2026, 6, 1), due=D(2026, 6, 30)).assignments[0]
    assert not old.may(people["officer"], "object")
