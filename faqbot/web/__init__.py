"""The web layer: one blueprint per feature, around the engine the app factory builds."""

from __future__ import annotations

from flask import current_app

from ..engine import Assistant


def get_assistant() -> Assistant:
    """Return the current app's assistant (the knowledge base is loaded once, at start)."""
    return current_app.extensions["faqbot"]
