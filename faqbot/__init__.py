"""faqbot: a dental clinic's question-and-answer assistant about dental implants."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import config

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None, *, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the faqbot web application. `overrides` (a command's --knowledge) win over
    everything, FAQBOT_ variables included."""
    # Flask is imported here, not at the top: `import faqbot.engine` runs this file first and
    # must not load the web stack.
    from flask import Flask

    from . import shared, web
    from .shared import notifications
    from .storage import accounts, db, files, usage
    from .web import (
        access_log,
        api,
        branding,
        chat,
        editor,
        errors,
        live,
        publishing,
        security,
        sources,
        staff,
        staff_accounts,
        staff_login,
    )

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(config.PROJECT_ROOT / "web" / "templates"),
        static_folder=str(config.PROJECT_ROOT / "web" / "static"),
    )
    app.config.from_mapping(config.defaults())
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config.from_mapping(config.env_overrides())
    app.config.from_mapping(overrides or {})

    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = db.default_path(app)
    if not app.config.get("EMBEDDING_CACHE"):
        app.config["EMBEDDING_CACHE"] = str(Path(app.instance_path) / "embeddings.npz")
    files.create_private_dir(app.instance_path)
    security.ensure_secret_key(app)
    files.refuse_if_readable_by_others(Path(app.instance_path) / security.SECRET_KEY_FILE, "The secret key file")
    config.check(app.config)
    retired = accounts.retired_password(app.config, os.environ, app.instance_path)
    if retired:
        app.logger.warning(
            "%s is no longer used: the shared staff password is retired, and staff log in with their own accounts. "
            "Create the first administrator with: python -m faqbot staff add NAME --role admin --password-stdin; "
            "then remove %s.",
            retired,
            retired,
        )

    shared.init_app(app)
    updates = app.extensions[notifications.EXTENSION] = notifications.KnowledgeUpdates(shared.client(app))
    updates.subscribe(lambda version: live.refresh(app, db.engine(app), reread_folder=True))
    security.init_app(app)
    access_log.init_app(app)
    web.register_filters(app)
    errors.init_app(app)
    db.init_app(app, housekeeping=usage.retention_job(app))
    live.start(app, db.engine(app))  # the published knowledge (or the folder) before the first request
    app.register_blueprint(chat.bp)
    app.register_blueprint(branding.bp)
    app.register_blueprint(sources.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(staff_login.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(publishing.bp)
    app.register_blueprint(staff_accounts.bp)
    staff_login.init_app(app)
    usage.purge_on_start(app)
    return app
