"""What the pages of a filed document share (报送: the monthly directive report, the
payment sheet, the year-end evaluation): the version shown, its filing block, and the
POST that files it. The form and the filings table are templates/admin/filing.html."""

from flask import current_app, flash
from flask_login import current_user

from models import clock, db
from models.filings import FilingError
from views.base.printing import FilingBlock


class ShownFiling:
    """The filings of what a page shows, the latest first, and the one shown: the latest,
    unless the figures counted now are asked for. `changed` names the units a recount as
    of the filing's day puts differently; the page fills it in."""

    def __init__(self, filings, want_current=False):
        self.filings = filings
        self.filing = filings[0] if filings and not want_current else None
        self.changed = []

    def filing_block(self):
        """填报单位, 填报人 and 填报日期: the filing's, or, for figures not filed, the
        person looking at them and today."""
        office = current_app.config["OFFICE_NAME"]
        if self.filing is None:
            return FilingBlock(office, str(current_user), clock.today())
        return FilingBlock(office, self.filing.filed_by, clock.local_date(self.filing.filed_at))


def file_and_flash(file, kept):
    """File with `file()` (which returns the new filing, added) and commit, then say so:
    `kept` with the day it was counted as of (`%(day)s`), or why it could not be filed."""
    try:
        filing = file()
        db.session.commit()
    except FilingError as error:
        flash(str(error), "error")
        return
    flash(kept % {"day": filing.as_of.isoformat()}, "success")
