"""The web layer: one blueprint per feature, around the engine the app factory builds."""

from __future__ import annotations

from flask import Flask, current_app

from ..engine import Assistant


def get_assistant() -> Assistant:
    """Return the current app's assistant (the knowledge base is loaded once, at start)."""
    return current_app.extensions["faqbot"]


def at_line_start(name: str) -> str:
    """A name as it reads at the start of a line: "the clinic" (the default) becomes "The clinic".

    Only a leading "the" changes; a clinic's own spelling ("iSmile", "de Vries Dental") is its brand.
    """
    return "The" + name[3:] if name.startswith("the ") else name


def register_filters(app: Flask) -> None:
    """Template filters the pages use."""
    app.add_template_filter(at_line_start)
