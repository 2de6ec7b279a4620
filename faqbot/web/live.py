"""The knowledge patients get: the last version a reviewer published, else the shipped knowledge/ folder.

It is held as one immutable `Live` (version, files, assistant) that publishing replaces in a single
assignment; a request takes the assistant once (faqbot.web.get_assistant) and answers from it to the
end, so it sees the old knowledge or the new, never a mix. Every process learns of a new version from
the knowledge-published notice (faqbot.shared.notifications, through Redis when configured) and, in
case a notice was missed or there is no Redis, by asking the database every KNOWLEDGE_CHECK_SECONDS.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import Flask

from ..editing import snapshot as snapshots
from ..editing.snapshot import Snapshot
from ..engine import Assistant, build_assistant
from ..storage import knowledge_store
from ..storage.engine import DATABASE_ERRORS, describe

EXTENSION = "faqbot.live"
_STATE = "faqbot.live.state"


@dataclass(frozen=True)
class Live:
    """What patients are answered from: the published version (None: the shipped folder) and its assistant."""

    version: int | None
    files: Snapshot
    assistant: Assistant


class _State:
    """Per app: when the database was last asked, and one reload at a time."""

    def __init__(self) -> None:
        self.checked = 0.0
        self.lock = threading.Lock()


def baseline(app: Flask) -> Snapshot:
    """The shipped knowledge folder (KNOWLEDGE_DIR) as files."""
    return snapshots.read_folder(app.config["KNOWLEDGE_DIR"])


def start(app: Flask, engine) -> None:
    """Load the published version (or the folder) before the first request, and keep it current."""
    app.extensions[_STATE] = _State()
    try:
        with engine.connect() as connection:
            published = knowledge_store.live(connection)
    except DATABASE_ERRORS as error:
        published = None
        reason = describe(error)
        app.logger.error("Cannot read the published knowledge (%s); answering from the knowledge folder", reason)
    _install(app, published.id if published else None, published.files if published else baseline(app))

    @app.before_request
    def check_for_new_version() -> None:
        state: _State = app.extensions[_STATE]
        now = time.monotonic()
        if now - state.checked < app.config["KNOWLEDGE_CHECK_SECONDS"]:
            return
        state.checked = now
        try:
            with engine.connect() as connection:
                newest = knowledge_store.live_id(connection)
        except DATABASE_ERRORS:
            return  # the statistics store reports its own outage; the knowledge in use stays
        if newest != app.extensions[EXTENSION].version:
            threading.Thread(
                target=_refresh_quietly, args=(app, engine), name="faqbot-knowledge-reload", daemon=True
            ).start()


def refresh(app: Flask, engine, *, reread_folder: bool = False) -> Live:
    """Swap in the newest published version (or re-read the folder while nothing is published)."""
    state: _State = app.extensions[_STATE]
    with state.lock:  # one reload at a time; a second caller then finds the work done
        with engine.connect() as connection:
            published = knowledge_store.live(connection)
        live = app.extensions[EXTENSION]
        if published is None and (reread_folder or live.version is not None):
            _install(app, None, baseline(app))
        elif published is not None and published.id != live.version:
            _install(app, published.id, published.files)
        return app.extensions[EXTENSION]


def _refresh_quietly(app: Flask, engine) -> None:
    """Refresh in the background: a failure is logged and the knowledge in use stays."""
    try:
        refresh(app, engine)
    except Exception:  # noqa: BLE001 - a broken version or a lost database must not end the thread noisily
        app.logger.exception("Could not load the newly published knowledge; the previous version stays in use")


def install(app: Flask, version: int, files: Snapshot, assistant: Assistant | None = None) -> None:
    """Put a version just published by this process in place at once (others follow the notice)."""
    with app.extensions[_STATE].lock:
        live = app.extensions.get(EXTENSION)
        if live is None or live.version is None or version > live.version:
            _install(app, version, files, assistant)


def _install(app: Flask, version: int | None, files: Snapshot, assistant: Assistant | None = None) -> None:
    if assistant is None:
        assistant = build_assistant(app.config, snapshots.load(files))  # a broken version raises: the old one stays
    live = Live(version, files, assistant)
    app.extensions[EXTENSION] = live  # one assignment: the swap every thread sees whole
    app.extensions["faqbot"] = assistant
    app.logger.info("Knowledge in use: %s, %d entries", _name(version), len(assistant.knowledge.entries))


def _name(version: int | None) -> str:
    return f"published version {version}" if version else "the knowledge folder"
