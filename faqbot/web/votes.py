"""One vote per reply: each answer carries a signed, single-use feedback token that a vote must bring back.

The token names the entry and a random nonce, signed with the app's secret (itsdangerous, which Flask
already uses for its session cookie), so it cannot be forged for another answer, and it expires after a
day. Spent nonces are remembered in memory, bounded, until their token would have expired anyway; with
several processes a vote could be counted once per process (shared storage comes with Redis).
Nothing in the token is about the patient: the vote row stays entry, vote and day.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

MAX_AGE_SECONDS = 24 * 60 * 60
MAX_REMEMBERED = 200_000  # spent tokens kept (about 20 MB at most); the oldest are forgotten first
_SALT = "faqbot.feedback-token"
_EXTENSION = "faqbot.feedback_tokens"


def feedback_tokens() -> FeedbackTokens:
    """This app's feedback tokens, made on first use with the app's secret key (shared by the API and the form)."""
    tokens = current_app.extensions.get(_EXTENSION)
    if tokens is None:
        tokens = current_app.extensions.setdefault(_EXTENSION, FeedbackTokens(current_app.secret_key))
    return tokens


class FeedbackTokens:
    """Issues feedback tokens for answers and spends each at most once."""

    def __init__(self, secret_key: str, *, clock=time.time, max_remembered: int = MAX_REMEMBERED):
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self._clock = clock
        self._max = max_remembered
        self._spent: OrderedDict[str, float] = OrderedDict()  # nonce -> when it was spent
        self._lock = threading.Lock()

    def issue(self, entry_id: str) -> str:
        """A token for one answer of this entry."""
        return self._serializer.dumps([entry_id, secrets.token_urlsafe(9)])

    def spend(self, token: object, entry_id: str) -> str | None:
        """Spend the token for a vote on entry_id; return None, or why the vote cannot be taken."""
        if not isinstance(token, str):
            return "invalid"
        try:
            signed_entry, nonce = self._serializer.loads(token, max_age=MAX_AGE_SECONDS)
        except (BadData, TypeError, ValueError):
            return "invalid"
        if signed_entry != entry_id or not isinstance(nonce, str):
            return "invalid"
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            if nonce in self._spent:
                return "spent"
            self._spent[nonce] = now
            while len(self._spent) > self._max:
                self._spent.popitem(last=False)
        return None

    def refund(self, token: str) -> None:
        """Make a spent token usable again (its vote could not be stored)."""
        try:
            _, nonce = self._serializer.loads(token, max_age=MAX_AGE_SECONDS)
        except (BadData, TypeError, ValueError):
            return
        with self._lock:
            self._spent.pop(nonce, None)

    def _forget_expired(self, now: float) -> None:
        while self._spent:
            nonce, spent_at = next(iter(self._spent.items()))
            if now - spent_at <= MAX_AGE_SECONDS:
                break
            self._spent.popitem(last=False)
