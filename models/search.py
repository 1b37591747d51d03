"""Search everywhere: units, staff, reports and directives by name, code, number or the
words of a title, within what the person may see.

Every word must match (in any of a record's fields); `visible_to` narrows each query as
the lists are narrowed. The words' character pairs find the rows through the bigram index
(models/words.py) and the substring match confirms them; a search the index cannot narrow
(one character) reads the newest SCAN_ROWS rows of each kind, and says so. A directive's
content is searched only where the person may read it, so a confidential instruction never
answers a search by its words.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from models.base import db
from models.directives import Directive
from models.reports import Report
from models.staff import Staff
from models.units import Unit
from models.words import narrowed

MAX_WORDS = 5
MAX_LENGTH = 100
KINDS = ("units", "staff", "reports", "directives")


@dataclass
class Found:
    rows: list
    more: bool  # there are more than those shown
    scanned: int = 0  # only this many newest rows were searched (models/words.py)


def words_of(text):
    """The words searched for: at most MAX_WORDS, each trimmed; [] for nothing."""
    return (text or "")[:MAX_LENGTH].split()[:MAX_WORDS]


def _every_word(words, match):
    return sa.and_(*[match(word) for word in words])


def _any_field(*columns):
    return lambda word: sa.or_(*[column.icontains(word, autoescape=True) for column in columns])


def _directive_match(account):
    readable = Directive.content_visible_to(account)

    def match(word):
        found = sa.or_(
            Directive.number.icontains(word, autoescape=True),
            Directive.title.icontains(word, autoescape=True),
            sa.and_(readable, Directive.content.icontains(word, autoescape=True)),
        )
        return sa.and_(Directive.is_instruction(), found)  # the directive screen's rows

    return match


def _queries(account):
    return {
        "units": (Unit, _any_field(Unit.code, Unit.name), [Unit.code]),
        "staff": (Staff, _any_field(Staff.name, Staff.email, Staff.phone), [Staff.name]),
        "reports": (Report, _any_field(Report.title), [Report.submitted_at.desc()]),
        "directives": (Directive, _directive_match(account), [Directive.received_on.desc()]),
    }


def search(account, text, limit=10):
    """{kind: Found} for the words of `text`; one query per kind."""
    words = words_of(text)
    if not words:
        return {}
    found = {}
    for kind, (model, match, order) in _queries(account).items():
        # The bigram index narrows the rows; the substring match confirms them.
        narrowing, scanned = narrowed(model, words)
        query = (
            sa.select(model)
            .where(model.visible_to(account), *narrowing, _every_word(words, match))
            .order_by(*order, model.id)
            .limit(limit + 1)
        )
        if model is Staff:
            query = query.options(sa.orm.joinedload(Staff.unit))
        if model is Report:
            query = query.options(sa.orm.joinedload(Report.unit))
        rows = list(db.session.scalars(query).unique())
        found[kind] = Found(rows[:limit], len(rows) > limit, scanned)
    return found
