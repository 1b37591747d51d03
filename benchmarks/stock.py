"""Flask-Admin's own ModelView over the reports table, at its defaults: the yardstick.

Only what a stock setup needs to show the same list, search it and export it: no login,
no scoping, Flask-Admin's count, OFFSET paging, ILIKE search and export.
"""

from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import DateTimeBetweenFilter
from flask_babel import Babel

from models import Report, db


class StockReportView(ModelView):
    can_export = True
    column_searchable_list = ["title"]
    column_filters = [DateTimeBetweenFilter(Report.submitted_at, "submitted_at")]
    column_list = ["title", "unit", "category", "author", "submitted_at", "status"]


def create(config, without_bitmap_scans=False):
    """A bare Flask app with one stock view of the reports, on the same database
    (PostgreSQL without bitmap scans: as if the table had no trigram index)."""
    app = Flask("stock")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY="stock-benchmark",
    )
    if without_bitmap_scans:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": "-c enable_bitmapscan=off"}
        }
    db.init_app(app)
    Babel(app)  # Flask-Admin translates through Flask-Babel whenever it is installed
    admin = Admin(app)
    admin.add_view(StockReportView(Report, db, endpoint="report"))
    return app


def date_filter_arg(app):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "report")
    return next(
        arg
        for arg, (_i, flt) in view._filter_args.items()
        if isinstance(flt, DateTimeBetweenFilter)
    )
