"""The admin's home page: what needs doing, by role."""

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from models import Assignment, Report, Unit, clock, db
from models.directives import OPEN_STATUSES
from views.secure import scoped


class HomeView(AdminIndexView):
    """Counts of what is waiting, within what the person may see."""

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        today = clock.today()
        month_start = today.replace(day=1)
        counts = {
            "units": db.session.scalar(scoped(Unit, sa.select(sa.func.count(Unit.id)))),
            "reports_month": db.session.scalar(
                scoped(Report, sa.select(sa.func.count(Report.id))).where(
                    Report.submitted_at >= clock.start_of(month_start)
                )
            ),
            "waiting": db.session.scalar(
                scoped(Report, sa.select(sa.func.count(Report.id))).where(
                    Report.status == "received"
                )
            ),
            "open": db.session.scalar(
                scoped(Assignment, sa.select(sa.func.count(Assignment.id))).where(
                    Assignment.status.in_(OPEN_STATUSES)
                )
            ),
            "overdue": db.session.scalar(
                scoped(Assignment, sa.select(sa.func.count(Assignment.id))).where(
                    Assignment.overdue_filter(today)
                )
            ),
        }
        return self.render("admin/home.html", counts=counts, today=today)
