"""Publishing new knowledge reaches every process, which reloads it; without Redis, this process only."""

from __future__ import annotations

import time
from pathlib import Path

import servers

from faqbot import shared
from faqbot.shared.notifications import MISSED, KnowledgeUpdates, knowledge_updates


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_without_redis_a_notice_reaches_this_processes_listeners():
    """No REDIS_URL: publishing calls this process's callbacks at once."""
    heard = []
    updates = KnowledgeUpdates()
    updates.subscribe(heard.append)
    assert updates.publish("v2") == 1 and heard == ["v2"]


def test_with_redis_every_subscribed_process_hears_a_notice(redis_url):
    """Two listeners on one Redis (two processes) both hear what a third publishes."""
    heard: dict[str, list[str]] = {"a": [], "b": []}
    listeners = [KnowledgeUpdates(shared.connect(redis_url)) for _ in heard]
    for updates, name in zip(listeners, heard, strict=True):
        updates.subscribe(heard[name].append)
        assert updates.wait_until_listening()
    assert KnowledgeUpdates(shared.connect(redis_url)).publish("v7") >= 2  # (other tests' listeners may hear it)
    assert wait_for(lambda: heard == {"a": ["v7"], "b": ["v7"]})
    for updates in listeners:
        updates.close()


def test_a_listener_that_lost_redis_reloads_once_it_is_back(redis_server, monkeypatch):
    """A notice may be missed while Redis is unreachable: back again, the listener reloads anyway."""
    monkeypatch.setattr("faqbot.shared.notifications.RECONNECT_SECONDS", 0.1)
    outage = servers.Outage(redis_server.port)
    heard = []
    updates = KnowledgeUpdates(shared.connect(f"redis://127.0.0.1:{outage.port}/0"))
    updates.subscribe(heard.append)
    assert updates.wait_until_listening()
    outage.cut()
    assert wait_for(lambda: not updates._listening.is_set(), timeout=10)
    outage.restore()
    assert wait_for(lambda: heard == [MISSED], timeout=10)
    updates.close()


def test_an_app_answers_from_the_republished_knowledge(tiny_dir: Path, make_process, sharing, monkeypatch):
    """Changed knowledge files are served once a notice is published: by this process without Redis, by any with."""
    monkeypatch.delenv("FAQBOT_KNOWLEDGE_DIR", raising=False)  # left behind by `python -m faqbot` run in-process
    app = make_process(KNOWLEDGE_DIR=str(tiny_dir), SEMANTIC_MATCHING=False)
    assert knowledge_updates(app).wait_until_listening()
    faq = next((tiny_dir / "faq").glob("*.toml"))
    faq.write_text(faq.read_text().replace('answer = "', 'answer = "Republished: ', 1))
    publisher = KnowledgeUpdates(shared.connect(sharing["REDIS_URL"])) if sharing else knowledge_updates(app)
    publisher.publish("edited in the test")
    assert wait_for(
        lambda: any(e.answer.startswith("Republished: ") for e in app.extensions["faqbot"].knowledge.entries)
    )
