"""The patient's chat page and its compact /embed twin, working with JavaScript on or off.

With JavaScript on, web/static/chat.js talks to /api/chat and keeps the conversation in the tab's
sessionStorage. With it off, the form posts here and is redirected back (post/redirect/get), and the
session cookie carries the transcript records described in transcript.py: never the patient's words.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..storage import db, usage
from . import get_assistant, transcript

bp = Blueprint("chat", __name__)

VIEWS = {"page": "chat.index", "embed": "chat.embed"}  # where a form post returns to; nothing else


@bp.app_context_processor
def clinic_details() -> dict:
    """Give every template (error pages too) the clinic's contact details."""
    return {"clinic": get_assistant().clinic, "view": "page"}


@bp.get("/")
def index() -> str:
    """Show the chat page."""
    return _render("chat.html", "page")


@bp.get("/embed")
def embed() -> str:
    """Show the compact chat for another site's iframe (framing allowed only from EMBED_ORIGINS)."""
    return _render("embed.html", "embed")


@bp.get("/embed/snippet")
def embed_snippet() -> str:
    """Show the HTML a clinic pastes into its own site to embed the chat."""
    origins = current_app.config["EMBED_ORIGINS"].split()
    return render_template("embed_snippet.html", embed_url=url_for("chat.embed", _external=True), origins=origins)


@bp.post("/send")
def send() -> Response:
    """Answer the form's message and come back to the page (the no-JavaScript path)."""
    view = _view()
    message = (request.form.get("choice") or request.form.get("message") or "").strip()
    limit = current_app.config["MAX_MESSAGE_LENGTH"]
    if not message:
        flash("Please type a question first.", "error")
        return redirect(url_for(VIEWS[view], _anchor="message"), 303)
    if len(message) > limit:
        flash(f"Your message is longer than {limit} characters. Please shorten it and send it again.", "error")
        return redirect(url_for(VIEWS[view], _anchor="message"), 303)
    assistant = get_assistant()
    reply = assistant.reply(message, session.get("conversation"))
    usage.record(reply, message, channel=view)
    records = transcript.remember(session.get("turns", []), reply, assistant.knowledge)
    session["turns"] = records
    session["conversation"] = reply.conversation
    return redirect(url_for(VIEWS[view], _anchor=f"turn-{len(records) - 1}"), 303)


@bp.post("/feedback")
def feedback() -> Response:
    """Record a "was this helpful?" vote from the form and come back to the same answer."""
    view = _view()
    entry_id, vote = request.form.get("entry", ""), request.form.get("vote", "")
    index = request.form.get("turn", type=int, default=-1)
    records = session.get("turns", [])
    if vote in db.VOTES and transcript.vote(records, index, entry_id, vote):
        if db.record_feedback(entry_id=entry_id, vote=vote):
            session["turns"] = records
        else:
            flash("Sorry, your feedback could not be saved right now.", "error")
    return redirect(url_for(VIEWS[view], _anchor=f"turn-{index}" if index >= 0 else None), 303)


@bp.post("/clear")
def clear() -> Response:
    """Forget the conversation and start again."""
    session.pop("turns", None)
    session.pop("conversation", None)
    if request.accept_mimetypes.best == "application/json":
        return Response(status=204)  # chat.js has cleared the page itself and says so
    flash("The conversation was cleared.", "status")
    return redirect(url_for(VIEWS[_view()]), 303)


def _view() -> str:
    view = request.form.get("view", "page")
    return view if view in VIEWS else "page"


def _render(template: str, view: str) -> str:
    assistant = get_assistant()
    knowledge = assistant.knowledge
    # ?ask=<entry id> (from a source page) fills in that entry's question; the patient still presses Send.
    asked = knowledge.entry(request.args.get("ask", ""))
    return render_template(
        template,
        view=view,
        starters=assistant.starter_questions(4),
        turns=transcript.expand(session.get("turns", []), knowledge),
        conversation=session.get("conversation", ""),
        prefill=asked.question if asked else "",
        max_length=current_app.config["MAX_MESSAGE_LENGTH"],
    )
