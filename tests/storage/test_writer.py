"""The statistics writer on both databases: batches, one bad row, and (PostgreSQL) a lost or unreachable server."""

from __future__ import annotations

import logging
import re
import threading
import time

import pytest
import servers
from sqlalchemy import func, select

from faqbot.storage import schema, writer
from faqbot.storage.engine import UNREACHABLE, create_engine, parse_database_url
from faqbot.storage.migrations import migrate


def reply_row(kind: str = "answer") -> writer.Row:
    values = {"created": "2026-01-01T00:00:00", "channel": "api", "kind": kind, "entry_id": None, "confidence": 0.5}
    return writer.Row(schema.reply, values, f"a reply of kind {kind}")


def replies(url) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(schema.reply)).scalar_one()
    finally:
        engine.dispose()


@pytest.fixture
def start_writer():
    """Start writers on a URL; each is closed after the test."""
    started = []

    def start(url, **options) -> writer.StatsWriter:
        stats = writer.StatsWriter(create_engine(url, pooled=False, timeout_ms=100), migrate=migrate, **options)
        started.append(stats)
        return stats

    yield start
    for stats in started:
        stats.close(timeout=2)


def test_every_row_is_written_in_batches_and_counted(url, start_writer, monkeypatch):
    """A thousand rows queued at once are written in batches of BATCH; the count says so."""
    monkeypatch.setattr(writer, "BATCH", 300)
    stats = start_writer(url)
    for _ in range(1000):
        assert stats.submit(reply_row())
    assert stats.flush()
    state = stats.state()
    assert (state.status, state.written, state.dropped) == ("ok", 1000, 0)
    assert replies(url) == 1000


def test_one_row_that_cannot_be_written_loses_only_itself(url, start_writer):
    """A row the database cannot take (text no driver can encode) is dropped alone; its batch and later rows stay."""
    stats = start_writer(url)
    release = threading.Event()
    original = stats._write
    stats._write = lambda batch: (release.wait(10), original(batch))  # hold the thread so the rows batch up
    for kind in ("fallback", "answer", "\udfff", "fallback"):
        stats.submit(reply_row(kind))
    release.set()
    assert stats.flush()
    stats._write = original
    stats.submit(reply_row("smalltalk"))
    assert stats.flush()
    state = stats.state()
    assert (state.written, state.dropped) == (4, 1)
    assert replies(url) == 4


def test_a_connection_ended_by_the_server_is_reopened_and_no_row_is_lost(postgres_url, start_writer, postgres):
    """PostgreSQL ending the writer's connection (a restart, an administrator) costs a reconnect, not a row."""
    url = parse_database_url(postgres_url)
    stats = start_writer(url)
    stats.submit(reply_row())
    assert stats.flush()
    database = url.database
    engine = create_engine(parse_database_url(postgres.url()), autocommit=True)
    with engine.connect() as admin:
        ended = admin.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ).all()
    engine.dispose()
    assert ended  # the writer's connection was there, and is gone
    for _ in range(5):
        stats.submit(reply_row())
    assert stats.flush()
    state = stats.state()
    assert (state.status, state.written, state.dropped) == ("ok", 6, 0)
    assert replies(url) == 6


def test_an_unreachable_server_never_holds_up_a_row_and_its_losses_are_counted(
    postgres, postgres_url, start_writer, monkeypatch, caplog
):
    """While the server cannot be reached rows queue, then are dropped and counted; once it is back they are written.
    The password in the URL appears in no log line."""
    monkeypatch.setattr(writer, "RETRY_SECONDS", 0.02)
    monkeypatch.setattr(writer, "MAX_ATTEMPTS", 5)
    caplog.set_level(logging.INFO)
    outage = servers.Outage(postgres.port)
    secret = "pw-canary-93jf"
    url = parse_database_url(postgres_url.replace("postgres@", f"postgres:{secret}@")).set(port=outage.port)
    stats = start_writer(url)
    stats.submit(reply_row())
    assert stats.flush()
    outage.cut()
    started = time.monotonic()
    accepted = [stats.submit(reply_row()) for _ in range(3)]
    assert time.monotonic() - started < 0.1 and accepted == [True] * 3  # submitting never waits
    assert stats.flush(timeout=30)
    down = stats.state()
    assert (down.status, down.reason, down.dropped) == ("degraded", UNREACHABLE, 3)
    outage.restore()
    stats.submit(reply_row())
    assert stats.flush(timeout=30)
    up = stats.state()
    assert (up.status, up.written, up.dropped) == ("ok", 2, 3)
    assert replies(url) == 2
    assert re.search(
        r"Could not record \d row\(s\) \(a reply of kind answer\): the database server cannot be", caplog.text
    )
    assert "reconnecting" in caplog.text and "postgres:***@127.0.0.1" in caplog.text
    assert secret not in caplog.text
