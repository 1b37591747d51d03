"""Command-line tools: `flask --app app users add`, `units list`, `seed-demo`, `notices scan`."""

import functools
import getpass

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import lazy_gettext as _l

from models import ROLES, Account, Unit, bounds, db
from models.audit import acting_as

users = AppGroup("users", help="Manage login accounts.")


def fitting(value, column, what):
    """`value` as `column` can hold it (not blank, no NUL, not too long), or a refusal."""
    if not value.strip():
        raise click.ClickException(f"{what} is blank")
    if bounds.has_nul(value):
        raise click.ClickException(f"{what}: {bounds.NUL_MESSAGE}")
    if len(value) > column.type.length:
        raise click.ClickException(f"{what} is longer than {column.type.length} characters")
    return value


def audited(command):
    """Changes a command makes are signed in the audit trail with the operating-system user."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with acting_as(_l("Command line (%(user)s)", user=getpass.getuser())):
            return command(*args, **kwargs)

    return wrapper


units = AppGroup("units", help="Look at units.")
rankings = AppGroup("rankings", help="The monthly roll-up behind the rankings.")
notices = AppGroup("notices", help="Reminders, chases and escalations: the outbox.")


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES.values), required=True)
@click.option("--unit", "unit_code", help="Unit code (required for --role unit).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", default="", help="Display name.")
@audited
def add_user(username, role, unit_code, password, name):
    """Create a login account."""
    fitting(username, Account.__table__.c.username, "the username")
    if name:
        fitting(name, Account.__table__.c.name, "the name")
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


@rankings.command("rebuild")
def rebuild_rankings():
    """Recompute the monthly roll-up from the records (after loading data outside the app)."""
    from models import rollup

    months = rollup.rebuild()
    db.session.commit()
    click.echo(f"monthly roll-up rebuilt: {months} months")


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


@notices.command("scan")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Plan as if it were this office day (default: today).",
)
def scan(today):
    """Write the notices due today into the outbox, then enqueue their sending."""
    from jobs.notices import scan_notices

    if today and not bounds.in_range(today):
        raise click.BadParameter(bounds.day_message(), param_hint="'--today'")
    result = scan_notices(today.date().isoformat() if today else None)
    click.echo(f"{result['date']}: {result['created']} new notices; {_dispatched(result)}")


@notices.command("dispatch")
def dispatch():
    """Enqueue every waiting notice that has no live send job (after Redis was down)."""
    from jobs.notices import dispatch_notices

    click.echo(_dispatched(dispatch_notices()))


def _dispatched(result):
    text = f"{result['enqueued']} handed to send jobs"
    if result["swept"]:
        text += f", {result['swept']} stuck in sending marked unknown"
    if result["queue_down"]:
        text += "; the queue (Redis) is unreachable: the rest wait in the outbox"
    return text


def init_app(app):
    from benchmarks.run import bench
    from jobs.workers import cron_command, worker_command

    app.cli.add_command(worker_command)
    app.cli.add_command(cron_command)
    app.cli.add_command(bench)
    app.cli.add_command(users)
    app.cli.add_command(rankings)
    app.cli.add_command(units)
    app.cli.add_command(notices)
    app.cli.add_command(seed_demo)
