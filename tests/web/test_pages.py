"""The pages people see: the chat with JavaScript off, source articles, the embed and error pages."""

from __future__ import annotations

import re
import sqlite3

import pytest

from faqbot.storage.db import writer

URGENT = "my gum has been bleeding for hours and it won't stop"
FALLBACK = "can I pay with bitcoin"


def text_of(response) -> str:
    """Return a page's HTML as text."""
    return response.get_data(as_text=True)


def test_chat_page_says_what_it_is_and_how_to_reach_the_clinic(client):
    """The header names the assistant, says it is not medical advice, and shows the phone and booking links."""
    page = text_of(client.get("/"))
    assert "automated assistant" in page and "not medical advice" in page
    assert 'href="tel:+442079460000"' in page
    assert 'href="https://example.com/book"' in page
    starters = re.search(r"Suggested questions</legend>(.*?)</form>", page, re.S).group(1)
    assert 3 <= starters.count('name="choice"') <= 5


def test_form_conversation_answers_with_sources_and_follow_ups(client, send):
    """With JavaScript off, a posted question comes back as an answer with source links and suggestions."""
    response = send("what is a dental implant")
    assert response.request.path == "/"
    page = text_of(response)
    assert "A dental implant is an artificial tooth root" in page
    assert re.search(r"<summary>Sources \(\d\)</summary>", page)
    assert 'href="/sources/placement-vs-restoration#pvr-what-root"' in page
    assert "Related questions</legend>" in page
    assert "Was this helpful?" in page


def test_form_post_redirects_to_the_new_reply(client, csrf):
    """The form post answers 303 to the page, anchored at the new reply (post/redirect/get)."""
    response = client.post("/send", data={"csrf_token": csrf(), "message": "what is a dental implant"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/#turn-0"


def test_form_conversation_keeps_every_turn(client, send):
    """Each post adds to the transcript the page shows."""
    send("what is a dental implant")
    page = text_of(send("", choice="Does implant surgery hurt?"))
    assert 'id="turn-0"' in page and 'id="turn-1"' in page
    assert "Does implant surgery hurt?</h3>" in page


def test_clarify_reply_offers_its_choices_as_buttons(client, send, clarifying):
    """A clarify reply lists each choice as a button that sends that question."""
    page = text_of(send(clarifying))
    group = re.search(r"Which question did you mean\?</legend>(.*?)</form>", page, re.S).group(1)
    assert group.count('name="choice"') == 2


def test_second_fallback_in_a_row_puts_the_clinic_first(client, send):
    """After two fallbacks the reply says so plainly and the contact buttons come before the text."""
    send(FALLBACK)
    page = text_of(send(FALLBACK))
    second = page[page.index('id="turn-1"') :]
    assert "kind-fallback repeated" in page
    assert second.index("Call the clinic") < second.index("still can")


def test_urgent_reply_puts_the_phone_number_first(client, send):
    """An urgent reply is marked as such and its first link calls the clinic."""
    page = text_of(send(URGENT))
    card = page[page.index("kind-urgent") :]
    assert re.search(r'<a [^>]*href="(tel:[^"]+)"', card).group(1) == "tel:+442079460000"
    assert card.index("tel:") < card.index("This could need urgent attention")


def test_an_empty_form_message_says_what_to_fix(client, send):
    """An empty message comes back as an alert on the page, not an error page."""
    page = text_of(send("   "))
    assert re.search(r'role="alert">[^<]*Please type a question', page)


@pytest.mark.parametrize("view", ["page", "embed"])
def test_a_too_long_form_message_is_kept_and_the_limit_explained(client, send, view):
    """Over the limit, the page says so and gives the whole text back in the box to shorten: nothing is lost."""
    message = "how long does healing take " + "and more words " * 40
    response = send(message, view=view)
    page = text_of(response)
    assert response.status_code == 400
    assert f"Your message is {len(message.strip())} characters; the limit is 500." in page
    assert f'value="{message.strip()}"' in page and 'aria-invalid="true"' in page
    assert "maxlength" not in page  # the browser never cuts a pasted message silently


def test_form_without_csrf_token_is_refused_without_echo(client):
    """A form post without its CSRF token is refused with a page that does not repeat the message."""
    response = client.post("/send", data={"message": "<b>my private question</b>"})
    assert response.status_code == 400
    assert "page had expired" in text_of(response)
    assert "private question" not in text_of(response)


def test_form_feedback_is_recorded_once_and_thanked(client, send, csrf, app):
    """A vote from the form is stored, thanked on the page, and a second vote on the same answer is ignored."""
    send("what is a dental implant")
    for _ in range(2):
        form = {"csrf_token": csrf(), "entry": "what-is-implant", "turn": "0", "vote": "up"}
        page = text_of(client.post("/feedback", data=form, follow_redirects=True))
    assert "Thank you for your feedback." in page
    assert 'aria-pressed="true"' in page
    assert writer(app).flush()
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT entry_id, vote FROM feedback").fetchall() == [("what-is-implant", 1)]


def test_a_replayed_cookie_cannot_vote_twice(client, send, csrf, app):
    """Voting again from an older copy of the page (the cookie from before the vote) is refused."""
    send("what is a dental implant")
    form = {"csrf_token": csrf(), "entry": "what-is-implant", "turn": "0", "vote": "up"}
    before_vote = client.get_cookie("faqbot_session").value
    client.post("/feedback", data=form)
    client.set_cookie("faqbot_session", before_vote)
    page = text_of(client.post("/feedback", data={**form, "vote": "down"}, follow_redirects=True))
    assert "This answer has already been rated" in page
    assert writer(app).flush()
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT entry_id, vote FROM feedback").fetchall() == [("what-is-implant", 1)]


def test_clear_empties_the_form_conversation(client, send, csrf):
    """Start over forgets every turn."""
    send("what is a dental implant")
    page = text_of(client.post("/clear", data={"csrf_token": csrf()}, follow_redirects=True))
    assert 'id="turn-0"' not in page
    assert "The conversation was cleared." in page


def test_ask_link_from_a_source_fills_in_the_question(client):
    """/?ask=<entry id> puts that entry's question in the box; an unknown id is ignored."""
    assert 'value="What is a dental implant?"' in text_of(client.get("/?ask=what-is-implant"))
    unknown = text_of(client.get("/?ask=<script>"))
    assert re.search(r'<input id="message"[^>]*value=""', unknown)
    assert "&lt;script&gt;" not in unknown and "?ask=" not in unknown


def test_source_page_anchors_every_passage_and_lists_citing_questions(client, app):
    """Each passage has its id as an anchor, and the questions that cite it link back to the chat."""
    knowledge = app.extensions["faqbot"].knowledge
    for document in knowledge.documents:
        page = text_of(client.get(f"/sources/{document.id}"))
        assert document.title in page or document.title.replace("'", "&#39;") in page
        for passage in document.passages:
            assert f'id="{passage.id}"' in page
            for entry in knowledge.entries_citing(passage.id):
                assert f"/?ask={entry.id}#message" in page


def test_sources_index_lists_every_document(client, app):
    """/sources/ links to every source article."""
    page = text_of(client.get("/sources/"))
    for document in app.extensions["faqbot"].knowledge.documents:
        assert f'href="/sources/{document.id}"' in page


@pytest.mark.parametrize(
    "path", ["/sources/<script>alert(1)</script>", "/no-such-page?q=<script>alert(1)</script>", "/sources/nope"]
)
def test_404_page_is_styled_and_never_echoes_the_request(client, path):
    """A missing page gets the site's 404 page, which repeats nothing from the URL."""
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = text_of(response)
    assert "Page not found" in page and 'href="/static/site.css"' in page
    assert "alert(1)" not in page and "nope" not in page


def test_500_page_is_calm_and_reveals_nothing(make_app, csrf, monkeypatch):
    """An engine crash on the form shows the site's 500 page with the clinic's number, no details."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get("/"))).group(1)

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["faqbot"], "reply", broken)
    response = client.post("/send", data={"csrf_token": token, "message": "my private words"})
    assert response.status_code == 500
    page = text_of(response)
    assert "Something went wrong" in page and "tel:" in page
    assert "secret internals" not in page and "private words" not in page


def test_embed_is_the_compact_chat_with_the_same_form(client):
    """/embed shows the chat without the page's footer, with source links opening in a new tab."""
    page = text_of(client.get("/embed"))
    assert 'id="chat-form"' in page and 'name="view" value="embed"' in page
    assert "site-footer" not in page


def test_embed_form_post_returns_to_the_embed(client, csrf):
    """A no-JavaScript post from the embed comes back to /embed, not to the full page."""
    response = client.post("/send", data={"csrf_token": csrf("/embed"), "message": "hello", "view": "embed"})
    assert response.headers["Location"].startswith("/embed#")
    page = text_of(client.get("/embed"))
    assert 'id="turn-0"' in page


def test_embed_snippet_documents_the_iframe_and_allowed_origins(make_app):
    """/embed/snippet gives the iframe code with a title, and lists the allowed origins."""
    app = make_app(EMBED_ORIGINS="https://www.clinic.example")
    page = text_of(app.test_client().get("/embed/snippet"))
    assert '&lt;iframe src="http://localhost/embed"' in page
    assert "title=" in page and "<code>https://www.clinic.example</code>" in page


def test_static_files_are_served_from_web_static(client):
    """The stylesheet and script come from web/static with their proper types."""
    assert client.get("/static/site.css").mimetype == "text/css"
    assert client.get("/static/chat.js").mimetype in {"text/javascript", "application/javascript"}


def test_too_many_form_posts_get_a_calm_429_page(make_app):
    """Past the rate limit, the no-JavaScript form gets the site's 429 page, with Retry-After and no echo."""
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_POST="1 per minute").test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get("/"))).group(1)
    client.post("/send", data={"csrf_token": token, "message": "hello"})
    response = client.post("/send", data={"csrf_token": token, "message": "my private words"})
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Please slow down" in text_of(response) and "private words" not in text_of(response)
    assert int(response.headers["Retry-After"]) > 0


def test_an_unconfigured_clinic_name_starts_a_line_with_a_capital(client):
    """Without CLINIC_NAME the name is "the clinic": where it starts a line it reads "The clinic"."""
    embed = text_of(client.get("/embed"))
    assert "<strong>The clinic's automated assistant</strong>" in embed
    assert "Ask about dental implants" in embed  # the same page, not an error


@pytest.mark.parametrize(
    ("configured", "shown"),
    [
        ("the Smile Centre", "The Smile Centre"),
        ("iSmile Dental", "iSmile Dental"),
        ("de Vries Tandarts", "de Vries Tandarts"),
    ],
)
def test_a_configured_clinic_name_keeps_its_own_spelling(make_app, configured, shown):
    """Only a leading "the" is capitalised at the start of a line; a brand's own spelling is kept."""
    client = make_app(CLINIC_NAME=configured).test_client()
    assert f"<strong>{shown}'s automated assistant</strong>" in text_of(client.get("/embed"))
