"""End-to-end fixtures: the app as a real server process, Debian's Chromium driven by
Playwright, and a watch on everything the browser reports as wrong.

The server runs `flask run` on a free loopback port with its own SQLite database, built by
`flask db upgrade` and filled by `flask seed-demo` (the demo office is the month's
background). Chromium is the system's (`/usr/bin/chromium`, or `E2E_CHROMIUM`): no browser
is ever downloaded. Every test fails if the browser logs an error, a script throws, the
Content-Security-Policy blocks something, or a request to the app fails or answers 4xx/5xx
(unless the test said it expects that answer).
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from app import create_app
from tests.e2e.helpers import PASSWORD
from tests.servers import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PORTS = range(5081, 5090)
# Generous: the machine is shared, and a slow answer is not what these tests are about.
TIMEOUT_MS = 15_000
SECRET_KEY = "e2e-secret-key-that-is-long-enough-0123456789"
# Every CSP violation becomes a console error the watch sees, with what was blocked.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
});
"""


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.failed = True
        if item.get_closest_marker("steps"):
            item.module.failed_step = item.name
    return report


def pytest_runtest_setup(item):
    failed = getattr(item.module, "failed_step", None)
    if item.get_closest_marker("steps") and failed:
        pytest.skip(f"an earlier step failed: {failed}")


class Server:
    """The app in a process of its own, as `flask run` serves it."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.database_url = f"sqlite:///{workdir / 'e2e.db'}"
        self.port = free_port(PORTS)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        self.process = None

    def env(self):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FLASK_", "MAIL_", "REDIS_", "DUCHA_", "RANKING_"))
        }
        env.update(
            DATABASE_URL=self.database_url,
            SECRET_KEY=SECRET_KEY,
            ATTACHMENT_DIR=str(self.workdir / "attachments"),
            MAIL_OUTBOX_DIR=str(self.workdir / "outbox"),
            DEMO_ADMIN_PASSWORD=PASSWORD,
            PYTHONUNBUFFERED="1",
        )
        return env

    def flask(self, *args):
        command = [sys.executable, "-m", "flask", "--app", "app", *args]
        done = subprocess.run(
            command, cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self):
        self.flask("db", "upgrade")
        self.flask("seed-demo")
        log = open(self.log_path, "w")  # noqa: SIM115 - the server writes it until stopped
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--no-reload", "--no-debugger"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_until_up()

    def _wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer within {seconds} s:\n{self.log()}")

    def log(self):
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app served on a loopback port, over a fresh database with the demo office."""
    live = Server(tmp_path_factory.mktemp("e2e"))
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def records(server):
    """An app over the server's database, for reading what the pages did through the models."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": server.database_url,
            "SECRET_KEY": SECRET_KEY,
            "REDIS_URL": None,
        }
    )


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the system, never a downloaded one."""
    expect.set_options(timeout=TIMEOUT_MS)

    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()  # the folder shows this run only
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What went wrong in the browser: console errors, uncaught exceptions, CSP violations,
    failed requests, answers of 400 and above from the app, requests anywhere else."""

    def __init__(self, origin):
        self.origin = origin
        self.problems = []
        self.expected = {}  # url -> the status a test expects (e.g. 404)

    def attach(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def expect_status(self, url, status):
        """`url` is meant to answer `status` (e.g. 404 for a record not yours)."""
        self.expected[self.origin + url if url.startswith("/") else url] = status

    def _console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if url in self.expected and "status of" in message.text:
            return  # Chromium's own line about the answer the test expects
        self.problems.append(f"console error on {message.page.url}: {message.text} ({url})")

    def _request(self, request):
        if not request.url.startswith((self.origin, "data:", "blob:")):
            self.problems.append(f"request outside the app: {request.url}")

    def _failed(self, request):
        # A navigation cancels what the page was still loading (its favicon, say), and a
        # download ends its navigation: Chromium calls both ERR_ABORTED. Blocked or broken
        # requests fail otherwise (ERR_BLOCKED_BY_CSP, ERR_CONNECTION_REFUSED, ...).
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url}: {request.failure}")

    def _response(self, response):
        if response.status < 400 or not response.url.startswith(self.origin):
            return
        if self.expected.get(response.url) == response.status:
            return
        self.problems.append(f"{response.status} for {response.request.method} {response.url}")


@pytest.fixture
def watch(server):
    return Watch(server.url)


@pytest.fixture
def context(browser, server, watch):
    """A fresh browser profile (no cookies) whose pages are all watched."""
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("page", watch.attach)
    yield context
    context.close()
    if watch.problems:
        pytest.fail(
            "the browser reported problems:\n"
            + "\n".join(watch.problems)
            + f"\n\nthe server's log ends with:\n{server.log()}"
        )


@pytest.fixture
def page(context, request):
    page = context.new_page()
    yield page
    if getattr(request.node, "failed", False):  # what the page showed when the test failed
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}.png"), full_page=True)


@pytest.fixture(scope="session")
def screenshot():
    """screenshot(page, name): the whole page into tests/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
