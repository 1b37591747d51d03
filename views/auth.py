"""Logging in and out."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from models import Account, clock, db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), [DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), [DataRequired(), Length(max=200)])


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log a person in."""
    form = LoginForm()
    next_url = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        account = Account.query.filter_by(username=form.username.data.strip()).one_or_none()
        if account is None or not account.check_password(form.password.data) or not account.active:
            flash(_("Wrong username or password, or the account is disabled."), "danger")
        else:
            lang = session.get("lang")
            session.clear()  # no session fixation: a fresh session for the new login
            if lang:
                session["lang"] = lang
            login_user(account)
            account.last_login_at = clock.now()
            db.session.commit()
            return redirect(next_url or url_for("admin.index"))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Log out (POST); a GET shows the button. Old copies of the cookie stop working."""
    if request.method == "POST":
        current_user.session_version += 1
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("You have logged out."), "info")
        return redirect(url_for("auth.login"))
    return render_template("logout.html")
