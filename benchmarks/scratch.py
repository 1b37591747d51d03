"""A scratch app for the benchmarks run as scripts: the only benchmark module that builds
an app by importing the factory (the bench command is handed it)."""

import flask_migrate
import sqlalchemy as sa

from app import create_app


def scratch_app(url, wipe):
    """An app on the database at `url` with the schema built by the migrations; a
    PostgreSQL database is wiped first, so only when the caller said --wipe."""
    if url.startswith("postgresql"):
        if not wipe:
            raise SystemExit("a PostgreSQL database is wiped first: add --wipe")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None, "MAIL_SERVER": None})
    with app.app_context():
        flask_migrate.upgrade()
    return app
