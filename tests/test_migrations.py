"""The schema comes from the migrations: they match the models and run down and up again."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url

from app import create_app
from models import db
from tests.conftest import _base_config


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database beside the test database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    name = f"{url.database}_scratch"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _tables(engine):
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_go_down_to_nothing_and_up_again(scratch_url):
    app = create_app(_base_config(scratch_url))
    with app.app_context():
        flask_migrate.upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        flask_migrate.downgrade(revision="base")
        assert _tables(db.engine) == set()
        flask_migrate.upgrade()
        assert _tables(db.engine) == set(db.metadata.tables)
        db.engine.dispose()
