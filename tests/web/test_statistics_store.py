"""The statistics store seen from outside: a full queue, the retention timer, health, private files, a full disk."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest
from sqlalchemy import event

from faqbot import create_app
from faqbot.config import ConfigError
from faqbot.storage import db
from faqbot.storage.engine import create_engine, database_url
from faqbot.storage.migrations import migrate


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_full_queue_drops_rows_counts_them_and_never_delays_the_reply(make_app, monkeypatch):
    app = make_app(STATS_QUEUE_SIZE=2)
    stats = db.writer(app)
    writing, release = threading.Event(), threading.Event()
    original = stats._write

    def very_slow_disk(batch):
        writing.set()
        release.wait(10)
        original(batch)

    monkeypatch.setattr(stats, "_write", very_slow_disk)
    client = app.test_client()

    def ask():
        return client.post("/api/chat", json={"message": "what is an implant"}).status_code

    statuses = [ask()]
    # The writer takes whatever has queued up as one batch: wait until it holds the first row alone, so
    # the queue's two places and the three rows dropped after them do not depend on thread timing.
    assert writing.wait(10)
    statuses += [ask() for _ in range(5)]
    release.set()
    assert stats.flush()
    state = stats.state()
    assert statuses == [200] * 6
    assert (state.written, state.dropped) == (3, 3)
    assert client.get("/api/health").get_json()["statistics"]["dropped"] == state.dropped


def test_health_says_degraded_with_a_reason_and_no_file_name(make_app, tmp_path):
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    client = make_app(DATABASE=str(folder)).test_client()
    assert client.post("/api/chat", json={"message": "what is an implant"}).status_code == 200
    db.writer(client.application).flush()
    body = client.get("/api/health").get_json()
    assert body["status"] == "degraded" and body["statistics"]["status"] == "degraded"
    assert body["statistics"]["reason"] and "not-a-file" not in str(body) and str(tmp_path) not in str(body)


def test_health_is_ok_while_statistics_are_written(client):
    client.post("/api/chat", json={"message": "what is an implant"})
    db.writer(client.application).flush()
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok" and body["statistics"] == {"status": "ok", "reason": "", "dropped": 0}


def test_instance_folder_and_database_are_private_whatever_the_umask(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setattr("flask.app.Flask.auto_find_instance_path", lambda self: str(instance))
    previous = os.umask(0o000)
    try:
        create_app({"TESTING": True, "DATABASE": str(instance / "faqbot.sqlite")})
    finally:
        os.umask(previous)
    assert _mode(instance) == 0o700
    assert _mode(instance / "faqbot.sqlite") == 0o600


def test_an_existing_world_readable_database_is_made_private(make_app, tmp_path):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE x (y)")
    os.chmod(path, 0o644)
    make_app(DATABASE=str(path))
    assert _mode(path) == 0o600


def test_a_secret_key_readable_by_others_stops_the_start_naming_the_file(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    key = instance / "secret_key"
    key.write_text("k" * 64)
    os.chmod(key, 0o644)
    monkeypatch.setattr("flask.app.Flask.auto_find_instance_path", lambda self: str(instance))
    with pytest.raises(ConfigError, match=rf"{key}.*can be read by other users.*chmod 600"):
        create_app({"DATABASE": str(tmp_path / "s.sqlite"), "EMBEDDING_CACHE": str(tmp_path / "e.npz")})


def test_a_full_disk_at_start_is_named_as_such(tmp_path):
    """SQLite failing at BEGIN (a full disk) is reported as that, not hidden by a failed rollback."""
    engine = create_engine(database_url({"DATABASE": str(tmp_path / "full.sqlite")}), pooled=False)

    @event.listens_for(engine, "begin")
    def disk_full(connection):
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"), engine.connect() as connection:
        migrate(connection)
