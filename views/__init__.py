"""Build the admin: one Admin per app, every view inheriting the secure base."""

import os

from flask_admin import Admin
from flask_admin import babel as admin_babel
from flask_admin import translations as shipped_translations
from flask_admin.menu import MenuView
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from models import (
    Account,
    Assignment,
    AuditEntry,
    Bulletin,
    CalendarDay,
    CheckRound,
    Commendation,
    CriticismNotice,
    DeadlineRule,
    Deduction,
    Directive,
    Feedback,
    GradeRule,
    KeyWorkArea,
    KeyWorkCheck,
    KeyWorkItem,
    LoginEvent,
    Notice,
    PayRate,
    Publication,
    Quota,
    Report,
    ScoreRule,
    SiteVisit,
    Solicitation,
    Staff,
    SupervisionProject,
    Training,
    Unit,
    db,
)
from views.accounts import AccountView
from views.assignments import AssignmentView
from views.audit import AuditView, LoginLogView
from views.awards import AwardSheetView, CommendationView, PayRateView
from views.bulletins import BulletinView
from views.criticism import CriticismView
from views.deadlines import CalendarDayView, DeadlineRuleView
from views.directive_report import DirectiveReportView
from views.directives import DirectiveView
from views.evaluation import EvaluationView, GradeRuleView
from views.fast_list import check_flask_admin, main_menu
from views.feedback import FeedbackView, upload_too_large
from views.home import HomeView
from views.imports import ImportView
from views.keywork import CheckRoundView, KeyWorkAreaView, KeyWorkCheckView, KeyWorkItemView
from views.monitor import MonitorView
from views.notices import NoticeView
from views.ranking import RankingView
from views.reports import PublicationView, ReportView, ScoreRuleView
from views.scoring import DeductionView, QuotaView
from views.security import csp_nonce
from views.solicitations import SolicitationView
from views.supervision import SiteVisitView, SupervisionProjectView
from views.training import TrainingView
from views.units import StaffView, UnitView

INFORMATION, SUPERVISION, BASICS, SYSTEM = (
    _l("Information"),
    _l("Supervision"),
    _l("Basic data"),
    _l("System"),
)

# The menu, in order: model screens as (view, model, name, category, endpoint), and pages
# of our own as (view, None, name, category, endpoint).
SCREENS = [
    (ReportView, Report, _l("Reports"), INFORMATION, "reports"),
    (SolicitationView, Solicitation, _l("Solicitations"), INFORMATION, "solicitations"),
    (RankingView, None, _l("Rankings"), INFORMATION, "ranking"),
    (BulletinView, Bulletin, _l("Information work bulletins"), INFORMATION, "bulletins"),
    (EvaluationView, None, _l("Year-end evaluation"), INFORMATION, "evaluation"),
    (DeductionView, Deduction, _l("Deductions"), INFORMATION, "deductions"),
    (QuotaView, Quota, _l("Yearly quotas"), INFORMATION, "quotas"),
    (PublicationView, Publication, _l("Publications and points"), INFORMATION, "publications"),
    (ScoreRuleView, ScoreRule, _l("Scoring rules"), INFORMATION, "score_rules"),
    (PayRateView, PayRate, _l("Pay rates"), INFORMATION, "pay_rates"),
    (AwardSheetView, None, _l("Payment sheet"), INFORMATION, "award_sheet"),
    (CommendationView, Commendation, _l("Commendations"), INFORMATION, "commendations"),
    (GradeRuleView, GradeRule, _l("Grade rules"), INFORMATION, "grade_rules"),
    (DirectiveView, Directive, _l("Directives"), SUPERVISION, "directives"),
    (AssignmentView, Assignment, _l("Assignments"), SUPERVISION, "assignments"),
    (FeedbackView, Feedback, _l("Feedback"), SUPERVISION, "feedback"),
    (KeyWorkItemView, KeyWorkItem, _l("Key work items"), SUPERVISION, "key_work_items"),
    (KeyWorkAreaView, KeyWorkArea, _l("Key work areas"), SUPERVISION, "key_work_areas"),
    (CheckRoundView, CheckRound, _l("Key work checks"), SUPERVISION, "key_work_rounds"),
    (KeyWorkCheckView, KeyWorkCheck, _l("Units' self-assessments"), SUPERVISION, "key_work_checks"),
    (
        SupervisionProjectView,
        SupervisionProject,
        _l("Special supervision"),
        SUPERVISION,
        "supervision_projects",
    ),
    (SiteVisitView, SiteVisit, _l("Site visits"), SUPERVISION, "site_visits"),
    (CriticismView, CriticismNotice, _l("Criticism notices"), SUPERVISION, "criticism"),
    (DirectiveReportView, None, _l("Monthly directive report"), SUPERVISION, "directive_report"),
    (DeadlineRuleView, DeadlineRule, _l("Deadline rules"), SUPERVISION, "deadline_rules"),
    (
        CalendarDayView,
        CalendarDay,
        _l("Holidays and make-up working days"),
        SUPERVISION,
        "calendar_days",
    ),
    (UnitView, Unit, _l("Units"), BASICS, "units"),
    (StaffView, Staff, _l("Staff"), BASICS, "staff"),
    (TrainingView, Training, _l("Training records"), BASICS, "trainings"),
    (ImportView, None, _l("Import spreadsheets"), BASICS, "imports"),
    (AccountView, Account, _l("Accounts"), SYSTEM, "accounts"),
    (NoticeView, Notice, _l("Notices"), SYSTEM, "notices"),
    (MonitorView, None, _l("Monitoring"), SYSTEM, "monitor"),
    (AuditView, AuditEntry, _l("Audit trail"), SYSTEM, "audit"),
    (LoginLogView, LoginEvent, _l("Login log"), SYSTEM, "login_log"),
]
URLS = {"directive_report": "directive-report", "imports": "import", "award_sheet": "award-sheet"}


class DuchaAdmin(Admin):
    """Flask-Admin's Admin, whose menu items do not keep the first URL they built: that
    one starts with the path the app was served under then (SCRIPT_NAME), and a page
    under another showed it. The menu's HTML is kept per path instead (views/fast_list/menu.py)."""

    def _add_view_to_menu(self, view):
        self.add_menu_item(MenuView(view.name, view, cache=False), view.category)


def prefer_our_admin_catalogue(directory):
    """Flask-Admin's words in our wording: its one Flask-Babel domain ("admin", in
    flask_admin/babel.py) reads the catalogue it ships and then ours, so ours wins.

    Given as Admin(translations_path=...), ours came first and the shipped one after it
    (Flask-Babel merges a domain's directories in order, the last winning): the shipped
    "20 项目" and "选中的" beat ours. It was also read only while a view was current, and the
    domain keeps the first catalogue it builds for a language, view or not. A domain's
    directories are Flask-Babel's own mechanism, with no setter: its attribute is checked
    here, so that a Flask-Babel without it stops the app rather than speak the shipped words.
    """
    if not hasattr(admin_babel.domain, "_translation_directories"):
        raise RuntimeError("Flask-Babel's Domain no longer keeps _translation_directories")
    shipped = os.path.dirname(shipped_translations.__file__)
    admin_babel.domain._translation_directories = [shipped, directory]
    admin_babel.domain.cache.clear()


def init_admin(app):
    """Create this app's Admin and add every view to it."""
    check_flask_admin()
    admin = DuchaAdmin(
        app,
        name=_l("Ducha"),
        theme=Bootstrap4Theme(
            swatch=app.config["FLASK_ADMIN_SWATCH"],
            fluid=True,
            base_template="admin/ducha_base.html",
        ),
        index_view=HomeView(name=_l("Home"), url="/admin"),
        csp_nonce_generator=csp_nonce,
    )
    prefer_our_admin_catalogue(os.path.join(app.root_path, "translations"))
    for view, model, name, category, endpoint in SCREENS:
        options = {"name": name, "category": category, "endpoint": endpoint}
        if endpoint in URLS:
            options["url"] = URLS[endpoint]
        admin.add_view(view(model, db, **options) if model else view(**options))
    app.register_error_handler(413, upload_too_large)
    app.jinja_env.globals["main_menu"] = main_menu  # the menu, drawn once and kept
    return admin
