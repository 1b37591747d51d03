"""The ranking bulletin the office issues (《信息工作通报》): a period's ranking of a group as
a numbered document, with a short text the office edits before issuing it.

A draft keeps the rows of `ranking(period, group)` (the same rows the ranking page shows)
and a text drafted from them; drafting again takes the ranking as it is then. Issuing
gives the bulletin the next issue number of the year (第3期, a DocumentNumber of kind
"bulletin": given once, never reused), and from then on its number, text and rows stay as
filed: the print page and the workbook are built from the record, not from the ranking.
"""

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.base import Choices, RuleError, UTCDateTime, db, info
from models.documents import DocumentNumber, day_text, take_number
from models.periods import PeriodError, parse_period
from models.ranking import RankRow, ranking, sees_ranking
from models.reports import LEVELS
from models.units import RANKING_GROUPS

# A state's own context: "Issued" is also a time column's name (印发时间).
BULLETIN_STATES = Choices(
    draft=lazy_pgettext("state", "Draft"), issued=lazy_pgettext("state", "Issued")
)
BULLETIN_KINDS = ("month", "quarter", "year")  # not a range of days: the office's periods
TEXT_MAX = 5000
TOP_PLACES = 3  # the places the text names at the top
# The levels from the highest, as a bulletin counts adoptions.
LEVELS_DOWN = tuple(reversed(LEVELS.values))
ALL_UNITS = ""  # the bulletin of every unit, not one group


class Bulletin(db.Model):
    """A period's ranking bulletin of a group (or of all units): draft, then issued."""

    __tablename__ = "bulletins"

    id = sa.Column(sa.Integer, primary_key=True)
    period = sa.Column(sa.String(10), nullable=False, index=True, info=info(_l("Period")))
    ranking_group = sa.Column(
        sa.String(20), nullable=False, default=ALL_UNITS, info=info(_l("Ranking group"))
    )
    state = sa.Column(
        sa.String(10), nullable=False, default="draft", info=info(_l("State"), BULLETIN_STATES)
    )
    text = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Text")))
    # The ranking's rows (RankRow.as_dict) the text was drafted from, kept as issued.
    rows = sa.Column(sa.JSON, nullable=False)
    as_of = sa.Column(sa.Date, nullable=False, info=info(_l("Counted as of")))
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Drafted")))
    created_by_name = sa.Column(
        sa.String(50), nullable=False, default="", info=info(_l("Drafted by"))
    )
    number_id = sa.Column(
        sa.ForeignKey("document_numbers.id", ondelete="RESTRICT"),
        unique=True,
        info=info(_l("Issue number")),
    )
    issued_at = sa.Column(UTCDateTime, info=info(_l("Issued")))
    issued_by_id = sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    # The name at the time: the account may be renamed or removed later.
    issued_by_name = sa.Column(
        sa.String(50), nullable=False, default="", info=info(_l("Issued by"))
    )

    number = sa.orm.relationship(DocumentNumber)

    __table_args__ = (
        BULLETIN_STATES.check("state"),
        sa.CheckConstraint(
            "ranking_group IN ({})".format(
                ", ".join(f"'{g}'" for g in (ALL_UNITS, *RANKING_GROUPS.values))
            ),
            name="ranking_group",
        ),
        sa.CheckConstraint(
            "(state = 'issued') = (number_id IS NOT NULL AND issued_at IS NOT NULL)",
            name="issued_numbered",
        ),
    )

    def __str__(self):
        return self.title

    @sa.orm.validates("text")
    def _lines(self, _key, text):
        return bounds.unix_lines(text)

    @classmethod
    def visible_to(cls, account):
        """The office: every bulletin, drafts too; leaders: the issued ones; a unit officer:
        the issued ones of its own group (or of all units), where the ranking is open to
        units (RANKING_OPEN_TO_UNITS), as the ranking page is."""
        if account.role in OFFICE:
            return sa.true()
        issued = cls.state == "issued"
        if account.sees_all_units:
            return issued
        if not sees_ranking(account) or account.unit is None:
            return sa.false()
        groups = (ALL_UNITS, account.unit.ranking_group)
        return sa.and_(issued, cls.ranking_group.in_(groups))

    @property
    def issued(self):
        return self.state == "issued"

    @property
    def year(self):
        return self.number.year if self.number else None

    @property
    def period_of(self):
        return parse_period(self.period)

    @property
    def group(self):
        """The ranking's group, or None for all units."""
        return self.ranking_group or None

    @property
    def group_label(self):
        return str(RANKING_GROUPS.label(self.ranking_group)) if self.ranking_group else ""

    @property
    def number_text(self):
        """2026年第3期, or empty while a draft."""
        return str(self.number) if self.number else ""

    @property
    def title(self):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return _(
                "Bulletin on the information work of %(period)s%(group)s",
                period=self.period_of.label,
                group=f"（{self.group_label}）" if self.group_label else "",
            )

    def issued_alike(self):
        """The bulletins issued already of the same period and group (a draft made again
        after one was issued would be a second bulletin of it), oldest first."""
        query = (
            sa.select(Bulletin)
            .where(
                Bulletin.period == self.period,
                Bulletin.ranking_group == self.ranking_group,
                Bulletin.state == "issued",
            )
            .options(sa.orm.joinedload(Bulletin.number))
            .order_by(Bulletin.issued_at, Bulletin.id)
        )
        if self.id is not None:
            query = query.where(Bulletin.id != self.id)
        return list(db.session.scalars(query))

    def issued_alike_warning(self):
        """What the office is told on drafting, or drafting again, a period and group that
        has an issued bulletin; empty when it has none."""
        alike = [b.number_text for b in self.issued_alike()] if not self.issued else []
        if not alike:
            return ""
        return _(
            "This period and group already has an issued bulletin (%(numbers)s): issuing "
            "this draft makes another.",
            numbers="、".join(alike),
        )

    def ranked_rows(self):
        """The rows as kept: the ranking's when drafted, as issued."""
        return [RankRow.from_dict(values) for values in self.rows]

    def dated(self):
        """The day it is dated: the day issued, or today for a draft."""
        return clock.local_date(self.issued_at) if self.issued_at else clock.today()

    def date_text(self):
        return day_text(self.dated())


def bulletin_period(text):
    """The month, quarter or year of `text` (2026-10, 2026-Q3, 2026); RuleError else."""
    try:
        period = parse_period(text)
    except PeriodError as error:
        raise RuleError(
            _("That period cannot be read: %(error)s", error=error), "period"
        ) from error
    if period.kind not in BULLETIN_KINDS:
        raise RuleError(_l("A bulletin is of a month, a quarter or a year."), "period")
    return period


def bulletin_group(text):
    """The ranking group of `text`, or ALL_UNITS for none; RuleError for an unknown one."""
    if not text:
        return ALL_UNITS
    if text not in RANKING_GROUPS:
        raise RuleError(_l("There is no such ranking group."), "group")
    return text


def draft_bulletin(period, group, actor, today=None):
    """The open draft of the period and group, or a new one drafted from the ranking
    (not committed)."""
    found = db.session.scalars(
        sa.select(Bulletin).filter_by(period=period.key, ranking_group=group, state="draft")
    ).first()
    if found is not None:
        return found
    bulletin = Bulletin(
        period=period.key,
        ranking_group=group,
        created_by_name=(str(actor) if actor else "")[:50],
    )
    redraft(bulletin, today)
    db.session.add(bulletin)
    return bulletin


def redraft(bulletin, today=None):
    """A draft's rows taken again from the ranking as it is now, and its text drafted
    again from them (the edited text is replaced)."""
    if bulletin.issued:
        raise RuleError(_l("An issued bulletin stays as it was issued."))
    today = today or clock.today()
    period = bulletin.period_of
    rows = ranking(period, bulletin.group, today)
    bulletin.rows = [row.as_dict() for row in rows]
    bulletin.as_of = min(today, period.end)
    bulletin.text = draft_text(rows, period, bulletin.group_label)
    return bulletin


def check_text(text):
    """The bulletin's text as it may be issued, or RuleError."""
    text = (text or "").strip()
    if not text:
        raise RuleError(_l("Write the bulletin's text before issuing it."), "text")
    if len(text) > TEXT_MAX:
        raise RuleError(_l("Say it in at most %(max)s characters.", max=TEXT_MAX), "text")
    if bounds.has_nul(text):
        raise RuleError(bounds.NUL_MESSAGE, "text")
    return text


def issue_bulletin(bulletin, actor, now=None):
    """Issue the draft: the next issue number of the year, given once; its number, text
    and rows stay as they are from now on (not committed: on a RuleError the caller rolls
    back, and the number is not spent).

    The row is locked and read afresh before its state is checked (PostgreSQL; SQLite's
    write transaction already serialises issuers): of two people issuing it at once, the
    second finds it issued. The change goes through the ORM, so the audit trail has it.
    """
    _lock(bulletin)
    if bulletin.issued:
        raise RuleError(_l("This bulletin was issued already."))
    text = check_text(bulletin.text)
    now = now or clock.now()
    bulletin.number = take_number("bulletin", actor, lambda: bulletin.number, now)
    bulletin.state = "issued"
    bulletin.text = text
    bulletin.issued_at = now
    bulletin.issued_by_id = actor.id if actor else None
    bulletin.issued_by_name = (str(actor) if actor else "")[:50]
    db.session.flush()
    return bulletin


def _lock(bulletin):
    """Hold the bulletin's row until the commit where the database can (PostgreSQL) and
    read it afresh."""
    if bulletin.id is not None and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(Bulletin.id).where(Bulletin.id == bulletin.id).with_for_update()
        )
        db.session.refresh(bulletin)


def issued_in(period_key, groups=None):
    """The issued bulletins of the period (of these ranking groups, else of every one), the
    latest first, with their numbers."""
    query = (
        sa.select(Bulletin)
        .where(Bulletin.period == period_key, Bulletin.state == "issued")
        .options(sa.orm.joinedload(Bulletin.number))
        .order_by(Bulletin.issued_at.desc(), Bulletin.id.desc())
    )
    if groups is not None:
        query = query.where(Bulletin.ranking_group.in_(groups))
    return list(db.session.scalars(query))


def issued_bulletins(period_key, group=None):
    """The issued bulletins of the period for the group (and those of all units), the
    latest first."""
    return issued_in(period_key, (ALL_UNITS, group) if group else (ALL_UNITS,))


# ---- the text drafted from the rows ----


def draft_text(rows, period, group_label=""):
    """A short text from the ranking's rows, in the office's language: the adoptions by
    level, the first and last places, the biggest movements, the vetoed units and those
    with nothing adopted. The office edits it before issuing."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        paragraphs = [
            _summary(rows, period, group_label),
            _top(rows),
            _bottom(rows),
            _movements(rows),
            *_vetoes(rows),
            _nothing_adopted(rows),
            _(
                "Units ranked low are asked to find where they fall short and report more and "
                "better information."
            ),
        ]
    return "\n".join(p for p in paragraphs if p)


def _names(rows, with_points=True):
    if with_points:
        return "、".join(
            _("%(unit)s (%(points)s points)", unit=r.unit, points=r.points) for r in rows
        )
    return "、".join(r.unit for r in rows)


def _summary(rows, period, group_label):
    adopted = sum(r.adopted for r in rows)
    levels = [
        _("%(level)s %(count)s", level=_level_name(level), count=n)
        for level in LEVELS_DOWN
        if (n := sum(r.by_level.get(level, 0) for r in rows))
    ]
    text = _(
        "In %(period)s the %(count)s units%(group)s submitted %(submitted)s items; "
        "%(adopted)s were adopted",
        period=period.label,
        count=len(rows),
        group=f"（{group_label}）" if group_label else "",
        submitted=sum(r.submitted for r in rows),
        adopted=adopted,
    )
    if levels:
        text += _(", of them %(levels)s", levels="、".join(levels))
    return text + _(", earning %(points)s points in all.", points=sum(r.points for r in rows))


def _level_name(level):
    return {
        "central": _("central level"),
        "province": _("provincial level"),
        "city": _("city level"),
        "county": _("county level"),
    }[level]


def _ranked(rows):
    return [r for r in rows if r.rank is not None]


def _top(rows):
    top = [r for r in _ranked(rows) if r.rank <= TOP_PLACES and r.points > 0]
    if not top:
        return ""
    return _("First places: %(units)s.", units=_names(top))


def _bottom(rows):
    """The units marked at the bottom (an ended period), else those at the last place."""
    ranked = _ranked(rows)
    last = [r for r in ranked if r.bottom]
    if not last and ranked and ranked[-1].rank != ranked[0].rank:
        last = [r for r in ranked if r.rank == ranked[-1].rank]
    if not last:
        return ""
    return _("Last places: %(units)s.", units=_names(last))


def _movements(rows):
    moved = [r for r in rows if r.movement]
    if not moved:
        return ""
    parts = []
    best = max(r.movement for r in moved)
    if best > 0:
        parts.append(
            _(
                "%(units)s rose furthest, %(places)s places",
                units=_names([r for r in moved if r.movement == best], False),
                places=best,
            )
        )
    worst = min(r.movement for r in moved)
    if worst < 0:
        parts.append(
            _(
                "%(units)s fell furthest, %(places)s places",
                units=_names([r for r in moved if r.movement == worst], False),
                places=-worst,
            )
        )
    return _("Against the previous period: %(parts)s.", parts="；".join(parts))


def _vetoes(rows):
    return [
        _(
            "%(unit)s missed an emergency report on %(day)s (%(reason)s): its year's "
            "evaluation is vetoed.",
            unit=r.unit,
            day=day_text(r.veto.on),
            reason=r.veto.reason,
        )
        for r in rows
        if r.veto is not None
    ]


def _nothing_adopted(rows):
    none = [r for r in rows if not r.adopted]
    if not none or len(none) == len(rows):
        return ""
    return _("No item adopted: %(units)s.", units=_names(none, False))
