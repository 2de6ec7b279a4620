"""Tell every process to reload the published knowledge, and listen for that.

Whatever publishes edited knowledge (the staff-editing issue) calls `publish(version)` once it is in
place; every process that called `subscribe(callback)` then runs the callback (create_app's reloads
the assistant). With REDIS_URL the notice goes through a Redis channel to every process; without it,
only this process's callbacks run, at once. A listener that loses Redis reconnects and then reloads
once anyway, in case it missed a notice meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from . import PREFIX, reaching

log = logging.getLogger(__name__)

CHANNEL = PREFIX + "knowledge-published"
EXTENSION = "faqbot.knowledge_updates"  # app.extensions key of the app's KnowledgeUpdates
RECONNECT_SECONDS = 2.0
MISSED = "(reconnected: a notice may have been missed)"  # the version a callback gets after an outage


class KnowledgeUpdates:
    """The knowledge-published channel of one process."""

    def __init__(self, redis=None) -> None:
        self._redis = redis
        self._callbacks: list[Callable[[str], None]] = []
        self._stopping = threading.Event()
        self._listening = threading.Event()  # set while subscribed (tests wait for it)
        self._thread: threading.Thread | None = None

    def subscribe(self, callback: Callable[[str], None]) -> None:
        """Run `callback(version)` whenever new knowledge is published, by any process."""
        self._callbacks.append(callback)
        if self._redis is not None and self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="faqbot-knowledge-updates", daemon=True)
            self._thread.start()

    def publish(self, version: str) -> int:
        """Announce new knowledge; return how many processes were listening (Unavailable if Redis is down)."""
        if self._redis is None:
            self._deliver(version)
            return 1
        with reaching("announcing new knowledge in Redis"):
            return self._redis.publish(CHANNEL, version)

    def wait_until_listening(self, timeout: float = 10.0) -> bool:
        """Wait until the subscription is in place (True at once without Redis)."""
        return self._redis is None or self._listening.wait(timeout)

    def close(self) -> None:
        self._stopping.set()

    def _listen(self) -> None:
        import redis

        missed = False
        while not self._stopping.is_set():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(CHANNEL)
                self._listening.set()
                if missed:
                    log.info("Listening for knowledge updates again")
                    self._deliver(MISSED)
                    missed = False
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "message":
                        self._deliver(message["data"])
            except (redis.RedisError, OSError) as error:
                self._listening.clear()
                if not missed:
                    log.warning("Lost Redis while listening for knowledge updates (%s); retrying", type(error).__name__)
                missed = True
                self._stopping.wait(RECONNECT_SECONDS)
            finally:
                pubsub.close()

    def _deliver(self, version: str) -> None:
        for callback in self._callbacks:
            try:
                callback(version)
            except Exception:  # noqa: BLE001 - a failed reload keeps the old knowledge; the listener goes on
                log.exception("Reloading the knowledge (%s) failed; the previous knowledge stays in use", version)


def knowledge_updates(app) -> KnowledgeUpdates:
    """The app's knowledge-published channel (publish on it after putting new knowledge in place)."""
    return app.extensions[EXTENSION]
