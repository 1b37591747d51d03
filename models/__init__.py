"""The data model and the domain rules: every table and rule lives in this package."""

from models.accounts import ROLES, Account, LoginAttempt
from models.assignment_records import AssignmentEvent, ExtensionRequest, Objection
from models.audit import AuditEntry
from models.awards import PAY_KINDS, AwardFiling, Commendation, PayRate
from models.base import RuleError, db
from models.bulletins import Bulletin
from models.criticism import CriticismNotice
from models.deadlines import CalendarDay, DeadlineRule, WorkCalendar
from models.directive_report import Filing
from models.directives import ASSIGNMENT_STATUSES, LEADER_LEVELS, LIGHTS, Assignment, Directive
from models.documents import DocumentNumber
from models.emergencies import Veto
from models.evaluation import EvaluationFiling, GradeRule, QuarterFiling
from models.feedback import Attachment, Feedback
from models.imports.runs import ImportRow, ImportRun
from models.keywork import CheckRound, KeyWorkArea, KeyWorkCheck, KeyWorkItem
from models.login_log import LoginEvent
from models.notices import NOTICE_KINDS, NOTICE_STATES, Notice, NoticeScan
from models.reports import (
    CATEGORIES,
    EDITIONS,
    LEVELS,
    REPORT_STATUSES,
    Adoption,
    Publication,
    Report,
)
from models.rollup import UnitMonth
from models.scoring import DEDUCTION_KINDS, Deduction, Instruction, Quota, ScoreRule
from models.solicitations import Solicitation
from models.staff import DUTIES, Staff
from models.steps import IllegalTransition
from models.supervision import SiteVisit, SupervisionProject
from models.training import TRAINING_KINDS, Training
from models.units import RANKING_GROUPS, UNIT_KINDS, Unit

__all__ = [
    "db",
    "Account",
    "Unit",
    "Staff",
    "Training",
    "PayRate",
    "PAY_KINDS",
    "AwardFiling",
    "Commendation",
    "TRAINING_KINDS",
    "Report",
    "Publication",
    "Adoption",
    "Directive",
    "DocumentNumber",
    "Bulletin",
    "CriticismNotice",
    "Assignment",
    "AssignmentEvent",
    "Filing",
    "EvaluationFiling",
    "QuarterFiling",
    "GradeRule",
    "Objection",
    "ExtensionRequest",
    "Feedback",
    "Attachment",
    "DeadlineRule",
    "CalendarDay",
    "WorkCalendar",
    "RuleError",
    "IllegalTransition",
    "Notice",
    "NoticeScan",
    "ROLES",
    "UNIT_KINDS",
    "RANKING_GROUPS",
    "DUTIES",
    "CATEGORIES",
    "REPORT_STATUSES",
    "LEVELS",
    "EDITIONS",
    "LEADER_LEVELS",
    "ASSIGNMENT_STATUSES",
    "LIGHTS",
    "NOTICE_KINDS",
    "NOTICE_STATES",
    "DEDUCTION_KINDS",
    "Deduction",
    "Instruction",
    "Quota",
    "ScoreRule",
    "Veto",
    "Solicitation",
    "AuditEntry",
    "UnitMonth",
    "LoginAttempt",
    "LoginEvent",
    "ImportRun",
    "ImportRow",
    "KeyWorkArea",
    "KeyWorkItem",
    "CheckRound",
    "KeyWorkCheck",
    "SupervisionProject",
    "SiteVisit",
]
