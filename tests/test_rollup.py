"""The monthly roll-up stays equal to a recomputation from the rows, whatever changes."""

import datetime as dt
import random

import sqlalchemy as sa

from models import Adoption, Deduction, Instruction, Report, UnitMonth, clock, db
from models.rollup import rebuild
from tests import factories


def _snapshot():
    rows = db.session.execute(sa.select(UnitMonth)).scalars()
    return {
        (r.unit_id, r.month): tuple(getattr(r, c.key) for c in UnitMonth.__table__.columns)
        for r in rows
        if any(
            getattr(r, c.key)
            for c in UnitMonth.__table__.columns
            if c.key not in ("unit_id", "month")
        )
    }


def _day(rng):
    return dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))


def _random_changes(rng, units, pubs, steps=40):
    for _ in range(steps):
        roll = rng.random()
        reports = Report.query.all()
        if roll < 0.35 or not reports:
            day = _day(rng)
            submitted = clock.start_of(day) + dt.timedelta(hours=10)
            late = {"category": "emergency", "event_at": submitted - dt.timedelta(hours=5)}
            report = factories.report(
                rng.choice(units), submitted_at=submitted, **(late if rng.random() < 0.3 else {})
            )
            if rng.random() < 0.6:
                factories.adoption(report, rng.choice(pubs), adopted_on=day + dt.timedelta(3))
        elif roll < 0.5:
            adoption = rng.choice(Adoption.query.all() or [None])
            if adoption:
                adoption.adopted_on = _day(rng)
                adoption.points = rng.randrange(0, 30)
        elif roll < 0.6:
            rng.choice(reports).unit_id = rng.choice(units).id
        elif roll < 0.7:
            db.session.delete(rng.choice(reports))
        elif roll < 0.8:
            report = rng.choice(reports)
            report.status = "adopted"
            db.session.add(
                Instruction(
                    report=report, leader_name="书记", leader_level="city", instructed_on=_day(rng)
                )
            )
        elif roll < 0.9:
            report = rng.choice(reports)  # a content error found on some later day
            if not Deduction.query.filter_by(report_id=report.id, kind="content_error").count():
                db.session.add(
                    Deduction(
                        unit_id=report.unit_id,
                        report=report,
                        kind="content_error",
                        reason="差错",
                        occurred_on=_day(rng),
                    )
                )
        else:
            deduction = rng.choice(Deduction.query.filter_by(report_id=None).all() or [None])
            if deduction:
                deduction.kind, deduction.occurred_on = "missed_emergency", _day(rng)
        db.session.commit()


def test_the_rollup_equals_a_rebuild_after_random_changes(app):
    rng = random.Random(3)
    with app.app_context():
        units = [factories.unit() for _ in range(4)]
        pubs = [factories.publication(points=p) for p in (3, 10, 20)]
        db.session.commit()
        for round_ in range(4):
            _random_changes(rng, units, pubs)
            kept = _snapshot()
            rebuild()
            db.session.commit()
            assert _snapshot() == kept, f"round {round_}"
        assert kept  # the rounds did make figures


def test_a_whole_month_and_the_same_days_as_a_range_rank_alike(app, as_role, world):
    rng = random.Random(9)
    with app.app_context():
        units = [factories.unit() for _ in range(5)]
        pubs = [factories.publication(points=p) for p in (3, 10)]
        db.session.commit()
        _random_changes(rng, units, pubs, steps=60)
    client = as_role("staff")
    month = client.get("/admin/ranking/?period=2026-06&format=json").get_json()["rows"]
    days = client.get("/admin/ranking/?from=2026-06-01&to=2026-06-30&format=json").get_json()
    keys = (
        "unit_code",
        "rank",
        "points",
        "adopted",
        "submitted",
        "by_level",
        "bonus",
        "deducted",
        "late",
        "missed",
    )
    assert [{k: r[k] for k in keys} for r in month] == [
        {k: r[k] for k in keys} for r in days["rows"]
    ]
    assert any(r["points"] for r in month)
