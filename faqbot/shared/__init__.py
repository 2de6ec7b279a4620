"""What several app processes share through Redis (the REDIS_URL setting).

Rate-limit counters (Flask-Limiter's own Redis storage), staff session ends (revocations.py), spent
feedback tokens (web/votes.py), failed-login counts (web/failed_logins.py) and the "reload the
knowledge" notification (notifications.py). Without REDIS_URL each of these keeps today's
in-process behaviour, and the redis library is never imported. Every Redis error reaches faqbot's
code as `Unavailable`: staff pages then fail closed, a vote is "try again later", a reply never waits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from redis import Redis

PREFIX = "faqbot:"  # every key faqbot writes starts with it
TIMEOUT_SECONDS = 1.0  # a Redis that does not answer is given up on quickly: a request never hangs on it
_EXTENSION = "faqbot.redis"


class Unavailable(Exception):
    """Redis could not be reached or refused the command (the message names no password)."""


def connect(url: str) -> Redis:
    """A client for the Redis at `url`, with short timeouts (connections are made on first use)."""
    import redis  # only with REDIS_URL

    return redis.Redis.from_url(
        url,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        health_check_interval=30,
        decode_responses=True,
    )


@contextmanager
def reaching(what: str) -> Iterator[None]:
    """Turn any Redis error inside the block into `Unavailable`, saying what was being done."""
    import redis

    try:
        yield
    except (redis.RedisError, OSError) as error:
        raise Unavailable(f"{what}: {shown(str(error))}") from None


def shown(text: str) -> str:
    """A Redis URL or error text with any password replaced by ***."""
    return re.sub(r"(://[^:/@\s]*:)[^@\s]+@", r"\1***@", text)


def init_app(app: Flask) -> None:
    """Connect to REDIS_URL when it is set (lazily: Redis may start after the app)."""
    if app.config["REDIS_URL"]:
        app.extensions[_EXTENSION] = connect(app.config["REDIS_URL"])


def client(app: Flask) -> Redis | None:
    """The app's Redis client, or None without REDIS_URL."""
    return app.extensions.get(_EXTENSION)
