"""Accounts: who may log in, with which role, for which unit."""

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from models import bounds, clock
from models.base import Choices, UTCDateTime, db, info, text_not_blank

ROLES = Choices(
    admin=_l("Office administrator"),
    staff=_l("Office staff"),
    unit=_l("Unit officer"),
    leader=_l("Leader"),
)
LOCALES = Choices(zh_Hans_CN=_l("Simplified Chinese"), en=_l("English"))

# The roles by what they may do: every screen and rule names one of these sets.
ADMINS = frozenset({"admin"})
OFFICE = frozenset({"admin", "staff"})  # keep the records
OFFICE_AND_LEADERS = frozenset({"admin", "staff", "leader"})  # see every unit's records
OFFICE_AND_UNITS = frozenset({"admin", "staff", "unit"})
EVERYONE = frozenset(ROLES)
MIN_PASSWORD_LENGTH = 8


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(50), nullable=False, unique=True, info=info(_l("Username")))
    name = sa.Column(sa.String(50), nullable=False, default="", info=info(_l("Name")))
    email = sa.Column(sa.String(120), info=info(_l("Email")))
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(20), nullable=False, info=info(_l("Role"), ROLES))
    unit_id = sa.Column(
        sa.ForeignKey("units.id", ondelete="RESTRICT"), index=True, info=info(_l("Unit"))
    )
    active = sa.Column(sa.Boolean, nullable=False, default=True, info=info(_l("Active")))
    locale = sa.Column(sa.String(10), info=info(_l("Language"), LOCALES))
    # Bumped on logout, password change and deactivation: older session cookies stop working.
    session_version = sa.Column(sa.Integer, nullable=False, default=0)
    must_change_password = sa.Column(
        sa.Boolean,
        nullable=False,
        default=False,
        info=info(_l("Must change password at next login")),
    )
    created_at = sa.Column(UTCDateTime, nullable=False, default=clock.now, info=info(_l("Created")))
    last_login_at = sa.Column(UTCDateTime, info=info(_l("Last login")))

    unit = sa.orm.relationship("Unit", info=info(_l("Unit")))

    __table_args__ = (
        ROLES.check("role"),
        LOCALES.check("locale"),
        text_not_blank("username"),
        sa.CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name="unit_officer_has_unit"),
    )

    def __str__(self):
        return self.name or self.username

    # Flask-Login: the id carries the session version, so a bump logs old cookies out.
    def get_id(self):
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self):
        return bool(self.active)

    def set_password(self, password, must_change=False):
        """A new password: every session of the account ends (the version moves on)."""
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
        if "\x00" in password:  # no form lets one be typed: the account could not log in
            raise ValueError("password holds a NUL character")
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.must_change_password = must_change
        self.end_sessions()

    def end_sessions(self):
        """Make every session cookie issued so far useless."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def sees_all_units(self):
        return self.role in OFFICE_AND_LEADERS

    @property
    def is_unit_officer(self):
        return self.role == "unit"

    @classmethod
    def load(cls, user_id):
        """Find the account behind a session id `"<id>.<version>"`, or None."""
        try:
            account_id, version = (int(part) for part in str(user_id).split("."))
        except ValueError:
            return None
        account = db.session.get(cls, account_id)
        if account is None or not account.active or account.session_version != version:
            return None
        return account

    @classmethod
    def visible_to(cls, account):
        if account.role == "admin":
            return sa.true()
        return cls.id == account.id


class LoginAttempt(db.Model):
    """One try at logging in: the lockout counts the recent failures."""

    __tablename__ = "login_attempts"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(50), nullable=False)
    address = sa.Column(sa.String(64), nullable=False)
    at = sa.Column(UTCDateTime, nullable=False, default=clock.now)
    succeeded = sa.Column(sa.Boolean, nullable=False)

    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "at"),
        sa.Index("ix_login_attempts_address_at", "address", "at"),
    )


def lockout_settings():
    """(failures, minutes): how many failed logins within how many minutes lock logins."""
    return (
        bounds.setting("LOGIN_MAX_FAILURES"),
        bounds.setting("LOGIN_WINDOW_MINUTES"),
    )


def login_locked(username, address, now=None):
    """Too many recent failures for this username or from this address."""
    limit, minutes = lockout_settings()
    since = (now or clock.now()) - dt.timedelta(minutes=minutes)
    for column, value in ((LoginAttempt.username, username), (LoginAttempt.address, address)):
        last_success = db.session.scalar(
            sa.select(sa.func.max(LoginAttempt.at)).where(column == value, LoginAttempt.succeeded)
        )
        start = max(since, last_success) if last_success else since
        failures = db.session.scalar(
            sa.select(sa.func.count()).where(
                column == value, LoginAttempt.at > start, LoginAttempt.succeeded.is_(False)
            )
        )
        if failures >= limit:
            return True
    return False


def record_login_attempt(username, address, succeeded):
    db.session.add(LoginAttempt(username=username[:50], address=address[:64], succeeded=succeeded))
    # Old attempts are of no use to the lockout; keep the table small.
    _limit, minutes = lockout_settings()
    cutoff = clock.now() - dt.timedelta(days=30, minutes=minutes)
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < cutoff))
