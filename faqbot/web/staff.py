"""The staff workspace: standard answers, a test console, source coverage and the usage report.

Everything here is behind `login_required`: every role may view it (faqbot.roles). Nothing shows a
patient's words except the report's unanswered questions, and only when KEEP_UNANSWERED_TEXT is on
(redacted, time-limited).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup

from ..engine.assistant import UNCOVERED_PREFIX
from ..storage import audit, db, sessions, usage
from ..storage.engine import DATABASE_ERRORS, describe
from ..storage.grouping import group_questions
from ..storage.report import build_report, chart_svg, entry_stats, report_csv
from . import get_assistant
from .drafting import review_due
from .staff_login import login_required, record_action

bp = Blueprint("staff", __name__, url_prefix="/staff")

REPORT_DAYS = (7, 30, 90)
ACTIVITY_SHOWN = 100  # latest audit entries on the activity page
SEARCH_RESULTS = 10  # entries listed for a search, best first
SEARCH_MIN = 0.3  # weaker matches are noise in a list staff read
NEAR_ENTRY = 0.5  # as close as an answer needs: the group was declined or clarified for another reason


@bp.get("/")
@login_required
def entries() -> str:
    """List every standard answer, searchable with the patients' matcher and filterable."""
    assistant = get_assistant()
    knowledge = assistant.knowledge
    query = request.args.get("q", "").strip()[: current_app.config["MAX_MESSAGE_LENGTH"]]
    source = request.args.get("source", "")
    noted = request.args.get("noted") == "1"
    if query:
        scores = {c.key: c.score for c in assistant.search(query, limit=SEARCH_RESULTS) if c.score >= SEARCH_MIN}
        listed = [(knowledge.entry(key), score) for key, score in scores.items()]
    else:
        listed = [(entry, None) for entry in knowledge.entries]
    if source:
        listed = [(e, s) for e, s in listed if any(knowledge.passage(p).document_id == source for p in e.passage_ids)]
    if noted:
        listed = [(e, s) for e, s in listed if e.staff_note]
    return render_template(
        "staff/entries.html", listed=listed, query=query, source=source, noted=noted, documents=knowledge.documents
    )


@bp.get("/entries/<entry_id>")
@login_required
def entry(entry_id: str) -> str:
    """Show one standard answer exactly as patients see it, with its sources and figures."""
    knowledge = get_assistant().knowledge
    item = knowledge.entry(entry_id) or abort(404)
    stats = _safely(lambda: entry_stats(db.get_db(), item.id))
    related = [knowledge.entry(r) for r in item.related]
    passages = [(p, knowledge.document(p.document_id)) for p in knowledge.cited_passages(item)]
    due = review_due(item.signoff.day, current_app.config["REVIEW_MONTHS"]) if item.signoff else None
    return render_template(
        "staff/entry.html", entry=item, passages=passages, related=related, stats=stats, review_due=due
    )


@bp.route("/console", methods=["GET", "POST"])
@login_required
def console() -> str:
    """Try a question: the reply patients would get, the top five candidates and why."""
    assistant = get_assistant()
    question = request.form.get("question", "").strip()[: current_app.config["MAX_MESSAGE_LENGTH"]]
    reply = assistant.reply(question) if question else None
    candidates = []
    for candidate in reply.candidates if reply else []:
        if candidate.key.startswith(UNCOVERED_PREFIX):
            topic = next(t for t in assistant.knowledge.uncovered if UNCOVERED_PREFIX + t.id == candidate.key)
            candidates.append((candidate, None, topic.name))
        else:
            candidates.append((candidate, assistant.knowledge.entry(candidate.key), None))
    return render_template(
        "staff/console.html",
        question=question,
        reply=reply,
        candidates=candidates,
        threshold=assistant.answer_threshold,
    )


@bp.get("/sources")
@login_required
def sources() -> str:
    """Show each source passage with the entries citing it, and the passages no entry cites."""
    knowledge = get_assistant().knowledge
    documents = [
        (document, [(p, knowledge.entries_citing(p.id)) for p in document.passages]) for document in knowledge.documents
    ]
    uncited = [p for d in knowledge.documents for p in d.passages if not knowledge.entries_citing(p.id)]
    return render_template("staff/sources.html", documents=documents, uncited=uncited)


@bp.get("/report")
@login_required
def report() -> str:
    """Show replies per day by kind, the fallback rate, top and least helpful entries, unanswered questions."""
    days = _days()
    data = _safely(lambda: _report(days))
    chart = Markup(chart_svg(data)) if data else None  # built from numbers and dates only
    questions = {e.id: e.question for e in get_assistant().knowledge.entries}
    return render_template(
        "staff/report.html",
        nearest=_nearest_entries(data.unanswered if data else None),
        report=data,
        chart=chart,
        days=days,
        choices=REPORT_DAYS,
        questions=questions,
        keeping=current_app.config["KEEP_UNANSWERED_TEXT"],
        topics={t.id: t for t in get_assistant().knowledge.uncovered},
        retention=current_app.config["RETENTION_DAYS"],
        store=db.store_state(),
    )


@bp.get("/report.csv")
@login_required
def report_download() -> Response:
    """Download the report as CSV."""
    days = _days()
    data = _safely(lambda: _exported_report(days)) or abort(503)
    questions = {e.id: e.question for e in get_assistant().knowledge.entries}
    filename = f"faqbot-report-{data.last_day.isoformat()}-{days}d.csv"
    return Response(
        report_csv(data, questions),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/activity")
@login_required
def activity() -> str:
    """Show the latest staff actions and the open sessions, with a button that ends them all."""
    events = _safely(lambda: audit.latest(db.get_db(), limit=ACTIVITY_SHOWN))
    open_sessions = _safely(
        lambda: sum(
            sessions.count_open(
                db.get_db(), idle_seconds=current_app.config["STAFF_SESSION_MINUTES"] * 60, now=time.time()
            ).values()
        )
    )
    return render_template("staff/activity.html", events=events, open_sessions=open_sessions, shown=ACTIVITY_SHOWN)


def _exported_report(days: int):
    record_action("export", detail=f"report CSV, {days} days")  # on record before anything leaves
    return _report(days)


def _days() -> int:
    days = request.args.get("days", type=int, default=30)
    return days if days in REPORT_DAYS else 30


def _report(days: int):
    today = datetime.now(UTC).date()
    data = build_report(db.get_db(), days=days, today=today)
    if current_app.config["KEEP_UNANSWERED_TEXT"]:
        # Patients' (redacted) words are shown only once their viewing is on record.
        record_action("view-kept-questions", detail=f"report, {days} days")
        texts = usage.unanswered_texts(db.get_db(), days=days)
        data = data.__class__(**{**data.__dict__, "unanswered": group_questions(texts)})
    return data


def _nearest_entries(groups) -> dict[str, object]:
    """For each unanswered group, the entry it could become an alternate phrasing of (None: a new entry)."""
    assistant = get_assistant()
    nearest = {}
    for group in groups or []:
        best = assistant.search(group.representative, limit=1)
        close = best and best[0].score >= NEAR_ENTRY
        nearest[group.representative] = assistant.knowledge.entry(best[0].key) if close else None
    return nearest


def _safely(compute):
    """Show the page without figures rather than fail when the database cannot be read."""
    # Rows are written in the background: wait (briefly) for what is queued, so the figures include
    # the reply or vote that was just made.
    db.writer().flush(timeout=1.0)
    try:
        return compute()
    except DATABASE_ERRORS as error:
        current_app.logger.error("Staff figures unavailable: %s", describe(error))
        return None
