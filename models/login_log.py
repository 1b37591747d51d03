"""The login log (登录日志): every login, failed login and logout, who, when, from where.

Kept apart from the audit trail: a login changes no record, and hundreds of them a day
would bury the changes. Like the trail it holds no foreign key, so it outlives the
account. (The lockout counts recent attempts in its own short-lived table,
models/accounts.py: this log is the record.)
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import clock
from models.base import Choices, UTCDateTime, db, info

EVENTS = Choices(login=_l("Log in"), logout=_l("Log out"))
RESULTS = Choices(
    success=_l("Succeeded"),
    wrong_password=_l("Wrong password"),
    unknown_user=_l("No such account"),
    disabled=_l("Account disabled"),
    locked=_l("Locked: too many failed attempts"),
)


class LoginEvent(db.Model):
    __tablename__ = "login_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(
        UTCDateTime, nullable=False, default=clock.now, index=True, info=info(_l("When"))
    )
    account_id = sa.Column(sa.Integer, index=True, info=info(_l("Account id")))
    # As typed at the login form (at most the form's 50 characters): who tried.
    username = sa.Column(sa.String(50), nullable=False, info=info(_l("Username")))
    address = sa.Column(sa.String(64), nullable=False, info=info(_l("IP address")))
    event = sa.Column(sa.String(10), nullable=False, info=info(_l("Event"), EVENTS))
    result = sa.Column(sa.String(20), nullable=False, info=info(_l("Result"), RESULTS))

    __table_args__ = (
        EVENTS.check("event"),
        RESULTS.check("result"),
        sa.Index("ix_login_log_username_at", "username", "at"),
    )

    def __str__(self):
        return f"{self.username} {self.event} {self.result}"

    @classmethod
    def visible_to(cls, account):
        return sa.true() if account.role == "admin" else sa.false()


def login_result(account, password):
    """How a login with this password ends: "success", or why not."""
    if account is None:
        return "unknown_user"
    if not account.check_password(password):
        return "wrong_password"
    if not account.active:
        return "disabled"
    return "success"


def log_login(username, address, result, account=None):
    """Add a login (or a refused one) to the log; the caller commits."""
    db.session.add(
        LoginEvent(
            username=username[:50],
            address=(address or "-")[:64],
            event="login",
            result=result,
            account_id=account.id if account is not None else None,
        )
    )


def log_logout(account, address):
    """Add a logout to the log; the caller commits."""
    db.session.add(
        LoginEvent(
            username=account.username,
            address=(address or "-")[:64],
            event="logout",
            result="success",
            account_id=account.id,
        )
    )
