"""The statistics writer: rows are written off the request path, in batches, and none is lost silently.

A reply puts its row on a bounded queue and returns at once; one background thread drains the queue
and commits what it took in one transaction. Whatever happens to the database file while the server
runs, a patient never waits for it:

- a lock held by someone else: the batch is kept and retried; rows queue up meanwhile;
- the file deleted, replaced or emptied ("no such table"): reopened at the same path, schema recreated;
- the file corrupted: moved aside (kept for the operator, named in the log) and started afresh;
- anything else (a full disk): the batch is dropped.

Rows that cannot be kept (the queue is full, or their batch was dropped) are counted, and `state()`
reports ok or degraded with the reason and the count, for /api/health and the staff report. The
same thread enforces the retention period of kept questions on a timer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

CAPACITY = 10_000  # rows waiting at most (about 1 MB); beyond it new rows are dropped and counted
BATCH = 500  # rows per transaction
RETRY_SECONDS = 0.5  # pause before retrying a batch the database refused for a while (a lock)
MAX_ATTEMPTS = 20  # a batch still refused after this many tries (about 30 s of retries) is dropped
IDLE_SECONDS = 5.0  # with nothing to write for this long, the connection is closed until the next row
_CORRUPT = ("file is not a database", "database disk image is malformed")


@dataclass(frozen=True)
class Row:
    """One row to insert: the statement, its values, and what it is (for the log; never the values)."""

    sql: str
    values: tuple
    what: str


@dataclass(frozen=True)
class StoreState:
    """What /api/health and the staff report say about the statistics store (nothing private)."""

    status: str  # "ok" or "degraded"
    reason: str  # why it is degraded, or ""
    dropped: int  # rows that could not be written since the server started
    written: int
    waiting: int


class StatsWriter:
    """A bounded queue of rows and the one thread that writes them to the SQLite file at `path`."""

    def __init__(
        self,
        path: str,
        *,
        open_database: Callable[[str], sqlite3.Connection],
        migrate: Callable[[sqlite3.Connection], object],
        capacity: int = CAPACITY,
        housekeeping: Callable[[sqlite3.Connection], None] | None = None,
        housekeeping_seconds: float = 3600.0,
    ):
        self.path = path
        self._open = open_database
        self._migrate = migrate
        self._queue: queue.Queue[Row | None] = queue.Queue(maxsize=capacity)
        self._housekeeping = housekeeping
        self._housekeeping_seconds = housekeeping_seconds
        self._lock = threading.Lock()  # guards the counters below
        self._dropped = self._written = 0
        self._reason = ""
        self._connection: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file we opened
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="faqbot-stats-writer", daemon=True)
        self._thread.start()

    # -- called from request threads ------------------------------------------------------

    def submit(self, row: Row) -> bool:
        """Queue a row without waiting; False (and counted as dropped) when the queue is full or stopped."""
        if self._stopping.is_set():
            self._count_dropped(1, "the server is stopping")
            return False
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self._count_dropped(1, "too many rows waiting to be written")
            return False
        return True

    def state(self) -> StoreState:
        with self._lock:
            degraded = bool(self._reason)
            return StoreState(
                "degraded" if degraded else "ok", self._reason, self._dropped, self._written, self._queue.qsize()
            )

    def report_problem(self, reason: str) -> None:
        """Mark the store degraded before any row has failed (the file could not be opened at start)."""
        self._set_reason(reason)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row has been written or dropped; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline or not self._thread.is_alive():
                return False
            time.sleep(0.005)
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread and close the file (twice is harmless)."""
        if self._stopping.is_set():
            return
        self.flush(timeout)
        self._stopping.set()
        # Wakes the thread; if the queue is still full (flush timed out) it sees _stopping after its batch.
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout)
        state = self.state()
        if state.written or state.dropped:
            log.info("Statistics writer stopped: %d row(s) written, %d dropped", state.written, state.dropped)

    # -- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        next_housekeeping = time.monotonic() + self._housekeeping_seconds
        while True:
            until_housekeeping = max(0.01, next_housekeeping - time.monotonic())
            wait = min(IDLE_SECONDS, until_housekeeping) if self._connection is not None else until_housekeeping
            try:
                first = self._queue.get(timeout=wait)
            except queue.Empty:
                first = None
                if self._connection is not None and wait == IDLE_SECONDS:
                    self._disconnect()  # quiet for a while: give the file back (checkpoints the WAL)
            else:
                if first is None:  # close()
                    self._queue.task_done()
                    break
            batch = [first] if first is not None else []
            while len(batch) < BATCH:
                try:
                    row = self._queue.get_nowait()
                except queue.Empty:
                    break
                if row is None:
                    self._stopping.set()
                    self._queue.task_done()
                    break
                batch.append(row)
            if batch:
                self._write(batch)
                for _ in batch:
                    self._queue.task_done()
            if self._housekeeping and time.monotonic() >= next_housekeeping:
                next_housekeeping = time.monotonic() + self._housekeeping_seconds
                self._run_housekeeping()
            if self._stopping.is_set() and self._queue.empty():
                break
        if self._connection is not None:
            self._connection.close()

    def _write(self, batch: list[Row]) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                self._commit(batch)
            except (OSError, sqlite3.Error) as error:
                if self._recover(error) and attempt < MAX_ATTEMPTS:
                    continue
                self._give_up(batch, error)
                return
            except Exception as error:  # noqa: BLE001 - one bad row must never stop the thread
                if len(batch) > 1:  # find it: the other rows of the batch are fine
                    for row in batch:
                        self._write([row])
                else:
                    self._give_up(batch, error)
                return
            with self._lock:
                self._written += len(batch)
                self._reason = ""
            return

    def _commit(self, batch: list[Row]) -> None:
        connection = self._ready_connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            for row in batch:
                connection.execute(row.sql, row.values)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    def _give_up(self, batch: list[Row], error: BaseException) -> None:
        kinds = sorted({row.what for row in batch})
        log.error("Could not record %d row(s) (%s): %s", len(batch), ", ".join(kinds), describe(error))
        self._count_dropped(len(batch), describe(error))

    def _recover(self, error: BaseException) -> bool:
        """Put right what can be put right; tell whether the batch is worth another try."""
        message = str(error).lower()
        if "locked" in message or "busy" in message:
            self._set_reason("the database is locked by another program")
            self._stopping.wait(RETRY_SECONDS)
            return not self._stopping.is_set()
        if any(sign in message for sign in _CORRUPT):
            self._move_aside_corrupt_file()
            return True
        if "no such table" in message or "readonly database" in message or "disk i/o" in message:
            log.warning("Statistics database %s changed under the server (%s): reopening it", self.path, message)
            self._disconnect()
            return True
        self._disconnect()  # reopen next time: the file may be back (a remounted disk)
        return False

    def _ready_connection(self) -> sqlite3.Connection:
        """The open connection, reopened when the file at `path` is no longer the one we opened."""
        if self._connection is not None and self._identity != file_identity(self.path):
            log.warning("Statistics database %s was deleted or replaced while the server ran: reopening it", self.path)
            self._disconnect()
            self._set_aside_what_belonged_to_the_old_file()
        if self._connection is None:
            connection = self._open(self.path)
            try:
                self._migrate(connection)
            except BaseException:
                connection.close()
                raise
            self._connection, self._identity = connection, file_identity(self.path)
        return self._connection

    def _set_aside_what_belonged_to_the_old_file(self) -> None:
        """After the file was deleted or replaced, its write-ahead log is still there: SQLite would replay the
        old file's pages onto the new one. Move the log aside; a replacement that is not a database goes too."""
        if os.path.exists(self.path) and not _looks_like_sqlite(self.path):
            self._move_aside_corrupt_file()
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                try:
                    os.replace(self.path + suffix, f"{self.path}.orphaned-{stamp}{suffix}")
                except OSError as error:
                    log.error("Could not move aside %s%s: %s", self.path, suffix, error)

    def _move_aside_corrupt_file(self) -> None:
        self._disconnect()
        aside = f"{self.path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
        except OSError as error:
            log.error("Statistics database %s is corrupt and could not be moved aside: %s", self.path, error)
            return
        log.error("Statistics database %s is corrupt: moved it to %s and started a new one", self.path, aside)

    def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
        self._connection, self._identity = None, None

    def _run_housekeeping(self) -> None:
        try:
            self._housekeeping(self._ready_connection())  # type: ignore[misc]
        except (OSError, sqlite3.Error) as error:
            log.error("Statistics housekeeping failed: %s", describe(error))
            self._disconnect()

    def _count_dropped(self, rows: int, reason: str) -> None:
        with self._lock:
            self._dropped += rows
            self._reason = reason

    def _set_reason(self, reason: str) -> None:
        with self._lock:
            self._reason = reason


def _looks_like_sqlite(path: str) -> bool:
    """An empty file (SQLite makes one) or one that starts with SQLite's header."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError:
        return True  # unreadable: opening it will say why
    return not header or header == b"SQLite format 3\x00"


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file now at `path`, or None: tells a deleted or replaced file from ours."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def describe(error: BaseException) -> str:
    """The cause in a few words, without file names (the health endpoint is public)."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, sqlite3.Error):
        return str(error) or type(error).__name__
    return type(error).__name__  # its message could quote the row's values
