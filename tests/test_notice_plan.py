"""The scan's plan and the outbox rows it writes: day boundaries, once per key, no address,
Chinese text from the office's templates, and a fixed number of statements per batch."""

import datetime as dt
from types import SimpleNamespace

import pytest

from models import Assignment, Notice, NoticeScan, Staff, Unit, clock, db
from models.notice_plan import NoticeRules, assignment_steps, plan_assignment_notices
from models.notice_scan import record_due_notices
from models.steps import ASSIGNMENT_STATUSES
from tests import factories
from tests.helpers import count_statements

RULES = NoticeRules()
DUE = dt.date(2026, 10, 1)


def day(offset):
    return DUE + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    "offset,expected",
    [
        (-4, []),
        (-3, [("reminder", 1)]),
        (-1, [("reminder", 1)]),
        (0, [("reminder", 1)]),
        (1, [("chase", 1)]),
        (7, [("chase", 1)]),
        (8, [("chase", 2)]),
        (13, [("chase", 2)]),
        (14, [("chase", 2), ("escalation", 1)]),
        (15, [("chase", 3), ("escalation", 1)]),
        (22, [("chase", 4), ("escalation", 1)]),
    ],
)
def test_what_is_due_at_the_day_boundaries(offset, expected):
    assert assignment_steps(day(offset), DUE, RULES) == expected


def test_the_settings_move_the_boundaries():
    rules = NoticeRules(remind_days=5, chase_every_days=3, escalate_after_days=10)
    assert assignment_steps(day(-6), DUE, rules) == []
    assert assignment_steps(day(-5), DUE, rules) == [("reminder", 1)]
    assert assignment_steps(day(3), DUE, rules) == [("chase", 1)]
    assert assignment_steps(day(4), DUE, rules) == [("chase", 2)]
    assert assignment_steps(day(9), DUE, rules) == [("chase", 3)]
    assert assignment_steps(day(10), DUE, rules) == [("chase", 4), ("escalation", 1)]


@pytest.mark.parametrize("pending", [False, True], ids=["", "extension-pending"])
@pytest.mark.parametrize("status", list(ASSIGNMENT_STATUSES))
def test_only_the_units_move_is_chased(status, pending):
    row = SimpleNamespace(id=1, status=status, due_on=DUE, extension_pending=pending)
    planned = {
        offset: [s.kind for s in plan_assignment_notices(day(offset), [row], RULES)]
        for offset in (-1, 1, 15)
    }
    chased = status in ("assigned", "acknowledged", "in_progress", "returned") and not pending
    if chased:
        assert planned == {-1: ["reminder"], 1: ["chase"], 15: ["chase", "escalation"]}
    else:  # closed, or waiting on the office: a result, an objection, an extension request
        assert planned == {-1: [], 1: [], 15: []}


# ---- writing the outbox ----


def scan(app, offset, batch_size=1000, rules=RULES):
    with app.app_context():
        return record_due_notices(day(offset), rules, batch_size)


def outbox(app):
    with app.app_context():
        return Notice.query.order_by(Notice.id).all()


def make_assignment(app, unit_id, due_on=DUE, status="assigned"):
    with app.app_context():
        unit = db.session.get(Unit, unit_id)
        assignment_id = factories.assignment_due(unit, due_on, status=status).id
        db.session.commit()
        return assignment_id


def test_each_notice_is_written_once_on_its_day(app, world):
    make_assignment(app, world.unit_a)
    offsets = [-4, -3, -3, -1, 0, 1, 1, 7, 8, 13, 14, 14, 15]
    created = [scan(app, offset) for offset in offsets]
    assert created == [0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1]
    rows = outbox(app)
    assert [(n.kind, n.dedupe_key.split(":")[1]) for n in rows] == [
        ("reminder", "1"),
        ("chase", "1"),
        ("chase", "2"),
        ("escalation", "1"),
        ("chase", "3"),
    ]
    with app.app_context():
        officer = db.session.get(Staff, world.staff_a)
        unit = db.session.get(Unit, world.unit_a)
        assert {n.recipient_email for n in rows if n.kind != "escalation"} == {officer.email}
        (escalation,) = [n for n in rows if n.kind == "escalation"]
        assert escalation.recipient_email == unit.principal_leader_email
        assert escalation.recipient_name == unit.principal_leader
    assert all(n.state == "queued" and n.next_attempt_at is not None for n in rows)
    assert len({n.message_id for n in rows}) == len(rows)


def test_a_second_scan_the_same_day_adds_nothing(app, world):
    make_assignment(app, world.unit_a)
    make_assignment(app, world.unit_b)
    assert scan(app, 8) == 2
    assert scan(app, 8) == 0
    assert len(outbox(app)) == 2
    with app.app_context():
        assert [s.notices_created for s in NoticeScan.query.order_by(NoticeScan.id)] == [2, 0]


def test_notices_are_chinese_from_the_office_templates(app, world):
    assignment_id = make_assignment(app, world.unit_a)
    scan(app, 8)
    (chase,) = outbox(app)
    with app.app_context():
        directive = db.session.get(Assignment, assignment_id).directive
        assert chase.subject.startswith("【催办通知（第2次）】")
        assert directive.number in chase.subject and "已超期8天" in chase.subject
        assert "甲镇" in chase.body and "2026年10月1日" in chase.body
        assert directive.title in chase.body and "{{" not in chase.body
    assert (
        chase.dedupe_key
        == f"chase:2:assignment:{assignment_id}:due:2026-10-01:staff:{world.staff_a}"
    )


def test_closed_assignments_and_inactive_units_get_nothing(app, world):
    make_assignment(app, world.unit_a, status="accepted")
    make_assignment(app, world.unit_a, status="cancelled")
    make_assignment(app, world.unit_b)
    with app.app_context():
        db.session.get(Unit, world.unit_b).active = False
        db.session.commit()
    assert scan(app, 1) == 0


def test_no_address_is_recorded_as_failed_and_a_new_officer_still_gets_it(app, world):
    make_assignment(app, world.unit_a)
    with app.app_context():
        db.session.get(Staff, world.staff_a).email = None
        db.session.commit()
    assert scan(app, 1) == 1
    (notice,) = outbox(app)
    assert notice.state == "failed" and notice.recipient_email == ""
    assert "甲镇" in notice.last_error and "邮箱" in notice.last_error
    with app.app_context():
        factories.staff(db.session.get(Unit, world.unit_a), email="new.officer@example.org")
        db.session.commit()
    assert scan(app, 2) == 1
    assert outbox(app)[-1].recipient_email == "new.officer@example.org"


def test_a_new_deadline_starts_the_reminders_again(app, world):
    assignment_id = make_assignment(app, world.unit_a)
    assert scan(app, -3) == 1
    with app.app_context():
        db.session.get(Assignment, assignment_id).due_on = day(30)
        db.session.commit()
    assert scan(app, 1) == 0
    assert scan(app, 27) == 1
    assert [n.kind for n in outbox(app)] == ["reminder", "reminder"]


def _statements(app, offset, batch_size):
    with count_statements(app) as statements:
        created = scan(app, offset, batch_size)
    assert created == 30
    return len(statements)


def test_the_scan_runs_a_fixed_number_of_statements_per_batch(app, world):
    for _ in range(30):
        make_assignment(app, world.unit_a)
    one_batch = _statements(app, -3, batch_size=30)  # 30 reminders
    three_batches = _statements(app, 1, batch_size=10)  # 30 first chases
    two_batches = _statements(app, 8, batch_size=15)  # 30 second chases
    per_batch = two_batches - one_batch
    assert three_batches - two_batches == per_batch
    assert per_batch <= 4, f"{per_batch} statements per batch"


# ---- the monthly bulletin and the bottom notice ----

MONTHLY = NoticeRules(bulletin_days=3)


def _month_of_points(app):
    """Four townships with September points 30, 20, 10, 0; each with an officer."""
    with app.app_context():
        pub = factories.publication(points=10)
        units = []
        for n, adoptions in enumerate((3, 2, 1, 0)):
            unit = factories.unit(code=f"T{n}", name=f"第{n}镇")
            factories.staff(unit, email=f"officer.t{n}@example.org")
            for _ in range(adoptions):
                report = factories.report(unit)
                factories.adoption(report, pub, adopted_on=dt.date(2026, 9, 15))
            units.append(unit.id)
        db.session.commit()
        return units


def test_the_bulletin_and_the_bottom_notice_go_out_early_in_the_month(app):
    units = _month_of_points(app)
    app.config["RANKING_BOTTOM_COUNT"] = 1
    with app.app_context():
        assert record_due_notices(dt.date(2026, 10, 4), MONTHLY) == 0  # too late in the month
        created = record_due_notices(dt.date(2026, 10, 2), MONTHLY)
        bulletins = Notice.query.filter_by(kind="bulletin").order_by(Notice.unit_id).all()
        bottom = Notice.query.filter_by(kind="bottom").all()
    assert created == len(bulletins) + len(bottom) == 5
    assert [b.unit_id for b in bulletins] == units
    first = bulletins[0]
    assert first.dedupe_key.startswith(f"bulletin:2026-09:unit:{units[0]}:staff:")
    assert "2026年9月" in first.subject and "排第1名" in first.subject
    assert "被采用3条，得分30分" in first.body
    (last,) = bottom
    assert last.unit_id == units[3] and last.recipient_email.startswith("head")
    assert "末位" in last.subject and "主要领导" in last.body


def test_the_bulletin_is_written_once_a_month(app):
    _month_of_points(app)
    with app.app_context():
        first = record_due_notices(dt.date(2026, 10, 1), MONTHLY)
        again = record_due_notices(dt.date(2026, 10, 3), MONTHLY)
        november = record_due_notices(dt.date(2026, 11, 1), MONTHLY)
    # September: four bulletins and three bottom notices (the default marks three places);
    # October had no points at all: four bulletins, and nobody is last.
    assert (first, again, november) == (7, 0, 4)


def test_no_bottom_notice_when_everyone_shares_the_first_place(app):
    with app.app_context():
        for n in range(3):
            factories.staff(factories.unit(code=f"Z{n}"))
        db.session.commit()
        record_due_notices(dt.date(2026, 10, 1), MONTHLY)
        assert Notice.query.filter_by(kind="bottom").count() == 0
        assert Notice.query.filter_by(kind="bulletin").count() == 3


def test_the_monthly_plan_costs_a_fixed_number_of_statements(app):
    _month_of_points(app)
    with count_statements(app) as few:
        scan_on = dt.date(2026, 10, 1)
        with app.app_context():
            record_due_notices(scan_on, MONTHLY)
    with app.app_context():
        Notice.query.delete()
        for n in range(20):
            factories.staff(factories.unit(code=f"M{n}"))
        db.session.commit()
    with count_statements(app) as many, app.app_context():
        record_due_notices(scan_on, MONTHLY)
    assert len(many) == len(few)


# ---- while the office holds the ball ----


def _at(offset, hours=10):
    return clock.start_of(day(offset)) + dt.timedelta(hours=hours)


@pytest.fixture
def office_decides(app, world):
    """Unit A's assignments due on DUE: one assigned (the unit's move), and three waiting on
    the office: a result submitted before the due date, an objection, an extension request.
    Office staff with an address."""
    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        ids = SimpleNamespace(unit_move=factories.assignment_due(unit, DUE).id)
        ids.submitted = factories.assignment_due(unit, DUE, "submitted").id
        objected = factories.assignment_due(unit, DUE)
        objected.raise_objection(None, "deadline", "期限过短", at=_at(-30))
        extension = factories.assignment_due(unit, DUE, "acknowledged")
        extension.request_extension(None, day(20), "需要现场核查", at=_at(-5))
        ids.objected, ids.extension = objected.id, extension.id
        factories.account("staff", email="duchashi@example.org", name="督查室小王")
        factories.account("admin", email=" ")  # no address: no digest
        db.session.commit()
    return ids


def test_no_notice_to_a_unit_while_the_office_decides(app, office_decides):
    for offset in (-1, 1, 15):
        scan(app, offset)
    notices = outbox(app)
    unit_notices = [n for n in notices if n.kind != "digest"]
    assert {n.assignment_id for n in unit_notices} == {office_decides.unit_move}
    assert [n.kind for n in unit_notices] == ["reminder", "chase", "chase", "escalation"]


def test_the_office_gets_a_daily_digest_of_what_waits_on_it(app, office_decides):
    assert scan(app, 1) == 2  # the chase of the unit's move, the digest
    assert scan(app, 1) == 0  # once a day
    (digest,) = [n for n in outbox(app) if n.kind == "digest"]
    assert digest.dedupe_key.startswith("digest:2026-10-02:account:")
    assert (digest.recipient_email, digest.recipient_name) == ("duchashi@example.org", "督查室小王")
    assert digest.unit_id is None and digest.assignment_id is None and digest.state == "queued"
    assert "3项" in digest.subject
    assert "办理结果待审核" in digest.body and "异议待决定" in digest.body
    assert "延期申请待审批，申请延期至2026年10月21日" in digest.body
    assert scan(app, 2) == 1  # the next day's digest (chase 1 went out yesterday)
    assert len([n for n in outbox(app) if n.kind == "digest"]) == 2


def test_the_digest_is_sent_and_listed_for_the_office_only(app, as_role, office_decides):
    from jobs.notices import dispatch_notices

    scan(app, 1)
    with app.app_context():
        dispatch_notices()  # inline without Redis; the mail goes to .eml files
    (digest,) = [n for n in outbox(app) if n.kind == "digest"]
    assert digest.state == "sent"
    staff = as_role("staff")
    assert "【每日待办】" in staff.get("/admin/notices/").get_data(as_text=True)
    assert staff.get(f"/admin/notices/details/?id={digest.id}").status_code == 200
    unit = as_role("unit")
    assert "【每日待办】" not in unit.get("/admin/notices/").get_data(as_text=True)
    assert unit.get(f"/admin/notices/details/?id={digest.id}").status_code == 404


def test_the_unit_is_chased_again_once_the_office_returns_its_result(app, office_decides):
    scan(app, 15)
    with app.app_context():
        assignment = db.session.get(Assignment, office_decides.submitted)
        assignment.return_result(None, "缺少整改措施", at=_at(16))
        db.session.commit()
    scan(app, 16)
    kinds = [n.kind for n in outbox(app) if n.assignment_id == office_decides.submitted]
    assert kinds == ["chase", "escalation"]


def test_the_digest_names_each_item_by_its_origin_not_all_as_directives(app, world):
    """A key work item's result is a key work item's in the digest, not a 批示件's."""
    from tests.test_keywork import key_work

    with app.app_context():
        unit = db.session.get(Unit, world.unit_a)
        instruction = factories.assignment_due(unit, clock.today(), "submitted")
        part = key_work(unit).assignments[0]
        part.acknowledge(None)
        part.submit_result(None, factories.leaders(unit)[1])
        factories.account("staff", email="duchashi@example.org")
        db.session.commit()
        number, item_number = instruction.directive.number, part.directive.number
        record_due_notices(clock.today(), RULES)
        (digest,) = Notice.query.filter_by(kind="digest").all()
    assert "2项办理事项" in digest.subject and "批示件" not in digest.subject
    lines = {line.split("“")[0] for line in digest.body.splitlines() if "待审核" in line}
    assert lines == {f"1. 【领导批示】{number}", f"2. 【重要工作项目】{item_number}"}
    assert "重要工作〔" in item_number


def test_no_digest_when_nothing_waits_on_the_office(app, world):
    with app.app_context():
        factories.account("staff", email="duchashi@example.org")
        db.session.commit()
    make_assignment(app, world.unit_a)
    assert scan(app, 1) == 1
    assert [n.kind for n in outbox(app)] == ["chase"]
