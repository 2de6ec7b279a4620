"""Published knowledge reaches every process without a restart, and never mid-request.

Two apps made by two create_app calls on one database stand for two server processes: what a reviewer
publishes through one is answered by the other within seconds (it asks the database every
KNOWLEDGE_CHECK_SECONDS, or hears the notice through Redis), while a request under way finishes with
the knowledge it started with.
"""

from __future__ import annotations

import time

from editor_pages import ask, location, publish, save

from faqbot.editing import items
from faqbot.editing import snapshot as snapshots
from faqbot.editing.items import ENTRY
from faqbot.shared.notifications import knowledge_updates
from faqbot.web import get_assistant, live

QUESTION = "how often should I water my tomato plants"
SHIPPED = "Tomato plants need water every two days in summer."
MORNING = "Tomato plants need water every two days in summer, best in the morning."


def answer_within(client, expected: str, seconds: float = 20) -> str:
    """Ask until the answer is the expected one or the time is up; return the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        answer = ask(client, QUESTION)["text"]
        if answer == expected or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def publish_morning(staff) -> None:
    location(publish(staff, location(save(staff, "entry", "watering", answer=MORNING))))


def test_another_process_answers_with_published_knowledge_within_seconds(make_app, storage_settings, staff_browser):
    """A version published through one process is answered by another on the same database, no restart."""
    first = make_app(KNOWLEDGE_CHECK_SECONDS=1, **storage_settings)
    second = make_app(KNOWLEDGE_CHECK_SECONDS=1, **storage_settings)
    patient = second.test_client()
    assert ask(patient, QUESTION)["text"] == SHIPPED

    publish_morning(staff_browser(first))

    assert answer_within(patient, MORNING) == MORNING


def test_another_process_hears_of_published_knowledge_through_redis(make_app, redis_url, staff_browser):
    """With Redis, the other process swaps at the notice, long before its next look at the database."""
    first = make_app(KNOWLEDGE_CHECK_SECONDS=3600, REDIS_URL=redis_url)
    second = make_app(KNOWLEDGE_CHECK_SECONDS=3600, REDIS_URL=redis_url)
    assert knowledge_updates(second).wait_until_listening()
    patient = second.test_client()
    assert ask(patient, QUESTION)["text"] == SHIPPED  # its one look at the database is done: the next is in an hour

    publish_morning(staff_browser(first))

    assert answer_within(patient, MORNING) == MORNING


def test_a_process_started_after_publishing_answers_from_the_published_version(make_app, staff_browser, knowledge_dir):
    """A restart keeps the published knowledge (it lives in the database; the shipped folder is not rewritten)."""
    shipped = snapshots.read_folder(knowledge_dir)
    publish_morning(staff_browser(make_app()))

    restarted = make_app()

    assert ask(restarted.test_client(), QUESTION)["text"] == MORNING
    assert snapshots.read_folder(knowledge_dir) == shipped


def test_a_request_under_way_finishes_with_the_knowledge_it_started_with(app, knowledge_dir):
    """A swap in the middle of a request does not change that request's assistant; the next request gets the new."""
    shipped = snapshots.read_folder(knowledge_dir)
    watering = items.find(shipped, ENTRY, "watering").content
    edited = items.put(shipped, ENTRY, "watering", {**watering, "answer": MORNING})

    with app.test_request_context("/api/chat", method="POST"):
        before = get_assistant()
        live.install(app, 2, edited)
        assert get_assistant() is before
        assert get_assistant().knowledge.entry("watering").answer == SHIPPED

    with app.test_request_context("/api/chat", method="POST"):
        assert get_assistant() is not before
        assert app.extensions[live.EXTENSION].version == 2
        assert get_assistant().knowledge.entry("watering").answer == MORNING


def test_an_older_version_never_replaces_a_newer_one(app, knowledge_dir):
    """A late install of an older version (a slow reload) leaves the newer knowledge in place."""
    shipped = snapshots.read_folder(knowledge_dir)
    watering = items.find(shipped, ENTRY, "watering").content
    live.install(app, 3, items.put(shipped, ENTRY, "watering", {**watering, "answer": MORNING}))

    live.install(app, 2, shipped)

    with app.test_request_context("/api/chat", method="POST"):
        assert app.extensions[live.EXTENSION].version == 3
        assert get_assistant().knowledge.entry("watering").answer == MORNING
