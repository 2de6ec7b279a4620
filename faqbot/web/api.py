"""The JSON API: chat, feedback, health and its own OpenAPI description.

Every refusal is the canonical error body from `errors.error_body`; tests/web/test_openapi.py checks
that each response really matches `openapi.document()`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from ..storage import db, usage
from . import get_assistant, openapi
from .errors import ApiError, error_body
from .votes import feedback_tokens

bp = Blueprint("api", __name__, url_prefix="/api")

__all__ = ["bp", "error_body"]


@bp.post("/chat")
def chat():
    """Answer one chat message."""
    data = _json_object('Send a JSON object like {"message": "your question"}.')
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError("'message' must be a non-empty text.")
    limit = current_app.config["MAX_MESSAGE_LENGTH"]
    if len(message) > limit:
        raise ApiError(f"'message' is longer than {limit} characters.")
    conversation = data.get("conversation")
    if conversation is not None and not isinstance(conversation, str):
        raise ApiError("'conversation' must be the text token from the previous reply.")
    # An unknown or damaged token is not an error: the engine starts a new conversation.
    reply = get_assistant().reply(message, conversation)
    try:
        usage.record(reply, message, channel="api")
    except Exception as error:
        # Statistics are best effort: the patient gets the reply whatever happens to its row. The
        # error's text is left out of the log, as it could quote what the patient typed.
        current_app.logger.error("Could not record a %s reply: %s", reply.kind, type(error).__name__)
    body = reply.to_dict()
    if reply.kind == "answer" and reply.entry:
        body["feedback_token"] = feedback_tokens().issue(reply.entry.id)  # one vote for this answer
    return jsonify(body)


@bp.post("/feedback")
def feedback():
    """Record whether an answer helped: only the entry id, the vote and the date are kept."""
    data = _json_object('Send a JSON object like {"entry": "what-is-implant", "vote": "up", "reply": "<token>"}.')
    entry_id, vote, token = data.get("entry"), data.get("vote"), data.get("reply")
    if not isinstance(entry_id, str) or get_assistant().knowledge.entry(entry_id) is None:
        raise ApiError("'entry' must be the id of an answer, as given in the chat reply.")
    if not isinstance(vote, str) or vote not in db.VOTES:
        raise ApiError('\'vote\' must be "up" or "down".')
    tokens = feedback_tokens()
    problem = tokens.spend(token, entry_id)
    if problem == "spent":
        raise ApiError("This answer has already been rated: one vote per answer.", 409)
    if problem == "unavailable":
        raise ApiError("Your feedback could not be saved right now. Please try again later.", 503)
    if problem:
        raise ApiError("'reply' must be the feedback_token of the answer you are rating (valid for a day).")
    if not db.record_feedback(entry_id=entry_id, vote=vote):
        tokens.refund(token)  # nothing was counted: the patient may try again
        raise ApiError("Your feedback could not be saved right now. Please try again later.", 503)
    return jsonify({"recorded": True, "entry": entry_id, "vote": vote}), 201


@bp.get("/health")
def health():
    """Report that the server answers, how much it knows, and whether statistics are being kept."""
    knowledge = get_assistant().knowledge
    store = db.store_state()
    return jsonify(
        {
            # Replies never depend on the statistics store: a degraded store is reported, not a failure.
            "status": "ok" if store.status == "ok" else "degraded",
            "entries": len(knowledge.entries),
            "documents": len(knowledge.documents),
            "statistics": {"status": store.status, "reason": store.reason, "dropped": store.dropped},
        }
    )


@bp.get("/openapi.json")
def openapi_document():
    """Describe this API in OpenAPI 3.1."""
    return jsonify(openapi.document(current_app.config))


def _json_object(example: str) -> dict[str, Any]:
    if not request.is_json:
        raise ApiError("Send the request as JSON with the header Content-Type: application/json.", 415)
    try:
        data = request.get_json()
    except BadRequest:
        raise ApiError(f"The request body is not valid JSON. {example}") from None
    except RecursionError:
        # The parser recurses per level: a few kilobytes of brackets exhaust the stack.
        raise ApiError(f"The request body is nested too deeply. {example}") from None
    if not isinstance(data, dict):
        raise ApiError(example)
    return data
