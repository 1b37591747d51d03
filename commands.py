"""Command-line tools: `flask --app app users add`, `units list`, `seed-demo`."""

import functools
import getpass

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from models import ROLES, Account, Unit, db
from models.audit import acting_as

users = AppGroup("users", help="Manage login accounts.")


def audited(command):
    """Changes a command makes are signed in the audit trail with the operating-system user."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with acting_as(f"command line ({getpass.getuser()})"):
            return command(*args, **kwargs)

    return wrapper


units = AppGroup("units", help="Look at units.")


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES.values), required=True)
@click.option("--unit", "unit_code", help="Unit code (required for --role unit).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
@audited
def add_user(username, role, unit_code, password, name):
    """Create a login account."""
    unit = None
    if unit_code:
        unit = Unit.query.filter_by(code=unit_code).one_or_none()
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code!r}")
    if role == "unit" and unit is None:
        raise click.ClickException("a unit officer needs --unit CODE")
    if Account.query.filter_by(username=username).count():
        raise click.ClickException(f"account {username!r} already exists")
    account = Account(username=username, name=name or username, role=role, unit=unit)
    try:
        account.set_password(password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.add(account)
    db.session.commit()
    click.echo(f"created {role} account {username}")


@users.command("set-password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@audited
def set_password(username, password):
    """Set an account's password (and log its old sessions out)."""
    account = Account.query.filter_by(username=username).one_or_none()
    if account is None:
        raise click.ClickException(f"no account {username!r}")
    try:
        account.set_password(password)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"password of {username} changed")


@units.command("list")
def list_units():
    """Print each unit's code and name, one unit a line."""
    for unit in Unit.query.order_by(Unit.code):
        click.echo(f"{unit.code}\t{unit.name}")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database has no units yet.")
@audited
def seed_demo(if_empty):
    """Fill the database with a believable city's units, reports and directives (idempotent)."""
    from demo import seed

    if if_empty and db.session.query(Unit.id).first() is not None:
        click.echo(
            "The database already has data: demo data not added. "
            "Forgot the admin password? flask --app app users set-password admin"
        )
        return
    result = seed(current_app.config.get("DEMO_ADMIN_PASSWORD"))
    click.echo(result.summary())


def init_app(app):
    app.cli.add_command(users)
    app.cli.add_command(units)
    app.cli.add_command(seed_demo)
