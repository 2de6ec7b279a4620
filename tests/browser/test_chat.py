"""The chat page with JavaScript on, in a real browser: answers, sources, suggestions, reload and clear."""

from __future__ import annotations

import json
import sqlite3

from playwright.sync_api import expect

from faqbot.storage.db import writer

URGENT = "my gum has been bleeding for hours and it won't stop"
FALLBACK = "can I pay with bitcoin"
MARK = "rgb(255, 243, 191)"  # --mark in site.css


def test_question_gets_an_answer_with_source_links(page, ask, screenshot):
    """Asking shows my words, then the answer under its question with its sources folded under one control."""
    reply = ask(page, "what is a dental implant", "answer")
    expect(page.locator("#transcript .message.you .text").last).to_have_text("what is a dental implant")
    expect(reply.locator("h3")).to_have_text("What is a dental implant?")
    expect(reply.locator(".text")).to_contain_text("artificial tooth root")
    sources = reply.locator(".sources li")
    assert sources.count() >= 1
    expect(reply.locator(".sources summary")).to_have_text(f"Sources ({sources.count()})")
    assert page.url.endswith("/")  # no reload happened
    screenshot(page, "desktop-answer")


def test_source_link_opens_the_highlighted_passage(page, ask, screenshot):
    """Following a source link shows the article with that passage highlighted and in view."""
    reply = ask(page, "how long does it take for an implant to heal", "answer")
    reply.locator(".sources summary").click()
    link = reply.locator(".sources a").last
    passage_id = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(f"**/sources/**#{passage_id}")
    passage = page.locator(f"#{passage_id}")
    assert passage.evaluate("node => node.matches(':target')")
    assert passage.evaluate("node => getComputedStyle(node).backgroundColor") == MARK
    expect(passage).to_be_in_viewport()
    label = "node => getComputedStyle(node, '::before').content"
    assert passage.evaluate(label) == '"Linked passage"'
    assert page.locator(".passage:not(:target)").first.evaluate(label) == "none"
    screenshot(page, "desktop-source-highlighted")


def test_starter_and_related_suggestions_ask_their_question(page):
    """A welcome suggestion, then a related suggestion of the answer, each get their own answer."""
    page.get_by_role("button", name="What is a dental implant?").click()
    first = page.locator("#transcript .kind-answer").last
    expect(first.locator("h3")).to_have_text("What is a dental implant?")
    related = first.get_by_role("group", name="Related questions").get_by_role("button").first
    question = related.inner_text()
    related.click()
    expect(page.locator("#transcript .kind-answer h3")).to_have_count(2)
    expect(page.locator("#transcript .kind-answer h3").last).to_have_text(question)


def test_clarify_buttons_choose_an_answer(page, ask, clarifying, screenshot):
    """A clarify reply offers its choices as buttons; pressing one answers that question."""
    reply = ask(page, clarifying, "clarify")
    choices = reply.get_by_role("group", name="Which question did you mean?").get_by_role("button")
    expect(choices).to_have_count(2)
    screenshot(page, "desktop-clarify")
    chosen = choices.nth(1).inner_text()
    choices.nth(1).click()
    expect(page.locator("#transcript .kind-answer h3").last).to_have_text(chosen)


def test_urgent_reply_is_distinct_and_calls_first(page, ask, screenshot):
    """An urgent reply looks different from an answer and its first action calls the clinic."""
    answer = ask(page, "what is a dental implant", "answer")
    urgent = ask(page, URGENT, "urgent")
    background = "node => getComputedStyle(node).backgroundColor"
    assert urgent.evaluate(background) != answer.evaluate(background)
    first_link = urgent.locator("a").first
    expect(first_link).to_have_attribute("href", "tel:+442079460000")
    expect(first_link).to_contain_text("Call the clinic now")
    screenshot(page, "desktop-urgent")


def test_second_fallback_says_so_plainly_and_leads_with_contact(page, ask, screenshot):
    """Two fallbacks in a row: the second is plainer and starts with the clinic's contact buttons."""
    first = ask(page, FALLBACK, "fallback")
    expect(first.get_by_role("link", name="Book an appointment")).to_be_visible()
    second = ask(page, FALLBACK, "fallback")
    expect(second).to_have_class("message bot kind-fallback repeated new")
    expect(second.locator(".text")).to_contain_text("still can")
    expect(second.locator("a").first).to_have_attribute("href", "tel:+442079460000")
    screenshot(page, "desktop-fallback-twice")


def test_feedback_thumbs_record_a_vote_once(page, ask, site):
    """Voting on an answer thanks me, marks my choice, and stores one vote."""
    reply = ask(page, "does implant surgery hurt", "answer")
    reply.get_by_role("button", name="No", exact=True).click()
    expect(reply.locator(".thanks")).to_have_text("Thank you for your feedback.")
    expect(reply.get_by_role("button", name="No", exact=True)).to_have_attribute("aria-pressed", "true")
    reply.get_by_role("button", name="Yes", exact=True).click(force=True)  # already rated: nothing is sent
    page.wait_for_timeout(200)
    assert writer(site.app).flush()
    with sqlite3.connect(site.app.config["DATABASE"]) as db:
        votes = db.execute("SELECT vote FROM feedback WHERE entry_id = 'surgery-discomfort'").fetchall()
    assert votes[-1:] == [(-1,)]
    expect(reply.locator(".thanks")).to_have_count(1)


def test_reload_keeps_the_conversation_and_its_context(page, ask):
    """After a reload the transcript is still there and a follow-up still knows the topic."""
    ask(page, "How long does healing take in the upper jaw?", "answer")
    page.reload()
    expect(page.locator("#transcript .message.you .text")).to_have_text(
        ["How long does healing take in the upper jaw?"]
    )
    expect(page.locator("#transcript .kind-answer")).to_have_count(1)
    follow_up = ask(page, "and for the lower jaw?", "answer")
    expect(follow_up.locator(".text")).to_contain_text("lower jaw")


def test_clear_empties_the_conversation_for_good(page, ask):
    """Start over removes every turn, says so, and a reload does not bring them back."""
    ask(page, "what is a dental implant", "answer")
    page.get_by_role("button", name="Start over").click()
    expect(page.locator("#transcript .message:not(.welcome)")).to_have_count(0)
    expect(page.get_by_role("status")).to_have_text("The conversation was cleared.")
    page.reload()
    expect(page.locator("#transcript .message:not(.welcome)")).to_have_count(0)
    expect(page.locator("#chat-status")).to_have_text("")  # no stale message after the reload
    assert page.evaluate("sessionStorage.length") == 0


def test_my_words_are_shown_as_text_never_as_markup(page, ask):
    """Whatever I type appears literally; it can never run as HTML or script."""
    attack = '<img src=x onerror="window.pwned=1"><b>bold</b>'
    ask(page, attack)
    expect(page.locator("#transcript .message.you .text").last).to_have_text(attack)
    assert page.locator("#transcript img, #transcript .message.you b").count() == 0
    assert page.evaluate("window.pwned") is None


def test_words_stay_out_of_cookies(page, ask):
    """With JavaScript on, what I type lives in this tab's sessionStorage only, never in a cookie."""
    ask(page, "what is a dental implant zebra-crossing")
    cookies = json.dumps(page.context.cookies())
    assert "zebra" not in cookies
    assert "zebra" in page.evaluate("sessionStorage.getItem('faqbot.chat.v1')")


def test_unreachable_server_shows_an_alert_and_keeps_my_words(open_page):
    """If the request fails, an alert says so, focus stays in the box and my text is kept to retry."""
    page, watch = open_page("/")
    page.route("**/api/chat", lambda route: route.abort())
    page.fill("#message", "what is a dental implant")
    page.press("#message", "Enter")
    expect(page.get_by_role("alert")).to_contain_text("could not be reached")
    expect(page.locator("#message")).to_be_focused()
    expect(page.locator("#message")).to_have_value("what is a dental implant")
    expect(page.locator("#transcript .message.you")).to_have_count(0)
    watch.console_errors.clear()  # the aborted request is logged by the browser, as it should be


def test_server_refusal_shows_its_message(open_page):
    """A refusal from the API (here a 429) shows the server's own words in the alert."""
    page, watch = open_page("/")
    body = json.dumps(
        {"error": "Too many requests in a short time. Please wait a minute and try again.", "status": 429}
    )
    page.route("**/api/chat", lambda route: route.fulfill(status=429, body=body, content_type="application/json"))
    page.fill("#message", "hello")
    page.press("#message", "Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "Too many requests in a short time. Please wait a minute and try again."
    )
    watch.console_errors.clear()


def test_a_too_long_message_is_explained_before_sending_and_kept(page, screenshot):
    """Pasting over the limit says so at once; Send then explains, sends nothing, and keeps every word."""
    message = "how long does healing take " + "and then some more words " * 25
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/api/chat" in request.url else None)
    page.fill("#message", message)  # as a paste: the browser no longer cuts it at 500
    expect(page.locator("#message-length")).to_contain_text(f"Your message is {len(message.strip())} characters")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat-error")).to_contain_text("longer than 500 characters")
    expect(page.locator("#message")).to_have_value(message)
    assert requests == [] and page.locator("#transcript .message.you").count() == 0
    screenshot(page, "desktop-message-too-long")
    page.fill("#message", message[:400])
    expect(page.locator("#message-length")).to_have_text("")
