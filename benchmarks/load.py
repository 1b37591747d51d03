"""Load a running Ducha with many logged-in sessions for a bounded time.

    .venv/bin/python -m benchmarks.load --base http://127.0.0.1:8000 --users 50 --seconds 60

Each session logs in through the login form (with its CSRF token), as a person does, then
until the time is up browses what its menu offers: list pages, page two, a filter picked
from the page's own filter list, a search, a record's details, the ranking and the monthly
directive report, and CSV/XLSX exports. Accounts are taken in turn from --accounts (default:
the demo's admin, staff, leader and two unit officers) with one password (--password, or
LOAD_PASSWORD, or DEMO_ADMIN_PASSWORD).

With --rate the sessions together send about that many requests a second (a steady load,
to read latency at a given throughput); without it each sends its next request as soon
as the last one is answered (the most the server can do).

It prints the throughput, p50/p95/p99 latency per kind of request and every error, and
exits 1 on any error: an answer other than 2xx/3xx, a redirect to the login page, or an
exception such as a refused connection or a timeout. Loopback addresses only, unless told.
"""

import argparse
import html
import http.client
import ipaddress
import json
import math
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar

DEMO_ACCOUNTS = "admin,staff,leader,qinghe,chengguan"
# Model screens whose list pages a session may browse, when its menu shows them.
LIST_SCREENS = (
    "reports",
    "solicitations",
    "deductions",
    "quotas",
    "directives",
    "assignments",
    "feedback",
    "units",
    "staff",
    "notices",
    "audit",
    "accounts",
)
REPORT_PAGES = ("ranking", "directive-report")
SEARCH_TERMS = ("工作", "安全", "调研", "乡村振兴", "情况", "县", "防汛", "环境")
# How often each kind of request comes, by mix.
MIXES = {
    "browse": {
        "list": 25,
        "page": 10,
        "filter": 15,
        "search": 15,
        "details": 15,
        "report": 12,
        "export": 8,
    },
    "list": {"list": 50, "filter": 25, "search": 25},
}
LIST_KINDS = ("list", "page", "filter", "search")

FILTERS = re.compile(r'id="filter-groups-data"[^>]*>(.*?)</', re.S)
DETAILS = re.compile(r'href="(/admin/[\w-]+/details/\?id=\d+)')
MENU = re.compile(r'href="/admin/([\w-]+)/"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Answer a redirect as it is: each request is measured on its own."""

    def redirect_request(self, *args, **kwargs):
        return None


class Answer:
    def __init__(self, status, body, location=""):
        self.status, self.body, self.location = status, body, location

    @property
    def ok(self):
        return 200 <= self.status < 400 and "/login" not in self.location

    def text(self):
        return self.body.decode("utf-8", "replace")


class Session:
    """One person's browser: cookies, and what the pages showed it so far."""

    def __init__(self, base, username, password, timeout):
        self.base, self.username, self.password, self.timeout = base, username, password, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect
        )
        self.screens, self.reports = [], []
        self.filters, self.searchable, self.details = {}, set(), []

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=self.timeout) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read(), error.headers.get("Location", ""))

    def login(self):
        """Log in through the form; a refusal (the form again) answers as 401."""
        form = self.request("/login")
        token = CSRF.search(form.text())
        data = {"username": self.username, "password": self.password}
        if token:
            data["csrf_token"] = html.unescape(token.group(1))
        answer = self.request("/login", data)
        if answer.status == 200:
            answer.status = 401
        return answer

    def read_menu(self):
        """Note the list pages and report pages the home page's menu offers."""
        answer = self.request("/admin/")
        menu = set(MENU.findall(answer.text()))
        self.screens = [s for s in LIST_SCREENS if s in menu]
        self.reports = [p for p in REPORT_PAGES if p in menu]
        return answer

    def learn(self, screen, page):
        """Keep the filters, search box and record links a list page shows."""
        found = FILTERS.search(page)
        if found:
            groups = json.loads(html.unescape(found.group(1)))
            self.filters[screen] = [
                (f["index"], option[0])
                for group in groups.values()
                for f in group
                for option in f.get("options") or []
            ]
        if 'role="search"' in page:
            self.searchable.add(screen)
        links = DETAILS.findall(page)
        if links:
            self.details = links


def next_path(session, kind, rng):
    """The kind of request actually made, and its path (a kind the role lacks falls back)."""
    screen = rng.choice(session.screens)
    if kind == "page":
        return kind, f"/admin/{screen}/?page=1"
    if kind == "filter" and session.filters.get(screen):
        index, value = rng.choice(session.filters[screen])
        return kind, f"/admin/{screen}/?" + urllib.parse.urlencode({f"flt0_{index}": value})
    if kind == "search" and screen in session.searchable:
        return kind, f"/admin/{screen}/?" + urllib.parse.urlencode(
            {"search": rng.choice(SEARCH_TERMS)}
        )
    if kind == "details" and session.details:
        return kind, rng.choice(session.details)
    if kind == "report" and session.reports:
        return kind, f"/admin/{rng.choice(session.reports)}/"
    if kind == "export":
        return kind, f"/admin/{screen}/export/{rng.choice(('csv', 'xlsx'))}/"
    return "list", f"/admin/{screen}/"


class Results:
    """Latencies and errors from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = defaultdict(list)
        self.errors = []

    def add(self, kind, seconds, path, problem=None):
        with self.lock:
            self.seconds[kind].append(seconds)
            if problem:
                self.errors.append((kind, path, problem))


def timed(results, kind, path, call):
    """Run call(), record how long it took, and return its answer (None on an exception)."""
    start = time.perf_counter()
    try:
        answer = call()
    except (OSError, http.client.HTTPException, ValueError) as error:  # refused, timed out...
        results.add(kind, time.perf_counter() - start, path, f"{type(error).__name__}: {error}")
        return None
    problem = None if answer.ok else f"HTTP {answer.status} {answer.location}".strip()
    results.add(kind, time.perf_counter() - start, path, problem)
    return answer


def start_session(session, results):
    """Log in and read the menu; False, with the error recorded, when either fails."""
    answer = timed(results, "login", "/login", session.login)
    if not (answer and answer.ok):
        return False
    menu = timed(results, "menu", "/admin/", session.read_menu)
    if menu and menu.ok and not session.screens:
        problem = "no list page in the menu: was the session cookie kept (Secure over HTTP)?"
        results.add("menu", 0.0, "/admin/", problem)
    return bool(session.screens)


def run_session(session, plan, results, start_line):
    """Log in, wait for every session, then act until the time is up."""
    try:
        started = start_session(session, results["login"])
    finally:
        start_line.wait()
    if not started:
        return
    rng = random.Random(f"{session.username}-{id(session)}")
    kinds, weights = zip(*plan.mix.items(), strict=True)
    next_at = time.monotonic() + rng.random() * plan.interval  # spread the first requests
    while True:
        time.sleep(max(0.0, min(next_at, plan.stop_at) - time.monotonic()))
        if time.monotonic() >= plan.stop_at:
            return
        kind, path = next_path(session, rng.choices(kinds, weights)[0], rng)
        answer = timed(results["run"], kind, path, lambda p=path: session.request(p))
        if answer and answer.status == 200 and kind in LIST_KINDS:
            session.learn(path.split("/")[2], answer.text())
        next_at += plan.interval  # on schedule: a late answer does not push the next one back


class Plan:
    """What the sessions do, how fast, and until when (set once they have all logged in)."""

    def __init__(self, mix, seconds, users, rate):
        self.mix, self.seconds = MIXES[mix], seconds
        self.interval = users / rate if rate else 0.0
        self.started = self.cpu_started = self.stop_at = None

    def start(self):
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.stop_at = time.monotonic() + self.seconds


def percentile(values, share):
    """Nearest-rank percentile of a sorted list."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(share * len(values)) - 1)]


def summary(results, seconds):
    """Per kind and in all: count, requests a second, p50/p95/p99/max in ms, errors."""
    rows = {}
    errors = defaultdict(int)
    for kind, _path, _problem in results.errors:
        errors[kind] += 1
    groups = dict(results.seconds)
    groups["list pages"] = [s for k in LIST_KINDS for s in results.seconds.get(k, [])]
    groups["all"] = [s for values in results.seconds.values() for s in values]
    for kind, values in groups.items():
        values = sorted(values)
        if kind == "list pages":
            count_errors = sum(errors[k] for k in LIST_KINDS)
        elif kind == "all":
            count_errors = len(results.errors)
        else:
            count_errors = errors[kind]
        rows[kind] = {
            "count": len(values),
            "per_second": round(len(values) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round((values[-1] if values else 0.0) * 1000, 1),
            "errors": count_errors,
        }
    return rows


def print_table(title, rows):
    print(f"\n{title}")
    print(
        f"{'kind':<12}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    )
    for kind, r in rows.items():
        print(
            f"{kind:<12}{r['count']:>8}{r['per_second']:>9}{r['p50_ms']:>9}{r['p95_ms']:>9}"
            f"{r['p99_ms']:>9}{r['max_ms']:>9}{r['errors']:>8}"
        )


def print_errors(results):
    errors = results["login"].errors + results["run"].errors
    if not errors:
        print("\nerrors: none")
        return
    print(f"\nerrors: {len(errors)} (the first 20)")
    for kind, path, problem in errors[:20]:
        print(f"  {kind:<9} {path}  {problem}")


def check_loopback(base):
    host = urllib.parse.urlsplit(base).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise SystemExit(f"cannot resolve {host!r}: {error}") from error
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(
            f"{host} is not a loopback address: pass --remote if it is your own server"
        )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the server's address")
    parser.add_argument("--users", type=int, default=50, help="concurrent sessions")
    parser.add_argument("--seconds", type=float, default=60, help="how long to load it")
    parser.add_argument("--accounts", default=DEMO_ACCOUNTS, help="usernames, comma-separated")
    parser.add_argument(
        "--password",
        default=os.environ.get("LOAD_PASSWORD") or os.environ.get("DEMO_ADMIN_PASSWORD"),
        help="their password (default: LOAD_PASSWORD or DEMO_ADMIN_PASSWORD)",
    )
    parser.add_argument("--mix", choices=sorted(MIXES), default="browse")
    parser.add_argument("--rate", type=float, help="requests a second in all (default: flat out)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds for one request")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--remote", action="store_true", help="allow a non-loopback --base")
    args = parser.parse_args(argv)
    if not args.password:
        parser.error("no password: pass --password or set LOAD_PASSWORD")
    if args.users < 1 or args.seconds <= 0 or (args.rate is not None and args.rate <= 0):
        parser.error("--users, --seconds and --rate must be positive")
    return args


def main(argv=None):
    args = parse_args(argv)
    if not args.remote:
        check_loopback(args.base)
    base = args.base.rstrip("/")
    accounts = [name.strip() for name in args.accounts.split(",") if name.strip()]
    sessions = [
        Session(base, accounts[n % len(accounts)], args.password, args.timeout)
        for n in range(args.users)
    ]
    plan = Plan(args.mix, args.seconds, args.users, args.rate)
    results = {"login": Results(), "run": Results()}
    # The clock starts once every session has logged in (or failed to).
    start_line = threading.Barrier(args.users, action=plan.start)
    threads = [
        threading.Thread(target=run_session, args=(s, plan, results, start_line), daemon=True)
        for s in sessions
    ]
    login_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    login_seconds = plan.started - login_started
    elapsed = time.perf_counter() - plan.started
    cpu = time.process_time() - plan.cpu_started
    return report(args, results, login_seconds, elapsed, cpu)


def report(args, results, login_seconds, elapsed, cpu):
    logins = summary(results["login"], login_seconds)
    rows = summary(results["run"], elapsed)
    rate = f"{args.rate:g} req/s" if args.rate else "flat out"
    print(
        f"Ducha load: {args.base}, {args.users} sessions of {args.accounts}, "
        f"{elapsed:.1f} s, mix {args.mix}, {rate}"
    )
    print_table(
        f"logins ({login_seconds:.1f} s, before the clock starts)", {"login": logins["login"]}
    )
    print_table(f"requests ({elapsed:.1f} s)", rows)
    print(f"\nthis client used {cpu / elapsed:.0%} of one CPU core while it measured")
    print_errors(results)
    if args.json:
        print(json.dumps({"logins": logins["login"], "requests": rows}, ensure_ascii=False))
    failed = results["login"].errors or results["run"].errors
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
