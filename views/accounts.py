"""Accounts: administrators only."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, validators

from models.accounts import ADMINS, MIN_PASSWORD_LENGTH
from views.secure import SecureModelView


class AccountView(SecureModelView):
    """Who may log in: administrators create accounts and set passwords."""

    read_roles = ADMINS
    write_roles = ADMINS
    delete_roles = ADMINS
    column_list = ["username", "name", "role", "unit", "email", "active", "last_login_at"]
    column_searchable_list = ["username", "name", "email"]
    column_filters = ["role", "unit", "active"]
    column_default_sort = "username"
    column_details_exclude_list = ["password_hash", "session_version"]
    column_export_exclude_list = ["password_hash", "session_version"]
    form_columns = [
        "username",
        "name",
        "email",
        "role",
        "unit",
        "locale",
        "active",
        "new_password",
        "must_change_password",
    ]
    form_extra_fields = {
        "new_password": PasswordField(
            _l("New password"),
            [validators.Optional(), validators.Length(min=MIN_PASSWORD_LENGTH)],
            description=_l("Leave empty to keep the current password."),
        )
    }

    def form_problems(self, form):
        problems = []
        if form.role.data == "unit" and form.unit.data is None:
            problems.append((form.unit, _l("A unit officer needs a unit.")))
        if form.role.data != "unit" and form.unit.data is not None:
            problems.append((form.unit, _l("Only unit officers belong to a unit.")))
        if not form.new_password.data and form._obj is None:
            problems.append((form.new_password, _l("A new account needs a password.")))
        return problems

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        if form.new_password.data:
            # An administrator's reset; the box says whether the person must pick their own.
            model.set_password(form.new_password.data, form.must_change_password.data)
        elif sa.inspect(model).attrs.active.history.has_changes() and not model.active:
            model.end_sessions()
