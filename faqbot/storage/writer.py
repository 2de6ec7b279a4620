"""The statistics writer: rows are written off the request path, in batches, and none is lost silently.

A reply puts its row on a bounded queue and returns at once; one background thread drains the queue
and commits what it took in one transaction. Whatever happens to the database while the server runs,
a patient never waits for it:

- a lock held by someone else: the batch is kept and retried; rows queue up meanwhile;
- PostgreSQL restarted or unreachable: reconnected and retried, about ten seconds per batch;
- (SQLite) the file deleted, replaced or emptied ("no such table"): reopened at the same path,
  schema recreated; the file corrupted: moved aside and started afresh (faqbot.storage.sqlite_file);
- anything else (a full disk): the batch is dropped.

Rows that cannot be kept (the queue is full, or their batch was dropped) are counted, and `state()`
reports ok or degraded with the reason and the count, for /api/health and the staff report. The
same thread enforces the retention period of kept questions on a timer.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.exc import DataError, IntegrityError

from .engine import DATABASE_ERRORS, UNREACHABLE, connection_lost, describe, shown, sqlite_path
from .sqlite_file import CORRUPT, SQLiteFile

log = logging.getLogger(__name__)

CAPACITY = 10_000  # rows waiting at most (about 1 MB); beyond it new rows are dropped and counted
BATCH = 500  # rows per transaction
RETRY_SECONDS = 0.5  # pause before retrying a batch the database refused for a while (a lock, a restart)
MAX_ATTEMPTS = 20  # a batch still refused after this many tries (10 s of retries and more) is dropped
IDLE_SECONDS = 5.0  # with nothing to write for this long, the connection is closed until the next row
_CONTENTION = ("40001", "40P01", "55P03")  # PostgreSQL: serialization failure, deadlock, lock not available


@dataclass(frozen=True)
class Row:
    """One row to insert: its table, its values, and what it is (for the log; never the values)."""

    table: Table
    values: dict
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
    """A bounded queue of rows and the one thread that writes them through `engine` (not pooled, transactional)."""

    def __init__(
        self,
        engine: Engine,
        *,
        migrate: Callable[[Connection], object],
        capacity: int = CAPACITY,
        housekeeping: Callable[[Connection], None] | None = None,
        housekeeping_seconds: float = 3600.0,
    ):
        self._engine = engine
        path = sqlite_path(engine.url)
        self._file = SQLiteFile(path) if path else None  # None: a database server
        self.name = shown(engine.url)  # for the log: the file's path, or the URL without its password
        self._migrate = migrate
        self._queue: queue.Queue[Row | None] = queue.Queue(maxsize=capacity)
        self._housekeeping = housekeeping
        self._housekeeping_seconds = housekeeping_seconds
        self._lock = threading.Lock()  # guards the counters below
        self._dropped = self._written = 0
        self._reason = ""
        self._connection: Connection | None = None
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
        self._disconnect()

    def _write(self, batch: list[Row]) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                self._commit(batch)
            except DATABASE_ERRORS as error:
                if self._recover(error) and attempt < MAX_ATTEMPTS:
                    continue
                if len(batch) > 1 and isinstance(error, IntegrityError | DataError):
                    self._write_one_by_one(batch)  # the database refused one row: keep the others
                else:
                    self._give_up(batch, error)
                return
            except Exception as error:  # noqa: BLE001 - one bad row (text the driver cannot encode) must not stop us
                if len(batch) > 1:
                    self._write_one_by_one(batch)
                else:
                    self._give_up(batch, error)
                return
            with self._lock:
                self._written += len(batch)
                self._reason = ""
            return

    def _write_one_by_one(self, batch: list[Row]) -> None:
        for row in batch:
            self._write([row])

    def _commit(self, batch: list[Row]) -> None:
        connection = self._ready_connection()
        with connection.begin():
            for table, rows in itertools.groupby(batch, key=lambda row: row.table):
                connection.execute(table.insert(), [row.values for row in rows])

    def _give_up(self, batch: list[Row], error: BaseException) -> None:
        kinds = sorted({row.what for row in batch})
        log.error("Could not record %d row(s) (%s): %s", len(batch), ", ".join(kinds), describe(error))
        self._count_dropped(len(batch), describe(error))

    def _recover(self, error: BaseException) -> bool:
        """Put right what can be put right; tell whether the batch is worth another try."""
        message = describe(error).lower()
        if self._file is None:
            return self._recover_server(error)
        if "locked" in message or "busy" in message:
            self._set_reason("the database is locked by another program")
            return self._pause()
        if any(sign in message for sign in CORRUPT):
            self._disconnect()
            self._file.move_aside_corrupt_file()
            return True
        if "no such table" in message or "readonly database" in message or "disk i/o" in message:
            log.warning("Statistics database %s changed under the server (%s): reopening it", self.name, message)
            self._disconnect()
            return True
        self._disconnect()  # reopen next time: the file may be back (a remounted disk)
        return False

    def _recover_server(self, error: BaseException) -> bool:
        self._disconnect()
        if connection_lost(error):
            if self.state().reason != UNREACHABLE:
                log.warning("Statistics database %s: %s; reconnecting", self.name, describe(error))
            self._set_reason(UNREACHABLE)
            return self._pause()
        if getattr(getattr(error, "orig", None), "sqlstate", None) in _CONTENTION:
            return self._pause()
        return False

    def _pause(self) -> bool:
        """Wait before the next try; False when the server is stopping (nothing should wait then)."""
        self._stopping.wait(RETRY_SECONDS)
        return not self._stopping.is_set()

    def _ready_connection(self) -> Connection:
        """The open connection; reopened when the SQLite file at its path is no longer the one opened."""
        if self._file and self._connection is not None and self._file.was_replaced():
            log.warning("Statistics database %s was deleted or replaced while the server ran: reopening it", self.name)
            self._disconnect()
            self._file.set_aside_what_belonged_to_the_old_file()
        if self._connection is None:
            connection = self._engine.connect()
            try:
                self._migrate(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
            if self._file:
                self._file.remember_opened()
        return self._connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(*DATABASE_ERRORS):
                self._connection.close()
        self._connection = None

    def _run_housekeeping(self) -> None:
        try:
            connection = self._ready_connection()
            with connection.begin():
                self._housekeeping(connection)  # type: ignore[misc]
        except DATABASE_ERRORS as error:
            log.error("Statistics housekeeping failed: %s", describe(error))
            self._disconnect()

    def _count_dropped(self, rows: int, reason: str) -> None:
        with self._lock:
            self._dropped += rows
            self._reason = reason

    def _set_reason(self, reason: str) -> None:
        with self._lock:
            self._reason = reason
