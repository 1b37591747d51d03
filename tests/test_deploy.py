"""The production layout: gunicorn with gunicorn.conf.py serves the app, and the load script
drives it with logged-in sessions through the real login form."""

import json
import os
import random
import shutil
import subprocess
import urllib.request

import pytest

from benchmarks import load
from tests.factories import PASSWORD
from tests.helpers import postgres_url
from tests.servers import ROOT, Gunicorn, free_port


def production(app, tmp_path, **settings):
    """Two gunicorn workers on the test database, in production mode."""
    settings = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "DUCHA_ENV": "production",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "REDIS_URL": "",
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        **settings,
    }
    return Gunicorn(settings, tmp_path / "gunicorn.log").wait_ready()


@pytest.fixture
def web(app, world, tmp_path):
    """Production over plain HTTP on loopback: cookies not marked Secure (nginx does TLS)."""
    server = production(app, tmp_path, SESSION_COOKIE_SECURE="0")
    yield server
    assert server.stop() == 0, server.log()


def accounts(world):
    return ",".join(world.usernames[role] for role in ("admin", "staff", "leader", "unit"))


def test_gunicorn_serves_the_app_in_production_mode(web):
    with urllib.request.urlopen(web.base + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.load(response) == {"database": "ok", "redis": "not configured"}
    with urllib.request.urlopen(web.base + "/login", timeout=5) as response:
        assert response.status == 200
        assert "nonce-" in response.headers["Content-Security-Policy"]
        assert 'name="csrf_token"' in response.read().decode()
    assert "objects kept out of garbage collection" in web.log()  # a worker up has frozen


@pytest.mark.skipif(
    not postgres_url() or not shutil.which("pg_restore"),
    reason="the backup needs PostgreSQL (TEST_DATABASE_URL) and its client tools",
)
def test_backup_script_dumps_the_database_and_copies_the_files(app, world, tmp_path):
    files, backups = tmp_path / "attachments", tmp_path / "backups"
    (files / "2026").mkdir(parents=True)
    (files / "2026" / "result.pdf").write_bytes(b"%PDF-1.7 signed result")
    backups.mkdir()
    expired = backups / "ducha-20000101-000000.dump"
    expired.write_bytes(b"an old dump")
    os.utime(expired, (0, 0))
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BACKUP_DIR": str(backups),
        "ATTACHMENT_DIR": str(files),
        "KEEP_DAYS": "30",
    }
    done = subprocess.run(
        [str(ROOT / "deploy" / "backup.sh")], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    (dump,) = backups.glob("ducha-*.dump")  # the expired one is gone
    assert dump != expired
    reports = subprocess.run(
        ["pg_restore", "--data-only", "--table=reports", "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "甲镇信息" in reports and "乙镇机密信息" in reports
    copied = backups / "attachments" / "2026" / "result.pdf"
    assert copied.read_bytes() == b"%PDF-1.7 signed result"


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("runuser"), reason="the ducha command runs as root"
)
def test_ducha_command_runs_flask_with_the_settings_file(app, world, tmp_path):
    settings = tmp_path / "ducha.env"
    settings.write_text(
        "# as in deploy/ducha.env.example\n"
        f"DATABASE_URL={app.config['SQLALCHEMY_DATABASE_URI']}\n"
        f"SECRET_KEY={app.config['SECRET_KEY']}\n"
        "DUCHA_ENV=production\n"
        "MAIL_PASSWORD='pa$$ word \"x\"'\n"
    )
    env = {**os.environ, "DUCHA_HOME": str(ROOT), "DUCHA_ENV_FILE": str(settings)}
    env["DUCHA_USER"] = "root"
    ducha = str(ROOT / "deploy" / "ducha")
    units = subprocess.run([ducha, "units", "list"], env=env, capture_output=True, text=True)
    assert units.returncode == 0, units.stderr
    assert "甲镇" in units.stdout and "乙镇" in units.stdout
    shell = subprocess.run(
        [ducha, "shell"],
        input="import os; print(repr(os.environ['MAIL_PASSWORD']))\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert "'pa$$ word \"x\"'" in shell.stdout, shell.stdout + shell.stderr


def test_load_script_runs_sessions_of_every_role_without_errors(web, world, capsys):
    argv = ["--base", web.base, "--users", "6", "--seconds", "3", "--password", PASSWORD]
    code = load.main([*argv, "--accounts", accounts(world), "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "errors: none" in out
    figures = json.loads(out.strip().splitlines()[-1])
    assert figures["logins"]["count"] == 6
    assert figures["logins"]["errors"] == 0
    assert figures["requests"]["list pages"]["count"] > 0
    assert figures["requests"]["all"]["errors"] == 0


def test_every_kind_of_request_the_load_makes_answers(web, world):
    for role in ("admin", "leader", "unit"):
        session = load.Session(web.base, world.usernames[role], PASSWORD, timeout=10)
        assert session.login().ok
        assert session.read_menu().ok and session.screens
        for screen in session.screens:  # as the sessions do: lists first, then what they show
            answer = session.request(f"/admin/{screen}/")
            assert answer.status == 200, (role, screen, answer.status)
            session.learn(screen, answer.text())
        kinds = {"list", "page", "filter", "search", "details", "export"}
        kinds |= {"report"} if role != "unit" else set()  # the ranking is not open to units
        for kind in sorted(kinds):
            path = made_path(session, kind)
            answer = session.request(path)
            assert answer.ok and answer.body, (role, kind, path, answer.status, answer.location)


def made_path(session, kind):
    """A path of this kind (next_path falls back to a plain list when a screen lacks it)."""
    rng = random.Random(8)
    for _ in range(100):
        made, path = load.next_path(session, kind, rng)
        if made == kind:
            return path
    raise AssertionError(f"no {kind} request among {session.screens}")


def test_load_script_fails_on_a_refused_login(web, world, capsys):
    code = load.main(
        ["--base", web.base, "--users", "2", "--seconds", "1", "--password", "wrong-password-1"]
        + ["--accounts", accounts(world)]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "login" in out.split("errors:")[1]
    assert "HTTP 401" in out


def test_load_script_fails_when_the_session_cookie_is_not_kept(app, world, tmp_path, capsys):
    server = production(app, tmp_path)  # Secure cookies, which a client over HTTP keeps not
    try:
        argv = ["--base", server.base, "--users", "2", "--seconds", "1", "--password", PASSWORD]
        code = load.main([*argv, "--accounts", accounts(world)])
    finally:
        assert server.stop() == 0, server.log()
    out = capsys.readouterr().out
    assert code == 1
    assert "login     /login  HTTP 400" in out  # no session cookie, so no CSRF token


def test_load_script_fails_when_the_server_is_down(capsys):
    base = f"http://127.0.0.1:{free_port()}"
    code = load.main(["--base", base, "--users", "2", "--seconds", "1", "--password", "x"])
    assert code == 1
    assert "Connection refused" in capsys.readouterr().out


def test_load_script_refuses_an_address_off_this_machine():
    with pytest.raises(SystemExit, match="not a loopback address"):
        load.main(["--base", f"http://0.0.0.0:{free_port()}", "--password", "x"])


def test_percentiles_by_nearest_rank():
    values = list(range(1, 101))
    assert load.percentile(values, 0.50) == 50
    assert load.percentile(values, 0.99) == 99
    assert load.percentile([7], 0.99) == 7
    assert load.percentile([], 0.5) == 0.0
