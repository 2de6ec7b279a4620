"""The OpenAPI 3.1 description of /api, served at /api/openapi.json.

Limits come from the running configuration, so the document states what this server enforces.
tests/web/test_openapi.py sends real requests and validates every response against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine.clinic import ACTION_KINDS
from ..engine.reply import KINDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    meaning = {
        400: "Malformed JSON, a missing or invalid field, or a message over the length limit.",
        413: "The request body is over the size limit.",
        415: "The body is not sent as application/json.",
        409: "This answer has already been rated (one vote per answer).",
        429: "Too many requests from this client; see Retry-After.",
        503: "The vote could not be stored right now.",
    }
    return {str(status): _json(_ref("Error"), meaning[status]) for status in statuses}


def _schemas(config: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ChatRequest": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": {"type": "string", "minLength": 1, "maxLength": config["MAX_MESSAGE_LENGTH"]},
                "conversation": {
                    "type": ["string", "null"],
                    "description": "The token from the previous reply; unknown or missing starts a new conversation.",
                },
            },
        },
        "Reply": {
            "type": "object",
            "required": [
                "reply",
                "text",
                "actions",
                "kind",
                "confidence",
                "entry",
                "sources",
                "statement",
                "suggestions",
                "conversation",
            ],
            "additionalProperties": False,
            "properties": {
                "reply": {
                    "type": "string",
                    "description": "The whole reply as plain text, never HTML: `text`, then one line per action. "
                    "Show this where there are no buttons.",
                },
                "text": {
                    "type": "string",
                    "description": "The reply's words without the contact details, which `actions` carries; "
                    "show both together.",
                },
                "actions": {
                    "type": "array",
                    "items": _ref("ContactAction"),
                    "description": "Ways to reach the clinic or emergency services, each once (as buttons).",
                },
                "kind": {"enum": list(KINDS)},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                "entry": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["id", "question"],
                            "additionalProperties": False,
                            "properties": {"id": {"type": "string"}, "question": {"type": "string"}},
                        },
                    ]
                },
                "sources": {"type": "array", "items": _ref("Source")},
                "statement": {
                    "description": "Set when the answer is the clinic's own statement on a topic the articles do not "
                    "cover (no sources): who at the clinic signed it off, and when. Show it with the answer.",
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["reviewed_by", "reviewed_on"],
                            "additionalProperties": False,
                            "properties": {
                                "reviewed_by": {"type": "string"},
                                "reviewed_on": {"type": "string", "format": "date"},
                            },
                        },
                    ],
                },
                "suggestions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Follow-up questions; for a clarify reply, the choices.",
                },
                "conversation": {"type": "string", "description": "Send back with the next message."},
                "feedback_token": {
                    "type": "string",
                    "description": "Answers only: send it with the vote on this answer (one vote per answer).",
                },
            },
        },
        "ContactAction": {
            "type": "object",
            "required": ["kind", "label", "href"],
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": list(ACTION_KINDS)},
                "label": {"type": "string", "description": "Button text, e.g. 'Call the clinic: +44 20 7946 0000'."},
                "href": {"type": "string", "description": "A tel: link, or the booking page's URL."},
            },
        },
        "Source": {
            "type": "object",
            "required": ["title", "url", "quote"],
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string"},
                "url": {"type": "string", "pattern": "^/sources/[^/#]+#.+$"},
                "quote": {"type": "string"},
            },
        },
        "FeedbackRequest": {
            "type": "object",
            "required": ["entry", "vote", "reply"],
            "properties": {
                "entry": {"type": "string"},
                "vote": {"enum": ["up", "down"]},
                "reply": {"type": "string", "description": "The feedback_token of the answer being rated."},
            },
        },
        "FeedbackRecorded": {
            "type": "object",
            "required": ["recorded", "entry", "vote"],
            "additionalProperties": False,
            "properties": {"recorded": {"const": True}, "entry": {"type": "string"}, "vote": {"enum": ["up", "down"]}},
        },
        "Health": {
            "type": "object",
            "required": ["status", "entries", "documents", "statistics"],
            "additionalProperties": False,
            "properties": {
                "status": {
                    "enum": ["ok", "degraded"],
                    "description": "degraded: replies work, but statistics cannot be written right now",
                },
                "entries": {"type": "integer", "minimum": 0},
                "documents": {"type": "integer", "minimum": 0},
                "statistics": {
                    "type": "object",
                    "required": ["status", "reason", "dropped"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"enum": ["ok", "degraded"]},
                        "reason": {"type": "string", "description": "why it is degraded (no file names), or empty"},
                        "dropped": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "rows that could not be written since the server started",
                        },
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "status"],
            "additionalProperties": False,
            "properties": {
                "error": {"type": "string", "description": "What was wrong, in words a person can act on."},
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
            },
        },
    }


def document(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the OpenAPI document for this server's configuration."""
    body_limit = f"Bodies over {config['MAX_CONTENT_LENGTH']} bytes get 413."
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "faqbot API",
            "version": "1",
            "description": (
                f"{config['CLINIC_NAME']}'s dental-implant assistant. Rate limit per client on POST: "
                f"{config['RATELIMIT_POST']}. {body_limit} Every error has the body "
                '{"error": "...", "status": N}.'
            ),
        },
        "paths": {
            "/api/chat": {
                "post": {
                    "operationId": "chat",
                    "summary": "Answer one message",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ChatRequest")}}},
                    "responses": {"200": _json(_ref("Reply"), "The reply."), **_errors(400, 413, 415, 429)},
                }
            },
            "/api/feedback": {
                "post": {
                    "operationId": "feedback",
                    "summary": "Say whether an answer helped (stores the entry id, vote and date only)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("FeedbackRequest")}},
                    },
                    "responses": {
                        "201": _json(_ref("FeedbackRecorded"), "The vote was stored."),
                        **_errors(400, 409, 413, 415, 429, 503),
                    },
                }
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Check that the server answers",
                    "responses": {"200": _json(_ref("Health"), "The server is up.")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
        },
        "components": {"schemas": _schemas(config)},
    }
