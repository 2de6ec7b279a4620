"""One vote per reply: each answer carries a signed, single-use feedback token that a vote must bring back.

The token names the entry and a random nonce, signed with the app's secret (itsdangerous, which Flask
already uses for its session cookie), so it cannot be forged for another answer, and it expires after a
day. Spent nonces are remembered until their token would have expired anyway: in this process's
memory, bounded, or with REDIS_URL in Redis, so that several processes refuse a second vote alike.
Nothing in the token is about the patient: the vote row stays entry, vote and day.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import shared

MAX_AGE_SECONDS = 24 * 60 * 60
MAX_REMEMBERED = 200_000  # spent tokens kept (about 20 MB at most); the oldest are forgotten first
_SALT = "faqbot.feedback-token"
_EXTENSION = "faqbot.feedback_tokens"
_KEY = shared.PREFIX + "feedback-token-spent:"  # + the nonce


def feedback_tokens() -> FeedbackTokens:
    """This app's feedback tokens, made on first use with the app's secret key (shared by the API and the form)."""
    tokens = current_app.extensions.get(_EXTENSION)
    if tokens is None:
        redis = shared.client(current_app)
        spent = RedisSpent(redis) if redis is not None else None
        tokens = current_app.extensions.setdefault(_EXTENSION, FeedbackTokens(current_app.secret_key, spent=spent))
    return tokens


class FeedbackTokens:
    """Issues feedback tokens for answers and spends each at most once."""

    def __init__(self, secret_key: str, *, clock=time.time, max_remembered: int = MAX_REMEMBERED, spent=None):
        self._serializer = URLSafeTimedSerializer(secret_key, salt=_SALT)
        self._spent = spent or MemorySpent(clock=clock, max_remembered=max_remembered)

    def issue(self, entry_id: str) -> str:
        """A token for one answer of this entry."""
        return self._serializer.dumps([entry_id, secrets.token_urlsafe(9)])

    def spend(self, token: object, entry_id: str) -> str | None:
        """Spend the token for a vote on entry_id; return None, or why the vote cannot be taken
        ("invalid", "spent", or "unavailable" when Redis cannot be reached)."""
        signed = self._signed(token)
        if signed is None or signed[0] != entry_id or not isinstance(signed[1], str):
            return "invalid"
        try:
            return None if self._spent.spend(signed[1]) else "spent"
        except shared.Unavailable as error:
            current_app.logger.error("Could not check a feedback token: %s", error)
            return "unavailable"

    def refund(self, token: str) -> None:
        """Make a spent token usable again (its vote could not be stored)."""
        nonce = self._nonce(token)
        if nonce is not None:
            try:
                self._spent.refund(nonce)
            except shared.Unavailable as error:
                current_app.logger.error("Could not refund a feedback token: %s", error)

    def _nonce(self, token: object) -> str | None:
        signed = self._signed(token)
        return signed[1] if signed and isinstance(signed[1], str) else None

    def _signed(self, token: object) -> tuple[object, object] | None:
        if not isinstance(token, str):
            return None
        try:
            entry, nonce = self._serializer.loads(token, max_age=MAX_AGE_SECONDS)
        except (BadData, TypeError, ValueError):
            return None
        return entry, nonce


class MemorySpent:
    """Spent nonces in this process's memory, bounded; each forgotten once its token has expired."""

    def __init__(self, *, clock=time.time, max_remembered: int = MAX_REMEMBERED) -> None:
        self._clock = clock
        self._max = max_remembered
        self._spent: OrderedDict[str, float] = OrderedDict()  # nonce -> when it was spent
        self._lock = threading.Lock()

    def spend(self, nonce: str) -> bool:
        """Mark the nonce spent; False if it already was."""
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            if nonce in self._spent:
                return False
            self._spent[nonce] = now
            while len(self._spent) > self._max:
                self._spent.popitem(last=False)
        return True

    def refund(self, nonce: str) -> None:
        with self._lock:
            self._spent.pop(nonce, None)

    def _forget_expired(self, now: float) -> None:
        while self._spent:
            nonce, spent_at = next(iter(self._spent.items()))
            if now - spent_at <= MAX_AGE_SECONDS:
                break
            self._spent.popitem(last=False)


class RedisSpent:
    """Spent nonces in Redis, shared by every process; each key expires with its token."""

    def __init__(self, redis) -> None:
        self.redis = redis

    def spend(self, nonce: str) -> bool:
        with shared.reaching("spending a feedback token in Redis"):
            return bool(self.redis.set(_KEY + nonce, 1, nx=True, ex=MAX_AGE_SECONDS))  # atomic: one process wins

    def refund(self, nonce: str) -> None:
        with shared.reaching("refunding a feedback token in Redis"):
            self.redis.delete(_KEY + nonce)
