"""The conversation token: what a follow-up needs to know, and nothing a patient typed.

It holds entry ids only (the last answered entry, the choices of a clarify reply) and how many
fallbacks came in a row. It is plainly encoded rather than signed: every id in it is checked
against the knowledge base on the way back in, so a forged token can only pick another
published answer, and a broken one simply starts a new conversation.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

PREFIX = "c1."
MAX_TOKEN_LENGTH = 600


@dataclass(frozen=True)
class ConversationState:
    """Where a conversation stands after a reply."""

    entry_id: str | None = None
    options: tuple[str, ...] = ()
    fallbacks: int = 0


def encode(state: ConversationState) -> str:
    """Return the opaque token for a state."""
    data = {"e": state.entry_id, "o": list(state.options), "f": state.fallbacks}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str | None, known_ids: set[str] | frozenset[str]) -> ConversationState:
    """Read a token back; anything unreadable or unknown gives a fresh conversation."""
    if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.startswith(PREFIX):
        return ConversationState()
    body = token[len(PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        return ConversationState()
    if not isinstance(data, dict):
        return ConversationState()
    # Check each type before use: a list is unhashable (`in known_ids` would raise) and a bool is an int.
    entry, listed, fallbacks = data.get("e"), data.get("o"), data.get("f")
    entry_id = entry if isinstance(entry, str) and entry in known_ids else None
    listed = listed if isinstance(listed, list) else []
    options = tuple(o for o in listed if isinstance(o, str) and o in known_ids)[:4]
    fallbacks = fallbacks if type(fallbacks) is int and 0 <= fallbacks < 100 else 0
    return ConversationState(entry_id, options, fallbacks)
