"""The web layer: one blueprint per feature, around the engine the app factory builds."""

from __future__ import annotations

from flask import Flask, current_app

from ..engine import Assistant


def get_assistant() -> Assistant:
    """Return the current app's assistant (loaded at start, and again when new knowledge is published)."""
    return current_app.extensions["faqbot"]


def reload_assistant(app: Flask, version: str) -> None:
    """Build a new assistant from KNOWLEDGE_DIR and swap it in; requests under way finish with the old one."""
    from ..engine import build_assistant

    assistant = build_assistant(app.config)  # a broken knowledge base raises here: the old one stays
    app.extensions["faqbot"] = assistant
    app.logger.info("Knowledge reloaded (%s): %d entries", version, len(assistant.knowledge.entries))


def at_line_start(name: str) -> str:
    """A name as it reads at the start of a line: "the clinic" (the default) becomes "The clinic".

    Only a leading "the" changes; a clinic's own spelling ("iSmile", "de Vries Dental") is its brand.
    """
    return "The" + name[3:] if name.startswith("the ") else name


def register_filters(app: Flask) -> None:
    """Template filters the pages use."""
    app.add_template_filter(at_line_start)
