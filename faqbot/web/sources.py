"""Source pages: each article with every passage anchored, so an answer can link to its exact words.

The passage named in the URL fragment is highlighted with CSS `:target` and scrolled into view by
the browser itself, so this works with JavaScript off too.
"""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, render_template

from . import get_assistant

bp = Blueprint("sources", __name__, url_prefix="/sources")


@bp.get("/")
def index() -> str:
    """List the source articles."""
    return render_template("sources.html", documents=get_assistant().knowledge.documents)


@bp.get("/<document_id>")
def document(document_id: str) -> str:
    """Show one source article, each passage with the questions that cite it."""
    knowledge = get_assistant().knowledge
    found = knowledge.document(document_id)
    if found is None:
        abort(404)
    sections = [
        (section, [(p, knowledge.entries_citing(p.id)) for p in passages])
        for section, passages in groupby(found.passages, key=lambda p: p.section)
    ]
    return render_template("source.html", document=found, sections=sections)
