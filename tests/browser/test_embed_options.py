"""The clinic's embed options in a real browser: the floating launcher, the clinic's branding, the snippet page.

The launcher is tested as a clinic would use it: its code is copied from /embed/snippet and pasted
into another origin's page that has a strict Content-Security-Policy and broad CSS of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, DESKTOP, Site, _WatchedPages, screenshot
from .test_accessibility import AXE_OPTIONS, assert_no_axe_violations

LAUNCHER = "Ask about dental implants"
ACCENT = "#00695c"
ACCENT_RGB = "rgb(0, 105, 92)"
PHONE_390 = {"width": 390, "height": 844}
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
    '<rect width="120" height="40" rx="8" fill="#00695c"/><circle cx="20" cy="20" r="10" fill="#fff"/>'
    '<text x="72" y="27" font-family="sans-serif" font-size="18" text-anchor="middle" fill="#fff">Smile</text></svg>'
)


def snippet_code(browser, site: Site, code_id: str) -> str:
    """Return one option's code exactly as the snippet page shows it to the clinic."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/embed/snippet")
    code = page.locator(f"#{code_id}").inner_text()
    context.close()
    return code


@pytest.fixture(scope="module")
def launcher_code(browser, site: Site) -> str:
    """The launcher's <script> tag as the clinic copies it from /embed/snippet."""
    return snippet_code(browser, site, "launcher-code")


@pytest.fixture
def clinic_page(browser, site: Site, launcher_code: str) -> Iterator[Callable[..., Page]]:
    """Open the clinic's own page with code pasted in; afterwards it must have logged no error (CSP included)."""
    contexts, errors = [], []

    def open_(code: str = launcher_code, *, assistant: Site = site, **context_options) -> Page:
        context = browser.new_context(**{"viewport": DESKTOP, **context_options})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{site.framing_host}/clinic?assistant={quote(assistant.url)}&paste={quote(code)}")
        return page

    yield open_
    for context in contexts:
        context.close()
    assert errors == [], "the clinic's page logged errors (a CSP violation shows up here)"


def ask_in_chat(page: Page, message: str) -> None:
    """Ask a question in the launcher's chat and wait for its answer."""
    chat = page.frame_locator("#faqbot-panel iframe")
    chat.locator("#message").fill(message)
    chat.locator("#message").press("Enter")
    expect(chat.locator(".kind-answer h3")).to_have_text("What is a dental implant?")
    page.wait_for_timeout(400)  # the reply's fade-in inside the frame


def viewport_screenshot(page: Page, name: str) -> None:
    """Save what the patient sees (a fixed panel in a full-page capture would stretch to the page's height)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# The floating launcher


def test_the_launcher_opens_the_chat_over_the_clinics_page(clinic_page):
    """The pasted tag adds a labelled button; pressing it opens the chat above the page, and it answers."""
    page = clinic_page()
    launcher = page.get_by_role("button", name=LAUNCHER, exact=True)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.locator("iframe")).to_have_count(0)  # nothing of the chat loads until a patient asks for it
    box = launcher.bounding_box()
    assert box["x"] + box["width"] == pytest.approx(DESKTOP["width"] - 16, abs=1)  # bottom right
    assert box["y"] + box["height"] == pytest.approx(DESKTOP["height"] - 16, abs=1)

    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#" + launcher.get_attribute("aria-controls"))
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("role", "dialog")
    expect(panel.locator("iframe")).to_have_attribute("title", f"{LAUNCHER}: chat with the clinic's assistant")
    ask_in_chat(page, "what is a dental implant")

    frame, area = panel.locator("iframe").bounding_box(), panel.bounding_box()
    assert area["x"] > 0 and area["x"] + area["width"] <= DESKTOP["width"] and area["y"] > 0
    assert area["height"] == 640 and area["width"] == 400
    assert frame["width"] == area["width"]  # the clinic's `iframe { max-width: 50% }` does not squeeze it
    # Above the clinic's text: the middle of the panel is the chat, not the paragraph beneath it.
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [area["x"] + 200, area["y"] + 320])
    assert on_top == "IFRAME"
    viewport_screenshot(page, "desktop-launcher-open")


def test_escape_or_close_shuts_the_chat_and_focus_returns_to_the_button(clinic_page):
    """From the keyboard: Enter opens and focuses Close (with a visible outline); Escape or Close shuts it."""
    page = clinic_page()
    launcher = page.get_by_role("button", name=LAUNCHER, exact=True)
    panel = page.locator("#faqbot-panel")
    close = page.get_by_role("button", name="Close", exact=True)

    launcher.focus()
    page.keyboard.press("Enter")
    expect(close).to_be_focused()
    # The clinic's `button:focus { outline: none }` must not hide where the keyboard is.
    assert close.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(launcher).to_be_focused()

    launcher.click()
    close.click()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    launcher.click()
    expect(page.locator("#faqbot-panel iframe")).to_have_count(1)  # the same chat again, not a second one

    # Escape pressed while typing in the chat (inside the frame, another origin) closes it too.
    question_box = page.frame_locator("#faqbot-panel iframe").locator("#message")
    question_box.fill("half a question")
    question_box.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()


def test_on_a_phone_the_chat_takes_the_whole_screen(clinic_page):
    """On a 390x844 phone the panel covers the screen, answers, scrolls nowhere sideways, and keeps focus in."""
    page = clinic_page(viewport=PHONE_390, is_mobile=True, has_touch=True)
    launcher = page.get_by_role("button", name=LAUNCHER, exact=True)
    assert launcher.bounding_box()["height"] >= 44
    launcher.tap()
    panel = page.locator("#faqbot-panel")
    assert panel.bounding_box() == {"x": 0, "y": 0, **PHONE_390}
    expect(panel).to_have_attribute("aria-modal", "true")
    close = page.get_by_role("button", name="Close", exact=True)
    close_box = close.bounding_box()
    assert close_box["height"] >= 44 and close_box["x"] + close_box["width"] <= 390
    ask_in_chat(page, "what is a dental implant")

    chat = next(frame for frame in page.frames if frame.url.endswith("/embed"))
    assert chat.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    viewport_screenshot(page, "phone-launcher-open")
    close.focus()
    page.keyboard.press("Shift+Tab")  # not into the clinic's page hidden behind the chat
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    close.click()
    expect(panel).to_be_hidden()


def test_the_launcher_leaves_the_clinics_page_alone(clinic_page):
    """The launcher adds no global and no stylesheet, and the clinic's CSS does not restyle the launcher."""
    bare, page = clinic_page(code=""), clinic_page()
    launcher = page.get_by_role("button", name=LAUNCHER, exact=True)
    launcher.click()
    expect(page.locator("#faqbot-panel iframe")).to_be_visible()
    # Window's own names, less the index "0" every page with an iframe has.
    names = "() => Object.getOwnPropertyNames(window).filter(name => !/^[0-9]+$/.test(name)).sort()"
    assert page.evaluate(names) == bare.evaluate(names)
    look = """() => [document.styleSheets.length, getComputedStyle(document.body).fontFamily,
                     getComputedStyle(document.querySelector('#clinic-button')).backgroundColor]"""
    assert page.evaluate(look) == bare.evaluate(look) == [1, "Georgia, serif", "rgb(255, 224, 102)"]
    style = launcher.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).fontSize]")
    assert style == ["rgb(11, 83, 148)", "16px"]  # not the clinic's yellow 30px buttons


def test_the_launchers_options_set_its_words_colour_and_side(clinic_page, site):
    """data-label, data-colour and data-position="left" change the button as the snippet page says."""
    options = 'data-label="Questions?" data-colour="#6a1b9a" data-position="left"'
    code = f'<script src="{site.url}/static/launcher.js" {options} defer></script>'
    page = clinic_page(code=code)
    launcher = page.get_by_role("button", name="Questions?", exact=True)
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(106, 27, 154)"
    assert launcher.bounding_box()["x"] == 16
    launcher.click()
    assert page.locator("#faqbot-panel").bounding_box()["x"] == 16


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_axe_launcher_closed_and_open(clinic_page, viewport):
    """The launcher, closed and open, has no axe-core violations on the clinic's page."""
    page = clinic_page(viewport=viewport)

    def violations() -> list:
        results = Axe().run(page, context={"include": [["#faqbot-launcher"]]}, options=AXE_OPTIONS)
        return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]

    assert violations() == []
    page.get_by_role("button", name=LAUNCHER, exact=True).click()
    page.locator("#faqbot-panel iframe").wait_for()
    assert violations() == []


# The clinic's branding


@pytest.fixture(scope="module")
def branded(serve_app, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The app with the clinic's name, an SVG logo and a teal accent colour."""
    logo = tmp_path_factory.mktemp("branding") / "logo.svg"
    logo.write_text(LOGO)
    return serve_app(CLINIC_NAME="Smile Street Dental", CLINIC_LOGO=str(logo), CLINIC_ACCENT_COLOUR=ACCENT)


@pytest.fixture(scope="module")
def default_origins(serve_app) -> Site:
    """The app with EMBED_ORIGINS left at its default, 'self'."""
    return serve_app(EMBED_ORIGINS="'self'")


@pytest.fixture
def open_on(browser) -> Iterator[Callable[..., Page]]:
    """Open a page of a given site, watched as open_page's are (no errors, nothing from another origin)."""
    pages = _WatchedPages(browser)

    def open_(site: Site, path: str, **context_options) -> Page:
        page, _ = pages.open(site.url, **context_options)
        page.goto(path)
        return page

    yield open_
    pages.close_and_check()


@pytest.mark.parametrize("path", ["/embed", "/"])
def test_the_accent_colour_and_logo_show_on_the_chat(open_on, branded, ask, path):
    """The send button and the patient's own message take the accent; the logo loads from our origin in the header."""
    page = open_on(branded, path)
    expect(page.locator("button.send")).to_have_css("background-color", ACCENT_RGB)
    logo = page.locator(".site-header img.clinic-logo")
    if path == "/embed":
        expect(logo).to_have_attribute("alt", "")  # the clinic's name is the text right beside it
        assert "Smile Street Dental" in page.locator(".site-header .tagline").inner_text()
    else:
        # The page's one-row header has no text with the clinic's name: the logo says it.
        expect(page.locator(".site-title a")).to_have_accessible_name("Smile Street Dental: Dental implant questions")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 120
    assert logo.evaluate("img => img.src").startswith(f"{branded.url}/logo?v=")
    response = page.request.get(logo.evaluate("img => img.src"))
    assert response.headers["content-type"] == "image/svg+xml"
    ask(page, "what is a dental implant", "answer")
    expect(page.locator(".message.you").last).to_have_css("background-color", ACCENT_RGB)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_axe_branded_embed_and_pages(open_on, branded, ask, viewport):
    """With a logo and an accent, the embed (after an answer), the chat page and the snippet page pass axe-core."""
    for path in ["/embed", "/", "/embed/snippet"]:
        page = open_on(branded, path, viewport=viewport)
        if path == "/embed":
            ask(page, "what is a dental implant", "answer")
            page.wait_for_timeout(400)
            name = "desktop" if viewport == DESKTOP else "phone"
            screenshot(page, f"{name}-embed-branded")
        assert_no_axe_violations(page)


# The snippet page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE_390], ids=["desktop", "phone"])
def test_the_snippet_page_warns_above_the_code_under_the_default(open_on, default_origins, viewport):
    """Under EMBED_ORIGINS 'self' the page shows the setting, its value and a blank-frame warning above the code."""
    page = open_on(default_origins, "/embed/snippet", viewport=viewport)
    current = page.locator("#embed-origins")
    expect(current).to_have_text("Now set to: 'self' (this site only)")
    warning = page.locator("#embed-origins-warning")
    expect(warning).to_contain_text("Your site will show a blank frame.")
    expect(warning).to_contain_text('FAQBOT_EMBED_ORIGINS="https://www.clinic.example"')
    first_code = page.locator("#frame-code").bounding_box()["y"]
    assert current.bounding_box()["y"] < warning.bounding_box()["y"] < first_code
    expect(page.locator("#frame-code")).to_contain_text(f'<iframe src="{default_origins.url}/embed"')
    expect(page.locator("#launcher-code")).to_contain_text(f'<script src="{default_origins.url}/static/launcher.js"')
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    assert_no_axe_violations(page)
    screenshot(page, ("desktop" if viewport == DESKTOP else "phone") + "-embed-snippet-default")


def test_the_snippet_page_shows_the_allowed_site_and_the_branding(open_on, branded, screenshot):
    """With the clinic's site allowed there is no warning; the branding's current values are listed."""
    page = open_on(branded, "/embed/snippet")
    expect(page.locator("#embed-origins")).to_have_text(f"Now set to: {branded.framing_host}")
    expect(page.locator("#embed-origins-warning")).to_have_count(0)
    settings = page.locator("dl.settings")
    expect(settings).to_contain_text("Smile Street Dental")
    expect(settings).to_contain_text("Set: shown beside the clinic's name")
    expect(settings).to_contain_text(ACCENT)
    expect(page.locator("#launcher-code")).to_contain_text(f'data-colour="{ACCENT}"')
    screenshot(page, "desktop-embed-snippet")


def test_the_pasted_launcher_takes_the_clinics_colour(browser, branded, clinic_page):
    """The launcher code from a branded assistant's snippet page gives the clinic's page a button in its accent."""
    page = clinic_page(code=snippet_code(browser, branded, "launcher-code"), assistant=branded)
    launcher = page.get_by_role("button", name=LAUNCHER, exact=True)
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == ACCENT_RGB
