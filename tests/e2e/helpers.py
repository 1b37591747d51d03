"""What the browser tests share besides fixtures."""

import datetime as dt

from models import Report, Unit, clock, db

# The demo administrator's password in the server the browser tests start.
PASSWORD = "e2e-demo-password-7"


def add_reports(records, titles, days_ago, returned=()):
    """Reports of the first active unit, submitted `days_ago` days ago and waiting for an
    answer, those titled in `returned` returned to it with a reason."""
    with records.app_context():
        unit = Unit.query.filter_by(active=True).order_by(Unit.id).first()
        submitted = clock.now() - dt.timedelta(days=days_ago)
        for title in titles:
            back = title in returned
            db.session.add(
                Report(
                    title=title,
                    body="正文",
                    category="news",
                    unit=unit,
                    author="李明",
                    submitted_at=submitted,
                    status="returned" if back else "received",
                    answer_comment="请补充数据" if back else "",
                )
            )
        db.session.commit()
