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
from .votes import feedback_tokens

bp = Blueprint("chat", __name__)

VIEWS = {"page": "chat.index", "embed": "chat.embed"}  # where a form post returns to; nothing else
TEMPLATES = {"page": "chat.html", "embed": "embed.html"}


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
    """Show what a clinic pastes into its own site for each way of embedding, and what must be set first."""
    origins = current_app.config["EMBED_ORIGINS"].split()
    return render_template(
        "embed_snippet.html",
        embed_url=url_for("chat.embed", _external=True),
        launcher_url=url_for("static", filename="launcher.js", _external=True),
        assistant_origin=request.host_url.rstrip("/"),
        origins=origins,
        only_self=set(origins) == {"'self'"},  # the default: the frame is blank on every other site
    )


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
        # Shown again in the box so nothing typed is lost; it is in this response only, never stored.
        return _render(TEMPLATES[view], view, prefill=message, too_long=len(message)), 400
    assistant = get_assistant()
    reply = assistant.reply(message, session.get("conversation"))
    try:
        usage.record(reply, message, channel=view)
    except Exception as error:
        # As in the API: the reply matters more than its statistics, and the error may quote the message.
        current_app.logger.error("Could not record a %s reply: %s", reply.kind, type(error).__name__)
    token = feedback_tokens().issue(reply.entry.id) if reply.kind == "answer" and reply.entry else ""
    records = transcript.remember(_turns(), reply, assistant.knowledge, feedback_token=token)
    session["turns"] = records
    session["conversation"] = reply.conversation
    return redirect(url_for(VIEWS[view], _anchor=f"turn-{len(records) - 1}"), 303)


@bp.post("/feedback")
def feedback() -> Response:
    """Record a "was this helpful?" vote from the form and come back to the same answer."""
    view = _view()
    entry_id, vote = request.form.get("entry", ""), request.form.get("vote", "")
    index = request.form.get("turn", type=int, default=-1)
    records = _turns()
    if vote in db.VOTES and transcript.vote(records, index, entry_id, vote):
        token = records[index].get("f", "")
        tokens = feedback_tokens()
        problem = tokens.spend(token, entry_id)
        if problem == "spent":  # this page was rated before, from an older copy of it
            flash("This answer has already been rated. Thank you.", "status")
        elif problem == "unavailable":
            flash("Sorry, your feedback could not be saved right now.", "error")
        elif problem:
            flash("Sorry, this answer can no longer be rated (the page is over a day old).", "error")
        elif db.record_feedback(entry_id=entry_id, vote=vote):
            session["turns"] = records
        else:
            tokens.refund(token)
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


def _turns() -> list[dict]:
    """Return the session's transcript records, leaving out any that transcript.py did not write."""
    # A validly signed cookie from another version (or made with a leaked key) may hold anything.
    records = session.get("turns")
    return [record for record in records if _is_record(record)] if isinstance(records, list) else []


def _is_record(record: object) -> bool:
    if not isinstance(record, dict) or not set(record) <= {"k", "e", "t", "s", "v", "f", "a"}:
        return False
    texts = [record.get("k"), record.get("e", ""), record.get("t", ""), record.get("v", ""), record.get("f", "")]
    lists = [record.get("s", []), record.get("a", [])]
    listed = [text for items in lists if isinstance(items, list) for text in items]
    return all(isinstance(items, list) for items in lists) and all(isinstance(t, str) for t in [*texts, *listed])


def _render(template: str, view: str, *, prefill: str = "", too_long: int = 0) -> str:
    assistant = get_assistant()
    knowledge = assistant.knowledge
    # ?ask=<entry id> (from a source page) fills in that entry's question; the patient still presses Send.
    asked = knowledge.entry(request.args.get("ask", ""))
    return render_template(
        template,
        view=view,
        starters=assistant.starter_questions(4),
        turns=transcript.expand(_turns(), knowledge, assistant.clinic),
        conversation=session.get("conversation", ""),
        prefill=prefill or (asked.question if asked else ""),
        max_length=current_app.config["MAX_MESSAGE_LENGTH"],
        too_long=too_long,
    )
