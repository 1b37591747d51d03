"""The documents the office puts its name on: a directive's 督办单 (supervision notice) and
an overdue assignment's 催办单 (chase notice).

Each is built here once as plain rows (a title, the number line, label and text pairs, the
issuer and the date), in the office's language whoever asks; the print page and the Word
file both render those rows and compute nothing. The 督办单's number (督办〔2026〕3号) is
given the first time the office issues it, the next of that year, and kept.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.base import Choices, RuleError, UTCDateTime, db, info
from models.deadlines import LEADER_LEVELS, WorkCalendar, working_days_after
from models.directives import PARTS
from models.feedback import signer_rule
from models.notices import NOTICE_KINDS, Notice, office_text

DOCUMENT_KINDS = Choices(
    supervision=_l("Supervision notice"),
    bulletin=_l("Information work bulletin"),
    criticism=_l("Criticism notice"),
)
# How each kind's number is written: 督办〔2026〕3号, 2026年第3期, 通报〔2026〕2号.
NUMBER_FORMATS = {
    "supervision": _l("Supervision No. %(serial)s of %(year)s"),
    "bulletin": _l("Issue %(serial)s of %(year)s"),
    "criticism": _l("Criticism No. %(serial)s of %(year)s"),
}
CHASE_KINDS = ("chase", "office_chase")  # scheduled chases, and the office's by hand
ISSUE_ATTEMPTS = 5


class DocumentNumber(db.Model):
    """A number the office gave a document: the serial of its kind in a year, given once.

    Never reused: a number stays when its directive is deleted (directive_id is then NULL).
    """

    __tablename__ = "document_numbers"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), DOCUMENT_KINDS))
    year = sa.Column(sa.Integer, nullable=False, info=info(_l("Year")))
    serial = sa.Column(sa.Integer, nullable=False, info=info(_l("Serial")))
    directive_id = sa.Column(
        sa.ForeignKey("directives.id", ondelete="SET NULL"), info=info(_l("Directive"))
    )
    issued_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Issued")))
    issued_by_id = sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    # The name at the time: the account may be renamed or removed later.
    issued_by_name = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Who")))

    directive = sa.orm.relationship("Directive")

    __table_args__ = (
        DOCUMENT_KINDS.check("kind"),
        sa.UniqueConstraint("kind", "year", "serial"),
        sa.UniqueConstraint("kind", "directive_id"),
        sa.CheckConstraint("serial >= 1", name="serial_positive"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_in_range"),
    )

    def __str__(self):
        text = NUMBER_FORMATS.get(self.kind, NUMBER_FORMATS["supervision"])
        return office_text(text) % {"year": self.year, "serial": self.serial}


def number_of(directive, kind="supervision"):
    """The number the directive's document was issued under, or None."""
    return db.session.scalars(
        sa.select(DocumentNumber).filter_by(kind=kind, directive_id=directive.id)
    ).first()


def next_serial(kind, year):
    highest = db.session.scalar(
        sa.select(sa.func.max(DocumentNumber.serial)).filter_by(kind=kind, year=year)
    )
    return (highest or 0) + 1


def issue_number(directive, actor, kind="supervision", now=None):
    """The directive's number, given the first time: the year's highest serial plus one."""
    if not any(a.status != "cancelled" for a in directive.assignments):
        raise RuleError(_l("Hand the directive to a unit before issuing its notice."))
    return take_number(
        kind, actor, lambda: number_of(directive, kind), now, directive_id=directive.id
    )


def take_number(kind, actor, already, now=None, **owner):
    """The next number of `kind` in the year of `now`, unless `already()` finds one given.

    Two people issuing at once: the database's unique constraints refuse one of them, who
    takes the number the other gave (`already`) or tries the next serial (not committed).
    A number once taken is never given again, whatever becomes of its document.
    """
    now = now or clock.now()
    year = clock.local(now).year
    for _attempt in range(ISSUE_ATTEMPTS):
        found = already()
        if found:
            return found
        try:
            with db.session.begin_nested():
                row = DocumentNumber(
                    kind=kind,
                    year=year,
                    serial=next_serial(kind, year),
                    issued_at=now,
                    issued_by_id=actor.id if actor else None,
                    issued_by_name=actor.name if actor else "",
                    **owner,
                )
                db.session.add(row)
            return row
        except sa.exc.IntegrityError:
            continue
    raise RuleError(_l("The number could not be given: try again."))


# ---- the documents as rows ----


@dataclass(frozen=True)
class Document:
    """A document as the office prints it: every screen and file renders these rows."""

    title: str
    number: str  # "督办〔2026〕3号"; empty while not issued
    rows: tuple  # (label, text) pairs; a text may hold several lines
    issuer: str
    dated: dt.date
    file_stem: str  # the Word file's name, without ".docx"
    # "草稿" on a document not issued, shown where its number goes, on paper too.
    draft_mark: str = ""

    def date_text(self):
        return day_text(self.dated)


def day_text(day):
    """A date as official documents write it (2026年10月1日)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return format_date(day, "long")


def office_settings():
    config = current_app.config
    return config["OFFICE_NAME"], config["OFFICE_CONTACT"]


def supervision_notice(directive, account, today=None):
    """The directive's 督办单 as `account` may read it: the instruction only where the
    directive shows its content to them, and a unit officer's only its own and partner units."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _supervision_notice(directive, account, today or clock.today())


def _supervision_notice(directive, account, today):
    office, contact = office_settings()
    issued = number_of(directive)
    parts = shown_assignments(directive, account)
    rows = [
        (_("Matter"), directive.title),
        (_("Source"), source_text(directive)),
        (_("Leader's instruction"), instruction_text(directive, account)),
        (_("Lead units"), unit_names(parts, "lead")),
    ]
    if any(a.part == "support" for a in parts):
        rows.append((_("Supporting units"), unit_names(parts, "support")))
    rows += [
        (_("Deadline"), deadline_text(parts)),
        (_("Requirements"), requirements_text(directive, parts)),
        (_("Office contact"), contact),
    ]
    number = str(issued) if issued else ""
    return Document(
        title=_("Supervision notice"),
        number=number,
        rows=tuple(rows),
        issuer=office,
        dated=clock.local_date(issued.issued_at) if issued else today,
        file_stem=f"{_('Supervision notice')}-{number or directive.title}",
    )


def shown_assignments(directive, account):
    """The live assignments the document names: all for the office and leaders; for a unit
    officer its own and the units it works with (as its assignment page shows them)."""
    live = [a for a in directive.assignments if a.status != "cancelled"]
    if account.sees_all_units:
        return live
    own = [a for a in live if a.unit_id == account.unit_id]
    partners = {p.id for a in own for p in a.partners()}
    return [a for a in live if a in own or a.id in partners]


def source_text(directive):
    return _(
        "Instruction of %(leader)s (%(level)s), received %(day)s",
        leader=directive.leader_name,
        level=LEADER_LEVELS.label(directive.leader_level),
        day=day_text(directive.received_on),
    )


def instruction_text(directive, account):
    if directive.shows_content_to(account):
        return directive.content
    return _("Confidential")


def unit_names(assignments, part):
    return "、".join(str(a.unit) for a in assignments if a.part == part)


def deadline_text(assignments):
    """One date for all, or each unit's; and the first progress report of an urgent one."""
    dues = {a.due_on for a in assignments}
    if len(dues) == 1:
        lines = [_("To be finished by %(day)s.", day=day_text(dues.pop()))]
    else:
        lines = [
            _("%(unit)s: finish by %(day)s.", unit=str(a.unit), day=day_text(a.due_on))
            for a in assignments
        ]
    progress = sorted({a.progress_due_on for a in assignments if a.progress_due_on})
    if progress:
        lines.append(_("Report first progress by %(day)s.", day=day_text(progress[0])))
    return "\n".join(lines)


def requirements_text(directive, assignments):
    lines = [
        _(
            "Report the result to the office by the deadline; a unit that cannot finish in "
            "time asks in writing for an extension before it."
        ),
        str(signer_rule(directive.leader_level)),
    ]
    if any(a.part == "support" for a in assignments):
        lines.append(_("Supporting units report their part to the lead units and the office."))
    return "\n".join(lines)


# ---- the chase notice of an overdue assignment ----


def chase_notice_problem(assignment, today=None):
    """Why the assignment has no chase notice (it is not overdue), or None."""
    if assignment.is_overdue(today):
        return None
    return _l("Only an overdue assignment has a chase notice: this one is not overdue.")


def chase_notice(assignment, today=None, calendar=None):
    """The 催办单 of an overdue assignment, dated today."""
    today = today or clock.today()
    problem = chase_notice_problem(assignment, today)
    if problem:
        raise RuleError(problem)
    calendar = calendar or WorkCalendar.load()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _chase_notice(assignment, today, calendar)


def reply_days():
    """The working days a chased unit has to answer (CHASE_REPLY_DAYS, 1-30)."""
    return bounds.setting("CHASE_REPLY_DAYS")


def _chase_notice(assignment, today, calendar):
    office, contact = office_settings()
    directive = assignment.directive
    issued = number_of(directive)
    reply_by = working_days_after(today, reply_days(), calendar)
    matter = f"《{directive.title}》" + (f"（{issued}）" if issued else "")
    rows = (
        (_("Matter"), matter),
        (_("Handling unit"), f"{assignment.unit}（{PARTS.label(assignment.part)}）"),
        (_("Due on"), day_text(assignment.due_on)),
        (_("Days overdue"), _("%(days)s days", days=assignment.days_overdue(today))),
        (_("Earlier chases"), "\n".join(earlier_chases(assignment)) or _("None")),
        (
            _("Reply by"),
            _(
                "Report the result, or the progress and why it is late, to the office by %(day)s.",
                day=day_text(reply_by),
            ),
        ),
        (_("Office contact"), contact),
    )
    return Document(
        title=_("Chase notice"),
        number="",
        rows=rows,
        issuer=office,
        dated=today,
        file_stem=f"{_('Chase notice')}-{assignment.unit}-{today.isoformat()}",
    )


def earlier_chases(assignment):
    """One line per earlier chase, scheduled or by the office's hand: a chase writes a
    notice to each information officer, so the notices of one kind and day are one chase."""
    rows = db.session.execute(
        sa.select(Notice.kind, Notice.created_at)
        .where(Notice.assignment_id == assignment.id, Notice.kind.in_(CHASE_KINDS))
        .order_by(Notice.created_at, Notice.id)
    )
    chases = list(dict.fromkeys((clock.local_date(at), kind) for kind, at in rows))
    return [
        _("%(n)s. %(day)s, %(kind)s", n=n, day=day_text(day), kind=NOTICE_KINDS.label(kind))
        for n, (day, kind) in enumerate(chases, 1)
    ]
