"""Operational logs without patient text: one access line per request, one queue summary per minute.

The access line names the route pattern (`/sources/<document_id>`), never the path or query string a
visitor typed, with the method, status and milliseconds. waitress warns "Task queue depth is N" for
every request that waits for a thread (76,000 lines in a two-minute load test); `QueueDepthSummary`
folds those into one line per interval.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, g, request

log = logging.getLogger("faqbot.access")


def init_app(app: Flask) -> None:
    """Log one line per request: method, route, status, milliseconds."""

    @app.before_request
    def start_clock() -> None:
        g.access_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("access_started")
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        route = request.url_rule.rule if request.url_rule is not None else "(no route)"
        log.info("%s %s %d %.1f ms", request.method, route, response.status_code, elapsed)
        return response


class QueueDepthSummary(logging.Filter):
    """Swallow waitress's per-request queue warnings and log one summary line per interval instead."""

    def __init__(self, interval: float = 60.0, clock=time.monotonic):
        super().__init__()
        self._interval, self._clock = interval, clock
        self._lock = threading.Lock()
        self._waited = self._deepest = 0
        self._since = clock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("Task queue depth is"):
            return True
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        with self._lock:
            self._waited += 1
            self._deepest = max(self._deepest, int(depth))
            now = self._clock()
            if now - self._since < self._interval:
                return False
            record.msg = "%d request(s) waited for a free thread in the last %.0f s (deepest queue %d)"
            record.args = (self._waited, now - self._since, self._deepest)
            self._waited = self._deepest = 0
            self._since = now
        return True


def install_queue_summary(interval: float = 60.0) -> QueueDepthSummary:
    """Attach the summary to waitress's queue logger (once)."""
    logger = logging.getLogger("waitress.queue")
    for existing in logger.filters:
        if isinstance(existing, QueueDepthSummary):
            return existing
    summary = QueueDepthSummary(interval)
    logger.addFilter(summary)
    return summary
