"""Chaos under traffic: the statistics file is deleted, locked and corrupted while patients chat.

Chat answers every message whatever happens to the file, and every reply is either in a database
file or counted as dropped: none is lost silently.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time

from faqbot.storage import db, writer


def _rows(path: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM reply").fetchone()[0]


class Patients:
    """Three threads chatting until stopped; they can be paused while the test inspects the file."""

    def __init__(self, app):
        self.app, self.statuses = app, []
        self._running, self._stop = threading.Event(), threading.Event()
        self._idle = [threading.Event() for _ in range(3)]
        self._threads = [threading.Thread(target=self._chat, args=(n,)) for n in range(3)]

    def _chat(self, n: int) -> None:
        client = self.app.test_client()
        while not self._stop.is_set():
            if not self._running.is_set():
                self._idle[n].set()
                self._running.wait(0.05)
                continue
            self._idle[n].clear()
            message = "what is osseointegration" if len(self.statuses) % 2 else "can i pay with bitcoin"
            self.statuses.append(client.post("/api/chat", json={"message": message}).status_code)

    def run_for(self, replies: int) -> None:
        target = len(self.statuses) + replies
        self._running.set()
        deadline = time.monotonic() + 60
        while len(self.statuses) < target and time.monotonic() < deadline:
            time.sleep(0.01)

    def pause(self) -> None:
        self._running.clear()
        for idle in self._idle:
            idle.wait(5)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._running.set()
        for thread in self._threads:
            thread.join()


def test_deleted_locked_and_corrupted_database_under_traffic(make_app, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(db, "WRITER_BUSY_TIMEOUT_MS", 20)
    monkeypatch.setattr(writer, "RETRY_SECONDS", 0.02)
    path = str(tmp_path / "stats.sqlite")
    app = make_app(DATABASE=path)
    stats = db.writer(app)
    caplog.set_level(logging.INFO)
    written_to = []  # rows found in each database file just before it was destroyed

    with Patients(app) as patients:
        patients.run_for(30)
        patients.pause()
        assert stats.flush()
        written_to.append(_rows(path))
        for suffix in ("", "-wal", "-shm"):  # an operator's rm, or a clean-up job
            if os.path.exists(path + suffix):
                os.remove(path + suffix)

        patients.run_for(30)
        blocker = sqlite3.connect(path, timeout=5)  # another program holds the write lock meanwhile
        blocker.execute("BEGIN EXCLUSIVE")
        patients.run_for(30)
        locked = stats.state()
        blocker.rollback()
        blocker.close()
        patients.run_for(30)

        patients.pause()
        assert stats.flush()
        written_to.append(_rows(path))
        with open(path + ".new", "wb") as garbage:  # replaced by a file that is not a database
            garbage.write(os.urandom(8192))
        os.replace(path + ".new", path)
        patients.run_for(30)
        patients.pause()
    assert stats.flush()

    assert patients.statuses and set(patients.statuses) == {200}  # every patient got the reply
    assert locked.status == "degraded" and "locked" in locked.reason and locked.waiting > 0
    state = stats.state()
    assert state.written + state.dropped == len(patients.statuses)  # nothing lost silently
    assert state.written == sum(written_to) + _rows(path)  # and written rows are really there
    assert "was deleted or replaced while the server ran: reopening it" in caplog.text
    assert "is corrupt: moved it to" in caplog.text
    assert any(p.name.startswith("stats.sqlite.corrupt-") for p in tmp_path.iterdir())  # kept for the operator
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
