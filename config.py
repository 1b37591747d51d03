"""Configuration read from the environment; tests pass overrides to create_app."""

import os
import re
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The whole-number settings: (default, lowest, highest). The one table of their ranges:
# `_int` refuses a value outside at start, models/bounds.py `setting` holds what the pages
# read to it, and README's configuration table shows it (a test compares them).
WHOLE_NUMBERS = {
    "DATABASE_CONNECT_TIMEOUT": (5, 1, 300),
    "MAIL_PORT": (25, 1, 65535),
    "NOTICE_REMIND_DAYS": (3, 0, 60),
    "NOTICE_CHASE_EVERY_DAYS": (7, 1, 60),
    "NOTICE_ESCALATE_AFTER_DAYS": (14, 1, 365),
    "NOTICE_BULLETIN_DAYS": (3, 0, 28),
    "NOTICE_DISPATCH_SECONDS": (60, 1, 3600),
    "WORKER_HEARTBEAT_SECONDS": (30, 1, 3600),
    "NOTICE_MAX_ATTEMPTS": (5, 1, 50),
    "NOTICE_SENDING_TIMEOUT_SECONDS": (900, 10, 86400),
    "NOTICE_SEND_BATCH": (200, 1, 10_000),
    "NOTICE_SCAN_BATCH": (1000, 1, 100_000),
    "CLOSED_MONTH_DAYS": (10, 0, 28),  # every month has 28 days; on 3 December, November
    "RANKING_BOTTOM_COUNT": (3, 0, 20),
    "LOGIN_MAX_FAILURES": (5, 1, 100),
    "LOGIN_WINDOW_MINUTES": (15, 1, 1440),
    "PROXY_COUNT": (0, 0, 5),
    "DUCHA_LIGHT_YELLOW_DAYS": (3, 0, 60),
    "ATTACHMENT_MAX_MB": (20, 1, 32),  # MAX_CONTENT_LENGTH caps an upload at 32 MB
    "IMPORT_MAX_MB": (20, 1, 32),
    "IMPORT_MAX_ROWS": (100_000, 1, 1_000_000),
    "HOME_DUE_DAYS": (7, 1, 90),  # a quarter ahead: the most "due soon" can mean
    "DESK_UNSIGNED_DAYS": (2, 0, 60),  # working days: about three months at most
    "CHASE_REPLY_DAYS": (3, 1, 30),  # working days: about six weeks at most
    "CRITICISM_OVERDUE_DAYS": (10, 0, 60),  # working days: about three months at most
}


def _int(name):
    """The whole-number setting `name` (WHOLE_NUMBERS), from the environment or its default;
    refuses the setting (at start) on anything outside its range, naming it, rather than
    let one extreme value stop a page later."""
    default, low, high = WHOLE_NUMBERS[name]
    text = (os.environ.get(name) or str(default)).strip()
    number = int(text) if re.fullmatch(r"-?[0-9]{1,11}", text) else None
    if number is None or not low <= number <= high:
        raise ValueError(f"{name}: {text!r} is not a whole number from {low} to {high}")
    return number


def _seconds(name, default):
    """A comma-separated list of seconds, e.g. "300,900,3600"."""
    text = os.environ.get(name) or default
    return [float(part) for part in text.split(",") if part.strip()]


def _counts(name, default="", most=20):
    """{word: n} from "township=2,county_dept=1", each n from 0 to `most`; refuses the
    setting (at start) on anything else."""
    counts = {}
    for part in filter(None, (p.strip() for p in (os.environ.get(name) or default).split(","))):
        key, _sep, number = part.partition("=")
        if not key.strip().isidentifier() or not number.strip().isdigit():
            raise ValueError(f"{name}: {part!r} is not name=number")
        if int(number) > most:
            raise ValueError(f"{name}: {part!r} is more than {most}")
        counts[key.strip()] = int(number)
    return counts


def _secret_key():
    """Use SECRET_KEY, or in development a key generated once into instance/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url():
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'ducha.db'}"
    # Heroku-style URLs and plain postgresql:// go through psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment():
    """Return the settings of this process as a dict."""
    production = os.environ.get("DUCHA_ENV", "development") == "production"
    return {
        "DUCHA_ENV": "production" if production else "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY") if production else _secret_key(),
        "SQLALCHEMY_DATABASE_URI": database_url(),
        # PostgreSQL: seconds to wait for a connection before giving up.
        "DATABASE_CONNECT_TIMEOUT": _int("DATABASE_CONNECT_TIMEOUT"),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "DUCHA_TIMEZONE": os.environ.get("DUCHA_TIMEZONE", "Asia/Shanghai"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int("MAIL_PORT"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "ducha@localhost"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT") or 30),
        # Without MAIL_SERVER, messages are written here as .eml files (default instance/outbox).
        "MAIL_OUTBOX_DIR": os.environ.get("MAIL_OUTBOX_DIR") or str(INSTANCE_DIR / "outbox"),
        # Notices: when the scan plans them, and how the outbox sends them.
        "NOTICE_SCAN_AT": os.environ.get("NOTICE_SCAN_AT", "07:30"),
        "NOTICE_REMIND_DAYS": _int("NOTICE_REMIND_DAYS"),
        "NOTICE_CHASE_EVERY_DAYS": _int("NOTICE_CHASE_EVERY_DAYS"),
        "NOTICE_ESCALATE_AFTER_DAYS": _int("NOTICE_ESCALATE_AFTER_DAYS"),
        # The previous month's bulletin goes out on the first days of a month (0: never).
        "NOTICE_BULLETIN_DAYS": _int("NOTICE_BULLETIN_DAYS"),
        "NOTICE_DISPATCH_SECONDS": _int("NOTICE_DISPATCH_SECONDS"),
        # How often an RQ worker says it is alive; two missed in a row and it counts as gone.
        "WORKER_HEARTBEAT_SECONDS": _int("WORKER_HEARTBEAT_SECONDS"),
        "NOTICE_MAX_ATTEMPTS": _int("NOTICE_MAX_ATTEMPTS"),
        "NOTICE_RETRY_SECONDS": _seconds("NOTICE_RETRY_SECONDS", "300,900,3600,14400"),
        "NOTICE_SENDING_TIMEOUT_SECONDS": _int("NOTICE_SENDING_TIMEOUT_SECONDS"),
        "NOTICE_SEND_BATCH": _int("NOTICE_SEND_BATCH"),
        "NOTICE_SCAN_BATCH": _int("NOTICE_SCAN_BATCH"),
        "DEMO_ADMIN_PASSWORD": os.environ.get("DEMO_ADMIN_PASSWORD") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DUCHA_TIMEZONE", "Asia/Shanghai"),
        "FLASK_ADMIN_SWATCH": "cerulean",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        # The monthly pages open on the month just closed in a month's first days (0-28).
        "CLOSED_MONTH_DAYS": _int("CLOSED_MONTH_DAYS"),
        # How many places at the bottom of a ranking are marked (and their leaders told).
        "RANKING_BOTTOM_COUNT": _int("RANKING_BOTTOM_COUNT"),
        # Whether unit officers may see the ranking of their own group.
        "RANKING_OPEN_TO_UNITS": _bool("RANKING_OPEN_TO_UNITS"),
        # Login lockout: this many failures for a username or an address within the window.
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES"),
        "LOGIN_WINDOW_MINUTES": _int("LOGIN_WINDOW_MINUTES"),
        # Behind a reverse proxy: how many proxies' X-Forwarded-* headers to trust.
        "PROXY_COUNT": _int("PROXY_COUNT"),
        # An emergency report later than this after the event is late (迟报).
        "EMERGENCY_REPORT_HOURS": float(os.environ.get("EMERGENCY_REPORT_HOURS", "2")),
        # The fewest information officers a unit of a kind must have, where not the rule's
        # (township 2, departments 1): "township=3,county=1".
        "INFO_OFFICER_MINIMUM": _counts("INFO_OFFICER_MINIMUM"),
        "DUCHA_LIGHT_YELLOW_DAYS": _int("DUCHA_LIGHT_YELLOW_DAYS"),
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments"),
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_MB") * 1024 * 1024,
        # Imports: the largest file and the most rows taken (MAX_CONTENT_LENGTH caps uploads).
        "IMPORT_MAX_BYTES": _int("IMPORT_MAX_MB") * 1024 * 1024,
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS"),
        # The home page's "due soon": assignments due within this many days.
        "HOME_DUE_DAYS": _int("HOME_DUE_DAYS"),
        # The office's to-do: an assignment not signed for this many working days after it
        # was assigned (the days a unit has to object, by default).
        "DESK_UNSIGNED_DAYS": _int("DESK_UNSIGNED_DAYS"),
        # The documents the office puts its name on (the monthly report's 填报单位, 督办单,
        # 催办单): who issues them, how to reach the office, and the working days a chased
        # unit has to answer.
        "OFFICE_NAME": os.environ.get("OFFICE_NAME") or "中共××县委办公室",
        "OFFICE_CONTACT": os.environ.get("OFFICE_CONTACT", ""),
        "CHASE_REPLY_DAYS": _int("CHASE_REPLY_DAYS"),
        # Where units reach the app (https://ducha.example.gov.cn): the monthly bulletin
        # notice links to the issued bulletin with it. Unset: the notice names it only.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        # A criticism notice (通报批评) is drafted for an assignment overdue this many working
        # days (0 to 60; models/criticism.py holds it there).
        "CRITICISM_OVERDUE_DAYS": _int("CRITICISM_OVERDUE_DAYS"),
    }
