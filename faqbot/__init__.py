"""faqbot: a dental clinic's question-and-answer assistant about dental implants."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app

from . import config
from .clinic import Clinic
from .conversation import Assistant
from .loading import load_knowledge

__all__ = ["create_app", "get_assistant", "build_assistant"]


def build_assistant(settings: Mapping[str, Any]) -> Assistant:
    """Load the knowledge base named in the settings and return a ready assistant."""
    clinic = Clinic(
        name=settings["CLINIC_NAME"],
        phone=settings["CLINIC_PHONE"],
        booking_url=settings["CLINIC_BOOKING_URL"],
        emergency_number=settings["EMERGENCY_NUMBER"],
    )
    return Assistant(load_knowledge(settings["KNOWLEDGE_DIR"]), clinic)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the faqbot web application."""
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
    from . import api, chat, db, errors, security, sources, staff, staff_auth, usage

    if not app.config.get("DATABASE"):
        app.config["DATABASE"] = db.default_path(app)
    security.ensure_secret_key(app)
    config.check(app.config)

    app.extensions["faqbot"] = build_assistant(app.config)

    security.init_app(app)
    errors.init_app(app)
    db.init_app(app)
    app.register_blueprint(chat.bp)
    app.register_blueprint(sources.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(staff_auth.bp)
    app.register_blueprint(staff.bp)
    staff_auth.init_app(app)
    usage.purge_on_start(app)
    return app


def get_assistant() -> Assistant:
    """Return the current app's assistant (the knowledge base is loaded once, at start)."""
    return current_app.extensions["faqbot"]
