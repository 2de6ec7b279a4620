"""The patient's page on a phone and a desktop: the question box in reach, contact actions once, sources
folded, and a conversation that can be started over, printed or saved without the server keeping it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS
from .test_accessibility import assert_no_axe_violations

PHONE_390 = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
FALLBACK = "can I pay with bitcoin"
URGENT = "my gum has been bleeding for hours and it won't stop"
LONG_ANSWER = "what are the steps of dental implant treatment"
PHONE_NUMBER = "+44 20 7946 0000"


def viewport_screenshot(page, name: str) -> None:
    """Save what is on screen now (a full-page capture would unpin the pinned header and composer)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize(("path", "viewport"), [("/", PHONE_390), ("/embed", {"width": 390, "height": 640})])
def test_the_question_box_is_on_the_first_screen_of_a_phone(open_page, ask, path, viewport):
    """Without scrolling, the question box and Send are on screen; the welcome suggestions scroll instead."""
    page, _ = open_page(path, viewport=viewport, is_mobile=True, has_touch=True)
    for control in (page.locator("#message"), page.get_by_role("button", name="Send")):
        expect(control).to_be_in_viewport(ratio=1)
    viewport_screenshot(page, f"phone-390{path.replace('/', '-')}-first-screen")
    # The box stays in reach while reading a long reply too.
    ask(page, LONG_ANSWER, "answer")
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    expect(page.locator("#message")).to_be_in_viewport(ratio=1)


def test_after_a_long_reply_my_own_message_stays_in_view_on_a_desktop(open_page, ask):
    """The pinned header is one short row, and a long reply scrolls in no further than my question's top."""
    page, _ = open_page("/", viewport=LAPTOP, reduced_motion="reduce")  # no smooth scrolling to wait for
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= 80
    for message in ("what is a dental implant", "how long does healing take", LONG_ANSWER):
        ask(page, message, "answer")
    mine = page.locator("#transcript .message.you").last
    top = mine.bounding_box()["y"]
    assert top >= header.bounding_box()["height"], "my message is under the pinned header"
    expect(mine).to_be_in_viewport(ratio=1)
    composer_top = page.locator(".composer").bounding_box()["y"]
    assert mine.bounding_box()["y"] + mine.bounding_box()["height"] <= composer_top
    viewport_screenshot(page, "desktop-long-reply-in-view")


def test_a_decline_shows_each_contact_action_once_as_a_button(page, ask):
    """The phone number appears once in the reply, on its call button; booking is a button, not a raw URL."""
    reply = ask(page, FALLBACK, "fallback")
    assert reply.inner_text().count(PHONE_NUMBER) == 1
    expect(reply.get_by_role("link", name=f"Call the clinic: {PHONE_NUMBER}")).to_have_attribute(
        "href", "tel:+442079460000"
    )
    expect(reply.get_by_role("link", name="Book an appointment")).to_have_attribute("href", "https://example.com/book")
    assert "example.com" not in reply.inner_text()
    expect(reply.locator(".text")).to_contain_text("call the clinic")  # the words still say what to do
    viewport_screenshot(page, "desktop-decline-contact-once")


def test_an_urgent_reply_shows_each_number_once(page, ask):
    """Urgent: the clinic's number and the emergency number each appear once, as the first two buttons."""
    reply = ask(page, URGENT, "urgent")
    text = reply.inner_text()
    assert text.count(PHONE_NUMBER) == 1 and text.count("112") == 1
    links = reply.get_by_role("link")
    expect(links.nth(0)).to_have_attribute("href", "tel:+442079460000")
    expect(links.nth(1)).to_have_attribute("href", "tel:112")


def test_sources_fold_under_one_control_that_keeps_the_passage_links(page, ask):
    """An answer shows "Sources (n)"; opening it lists the n passage links, each to a highlighted passage."""
    reply = ask(page, "how long does it take for an implant to heal", "answer")
    control = reply.locator(".sources summary")
    expect(control).to_have_text(re.compile(r"Sources \(\d+\)"))
    count = int(re.search(r"\d+", control.inner_text()).group())
    links = reply.locator(".sources a")
    expect(links).to_have_count(count)
    expect(links.first).to_be_hidden()
    control.press("Enter")  # a keyboard opens it like a click
    expect(links.first).to_be_visible()
    assert all(re.fullmatch(r"/sources/[\w-]+#[\w-]+", links.nth(i).get_attribute("href")) for i in range(count))
    viewport_screenshot(page, "desktop-sources-open")


def test_sources_are_folded_without_javascript_too(open_page):
    """The no-JavaScript page folds the sources the same way."""
    page, _ = open_page("/", java_script_enabled=False)
    page.fill("#message", "what is a dental implant")
    page.press("#message", "Enter")
    expect(page.locator(".kind-answer .sources summary")).to_have_text(re.compile(r"Sources \(\d+\)"))
    expect(page.locator(".kind-answer .sources a").first).to_be_hidden()


def test_download_saves_the_conversation_as_text_made_in_the_browser(page, ask, tmp_path):
    """ "Download as text" saves my questions and the replies, with sources and contact lines; nothing is sent."""
    ask(page, "what is a dental implant", "answer")
    ask(page, FALLBACK, "fallback")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as text").click()
    assert re.fullmatch(r"conversation-\d{4}-\d\d-\d\d\.txt", download.value.suggested_filename)
    text = (download.value.path()).read_text(encoding="utf-8")
    assert "You: what is a dental implant" in text and f"You: {FALLBACK}" in text
    assert "Assistant: What is a dental implant?" in text and "artificial tooth root" in text
    assert re.search(r"Source: “.+” \(.+\) http://127\.0\.0\.1:\d+/sources/[\w-]+#[\w-]+", text)
    assert f"Call the clinic: {PHONE_NUMBER}" in text and "In an emergency call 112" in text
    assert [url for url in requests if not url.startswith("blob:")] == []


def test_print_opens_the_sources_and_leaves_the_controls_out(page, ask, screenshot):
    """Print prints the conversation with its sources open; the page's controls are not printed."""
    ask(page, "what is a dental implant", "answer")
    page.evaluate(
        """() => { window.print = () => {
             window.dispatchEvent(new Event('beforeprint'));
             window.printedWithSourcesOpen = [...document.querySelectorAll('details.sources')].every(d => d.open);
             window.dispatchEvent(new Event('afterprint'));
           }; }"""
    )
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("() => window.printedWithSourcesOpen") is True
    expect(page.locator("details.sources").first).not_to_have_attribute("open", "")  # folded again after
    page.emulate_media(media="print")
    for hidden in ("#chat-form", ".site-header", ".conversation-tools", ".kind-answer .feedback"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".kind-answer .text")).to_be_visible()
    screenshot(page, "print-conversation")


def test_start_over_forgets_the_conversation(page, ask):
    """Start over empties the conversation, in this tab and on reload."""
    ask(page, "what is a dental implant", "answer")
    page.get_by_role("button", name="Start over").click()
    expect(page.locator("#transcript .message:not(.welcome)")).to_have_count(0)
    page.reload()
    expect(page.locator("#transcript .message:not(.welcome)")).to_have_count(0)


def test_focus_never_hides_under_the_pinned_composer(open_page, ask):
    """Tabbing through a long conversation, every focused control is above the composer pinned at the bottom."""
    page, _ = open_page("/", viewport=PHONE_390, reduced_motion="reduce")  # focus scrolls at once
    ask(page, LONG_ANSWER, "answer")
    ask(page, FALLBACK, "fallback")
    page.evaluate("() => window.scrollTo({top: 0, behavior: 'instant'})")
    page.locator("#welcome button").first.focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        inside = page.evaluate("() => !!document.activeElement.closest('.composer, .site-header')")
        if inside:
            continue
        box = page.evaluate("() => document.activeElement.getBoundingClientRect().bottom")
        composer_top = page.locator(".composer").bounding_box()["y"]
        assert box <= composer_top + 1, page.evaluate("() => document.activeElement.outerHTML")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE_390])
def test_axe_conversation_with_sources_open_and_tools(open_page, ask, viewport):
    """With replies, open sources and the conversation tools, axe-core finds nothing, desktop and phone."""
    page, _ = open_page("/", viewport=viewport)
    ask(page, "what is a dental implant", "answer")
    ask(page, FALLBACK, "fallback")
    ask(page, URGENT, "urgent")
    page.locator(".sources summary").first.click()
    assert_no_axe_violations(page)
