"""Filing (报送): what the office files is kept as it was counted that day.

The monthly directive report, the year's payment sheet and the year-end evaluation are
filed the same way: a filing keeps its rows, who filed it and when, and the day it was
counted as of; filing a period again takes a note saying why; the page shows the latest
filing and names the units a recount as of the same day now puts differently. `Filed`
holds the columns and rules; each table adds its period and its own rows.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import declared_attr

from models import bounds, clock
from models.base import UTCDateTime, db, info

NOTE_MAX = 1000


class FilingError(ValueError):
    """Why something cannot be filed now: the message is for the person filing."""


class Filed:
    """The columns and rules of a filing; the table adds its period's columns (the key
    its filings are found by) and sets `filed_again`, the message when a period is filed
    again without a note."""

    id = sa.Column(sa.Integer, primary_key=True)
    as_of = sa.Column(sa.Date, nullable=False, info=info(_l("Counted as of")))
    filed_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Filed at")))

    @declared_attr
    def account_id(cls):
        return sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)

    # The name at the time: the account may be renamed or removed later.
    filed_by = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Filed by")))
    note = sa.Column(sa.Text, nullable=False, default="", info=info(_l("Note")))
    # The rows as filed, each as the JSON its table reads back.
    rows = sa.Column(sa.JSON, nullable=False)

    @classmethod
    def latest_first(cls, **period):
        """The filings of the period (its key columns' values), the latest first."""
        return list(
            db.session.scalars(
                sa.select(cls).filter_by(**period).order_by(cls.filed_at.desc(), cls.id.desc())
            )
        )

    @classmethod
    def checked_note(cls, note, **period):
        """The note, stripped, if it may go with a new filing of the period: at most
        NOTE_MAX characters, and said when the period was filed before."""
        note = (note or "").strip()
        if bounds.has_nul(note):
            raise FilingError(bounds.NUL_MESSAGE)
        if len(note) > NOTE_MAX:
            raise FilingError(_l("Say it in at most %(max)s characters.", max=NOTE_MAX))
        if not note and cls.latest_first(**period):
            raise FilingError(cls.filed_again)
        return note

    @classmethod
    def add(cls, actor, note, **values):
        """A new filing by `actor` (None: no one) with a checked note: added, not committed."""
        filing = cls(
            account_id=getattr(actor, "id", None),
            filed_by=(str(actor) if actor is not None else "")[:50],
            note=note,
            **values,
        )
        db.session.add(filing)
        return filing


def units_differing(filed, current):
    """The names of the units whose figures differ between two counts of a period: each
    maps a unit's id to its name and its figures (anything comparable)."""
    return sorted(
        (current.get(unit_id) or filed[unit_id])[0]
        for unit_id in filed.keys() | current.keys()
        if _figures(filed.get(unit_id)) != _figures(current.get(unit_id))
    )


def _figures(unit):
    return None if unit is None else unit[1]
