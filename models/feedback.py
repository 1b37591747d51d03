"""A unit's feedback on an assignment: progress reports and the result report, with files.

Files are stored under the attachment directory (in `instance/` by default) under
generated names; the original file name, Chinese included, is kept for display and
download. `secure_filename` would turn 领导批示件.pdf into "pdf", so names on disk never
come from the upload. A deleted attachment's file (its record's, or its report's,
feedback's or directive's, by cascade) is removed once the deletion is committed.
"""

import logging
import os
import secrets
import unicodedata
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from models import bounds, clock
from models.accounts import OFFICE
from models.base import Choices, UTCDateTime, db, info, related, text_not_blank
from models.staff import Staff

log = logging.getLogger(__name__)

FEEDBACK_KINDS = Choices(progress=_l("Progress report"), result=_l("Result report"))
SIGNER_DUTIES = Choices(
    principal_leader=_l("Principal leader"),
    leader_in_charge=_l("Leader in charge"),
)
# Levels whose results the unit's principal leader must sign.
PRINCIPAL_SIGNS = ("central", "province")

# Extensions allowed, with the bytes a file of that kind starts with (None: not checked).
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".wps": ("application/vnd.ms-works", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".txt": ("text/plain", None),
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_NAME_LENGTH = 200


class Feedback(db.Model):
    """A progress report or the result report of one assignment."""

    __tablename__ = "feedback"

    id = sa.Column(sa.Integer, primary_key=True)
    assignment_id = sa.Column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
        info=info(_l("Assignment")),
    )
    kind = sa.Column(sa.String(20), nullable=False, info=info(_l("Kind"), FEEDBACK_KINDS))
    text = sa.Column(sa.Text, nullable=False, info=info(_l("What was done")))
    submitted_at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("Submitted at"))
    )
    account_id = sa.Column(sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True)
    author_name = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Filed by")))
    signer_id = sa.Column(
        sa.ForeignKey("staff.id", ondelete="RESTRICT"), index=True, info=info(_l("Signed by"))
    )
    # The signer's duty when signing: a later promotion does not change what was signed.
    signer_duty = sa.Column(sa.String(20), info=info(_l("Signer's duty"), SIGNER_DUTIES))

    assignment = sa.orm.relationship(
        "Assignment", back_populates="feedback", info=info(_l("Assignment"))
    )
    account = sa.orm.relationship("Account")
    signer = sa.orm.relationship("Staff", info=info(_l("Signed by")))
    attachments = sa.orm.relationship(
        "Attachment",
        back_populates="feedback",
        cascade="all, delete-orphan",
        order_by="Attachment.id",
        info=info(_l("Attachments")),
    )

    __table_args__ = (
        FEEDBACK_KINDS.check("kind"),
        SIGNER_DUTIES.check("signer_duty"),
        text_not_blank("text"),
        sa.CheckConstraint(
            "kind <> 'result' OR (signer_id IS NOT NULL AND signer_duty IS NOT NULL)",
            name="result_is_signed",
        ),
    )

    def __str__(self):
        return f"{FEEDBACK_KINDS.label(self.kind)} {clock.local(self.submitted_at):%Y-%m-%d}"

    @classmethod
    def visible_to(cls, account):
        """Office: all. Unit: its own. Leaders: none of a confidential directive's."""
        assignment = related(cls.assignment)
        if account.role in OFFICE:
            return sa.true()
        if account.role == "unit":
            return cls.assignment.has(assignment.unit_id == account.unit_id)
        directive = related(assignment.directive)
        return cls.assignment.has(assignment.directive.has(directive.confidential.is_(False)))

    def file(self, actor, at=None):
        """Record the report on its assignment: progress puts the work in progress; a
        result submits it (the signer is checked there)."""
        self.submitted_at = at or clock.now()
        self.account = actor
        self.author_name = (str(actor) if actor is not None else "")[:50]
        is_result = self.kind == "result"
        self.signer_duty = self.signer.duty if is_result and self.signer else None
        with db.session.no_autoflush:
            if is_result:
                self.assignment.submit_result(actor, self.signer, at=self.submitted_at)
            else:
                self.assignment.report_progress(actor, at=self.submitted_at)
        db.session.add(self)  # a backref alone does not put it in the session
        return self


def filing_problem(assignment, kind, signer, actor):
    """(field, message) saying why this report cannot be filed now, or None."""
    action = "submit_result" if kind == "result" else "progress"
    if not assignment.may(actor, action):
        return "assignment", _l(
            "A %(kind)s cannot be filed while the assignment is %(status)s.",
            kind=FEEDBACK_KINDS.label(kind),
            status=assignment.status_label,
        )
    if kind == "result":
        problem = signer_problem(assignment, signer)
        if problem:
            return "signer", problem
    return None


def required_signer_duties(leader_level):
    """Who may sign a result (签发): the principal leader for central or provincial
    directives; the leader in charge, or the principal leader above them, otherwise."""
    if leader_level in PRINCIPAL_SIGNS:
        return ("principal_leader",)
    return ("leader_in_charge", "principal_leader")


def signer_rule(leader_level):
    """Who signs the result of a directive of this level, as a sentence."""
    if required_signer_duties(leader_level) == ("principal_leader",):
        return _l(
            "A central or provincial directive's result is signed by the unit's principal leader."
        )
    return _l("The result is signed by the unit's leader in charge or principal leader.")


def possible_signers(unit_id, duties=tuple(SIGNER_DUTIES)):
    """The unit's active staff of these duties, as a query: principal leader first."""
    return Staff.query.filter(
        Staff.unit_id == unit_id, Staff.active.is_(True), Staff.duty.in_(duties)
    ).order_by(Staff.duty != "principal_leader", Staff.name, Staff.id)


def signers_for(assignment):
    """Who may sign this assignment's result: the unit's active staff of the duty it needs."""
    return possible_signers(
        assignment.unit_id, required_signer_duties(assignment.directive.leader_level)
    )


def signer_problem(assignment, signer):
    """Why `signer` cannot sign this assignment's result, or None."""
    if signer is None:
        return _l("A result report needs the leader who signs it (签发).")
    unit_id = assignment.unit_id if assignment.unit_id is not None else assignment.unit.id
    if signer.unit_id != unit_id:
        return _l("The signer must be a leader of the assigned unit.")
    if signer.duty not in required_signer_duties(assignment.directive.leader_level):
        return signer_rule(assignment.directive.leader_level)
    return None


# An attachment belongs to exactly one of: feedback, a directive (its scan), a report.
ONE_OWNER = (
    "(CASE WHEN feedback_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN directive_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN report_id IS NULL THEN 0 ELSE 1 END) = 1"
)


class Attachment(db.Model):
    """A file stored on disk under a generated name: attached to feedback, the scan of a
    directive's written instruction (批示件), or the file of an information report; read
    by those who may read what it belongs to."""

    __tablename__ = "attachments"

    id = sa.Column(sa.Integer, primary_key=True)
    feedback_id = sa.Column(sa.ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    directive_id = sa.Column(sa.ForeignKey("directives.id", ondelete="CASCADE"), index=True)
    # The Word file (or PDF) of an information report: one per report.
    report_id = sa.Column(sa.ForeignKey("reports.id", ondelete="CASCADE"), index=True, unique=True)
    original_name = sa.Column(sa.String(MAX_NAME_LENGTH), nullable=False, info=info(_l("File")))
    stored_name = sa.Column(sa.String(80), nullable=False, unique=True)
    size = sa.Column(sa.Integer, nullable=False, info=info(_l("Size")))
    content_type = sa.Column(sa.String(100), nullable=False)
    uploaded_at = sa.Column(UTCDateTime, nullable=False, default=clock.now)

    feedback = sa.orm.relationship("Feedback", back_populates="attachments")
    directive = sa.orm.relationship("Directive", back_populates="scans")
    report = sa.orm.relationship("Report", back_populates="attachment")

    __table_args__ = (
        text_not_blank("original_name"),
        sa.CheckConstraint("size >= 0", name="size_not_negative"),
        sa.CheckConstraint(ONE_OWNER, name="one_owner"),
    )

    def __str__(self):
        return self.original_name

    @classmethod
    def visible_to(cls, account):
        directive, report = related(cls.directive), related(cls.report)
        return sa.or_(
            cls.feedback.has(Feedback.visible_to(account)),
            cls.report.has(report.visible_to(account)),
            cls.directive.has(
                sa.and_(directive.visible_to(account), directive.content_visible_to(account))
            ),
        )

    @property
    def path(self):
        return attachment_dir() / self.stored_name[:2] / self.stored_name


def attachment_dir():
    return Path(current_app.config["ATTACHMENT_DIR"])


def max_attachment_bytes():
    return current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def clean_name(filename):
    """The file name as the person named it, without any folder, control characters or
    surrounding spaces: 领导批示件.pdf stays 领导批示件.pdf."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


SCAN_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
# The file of an information report: the Word (or WPS) file it was written in, or a PDF.
REPORT_FILE_TYPES = (".doc", ".docx", ".wps", ".pdf")


def read_upload(upload, allowed=tuple(ALLOWED_TYPES)):
    """(clean name, content) of an uploaded file, or raise ValueError with the reason.

    Reads at most one byte more than the limit: a huge upload is refused without
    holding it all in memory.
    """
    name = clean_name(upload.filename)
    ext = os.path.splitext(name)[1].lower()
    if not name or ext not in allowed:
        allowed = "、".join(sorted(allowed))
        raise ValueError(
            _l(
                "%(name)s: only these kinds of file are taken: %(allowed)s.",
                name=name,
                allowed=allowed,
            )
        )
    limit = max_attachment_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise ValueError(
            _l("%(name)s is larger than %(mb)s MB.", name=name, mb=bounds.megabytes(limit))
        )
    if not content:
        raise ValueError(_l("%(name)s is empty.", name=name))
    magic = ALLOWED_TYPES[ext][1]
    if magic and not content.startswith(magic):
        raise ValueError(_l("%(name)s is not really a %(ext)s file.", name=name, ext=ext))
    return name, content


def store_attachment(feedback, name, content):
    """Write the file under a new generated name and attach its record to `feedback`."""
    attachment = store_file(name, content)
    feedback.attachments.append(attachment)
    return attachment


def store_scan(directive, name, content):
    """Keep the scan of the directive's written instruction (PDF or image)."""
    attachment = store_file(name, content)
    directive.scans.append(attachment)
    return attachment


def store_report_file(report, name, content):
    """Keep the report's file; the row of a file it had before is deleted (and the file
    removed once that is committed)."""
    if report.attachment is not None:
        report.attachment = None
        db.session.flush()  # the old row goes first: one file per report
    report.attachment = store_file(name, content)


def store_file(name, content):
    """Write the file under a new generated name; its record is not attached yet."""
    ext = os.path.splitext(name)[1].lower()
    stored = secrets.token_hex(16) + ext
    attachment = Attachment(
        original_name=name,
        stored_name=stored,
        size=len(content),
        content_type=ALLOWED_TYPES[ext][0],
    )
    attachment.path.parent.mkdir(parents=True, exist_ok=True)
    with open(attachment.path, "xb") as out:  # "x": never overwrite
        out.write(content)
    return attachment


def remove_files(attachments):
    """Delete the files of attachments whose records were not saved."""
    for attachment in attachments:
        attachment.path.unlink(missing_ok=True)


# The attachments whose rows were deleted in the session's transaction: their files go
# once it is committed. SQLAlchemy says which stayed deleted (`was_deleted`): a rolled-back
# savepoint or transaction reverts its deletions, and those files are kept.
DELETED_ATTACHMENTS = "ducha.deleted_attachments"


@sa.event.listens_for(Attachment, "after_delete")
def _note_deleted_file(_mapper, _connection, attachment):
    """Every way an attachment's row goes (its own delete, a replaced report file, the
    cascade from a report, feedback or directive) passes here, inside the flush."""
    session = sa.orm.object_session(attachment)
    if session is not None:
        session.info.setdefault(DELETED_ATTACHMENTS, []).append(attachment)


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _remove_deleted_files(session):
    if session.in_nested_transaction():  # a savepoint released: its rows may still go back
        return
    for attachment in session.info.pop(DELETED_ATTACHMENTS, []):
        if not sa.inspect(attachment).was_deleted:
            continue
        try:
            attachment.path.unlink(missing_ok=True)
        except OSError as error:  # the record is gone either way; the file is only clutter
            log.warning(
                "could not remove the file %s of a deleted attachment: %s", attachment.path, error
            )


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _forget_deleted_files(session, transaction):
    if transaction.parent is None:  # rolled back (a commit has taken them already)
        session.info.pop(DELETED_ATTACHMENTS, None)
