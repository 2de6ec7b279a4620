"""The answering engine: knowledge, message analysis, triage, matching, decision and replies.

It takes a message and returns a reply object; it knows nothing of Flask or SQLite, so the web app
and the command line are thin shells around the same engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .assistant import Assistant
from .clinic import Clinic
from .loading import load_knowledge

__all__ = ["Assistant", "Clinic", "build_assistant", "load_knowledge"]


def build_assistant(settings: Mapping[str, Any]) -> Assistant:
    """Load the knowledge base named in the settings and return a ready assistant."""
    clinic = Clinic(
        name=settings["CLINIC_NAME"],
        phone=settings["CLINIC_PHONE"],
        booking_url=settings["CLINIC_BOOKING_URL"],
        emergency_number=settings["EMERGENCY_NUMBER"],
    )
    return Assistant(load_knowledge(settings["KNOWLEDGE_DIR"]), clinic)
