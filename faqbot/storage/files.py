"""Private files: the instance folder and what faqbot keeps in it are for this server's user only.

The statistics database, the secret key and the staff password hash are created 0600 in a 0700 folder
whatever the umask, and a secret readable by other users stops the server at start, naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..config import ConfigError


def create_private_dir(path: str | os.PathLike) -> None:
    """Create the folder (and parents) if missing; make it 0700 either way."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)


def create_private_file(path: str | os.PathLike) -> None:
    """Create an empty file readable by its owner only if it does not exist (SQLite then keeps the mode)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # the folder is missing or read-only: the caller's open reports it with its own words
    os.close(descriptor)
    os.chmod(path, 0o600)  # O_CREAT's mode is filtered by the umask; 0600 is what we mean


def make_private(path: str | os.PathLike) -> None:
    """Take group and other permissions off an existing file or folder (a database from an older faqbot)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & 0o700)


def refuse_if_readable_by_others(path: str | os.PathLike, what: str) -> None:
    """Stop the server when a secret can be read by other users of the machine."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        raise ConfigError(
            f"{what} {Path(path)} can be read by other users (mode {mode:04o}); "
            f"run: chmod 600 {Path(path)}  and start again."
        )
