"""Browser fixtures: the app served by waitress on a loopback port, driven by Debian's Chromium.

Playwright is used as a library with `executable_path`, never `playwright install`: the browser is
the system's /usr/bin/chromium (FAQBOT_CHROMIUM overrides). Without it the tests are skipped, except
under CI=true, where a missing browser is a failure rather than a silent pass.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import servers
from flask import Flask

from faqbot import create_app

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements.txt")

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("FAQBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless on a CI box: no sandbox (root in a container), no GPU, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}


@dataclass
class Site:
    """The app under test and where it is served."""

    app: Flask
    url: str
    framing_host: str


@dataclass
class Watch:
    """What a page did that a test should not have to check by hand."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


class _FramingPage(BaseHTTPRequestHandler):
    """Another site (another port) that puts a page of ours in an iframe: /frame?src=<url>.

    Also a clinic's page with a strict CSP and everyday CSS, with HTML from /embed/snippet pasted in:
    /clinic?assistant=<our origin>&paste=<html> (styled by /clinic.css).
    """

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if url.path == "/clinic":
            assistant = query.get("assistant", [""])[0]
            headers["Content-Security-Policy"] = (
                f"default-src 'none'; script-src {assistant}; frame-src {assistant}; style-src 'self'"
            )
            body = CLINIC_PAGE.replace("{paste}", query.get("paste", [""])[0])
        elif url.path == "/clinic.css":
            headers["Content-Type"] = "text/css"
            body = CLINIC_CSS
        else:
            source = query.get("src", [""])[0].replace('"', "")
            frame = f'<iframe src="{source}" title="Assistant" width="400" height="640"></iframe>'
            body = f"<!doctype html><title>Clinic site</title>{frame}"
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


_PARAGRAPH = "<p>Our dentists place and restore implants in two stages, with time to heal in between.</p>\n"
CLINIC_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Smile Street Dental</title>
<link rel="stylesheet" href="/clinic.css">
</head>
<body>
<header><h1>Smile Street Dental</h1><nav><a href="#team">Our team</a> <a href="#find">Find us</a></nav></header>
<main>
<h2>Dental implants at Smile Street</h2>
{_PARAGRAPH * 24}<p><button type="button" id="clinic-button">The clinic's own button</button></p>
</main>
{{paste}}
</body>
</html>
"""
# Rules as broad as many sites have: the launcher must look and work the same despite them.
CLINIC_CSS = """
* { box-sizing: content-box; }
body { margin: 0; background: #fffdf5; color: #222; font: 20px/1.7 Georgia, serif; }
main, header { max-width: 40rem; margin: 0 auto; padding: 0 1rem; }
div { margin: 20px; padding: 10px; }
button { background: #ffe066; color: #000; border: 0; border-radius: 0; padding: 0; font-size: 30px; }
button:focus { outline: none; }
iframe { border: 8px solid #000; max-width: 50%; height: 100px; }
"""


@pytest.fixture(scope="session")
def framing_host() -> Iterator[str]:
    """A second origin on loopback that frames our pages, as a clinic's own website would."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FramingPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, framing_host: str) -> Iterator[Site]:
    """The real app (production settings, real knowledge base) served by waitress on 127.0.0.1."""
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "DATABASE": str(tmp_path_factory.mktemp("db") / "faqbot.sqlite"),
            "RATELIMIT_ENABLED": False,  # one browser sends many messages quickly
            "EMBED_ORIGINS": framing_host,
        }
    )
    served = servers.WaitressThread(app, threads=4)
    yield Site(app, served.url, framing_host)
    served.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[sync_api.Browser]:
    """Debian's Chromium, headless."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set FAQBOT_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _WatchedPages:
    """Opens pages in fresh browser contexts, watching for errors and requests to other origins."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts: list = []
        self.watches: list[Watch] = []

    def open(self, origin: str, **context_options) -> tuple[sync_api.Page, Watch]:
        """Return a new page (not yet navigated) on `origin`, with its watch."""
        context = self.browser.new_context(base_url=origin, **{"viewport": DESKTOP, **context_options})
        self.contexts.append(context)
        page = context.new_page()
        watch = Watch(origin)
        page.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
        page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
        context.on("request", lambda r: _is_foreign(r.url, origin) and watch.foreign_requests.append(r.url))
        self.watches.append(watch)
        return page, watch

    def close_and_check(self) -> None:
        """Close every context; none of their pages may have logged an error or left the origin."""
        for context in self.contexts:
            context.close()
        for watch in self.watches:
            assert watch.foreign_requests == [], "a page requested another origin"
            assert watch.console_errors == [], "a page logged errors (a CSP violation shows up here)"


@pytest.fixture
def open_page(browser, site: Site) -> Iterator[Callable[..., tuple[sync_api.Page, Watch]]]:
    """Open pages in fresh browser contexts; after the test, none may have logged an error or left the origin."""
    pages = _WatchedPages(browser)

    def open_(path: str = "/", **context_options) -> tuple[sync_api.Page, Watch]:
        page, watch = pages.open(site.url, **context_options)
        page.goto(path)
        return page, watch

    yield open_
    pages.close_and_check()


@pytest.fixture
def page(open_page) -> sync_api.Page:
    """The chat page on a desktop-sized window, JavaScript on."""
    return open_page("/")[0]


def _is_foreign(url: str, origin: str) -> bool:
    return not (url.startswith(origin + "/") or url == origin or url.startswith(("data:", "blob:", "about:")))


def screenshot(page: sync_api.Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/browser/ once animations have finished."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Polled from here: wait_for_function would need eval, which the page's CSP rightly forbids.
    for _ in range(50):
        if page.evaluate("() => document.getAnimations().every(a => a.playState !== 'running')"):
            break
        page.wait_for_timeout(20)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(name="screenshot")
def screenshot_fixture() -> Callable[[sync_api.Page, str], Path]:
    """Save a named screenshot of a page's current state for people to look at."""
    return screenshot


def ask(page: sync_api.Page, message: str, kind: str = "") -> sync_api.Locator:
    """Type a message, press Enter, and return the reply card that arrives."""
    before = page.locator("#transcript .message.bot").count()
    page.fill("#message", message)
    page.press("#message", "Enter")
    reply = page.locator("#transcript .message.bot").nth(before)
    reply.wait_for()
    if kind:
        assert f"kind-{kind}" in reply.get_attribute("class"), reply.get_attribute("class")
    return reply


@pytest.fixture(name="ask")
def ask_fixture() -> Callable[..., sync_api.Locator]:
    """Ask a question through the page like a patient, and return the reply card."""
    return ask


# The staff workspace: apps served like `site`, each with its own database and two staff accounts.

STAFF_NAME = "sam"  # a reviewer, as in tests/staff_forms.py
ADMIN_NAME = "ada"  # an administrator: the only one who sees Accounts
STAFF_PASSWORD = "a long staff password"  # both accounts'


@pytest.fixture(scope="session")
def serve_app(tmp_path_factory: pytest.TempPathFactory, framing_host: str) -> Iterator[Callable[..., Site]]:
    """Serve another app like `site`, with its own empty database and the accounts sam (reviewer) and ada (admin),
    plus any settings."""
    import staff_forms  # here, so the fixtures above stay exactly as they were

    running = []

    def serve(**settings) -> Site:
        app = create_app(
            {
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE": str(tmp_path_factory.mktemp("db") / "faqbot.sqlite"),
                "RATELIMIT_ENABLED": False,
                "EMBED_ORIGINS": framing_host,
                **settings,
            }
        )
        staff_forms.add_account(app, STAFF_NAME, "reviewer", STAFF_PASSWORD)
        staff_forms.add_account(app, ADMIN_NAME, "admin", STAFF_PASSWORD)
        served = servers.WaitressThread(app, threads=4)
        running.append(served)
        return Site(app, served.url, framing_host)

    yield serve
    for served in running:
        served.stop()


@pytest.fixture(scope="session")
def staff_site(serve_app) -> Site:
    """The app with staff accounts (text of unanswered questions not kept), shared by the session."""
    return serve_app()


@pytest.fixture
def open_staff_page(browser, staff_site: Site) -> Iterator[Callable[..., tuple[sync_api.Page, Watch]]]:
    """Open a staff page in a fresh context, logged in (as sam, or account=ADMIN_NAME) unless told not to; checked
    afterwards like open_page."""
    pages = _WatchedPages(browser)

    def open_(
        path: str = "/staff/",
        *,
        site: Site | None = None,
        logged_in: bool = True,
        account: str = STAFF_NAME,
        **context_options,
    ) -> tuple[sync_api.Page, Watch]:
        page, watch = pages.open((site or staff_site).url, **context_options)
        if logged_in:
            page.goto("/staff/login")
            page.fill("#name", account)
            page.fill("#password", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/staff/")
        page.goto(path)
        return page, watch

    yield open_
    pages.close_and_check()
