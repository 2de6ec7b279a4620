"""What can happen to an SQLite file while the server runs, and how it is put right (SQLite only).

The file may be deleted or replaced (an operator's rm, a restore): its (device, inode) changes and it
is reopened at the same path, with the old file's write-ahead log moved aside so SQLite cannot replay
it onto the new one. A corrupt file is moved aside as `<name>.corrupt-<time>`, kept for the operator.
A database server (PostgreSQL) has none of this: there the writer only reconnects.
"""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger("faqbot.storage.writer")

CORRUPT = ("file is not a database", "database disk image is malformed")
_SIDE_FILES = ("-wal", "-shm")


class SQLiteFile:
    """The statistics file at `path`, as the writer sees it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.opened: tuple[int, int] | None = None  # identity of the file the open connection reads

    def remember_opened(self) -> None:
        """Note which file the connection just opened."""
        self.opened = file_identity(self.path)

    def was_replaced(self) -> bool:
        """Tell whether the file at `path` is no longer the one that was opened (deleted or replaced)."""
        return self.opened is not None and self.opened != file_identity(self.path)

    def set_aside_what_belonged_to_the_old_file(self) -> None:
        """Move the deleted or replaced file's write-ahead log aside; a replacement that is not a database goes too."""
        self.opened = None
        if os.path.exists(self.path) and not _looks_like_sqlite(self.path):
            self.move_aside_corrupt_file()
            return
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in _SIDE_FILES:
            if os.path.exists(self.path + suffix):
                try:
                    os.replace(self.path + suffix, f"{self.path}.orphaned-{stamp}{suffix}")
                except OSError as error:
                    log.error("Could not move aside %s%s: %s", self.path, suffix, error)

    def move_aside_corrupt_file(self) -> None:
        """Keep the corrupt file for the operator under another name, so a new one can start."""
        self.opened = None
        aside = f"{self.path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            os.replace(self.path, aside)
            for suffix in _SIDE_FILES:
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
        except OSError as error:
            log.error("Statistics database %s is corrupt and could not be moved aside: %s", self.path, error)
            return
        log.error("Statistics database %s is corrupt: moved it to %s and started a new one", self.path, aside)


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
