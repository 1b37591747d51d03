"""Configuration read from the environment; tests pass overrides to create_app."""

import os
import secrets
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "DUCHA_TIMEZONE": os.environ.get("DUCHA_TIMEZONE", "Asia/Shanghai"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "ducha@localhost"),
        "DEMO_ADMIN_PASSWORD": os.environ.get("DEMO_ADMIN_PASSWORD") or None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DUCHA_TIMEZONE", "Asia/Shanghai"),
        "FLASK_ADMIN_SWATCH": "cerulean",
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        "DUCHA_LIGHT_YELLOW_DAYS": int(os.environ.get("DUCHA_LIGHT_YELLOW_DAYS", "3")),
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments"),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_MB", "20")) * 1024 * 1024,
    }
