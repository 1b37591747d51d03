"""Logging in and out, and changing one's own password."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from models import Account, clock, db
from models.accounts import (
    MIN_PASSWORD_LENGTH,
    lockout_settings,
    login_locked,
    record_login_attempt,
)
from models.login_log import log_login, log_logout, login_result
from views.forms import Form

bp = Blueprint("auth", __name__)


class LoginForm(Form):
    username = StringField(_l("Username"), [DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)])


class PasswordForm(Form):
    current = PasswordField(_l("Current password"), [DataRequired()])
    new = PasswordField(
        _l("New password"), [DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    again = PasswordField(
        _l("New password again"),
        [DataRequired(), EqualTo("new", message=_l("The two do not match."))],
    )


def safe_next(target):
    """Only a path on this site: never another host (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def _start_session(account):
    lang = session.get("lang")
    session.clear()  # no session fixation: a fresh session for the new login
    if lang:
        session["lang"] = lang
    login_user(account)


def _account(username):
    return Account.query.filter_by(username=username).one_or_none()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log a person in."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        username, address = form.username.data.strip(), request.remote_addr or "-"
        if login_locked(username, address):
            log_login(username, address, "locked", _account(username))
            db.session.commit()
            current_app.logger.warning(
                "login refused, locked: user=%r address=%s", username, address
            )
            flash(
                _(
                    "Too many failed attempts. Try again in %(minutes)s minutes.",
                    minutes=lockout_settings()[1],
                ),
                "danger",
            )
            return render_template("login.html", form=form), 429
        account = _account(username)
        result = login_result(account, form.password.data)
        record_login_attempt(username, address, result == "success")
        log_login(username, address, result, account)
        if result != "success":
            db.session.commit()
            current_app.logger.info("login failed: user=%r address=%s", username, address)
            flash(_("Wrong username or password, or the account is disabled."), "danger")
        else:
            _start_session(account)
            account.last_login_at = clock.now()  # not in the audit trail: the log has it
            db.session.commit()
            if account.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(next_url or url_for("admin.index"))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Log out (POST); a GET shows the button. Old copies of the cookie stop working."""
    if request.method == "POST":
        log_logout(current_user, request.remote_addr)
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    return render_template("logout.html")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; other sessions of the account end."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        elif form.new.data == form.current.data:
            form.new.errors.append(_("Choose a password different from the current one."))
        else:
            account = current_user._get_current_object()
            account.set_password(form.new.data)
            db.session.commit()
            _start_session(account)  # this session goes on with the new version
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("admin.index"))
    return render_template("password.html", form=form)


ALWAYS_ALLOWED = {
    "auth.change_password",
    "auth.logout",
    "auth.login",
    "static",
    "favicon",
    "health.healthz",
}


@bp.before_app_request
def require_password_change():
    """An account told to change its password can do nothing else first."""
    # The endpoint first: /healthz and static files never load the account.
    if (
        request.endpoint not in ALWAYS_ALLOWED
        and not (request.endpoint or "").endswith(".static")
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("auth.change_password"))
    return None
