"""Editing the knowledge in the browser: one form per item, drafts, a preview and tests before publishing.

Editors and reviewers save drafts; nothing here changes what patients get (faqbot.web.publishing
does, for reviewers). A draft is saved only when `faqbot check` finds no problem with it, and only
over the revision its editor opened: a second editor saving over the first is refused and shown the
difference, with their own text still in the form.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..editing import items
from ..editing.changes import apply, compare, editable, field_diffs, sign_off
from ..editing.items import ENTRY, KINDS, SYNONYMS, TOPIC, Kind
from ..editing.snapshot import Snapshot
from ..engine.knowledge import TRIAGE_LABELS
from ..engine.problems import IDENTIFIER
from ..storage import db, knowledge_store
from ..storage.knowledge_store import Draft, StaleDraft
from . import drafting, get_assistant
from .staff_login import current_account, login_required, permission_required, record_action

bp = Blueprint("editor", __name__, url_prefix="/staff")

PROVISIONAL_REVIEWER = "the reviewer"  # named in previews until a real reviewer signs off
FIELD_LIMIT = 20_000  # characters in one field: far above any real answer, and bounds the work per request
FORM_LIMIT = 512 * 1024  # an edit form's body (MAX_CONTENT_LENGTH is for patients' messages)


@bp.get("/edit/<kind>")
@login_required
def listing(kind: str) -> str:
    """Every published item of a kind, with its draft if it has one."""
    kind_ = _kind(kind)
    drafted = {d.item: d for d in knowledge_store.drafts(db.get_db()) if d.kind == kind_.name}
    listed = items.items(drafting.published().files, kind_)
    return render_template("staff/items.html", kind=kind_, listed=listed, drafted=drafted)


@bp.get("/edit/<kind>/new")
@permission_required("edit")
def new(kind: str) -> str:
    """An empty form for a new entry, topic or triage group."""
    kind_ = _kind(kind)
    if kind_ is SYNONYMS:
        abort(404)  # the sections of synonyms.toml are fixed; words are added inside them
    content = editable(None, kind_)
    if kind_ is ENTRY:  # from the report: an unanswered question becomes the new entry's question
        content["question"] = request.args.get("question", "")[: current_app.config["MAX_MESSAGE_LENGTH"]]
    return _form(kind_, "", content, revision=0, new=True)


@bp.get("/edit/<kind>/<item_id>")
@login_required
def edit(kind: str, item_id: str) -> str:
    """The item's form: its draft if there is one, else the published item."""
    kind_ = _kind(kind)
    current = drafting.published()
    published = items.find(current.files, kind_, item_id)
    draft = knowledge_store.draft_for(db.get_db(), kind_.name, item_id)
    if published is None and draft is None:
        abort(404)
    content = draft.content if draft and draft.action != "remove" else editable(published.content, kind_)
    return _form(kind_, item_id, content, revision=draft.revision if draft else 0, draft=draft, new=published is None)


@bp.post("/edit/<kind>/<item_id>")
@permission_required("edit")
def save(kind: str, item_id: str) -> Response | tuple[str, int]:
    """Validate the form with `faqbot check` and save it as a draft; on any problem, save nothing."""
    request.max_content_length = FORM_LIMIT
    kind_ = _kind(kind)
    content = _form_content(kind_)
    revision = request.form.get("revision", type=int, default=0)
    current = drafting.published()
    is_new = item_id == "new"
    if is_new:
        item_id = request.form.get("id", "").strip()
    published = items.find(current.files, kind_, item_id) if item_id else None
    path = published.path if published else request.form.get("file", "")
    if is_new and kind_ is SYNONYMS:
        abort(404)
    id_problems = _new_id_problems(kind_, item_id, current) if is_new else []
    if path not in items.files_for(current.files, kind_):
        path = (items.files_for(current.files, kind_) or [""])[0]
    form_problems = items.synonym_line_problems(content["words"]) if kind_ is SYNONYMS else []
    checked = not id_problems and not form_problems
    found = drafting.problems(_apply(current.files, kind_, item_id, content, path)) if checked else []
    by_field, general = drafting.problems_by_field(found, kind_, item_id)
    if form_problems:
        by_field["words"] = form_problems
    if id_problems:
        by_field["id"] = id_problems
    if by_field or general:
        page = _form(kind_, item_id, content, revision=revision, new=is_new, by_field=by_field, general=general,
                     path=path)  # fmt: skip
        return page, 422
    message = "Draft saved. Patients still get the published version until a reviewer signs the draft off."
    return _save(kind_, item_id, content, published, path=path, revision=revision, new=is_new, message=message)


@bp.post("/edit/entry/<entry_id>/phrasing")
@permission_required("edit")
def add_phrasing(entry_id: str) -> Response | str | tuple[str, int]:
    """One click from the report: an unanswered question becomes an alternate phrasing, in the entry's draft."""
    phrasing = " ".join(request.form.get("phrasing", "").split())[: current_app.config["MAX_MESSAGE_LENGTH"]]
    current = drafting.published()
    published = items.find(current.files, ENTRY, entry_id)
    existing = knowledge_store.draft_for(db.get_db(), ENTRY.name, entry_id)
    if published is None and existing is None:
        abort(404)
    content = dict(existing.content) if existing and existing.action != "remove" else editable(published.content, ENTRY)
    if phrasing and phrasing not in content["alternates"]:
        content["alternates"] = [*content["alternates"], phrasing]
    path = published.path if published else existing.path
    found = drafting.problems(_apply(current.files, ENTRY, entry_id, content, path))
    by_field, general = drafting.problems_by_field(found, ENTRY, entry_id)
    if not phrasing or by_field or general:
        revision = existing.revision if existing else 0
        return _form(ENTRY, entry_id, content, revision=revision, by_field=by_field, general=general, path=path), 422
    message = "The question is added to the draft's other ways of asking. A reviewer publishes it."
    revision = existing.revision if existing else 0
    return _save(ENTRY, entry_id, content, published, path=path, revision=revision, new=False, message=message)


@bp.post("/edit/<kind>/<item_id>/remove")
@permission_required("edit")
def remove(kind: str, item_id: str) -> Response | tuple[str, int]:
    """Propose removing an item (a reviewer publishes it); refused while something still refers to it."""
    kind_ = _kind(kind)
    if kind_ is SYNONYMS:
        abort(404)
    current = drafting.published()
    published = items.find(current.files, kind_, item_id) or abort(404)
    found = drafting.problems(items.remove(current.files, kind_, item_id))
    if found:
        content = editable(published.content, kind_)
        revision = request.form.get("revision", type=int, default=0)
        return _form(kind_, item_id, content, revision=revision, general=found, removing=True), 422
    try:
        draft = knowledge_store.save_draft(
            db.get_db(),
            kind=kind_.name,
            item=item_id,
            action="remove",
            content={},
            path=published.path,
            base=published.content,
            revision=request.form.get("revision", type=int, default=0),
            author=current_account().name,
        )
    except StaleDraft as stale:
        content = editable(published.content, kind_)
        return _conflict(kind_, item_id, content, stale.current, new=False, path=published.path), 409
    record_action("draft-save", detail=f"{kind_.name} {item_id}, removal")
    return redirect(url_for("editor.draft", draft_id=draft.id), 303)


@bp.get("/drafts")
@login_required
def drafts() -> str:
    """Every change waiting for a reviewer."""
    return render_template("staff/drafts.html", drafts=knowledge_store.drafts(db.get_db()), kinds=KINDS)


@bp.get("/drafts/<int:draft_id>")
@login_required
def draft(draft_id: int) -> str:
    """A draft: what it changes, the reply card patients would get, its problems, and a place to try it."""
    return _draft_page(_draft(draft_id))


@bp.post("/drafts/<int:draft_id>/try")
@login_required
def try_draft(draft_id: int) -> str:
    """Ask a question of the draft and of the published knowledge, side by side (not recorded)."""
    question = request.form.get("question", "").strip()[: current_app.config["MAX_MESSAGE_LENGTH"]]
    return _draft_page(_draft(draft_id), question=question)


@bp.get("/drafts/<int:draft_id>/test-all")
@login_required
def test_all(draft_id: int) -> str:
    """Run every stored test question on the published knowledge and on the draft; list what changes."""
    item = _draft(draft_id)
    files = _draft_files(item, drafting.published())
    found = drafting.problems(files)
    if found:
        return _draft_page(item, problems=found)
    count, changed = drafting.test_all(get_assistant(), drafting.assistant_for(files))
    return render_template("staff/test_all.html", draft=item, count=count, changed=changed, kinds=KINDS)


# -- helpers ---------------------------------------------------------------------------------


def _save(kind: Kind, item_id: str, content: dict, published, *, path: str, revision: int, new: bool, message: str):
    """Save a checked draft over `revision` and show it; a concurrent save gets the conflict page instead."""
    try:
        draft = knowledge_store.save_draft(
            db.get_db(),
            kind=kind.name,
            item=item_id,
            action="add" if published is None else "change",
            content=content,
            path=path,
            base=published.content if published else None,
            revision=revision,
            author=current_account().name,
        )
    except StaleDraft as stale:
        return _conflict(kind, item_id, content, stale.current, new=new, path=path), 409
    record_action("draft-save", detail=f"{kind.name} {item_id}, revision {draft.revision}")
    flash(message, "status")
    return redirect(url_for("editor.draft", draft_id=draft.id), 303)


def _kind(name: str) -> Kind:
    return KINDS.get(name) or abort(404)


def _draft(draft_id: int) -> Draft:
    return knowledge_store.draft(db.get_db(), draft_id) or abort(404)


def _apply(files: Snapshot, kind: Kind, item_id: str, content: dict | None, path: str) -> Snapshot:
    """The knowledge with the edited item, signed off provisionally: as it will be once a reviewer publishes it.

    Without that, a clinic's own answer could never be checked (the check wants it signed off), and the
    preview would not show the "reviewed by" line patients will see.
    """
    if content is not None and kind in (ENTRY, TOPIC):
        content = sign_off(content, PROVISIONAL_REVIEWER, drafting.today())
    return apply(files, kind, item_id, content, path=path)


def _draft_files(draft: Draft, current: drafting.Published) -> Snapshot:
    """The knowledge as it would be with this draft published."""
    if draft.kind == "import":
        return Snapshot(draft.content)
    content = None if draft.action == "remove" else draft.content
    return _apply(current.files, KINDS[draft.kind], draft.item, content, draft.path)


def _draft_page(draft: Draft, *, question: str = "", problems=None) -> str:
    current = drafting.published()
    files = _draft_files(draft, current)
    found = problems if problems is not None else drafting.problems(files)
    kind = KINDS.get(draft.kind)
    published_item = items.find(current.files, kind, draft.item) if kind else None
    published_content = published_item.content if published_item else None
    preview = old_reply = new_reply = None
    if not found:
        assistant = drafting.assistant_for(files)
        if question:
            old_reply, new_reply = get_assistant().reply(question), assistant.reply(question)
        preview = _preview(assistant, draft)
    return render_template(
        "staff/draft.html",
        draft=draft,
        kind=kind,
        diffs=field_diffs(draft.kind, draft.base, None if draft.action == "remove" else draft.content) if kind else [],
        changes=_import_changes(draft, current) if draft.kind == "import" else [],
        stale=kind is not None and published_content != draft.base,
        problems=found,
        preview_card=preview,
        preview=True,  # the card without its feedback form
        question=question,
        old_reply=old_reply,
        new_reply=new_reply,
        view="page",
    )


def _import_changes(draft: Draft, current: drafting.Published) -> list:
    """Each item an imported folder changes, with its field differences."""
    changes = compare(current.files, Snapshot(draft.content))
    return [(change, field_diffs(change.kind, change.old, change.new)) for change in changes]


def _preview(assistant, draft: Draft):
    """The reply card patients would get for the drafted item (None when it gives no answer of its own)."""
    try:
        if draft.kind == "entry" and draft.action != "remove":
            return assistant.answer_for(draft.item)
        if draft.kind == "topic" and draft.content.get("clinic_answer"):
            return assistant.statement_for(draft.item)
    except KeyError:
        return None
    return None


def _form_content(kind: Kind) -> dict:
    """The form's fields as an item's content: lists one per line or ticked, text trimmed."""
    content: dict = {}
    for field in kind.fields:
        if field.form == "lines":
            text = request.form.get(field.name, "")[:FIELD_LIMIT]
            content[field.name] = [line.strip() for line in text.splitlines() if line.strip()]
        elif field.form in ("passages", "entries"):
            content[field.name] = [value[:200] for value in request.form.getlist(field.name)][:200]
        else:
            content[field.name] = request.form.get(field.name, "")[:FIELD_LIMIT].strip()
    return content


def _new_id_problems(kind: Kind, item_id: str, current: drafting.Published) -> list[str]:
    if not item_id:
        return ["'id' is missing or empty"]
    if not IDENTIFIER.match(item_id):
        return [f"{kind.name} id '{item_id}' must be lower-case words joined by hyphens"]
    if items.find(current.files, kind, item_id) or knowledge_store.draft_for(db.get_db(), kind.name, item_id):
        return [f"there is already a {kind.label.lower()} (or a draft of one) with the id '{item_id}'"]
    return []


def _conflict(kind: Kind, item_id: str, content: dict, current: Draft | None, *, new: bool, path: str) -> str:
    """The form again with the editor's own text, the other save's difference, and its revision to save over."""
    theirs = current.content if current else {}
    return _form(
        kind,
        item_id,
        content,
        revision=current.revision if current else 0,
        new=new,
        path=path,
        conflict=current,
        conflict_diffs=field_diffs(kind.name, theirs, content) if current else [],
    )


def _form(
    kind: Kind,
    item_id: str,
    content: dict,
    *,
    revision: int,
    new: bool = False,
    draft: Draft | None = None,
    by_field=None,
    general=None,
    path: str = "",
    conflict: Draft | None = None,
    conflict_diffs=(),
    removing: bool = False,
) -> str:
    knowledge = get_assistant().knowledge
    current = drafting.published()
    return render_template(
        "staff/edit.html",
        kind=kind,
        item_id=item_id,
        content=content,
        revision=revision,
        new=new,
        draft=draft,
        by_field=by_field or {},
        general=general or [],
        files=items.files_for(current.files, kind),
        path=path,
        documents=knowledge.documents,
        entries=[e for e in knowledge.entries if e.id != item_id],
        labels=TRIAGE_LABELS,
        conflict=conflict,
        conflict_diffs=conflict_diffs,
        removing=removing,
        published=items.find(current.files, kind, item_id) if item_id else None,
    )
