"""The outbox's state transitions, without HTTP, Redis or SMTP: claims, outcomes, the
sweeper, sending again, and the rules the database itself enforces."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from models import Notice, Unit, clock, db
from models.notices import (
    Claims,
    Delivery,
    SendPolicy,
    next_state,
    send_again,
    sweep_stuck,
)
from tests import factories
from tests.helpers import count_statements

NOW = dt.datetime(2026, 10, 9, 1, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def make(app, world, **kw):
    with app.app_context():
        row = factories.notice(db.session.get(Unit, world.unit_a), **kw)
        db.session.commit()
        return row.id


def state_of(app, notice_id):
    with app.app_context():
        row = db.session.get(Notice, notice_id)
        return row.state, row.attempts


def test_retry_delays_grow_then_stay_level():
    policy = SendPolicy()
    delays = [policy.retry_delay(n).total_seconds() for n in range(1, 7)]
    assert delays == [300, 900, 3600, 14400, 14400, 14400]


def test_what_an_attempt_leads_to(app):
    policy = SendPolicy(max_attempts=3)
    with app.app_context():
        assert next_state(Delivery("accepted"), 1, policy, NOW) == {
            "state": "sent",
            "sent_at": NOW,
            "last_error": None,
        }
        assert next_state(Delivery("permanent", "550 no"), 1, policy, NOW)["state"] == "failed"
        assert next_state(Delivery("unknown", "lost"), 1, policy, NOW)["state"] == "unknown"
        retry = next_state(Delivery("temporary", "451 busy"), 2, policy, NOW)
        assert retry == {
            "state": "retry",
            "last_error": "451 busy",
            "next_attempt_at": NOW + dt.timedelta(seconds=900),
        }
        given_up = next_state(Delivery("temporary", "451 busy"), 3, policy, NOW)
        assert given_up["state"] == "failed" and "451 busy" in given_up["last_error"]


def test_a_notice_is_claimed_once(app, world):
    notice_id = make(app, world)
    with app.app_context(), Claims.open() as claims, Claims.open() as other_worker:
        first = claims.claim(notice_id, clock.now())
        assert (first.state, first.attempts) == ("sending", 1)
        assert claims.claim(notice_id, clock.now()) is None
        assert other_worker.claim(notice_id, clock.now()) is None
        assert state_of(app, notice_id) == ("sending", 1)  # committed at once


def test_a_notice_is_not_claimed_before_its_time_or_when_done(app, world):
    later = make(app, world, state="retry", next_attempt_at=clock.now() + dt.timedelta(hours=1))
    sent = make(app, world, state="sent", sent_at=clock.now())
    failed = make(app, world, state="failed")
    with app.app_context(), Claims.open() as claims:
        assert [claims.claim(i, clock.now()) for i in (later, sent, failed, 999999)] == [None] * 4


def test_an_outcome_is_written_with_the_next_claim_or_at_the_end(app, world):
    first, second = make(app, world), make(app, world)
    with app.app_context(), Claims.open() as claims:
        notice = claims.claim(first, clock.now())
        assert claims.settle(notice, Delivery("accepted"), SendPolicy(), clock.now()) == "sent"
        assert state_of(app, first) == ("sending", 1)  # noted, not yet written
        with count_statements(app) as seen:
            notice = claims.claim(second, clock.now())
        assert state_of(app, first) == ("sent", 1)
        # PostgreSQL: the outcome and the claim in one statement; SQLite: one transaction.
        assert len(seen) == (1 if db.engine.dialect.name == "postgresql" else 2)
        claims.settle(notice, Delivery("temporary", "451 busy"), SendPolicy(), clock.now())
    assert state_of(app, second) == ("retry", 1)


def test_an_outcome_is_written_even_when_the_job_stops_on_an_error(app, world):
    notice_id = make(app, world)
    with app.app_context(), pytest.raises(RuntimeError), Claims.open() as claims:
        notice = claims.claim(notice_id, clock.now())
        claims.settle(notice, Delivery("permanent", "550 no"), SendPolicy(), clock.now())
        raise RuntimeError("the job stops")
    assert state_of(app, notice_id) == ("failed", 1)


def test_the_sweeper_gives_up_only_on_old_sends(app, world):
    old = make(app, world, state="sending", claimed_at=NOW - 20 * MINUTE, attempts=1)
    recent = make(app, world, state="sending", claimed_at=NOW - MINUTE, attempts=1)
    with app.app_context():
        assert sweep_stuck(NOW, dt.timedelta(minutes=15)) == 1
    assert state_of(app, old) == ("unknown", 1)
    assert state_of(app, recent) == ("sending", 1)


def test_a_late_answer_after_the_sweeper_still_counts(app, world):
    notice_id = make(app, world)
    with app.app_context(), Claims.open() as claims:
        notice = claims.claim(notice_id, clock.now())
        sweep_stuck(clock.now() + MINUTE, dt.timedelta(0))
        assert claims.settle(notice, Delivery("accepted"), SendPolicy(), clock.now()) == "sent"
    assert state_of(app, notice_id) == ("sent", 1)


def test_send_again_takes_finished_notices_only(app, world):
    ids = {
        "failed": make(app, world, state="failed", attempts=5),
        "unknown": make(app, world, state="unknown", attempts=1, claimed_at=NOW),
        "sent": make(app, world, state="sent", attempts=1, sent_at=NOW),
        "queued": make(app, world),
        "sending": make(app, world, state="sending", attempts=1, claimed_at=NOW),
    }
    with app.app_context():
        again = send_again(list(ids.values()), clock.now())
    assert again == sorted([ids["failed"], ids["unknown"], ids["sent"]])
    assert state_of(app, ids["failed"]) == ("queued", 0)
    assert state_of(app, ids["sending"]) == ("sending", 1)


@pytest.mark.parametrize(
    "values",
    [
        {"state": "queued", "next_attempt_at": None},
        {"state": "sending", "claimed_at": None},
        {"state": "sent", "sent_at": None},
        {"state": "queued", "recipient_email": " "},
        {"attempts": -1},
        {"state": "lost"},
    ],
)
def test_the_database_refuses_a_notice_that_breaks_the_rules(app, world, values):
    with app.app_context(), pytest.raises(IntegrityError):
        factories.notice(db.session.get(Unit, world.unit_a), **values)
        db.session.commit()


def test_the_database_refuses_a_second_notice_with_the_same_key(app, world):
    make(app, world, dedupe_key="chase:1:assignment:1")
    with pytest.raises(IntegrityError):
        make(app, world, dedupe_key="chase:1:assignment:1")
