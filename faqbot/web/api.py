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
    usage.record(reply, message, channel="api")
    return jsonify(reply.to_dict())


@bp.post("/feedback")
def feedback():
    """Record whether an answer helped: only the entry id, the vote and the date are kept."""
    data = _json_object('Send a JSON object like {"entry": "what-is-implant", "vote": "up"}.')
    entry_id, vote = data.get("entry"), data.get("vote")
    if not isinstance(entry_id, str) or get_assistant().knowledge.entry(entry_id) is None:
        raise ApiError("'entry' must be the id of an answer, as given in the chat reply.")
    if vote not in db.VOTES:
        raise ApiError('\'vote\' must be "up" or "down".')
    if not db.record_feedback(entry_id=entry_id, vote=vote):
        raise ApiError("Your feedback could not be saved right now. Please try again later.", 503)
    return jsonify({"recorded": True, "entry": entry_id, "vote": vote}), 201


@bp.get("/health")
def health():
    """Report that the server answers and how much it knows."""
    knowledge = get_assistant().knowledge
    return jsonify({"status": "ok", "entries": len(knowledge.entries), "documents": len(knowledge.documents)})


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
    if not isinstance(data, dict):
        raise ApiError(example)
    return data
