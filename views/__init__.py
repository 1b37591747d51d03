"""Build the admin: one Admin per app, every view inheriting the secure base."""

import os

from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from models import (
    Account,
    Assignment,
    CalendarDay,
    DeadlineRule,
    Directive,
    Feedback,
    Notice,
    Publication,
    Report,
    Staff,
    Unit,
    db,
)
from views.accounts import AccountView, NoticeView
from views.deadlines import CalendarDayView, DeadlineRuleView
from views.directive_report import DirectiveReportView
from views.directives import AssignmentView, DirectiveView
from views.feedback import FeedbackView, upload_too_large
from views.home import HomeView
from views.reports import PublicationView, ReportView
from views.units import StaffView, UnitView

__all__ = ["init_admin"]


def init_admin(app):
    """Create this app's Admin and add every view to it."""
    admin = Admin(
        app,
        name=_l("Ducha"),
        theme=Bootstrap4Theme(
            swatch=app.config["FLASK_ADMIN_SWATCH"],
            fluid=True,
            base_template="admin/ducha_base.html",
        ),
        index_view=HomeView(name=_l("Home"), url="/admin"),
        # Our copy of Flask-Admin's catalogue: the .mo it ships lacks strings its .po has.
        translations_path=os.path.join(app.root_path, "translations"),
    )
    info, supervision, basics, system = (
        _l("Information"),
        _l("Supervision"),
        _l("Basic data"),
        _l("System"),
    )
    admin.add_view(ReportView(Report, db, name=_l("Reports"), category=info, endpoint="reports"))
    admin.add_view(
        PublicationView(
            Publication,
            db,
            name=_l("Publications and points"),
            category=info,
            endpoint="publications",
        )
    )
    admin.add_view(
        DirectiveView(
            Directive, db, name=_l("Directives"), category=supervision, endpoint="directives"
        )
    )
    admin.add_view(
        AssignmentView(
            Assignment, db, name=_l("Assignments"), category=supervision, endpoint="assignments"
        )
    )
    admin.add_view(
        FeedbackView(Feedback, db, name=_l("Feedback"), category=supervision, endpoint="feedback")
    )
    admin.add_view(
        DirectiveReportView(
            name=_l("Monthly directive report"),
            category=supervision,
            endpoint="directive_report",
            url="directive-report",
        )
    )
    admin.add_view(
        DeadlineRuleView(
            DeadlineRule,
            db,
            name=_l("Deadline rules"),
            category=supervision,
            endpoint="deadline_rules",
        )
    )
    admin.add_view(
        CalendarDayView(
            CalendarDay,
            db,
            name=_l("Holidays and make-up working days"),
            category=supervision,
            endpoint="calendar_days",
        )
    )
    admin.add_view(UnitView(Unit, db, name=_l("Units"), category=basics, endpoint="units"))
    admin.add_view(StaffView(Staff, db, name=_l("Staff"), category=basics, endpoint="staff"))
    admin.add_view(
        AccountView(Account, db, name=_l("Accounts"), category=system, endpoint="accounts")
    )
    admin.add_view(NoticeView(Notice, db, name=_l("Notices"), category=system, endpoint="notices"))
    app.register_error_handler(413, upload_too_large)
    return admin
