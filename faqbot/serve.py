"""The production server: waitress, in one process with a pool of threads.

Why waitress rather than gunicorn: it runs the same way on the Linux or Windows machine a clinic
may have, needs no C extension, and one process means the in-memory rate-limit counters and the
SQLite statistics file have a single writer. A reply takes about a millisecond of CPU, so a
handful of threads keep up with far more patients than one clinic's website sees. More processes
(or machines) run this same server side by side on PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from .web.access_log import install_queue_summary

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8

log = logging.getLogger("faqbot.serve")


def make_server(
    app_or_factory: Flask | Callable[[], Flask],
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
) -> BaseWSGIServer | MultiSocketServer:
    """Return a bound, not yet running, waitress server for the app (port 0 picks a free port)."""
    app = app_or_factory if isinstance(app_or_factory, Flask) else app_or_factory()
    if threads < 1:
        raise ValueError("threads must be at least 1")
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="faqbot",  # the Server header names no version
        # The app decides what a proxy may say (BEHIND_PROXY and ProxyFix); waitress trusts no header itself.
        clear_untrusted_proxy_headers=False,
        channel_timeout=30,
        connection_limit=200,
    )


def serve(
    app_or_factory: Flask | Callable[[], Flask] | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
) -> None:
    """Serve the app (by default `create_app()`) until interrupted."""
    if app_or_factory is None:
        from . import create_app

        app_or_factory = create_app
    configure_logging()
    install_queue_summary()  # one line a minute instead of one per queued request under load
    # A service manager stops us with SIGTERM: end as on Ctrl+C, so queued statistics are written first.
    signal.signal(signal.SIGTERM, _stop)
    server = make_server(app_or_factory, host, port, threads)
    bound = getattr(server, "effective_port", port)  # "localhost" may bind several sockets
    log.info("faqbot is serving on http://%s:%s with %d threads (Ctrl+C stops it)", host, bound, threads)
    try:
        server.run()
    except KeyboardInterrupt:
        log.info("faqbot stopped")
    finally:
        server.close()


def configure_logging() -> None:
    """Log to stderr with times, once. Call it before creating the app: Flask gives an app created before
    any handler exists a handler of its own, and every line the app logs would then be printed twice."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
