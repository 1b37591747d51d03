"""The watch that fails every end-to-end test sees what it is there to see."""

from tests.e2e.helpers import PASSWORD
from tests.e2e.ui import log_in


def test_the_watch_sees_a_csp_violation_an_exception_and_a_missing_file(page, watch):
    page.goto("/login")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          setTimeout(() => { throw new Error("boom"); });
          return fetch("/static/no-such-file.css");
        }"""
    )
    page.wait_for_timeout(300)
    seen = "\n".join(watch.problems)
    assert "CSP violation: script-src" in seen
    assert page.evaluate("window.injected") is None  # and it was blocked, not run
    assert "uncaught: boom" in seen or "Error: boom" in seen
    assert "404 for GET" in seen and "/static/no-such-file.css" in seen
    watch.problems.clear()


def test_the_watch_takes_an_expected_answer_and_nothing_more(page, watch):
    watch.expect_status("/static/expected-missing.css", 404)
    page.goto("/static/expected-missing.css")
    page.goto("/static/another-missing.css")
    assert len(watch.problems) == 2, watch.problems  # its console line and its answer
    assert all("another-missing" in p for p in watch.problems)
    watch.problems.clear()


def test_the_pages_load_their_own_files_only_and_a_favicon(page, server):
    """Every request a logged-in page makes goes to the app itself (and succeeds: the
    watch would fail the test otherwise)."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, "admin", PASSWORD)
    page.goto("/admin/reports/")
    assert requests and all(url.startswith(server.url) for url in requests)
    assert any("/static/" in url for url in requests)
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"].startswith("image/svg+xml")
