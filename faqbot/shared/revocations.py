"""Staff session ends announced to every process, so a session ended anywhere is refused everywhere.

The database already holds each session's end, and every process that shares the database sees it.
Redis adds the processes that do not share it (machines each with their own SQLite file, behind one
proxy): logout, "end every session", `end-staff-sessions`, and removing an account or giving it a new
password also write here, and every staff request checks here. Only sha256 digests of session ids
and account names are written, never an id that opens anything. Without REDIS_URL, `NoSessionEnds`
announces nothing: the database alone decides, as before.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..storage.sessions import ABSOLUTE_SECONDS
from . import PREFIX, reaching

if TYPE_CHECKING:
    from redis import Redis

_ALL = PREFIX + "staff-sessions-ended-at"  # sessions opened before this time are ended
_ONE = PREFIX + "staff-session-ended:"  # + the session id's digest
_ACCOUNT = PREFIX + "staff-account-sessions-ended-at:"  # + the account's name: its sessions opened before then
_EXTENSION = "faqbot.session_ends"


class NoSessionEnds:
    """One process, or processes sharing the database: nothing to announce."""

    def ended_before(self, id_hash: str, account: str) -> float | None:
        return None

    def end(self, id_hash: str) -> None:
        return None

    def end_account(self, account: str, now: float) -> None:
        return None

    def end_all(self, now: float) -> None:
        return None


class RedisSessionEnds(NoSessionEnds):
    """Session ends kept in Redis for as long as a session can live (ABSOLUTE_SECONDS)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def ended_before(self, id_hash: str, account: str) -> float | None:
        """A time before which this session of this account counts as ended (infinity: it was ended itself), or None."""
        with reaching("checking staff session ends in Redis"):
            one, every, of_account = (
                self.redis.pipeline().exists(_ONE + id_hash).get(_ALL).get(_ACCOUNT + account).execute()
            )
        if one:
            return math.inf
        times = [float(time) for time in (every, of_account) if time]
        return max(times) if times else None

    def end(self, id_hash: str) -> None:
        with reaching("announcing a staff session end in Redis"):
            self.redis.set(_ONE + id_hash, 1, ex=ABSOLUTE_SECONDS)

    def end_account(self, account: str, now: float) -> None:
        with reaching("announcing the end of an account's staff sessions in Redis"):
            self.redis.set(_ACCOUNT + account, repr(now), ex=ABSOLUTE_SECONDS)

    def end_all(self, now: float) -> None:
        with reaching("announcing the end of every staff session in Redis"):
            self.redis.set(_ALL, repr(now), ex=ABSOLUTE_SECONDS)


def session_ends(app) -> NoSessionEnds:
    """The app's announcer of session ends: Redis when configured, else none."""
    from . import client

    ends = app.extensions.get(_EXTENSION)
    if ends is None:
        redis = client(app)
        ends = app.extensions.setdefault(_EXTENSION, RedisSessionEnds(redis) if redis is not None else NoSessionEnds())
    return ends
