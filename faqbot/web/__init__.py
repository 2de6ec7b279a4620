"""The web layer: one blueprint per feature, around the engine the app factory builds."""

from __future__ import annotations

from flask import Flask, current_app, g

from ..engine import Assistant


def get_assistant() -> Assistant:
    """This request's assistant: the knowledge in use when the request began, to its end (see web.live)."""
    if "faqbot_assistant" not in g:
        g.faqbot_assistant = current_app.extensions["faqbot"]
    return g.faqbot_assistant


def at_line_start(name: str) -> str:
    """A name as it reads at the start of a line: "the clinic" (the default) becomes "The clinic".

    Only a leading "the" changes; a clinic's own spelling ("iSmile", "de Vries Dental") is its brand.
    """
    return "The" + name[3:] if name.startswith("the ") else name


def register_filters(app: Flask) -> None:
    """Template filters the pages use."""
    app.add_template_filter(at_line_start)
