"""Ducha (督查): the records system of an office's information and supervision work."""

import logging
import os

import sqlalchemy as sa
from flask import Flask, has_request_context, redirect, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

import config
from extensions import babel, csrf, login_manager, migrate
from models import REPORT_STATUSES, ROLES, Account, clock, db
from models import sqlite as sqlite_setup

LOCALES = ("zh_Hans_CN", "en")
LANG_ALIASES = {
    "zh": "zh_Hans_CN",
    "zh_CN": "zh_Hans_CN",
    "zh-CN": "zh_Hans_CN",
    "zh_Hans_CN": "zh_Hans_CN",
    "en": "en",
}


def select_locale():
    """?lang= sticks for the session; else the account's setting; else Simplified Chinese."""
    if not has_request_context():
        return "zh_Hans_CN"  # the CLI, jobs and emails speak the office's language
    lang = LANG_ALIASES.get(request.args.get("lang", ""))
    if lang:
        session["lang"] = lang
    if session.get("lang") in LOCALES:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    return "zh_Hans_CN"


def create_app(test_config=None):
    """Build the app: settings, extensions, blueprints, admin, CLI and queue."""
    app = Flask(__name__, instance_path=str(config.INSTANCE_DIR))
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    check_production_settings(app)
    set_engine_options(app)
    # JSON as written: Chinese as UTF-8, not \u escapes (a sixth smaller), keys in order.
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sqlite_setup.configure(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    migrate.init_app(
        app,
        db,
        directory=os.path.join(app.root_path, "migrations"),
        compare_type=True,
        render_as_batch=True,
    )
    babel.init_app(app, locale_selector=select_locale)
    check_translations(app)
    csrf.init_app(app)
    init_login(app)

    from views import init_admin
    from views.auth import bp as auth_bp
    from views.bounds import init_bounds
    from views.errors import init_errors
    from views.health import bp as health_bp
    from views.security import init_security

    init_bounds(app)  # first: the id converter is read as each route is added
    init_security(app)
    init_errors(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(health_bp)
    init_admin(app)

    from jobs import init_queue

    init_queue(app)

    import commands

    commands.init_app(app)
    # The bench builds apps like this one (to measure on, and in its worker processes)
    # with the factory it finds here: nothing below the app imports it.
    app.extensions["ducha_factory"] = create_app

    init_templates(app)

    @app.route("/")
    def root():
        return redirect(url_for("admin.index"))

    @app.route("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.svg")

    return app


def init_templates(app):
    """What every template may use: the locale and the labels of enumerations."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["role_label"] = ROLES.label
    app.jinja_env.filters["report_status_label"] = REPORT_STATUSES.label
    app.jinja_env.filters["local_time"] = lambda value: (
        clock.local(value).strftime("%Y-%m-%d %H:%M") if value else ""
    )


def init_login(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(Account.load)


def set_engine_options(app):
    """PostgreSQL: give up connecting after DATABASE_CONNECT_TIMEOUT seconds (libpq would wait
    forever), test a pooled connection before use, so a database restart costs no request,
    talk in UTC, and compile no query just in time."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    options.setdefault("pool_pre_ping", True)
    connect_args = options.setdefault("connect_args", {})
    connect_args.setdefault("connect_timeout", app.config["DATABASE_CONNECT_TIMEOUT"])
    # Timestamps come back in UTC whatever the server's zone, as datetime.UTC itself
    # (psycopg's shortcut for "UTC"), so reading them needs no conversion. No JIT: it
    # compiles a query whose estimated cost passes a threshold, which the monthly report's
    # step lookups do, and compiling took 0.4 s where the query ran in 0.3.
    connect_args.setdefault("options", "-c timezone=UTC -c jit=off")


TRANSLATED_DOMAINS = ("messages", "admin")  # ours, and our wording of Flask-Admin's


def missing_catalogues(app, locale="zh_Hans_CN"):
    """The compiled catalogues (.mo) of `locale` that are not there: only `make` (or
    `pybabel compile`) makes them from the .po files, and without them Flask-Babel falls
    back to the English of the source, silently."""
    directory = os.path.join(app.root_path, "translations", locale, "LC_MESSAGES")
    wanted = [os.path.join(directory, f"{domain}.mo") for domain in TRANSLATED_DOMAINS]
    return [path for path in wanted if not os.path.isfile(path)]


def check_translations(app):
    """Say at start, in the log, when the Chinese interface would come out in English."""
    missing = missing_catalogues(app)
    if missing:
        app.logger.warning(
            "Compiled translations missing (%s): the interface shows English. Run `make "
            'translations` or `pybabel compile -d translations -D "messages admin"`.',
            ", ".join(os.path.relpath(path, app.root_path) for path in missing),
        )


def check_production_settings(app):
    """Refuse to start in production with a missing or weak SECRET_KEY."""
    if app.config["DUCHA_ENV"] != "production":
        return
    key = app.config.get("SECRET_KEY") or ""
    if len(key) < 32 or key in {"dev", "change-me", "secret"}:
        raise RuntimeError("DUCHA_ENV=production needs a SECRET_KEY of at least 32 characters.")
    app.debug = False
    logging.getLogger(__name__).info("production settings checked")
