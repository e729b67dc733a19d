"""A real browser on a career site: headless Chromium, CORS and /docs offline.

The example page (examples/career-site/) is served by a static server on a
second loopback port, so it is another origin than the API: every call it
makes is a real cross-origin `fetch` with a preflight. The API runs as the
real `followup serve` with FOLLOWUP_CORS_ORIGINS naming that origin only; a
third port serves the same page from an origin that is not allowed, and
there the browser must refuse to hand the page any data. The allowed origin
serves the page under a strict Content-Security-Policy, as a careful career
site would, so any inline script, style or foreign load is a console error.

Chromium is Debian's (/usr/bin/chromium), driven by playwright-core from
tests/browser/driver (node). `.ci/install-browser` installs both; without
them these tests skip and say so.
"""

from __future__ import annotations

import functools
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.live import ROOT, create_tenant_key, live_server

CHROMIUM = Path("/usr/bin/chromium")
DRIVER_DIR = ROOT / "tests" / "browser" / "driver"
SITE = ROOT / "examples" / "career-site"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is absent: run .ci/install-browser (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is absent: the browser driver (playwright-core) runs on Node.js"
    if not (DRIVER_DIR / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed: run .ci/install-browser (npm ci in tests/browser/driver)"
    return None


pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.timeout(60),
    pytest.mark.skipif(_missing() is not None, reason=_missing() or ""),
]


# Scripts and styles from the page's own files only; calls to any loopback API.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src http://127.0.0.1:*; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class _QuietHandler(SimpleHTTPRequestHandler):
    csp: str | None = None

    def log_message(self, *_args) -> None:
        pass

    def end_headers(self) -> None:
        if self.csp:
            self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()


class _StrictHandler(_QuietHandler):
    csp = STRICT_CSP


class StaticSite:
    """The example folder served on its own loopback port: its own origin."""

    def __init__(self, handler: type[_QuietHandler] = _QuietHandler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(SITE)))
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StaticSite:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def drive(scenario: str, **options) -> dict:
    """Run one scenario of driver/drive.mjs and return what the page showed."""
    done = subprocess.run(
        ["node", str(DRIVER_DIR / "drive.mjs"), json.dumps({"scenario": scenario, **options})],
        capture_output=True,
        text=True,
        timeout=40,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"the driver printed nothing (exit {done.returncode}): {done.stderr[-3000:]}"
    result = json.loads(lines[-1])
    assert result["ok"], result.get("error")
    return result


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[StaticSite, StaticSite]]:
    with StaticSite(_StrictHandler) as allowed, StaticSite() as foreign:
        yield allowed, foreign


@pytest.fixture(scope="module")
def api(sites, tmp_path_factory):
    """The real server on SQLite, allowing the first site's origin only; a seeded interview."""
    allowed, _ = sites
    folder = tmp_path_factory.mktemp("browser-api")
    database_url = f"sqlite:///{folder / 'followup.db'}"
    key = create_tenant_key(database_url, "career-site")
    with live_server(database_url, log_dir=folder, FOLLOWUP_CORS_ORIGINS=allowed.origin) as server:
        headers = {"Authorization": f"Bearer {key}"}
        starts = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
        created = httpx.post(
            server.url + "/v1/interviews",
            headers=headers,
            json={
                "candidate_name": "Ada Lovelace",
                "candidate_email": "ada@example.com",
                "job_title": "Backend Engineer",
                "company_name": "Initech",
                "starts_at": starts.isoformat(),
                "format": "virtual",
                "timezone": "Europe/Berlin",
                "topics": ["the migration to PostgreSQL"],
                "interviewers": [{"name": "Dana Reyes", "email": "dana@initech.example", "role": "hiring_manager"}],
            },
        )
        assert created.status_code == 201, created.text
        yield server, key, created.json()


def test_career_site_lists_actions_and_previews_a_message(api, sites, tmp_path):
    server, key, interview = api
    allowed, _ = sites
    headers = {"Authorization": f"Bearer {key}"}
    actions = httpx.get(f"{server.url}/v1/interviews/{interview['id']}/actions", headers=headers).json()["actions"]
    thank_you = next(a for a in actions if a["kind"] == "send_thank_you")
    message = httpx.get(
        f"{server.url}/v1/interviews/{interview['id']}/messages/thank_you",
        params={"contact_id": thank_you["contact_id"]},
        headers={**headers, "Accept-Language": "en-US"},
    ).json()

    shot = tmp_path / "career-site.png"
    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=server.url, key=key, screenshot=str(shot))

    assert not page["statusIsError"], page["status"]
    assert page["status"] == "1 interview loaded."
    # A disabled button drops focus to <body>; the keyboard user stays where they were.
    assert page["focused"] == "BUTTON Load interviews"
    assert page["titles"] == ["Ada Lovelace · Backend Engineer at Initech"]
    assert thank_you["reason"] in page["reasons"]
    assert "Send a thank-you to Dana Reyes" in page["actions"]
    # One button per interviewer's thank-you: a screen reader hears whose it is.
    assert "Preview thank-you to Dana Reyes" in page["previewButtons"]
    assert page["previewSubject"] == message["subject"]
    assert page["previewText"].strip() == message["text"].strip()
    assert "Dana" in page["previewText"]
    assert page["previewTo"] == "Dana Reyes <dana@initech.example>"
    assert page["consoleErrors"] == []
    # Nothing but the page's own origin and the API: no CDN, no third party.
    assert all(url.startswith((allowed.origin, server.url)) for url in page["requests"]), page["requests"]
    assert shot.stat().st_size > 10_000


def _interview(**changes) -> dict:
    starts = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)
    body = {
        "candidate_name": "Grace Hopper",
        "candidate_email": "grace@example.com",
        "job_title": "Data Engineer",
        "company_name": "Globex",
        "starts_at": starts.isoformat(),
        "format": "virtual",
        "timezone": "UTC",
        "topics": [],
        "interviewers": [{"name": "Lee Park", "email": "lee@globex.example", "role": "hiring_manager"}],
    }
    return {**body, **changes}


def _tenant(server, name: str, *interviews: dict) -> str:
    """A new tenant's key, with these interviews stored through the API."""
    key = create_tenant_key(server.database_url, name)
    for body in interviews:
        created = httpx.post(server.url + "/v1/interviews", headers={"Authorization": f"Bearer {key}"}, json=body)
        assert created.status_code == 201, created.text
    return key


HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


def test_hostile_values_are_shown_as_text(api, sites):
    server, _, _ = api
    allowed, _ = sites
    key = _tenant(
        server,
        "hostile",
        _interview(
            candidate_name=HOSTILE,
            job_title="<script>document.title='pwned'</script>",
            company_name="</h3><b>Globex</b>",
            topics=["<svg onload=\"document.title='pwned'\">"],
            interviewers=[{"name": "<b>Lee</b> " + HOSTILE, "email": "lee@globex.example", "role": "hiring_manager"}],
        ),
    )
    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=server.url, key=key)

    assert page["title"] == "Interview follow-ups"
    assert page["titles"] == [HOSTILE + " · <script>document.title='pwned'</script> at </h3><b>Globex</b>"]
    assert "Send a thank-you to <b>Lee</b> " + HOSTILE in page["actions"]
    assert page["previewTo"] == "<b>Lee</b> " + HOSTILE + " <lee@globex.example>"
    assert HOSTILE in page["previewText"]
    # An <img src=x> that ran would have fetched /x from the page's origin.
    assert not [url for url in page["requests"] if url.endswith("/x")], page["requests"]
    assert page["consoleErrors"] == []


def test_pages_then_a_wrong_key(api, sites):
    server, _, _ = api
    allowed, _ = sites
    key = _tenant(server, "many", *(_interview(candidate_name=f"Candidate {n:02}") for n in range(21)))
    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=server.url, key=key, loadAll=True)

    assert page["status"] == "20 interviews loaded."
    assert page["moreVisible"]
    after = page["afterMore"]
    assert after["status"] == "21 interviews loaded."
    assert sorted(after["titles"]) == [f"Candidate {n:02} · Data Engineer at Globex" for n in range(21)]
    assert not after["moreVisible"]
    # "Load more" hid itself once pressed for the last page: focus went to what it loaded, not to <body>.
    assert after["focused"].startswith("H3 Candidate"), after["focused"]

    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=server.url, key=key, reconnectKey="fu_wrong")

    assert page["moreVisible"]
    wrong = page["reconnected"]
    assert wrong["statusIsError"]
    assert wrong["status"].startswith(
        httpx.get(server.url + "/v1/interviews", headers={"Authorization": "Bearer fu_wrong"}).json()["detail"]
    )
    assert wrong["titles"] == []
    # The first key's "Load more" (and its cursor) went with its list.
    assert not wrong["moreVisible"]
    assert not wrong["emptyVisible"]


def test_no_interviews_says_so(api, sites):
    server, _, _ = api
    allowed, _ = sites
    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=server.url, key=_tenant(server, "empty"))

    assert page["status"] == "0 interviews loaded."
    assert not page["statusIsError"]
    assert page["emptyVisible"]
    assert not page["moreVisible"]


BUSY_DETAIL = "The database is unreachable or busy right now; retry shortly."


class _BusyApi(SimpleHTTPRequestHandler):
    """An API whose database is down: every call is the real server's 503 with Retry-After."""

    def log_message(self, *_args) -> None:
        pass

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
        self.send_header("Access-Control-Allow-Headers", "Authorization, Accept")
        self.send_header("Access-Control-Expose-Headers", "Retry-After")

    def do_OPTIONS(self) -> None:
        self.send_response(200)
        self._cors()
        self.end_headers()

    def do_GET(self) -> None:
        body = json.dumps({"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": BUSY_DETAIL}).encode()
        self.send_response(503)
        self._cors()
        self.send_header("Retry-After", "7")
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_busy_api_says_when_to_retry(sites):
    allowed, _ = sites
    busy = ThreadingHTTPServer(("127.0.0.1", 0), _BusyApi)
    threading.Thread(target=busy.serve_forever, daemon=True).start()
    try:
        page = drive(
            "career-site", pageUrl=allowed.origin + "/index.html", apiUrl=f"http://127.0.0.1:{busy.server_address[1]}", key="fu_x"
        )
    finally:
        busy.shutdown()
        busy.server_close()

    assert page["statusIsError"]
    assert page["status"] == BUSY_DETAIL + " Try again in 7 seconds."
    assert page["titles"] == []


class _ReplayApi(_BusyApi):
    """Replays recorded answers of the real API by path, then is the busy API for each message asked again."""

    recorded: dict[str, bytes] = {}
    messages_asked: set[str] = set()

    def do_GET(self) -> None:
        body = self.recorded.get(self.path)
        if body is None or (self.path in self.messages_asked):
            super().do_GET()
            return
        if "/messages/" in self.path:
            self.messages_asked.add(self.path)
        self.send_response(200)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_a_failed_preview_hides_the_last_one(api, sites):
    """A preview that fails must not leave the previous message on show, as if it were the one asked for."""
    server, key, interview = api
    allowed, _ = sites
    headers = {"Authorization": f"Bearer {key}"}
    actions = httpx.get(f"{server.url}/v1/interviews/{interview['id']}/actions", headers=headers).json()["actions"]
    thank_you = next(a for a in actions if a["kind"] == "send_thank_you")
    paths = [
        "/v1/interviews?limit=20",
        f"/v1/interviews/{interview['id']}/actions",
        f"/v1/interviews/{interview['id']}/messages/thank_you?contact_id={thank_you['contact_id']}",
    ]
    _ReplayApi.messages_asked = set()
    _ReplayApi.recorded = {path: httpx.get(server.url + path, headers=headers).content for path in paths}
    fake = ThreadingHTTPServer(("127.0.0.1", 0), _ReplayApi)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    try:
        page = drive(
            "career-site",
            pageUrl=allowed.origin + "/index.html",
            apiUrl=f"http://127.0.0.1:{fake.server_address[1]}",
            key=key,
            previewAgain=True,
        )
    finally:
        fake.shutdown()
        fake.server_close()

    assert page["titles"] == ["Ada Lovelace · Backend Engineer at Initech"]
    assert "Dana" in page["previewText"]
    second = page["secondPreview"]
    assert second["statusIsError"]
    assert second["status"] == BUSY_DETAIL + " Try again in 7 seconds."
    assert not second["previewVisible"]


def test_a_url_that_is_not_the_api_says_so(sites):
    """The page's own static server as the API URL: a 404 in HTML, which is no problem+json."""
    allowed, _ = sites
    page = drive("career-site", pageUrl=allowed.origin + "/index.html", apiUrl=allowed.origin + "/", key="fu_x")

    assert page["statusIsError"]
    assert page["status"] == f"{allowed.origin} answered 404 File not found, not with the followup API's JSON: is the URL right?"
    assert page["titles"] == []


def test_an_api_that_never_answers_times_out():
    """A URL that takes the connection and never answers (a hung proxy): the page gives up and says so."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with StaticSite() as site:
            started = time.monotonic()
            page = drive("career-site", pageUrl=site.origin + "/index.html", apiUrl=url, key="fu_x")
            took = time.monotonic() - started

    assert page["statusIsError"]
    assert page["status"] == f"{url} did not answer within 15 seconds; try again later."
    assert took < 30


def test_the_key_stays_out_of_the_url_without_the_script(api, sites):
    """Submitted before followup.js runs (slow network, blocked script), the form must not put the key in the URL."""
    server, key, _ = api
    _, foreign = sites
    page = drive("no-script", pageUrl=foreign.origin + "/index.html", apiUrl=server.url, key=key)

    assert key not in page["url"]
    assert "key" not in page["url"]


def test_a_foreign_origin_gets_no_data(api, sites):
    server, key, _ = api
    _, foreign = sites
    page = drive("career-site", pageUrl=foreign.origin + "/index.html", apiUrl=server.url, key=key)

    assert page["statusIsError"]
    assert "Could not reach" in page["status"]
    assert page["titles"] == []
    assert any("CORS" in error for error in page["consoleErrors"]), page["consoleErrors"]


def test_preflight_answers_the_allowed_origin_only(api, sites):
    server, _, _ = api
    allowed, foreign = sites
    ask = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    ok = httpx.options(server.url + "/v1/interviews", headers={"Origin": allowed.origin, **ask})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == allowed.origin
    refused = httpx.options(server.url + "/v1/interviews", headers={"Origin": foreign.origin, **ask})
    assert "access-control-allow-origin" not in refused.headers


def test_docs_render_offline(api, tmp_path):
    server, _, _ = api
    shot = tmp_path / "docs.png"
    page = drive("docs", docsUrl=server.url + "/docs", screenshot=str(shot))

    assert page["title"].startswith("followup")
    assert "/v1/interviews" in page["paths"]
    assert any(op.endswith("-create_interview") for op in page["operationIds"]), page["operationIds"]
    assert page["consoleErrors"] == []
    assert all(url.startswith(server.url) for url in page["requests"]), page["requests"]
