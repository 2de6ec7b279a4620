"""The JSON API: POST /api/chat (the reply contract shared with `ask --json`)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from . import get_assistant

bp = Blueprint("api", __name__, url_prefix="/api")


def error_body(message: str, status: int):
    """Return the canonical JSON error response."""
    return jsonify({"error": message}), status


@bp.post("/chat")
def chat():
    """Answer one chat message."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error_body('Send a JSON object like {"message": "your question"}.', 400)
    message = data.get("message")
    if not isinstance(message, str) or not message.strip():
        return error_body("'message' must be a non-empty text.", 400)
    limit = current_app.config["MAX_MESSAGE_LENGTH"]
    if len(message) > limit:
        return error_body(f"'message' is longer than {limit} characters.", 400)
    conversation = data.get("conversation")
    if conversation is not None and not isinstance(conversation, str):
        return error_body("'conversation' must be the text token from the previous reply.", 400)
    return jsonify(get_assistant().reply(message, conversation).to_dict())
