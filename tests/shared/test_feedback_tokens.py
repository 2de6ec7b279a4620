"""One vote per answer: with REDIS_URL a token spent on one process is spent on all."""

from __future__ import annotations

import pytest
import servers


def ask(app) -> dict:
    return app.test_client().post("/api/chat", json={"message": "what is a dental implant"}).get_json()


def vote(app, reply: dict):
    body = {"entry": reply["entry"]["id"], "vote": "up", "reply": reply["feedback_token"]}
    return app.test_client().post("/api/feedback", json=body)


def test_a_second_vote_on_another_process_is_refused_only_with_redis(make_process, sharing):
    """The same answer rated through two processes: the second vote gets 409 when they share Redis."""
    first, second = make_process(), make_process()
    reply = ask(first)
    assert vote(first, reply).status_code == 201
    assert vote(second, reply).status_code == (409 if sharing else 201)
    assert vote(first, reply).status_code == 409  # the same process always knew


def test_a_vote_that_could_not_be_stored_can_be_made_again(make_process, monkeypatch):
    """A vote the store refused gives the token back, in Redis too: the patient may try again."""
    app = make_process()
    reply = ask(app)
    monkeypatch.setattr("faqbot.storage.db.record_feedback", lambda **vote: False)
    assert vote(app, reply).status_code == 503
    monkeypatch.undo()
    assert vote(app, reply).status_code == 201


@pytest.mark.parametrize("sharing", [{}])
def test_an_unreachable_redis_makes_a_vote_wait_not_fail(make_process):
    """Redis down: the vote is "try again later" (503), never an error page, and the answer itself was given."""
    app = make_process(REDIS_URL=f"redis://127.0.0.1:{servers.free_port()}/0")
    reply = ask(app)
    assert reply["kind"] == "answer"
    response = vote(app, reply)
    assert response.status_code == 503 and "could not be saved right now" in response.get_json()["error"]
