"""Clinical sign-off and publishing: what patients get changes here, and only by a reviewer.

Publishing writes a new version on the newest one in the database (two reviewers publishing at once:
the second is refused, nothing is lost), swaps it into this process at once and announces it to the
others (faqbot.web.live). A change to what a reviewer signs off (an answer, its citations, a clinic
answer) records the reviewer and the day in the item itself; every published version keeps its
author, reviewer and time, and can be compared with the one before and reverted in one step.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from ..editing import items
from ..editing import snapshot as snapshots
from ..editing.changes import apply, compare, describe, field_diffs, revert, sign_off
from ..editing.items import ENTRY, KINDS, SIGNOFF, TOPIC, Kind, clinical_change
from ..editing.snapshot import Snapshot, SnapshotError
from ..shared import Unavailable
from ..shared.notifications import knowledge_updates
from ..storage import db, knowledge_store
from ..storage.knowledge_store import Conflict
from . import drafting, live
from .staff_login import current_account, login_required, permission_required, record_action

bp = Blueprint("publishing", __name__, url_prefix="/staff")

IMPORT_LIMIT = 4 * 1024 * 1024  # an uploaded .zip of the knowledge folder (about 40 KB today)
SIGNED_KINDS = (ENTRY, TOPIC)  # the items that carry a clinical sign-off


class PublishRefused(Exception):
    """The change cannot be published as it stands; the message says why, for the reviewer."""

    def __init__(self, message: str, problems=()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@bp.post("/drafts/<int:draft_id>/publish")
@permission_required("publish")
def publish(draft_id: int) -> Response | tuple[str, int]:
    """Sign the draft off and publish it: patients get it from the next message on."""
    draft = knowledge_store.draft(db.get_db(), draft_id) or abort(404)
    if request.form.get("revision", type=int) != draft.revision:
        flash("The draft was saved again since you opened it: review this version before signing it off.", "error")
        return redirect(url_for("editor.draft", draft_id=draft.id), 303)
    reviewer, current = current_account().name, drafting.published()
    try:
        if draft.kind == "import":
            if draft.base.get("version") != (current.version.id if current.version else 0):
                raise PublishRefused(
                    "Nothing was published: new knowledge was published after this folder was imported, and "
                    "publishing the folder would undo it. Export the newest version, make the change there, "
                    "and import it again."
                )
            files = _imported(Snapshot(draft.content), current.files, reviewer)
        else:
            files = _with_draft(draft, current, reviewer)
        version = _publish(files, current, author=draft.author, reviewer=reviewer)
    except PublishRefused as refused:
        return _refused(str(refused), refused.problems, url_for("editor.draft", draft_id=draft.id))
    knowledge_store.delete_draft(db.get_db(), draft.id, revision=draft.revision)
    flash(f"Published as version {version.id}: patients get it from now on.", "status")
    return redirect(url_for("publishing.version", version_id=version.id), 303)


@bp.post("/drafts/<int:draft_id>/discard")
@permission_required("edit")
def discard(draft_id: int) -> Response:
    """Throw a draft away (published knowledge is untouched)."""
    draft = knowledge_store.draft(db.get_db(), draft_id) or abort(404)
    if knowledge_store.delete_draft(db.get_db(), draft.id, revision=request.form.get("revision", type=int, default=-1)):
        record_action("draft-discard", detail=f"{draft.kind} {draft.item}")
        flash("Draft discarded.", "status")
        return redirect(url_for("editor.drafts"), 303)
    flash("The draft was saved again since you opened it, so it was not discarded: have a look first.", "error")
    return redirect(url_for("editor.draft", draft_id=draft.id), 303)


@bp.get("/history")
@login_required
def history() -> str:
    """Every published version, newest first."""
    return render_template("staff/history.html", versions=knowledge_store.history(db.get_db()))


@bp.get("/history/<int:version_id>")
@login_required
def version(version_id: int) -> str:
    """One version: who wrote and signed it, when, and what it changed, field by field."""
    shown = knowledge_store.version(db.get_db(), version_id) or abort(404)
    before = knowledge_store.version(db.get_db(), shown.parent) if shown.parent else None
    changes = compare(before.files, shown.files) if before else []
    newest = knowledge_store.live_id(db.get_db())
    return render_template(
        "staff/version.html",
        version=shown,
        changes=[(c, field_diffs(c.kind, c.old, c.new)) for c in changes],
        kinds=KINDS,
        is_live=shown.id == newest,
    )


@bp.post("/history/<int:version_id>/revert")
@permission_required("publish")
def revert_version(version_id: int) -> Response | tuple[str, int]:
    """Put back what a version changed, as a new version (later changes to other items stay)."""
    shown = knowledge_store.version(db.get_db(), version_id) or abort(404)
    before = knowledge_store.version(db.get_db(), shown.parent) if shown.parent else None
    if before is None:
        flash("This is the knowledge as shipped: there is nothing before it to go back to.", "error")
        return redirect(url_for("publishing.version", version_id=version_id), 303)
    current = drafting.published()
    changes = compare(before.files, shown.files)
    later = [c for c in changes if _changed_since(c, shown.files, current.files)]
    if later:
        names = ", ".join(f"{c.kind} {c.id}" for c in later)
        message = (
            f"Nothing was reverted: {names} changed again after version {shown.id}, and reverting would undo that "
            "later change too. Revert the later version first, or edit the item."
        )
        return _refused(message, [], url_for("publishing.version", version_id=version_id))
    files = revert(current.files, before.files, [c.key for c in changes])
    try:
        new = _publish(files, current, author=current_account().name, reviewer=current_account().name,
                       summary=f"Reverted version {shown.id}: {shown.summary}")  # fmt: skip
    except PublishRefused as refused:
        return _refused(str(refused), refused.problems, url_for("publishing.version", version_id=version_id))
    flash(f"Version {shown.id} is reverted (as version {new.id}); patients get the earlier text again.", "status")
    return redirect(url_for("publishing.version", version_id=new.id), 303)


@bp.get("/review")
@login_required
def review() -> str:
    """Answers by review date: never signed off here first, then overdue, then due soonest."""
    current = drafting.published()
    months, today = current_app.config["REVIEW_MONTHS"], dt.date.fromisoformat(drafting.today())
    rows = []
    for kind in SIGNED_KINDS:
        for item in items.items(current.files, kind):
            if kind is TOPIC and not item.content.get("clinic_answer"):
                continue
            signed = item.content.get("reviewed_on")
            due = drafting.add_months(dt.date.fromisoformat(signed), months) if signed else None
            rows.append((kind, item, due, due is None or due <= today))
    rows.sort(key=lambda row: (row[2] is not None, row[2] or today))
    return render_template("staff/review.html", rows=rows, months=months, today=today)


@bp.post("/review/<kind>/<item_id>")
@permission_required("publish")
def sign_off_unchanged(kind: str, item_id: str) -> Response | tuple[str, int]:
    """Record that a reviewer read an answer again and it stands: its next review moves on."""
    kind_ = KINDS.get(kind) or abort(404)
    if kind_ not in SIGNED_KINDS:
        abort(404)
    current = drafting.published()
    item = items.find(current.files, kind_, item_id) or abort(404)
    reviewer = current_account().name
    files = apply(current.files, kind_, item_id, sign_off(item.content, reviewer, drafting.today()))
    try:
        _publish(files, current, author=reviewer, reviewer=reviewer, summary=f"Signed off {kind_.name} {item_id}")
    except PublishRefused as refused:
        return _refused(str(refused), refused.problems, url_for("publishing.review"))
    months = current_app.config["REVIEW_MONTHS"]
    flash(f"Signed off: the next review of '{item_id}' is due in {months} months.", "status")
    return redirect(url_for("publishing.review"), 303)


@bp.get("/knowledge")
@login_required
def knowledge() -> str:
    """Export the published knowledge as TOML files, or import a folder (as a draft a reviewer publishes)."""
    current = drafting.published()
    return render_template("staff/knowledge.html", version=current.version, files=list(current.files.files))


@bp.get("/knowledge/export.zip")
@login_required
def export() -> Response:
    """The published knowledge as a .zip of the knowledge/ folder, in the repository's format."""
    current = drafting.published()
    name = f"faqbot-knowledge-v{current.version.id}.zip" if current.version else "faqbot-knowledge-shipped.zip"
    record_action("export-knowledge", detail=f"version {current.version.id if current.version else 'shipped'}")
    return Response(
        snapshots.to_zip(current.files),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@bp.post("/knowledge/import")
@permission_required("edit")
def import_folder() -> Response | tuple[str, int]:
    """Read an uploaded .zip, check it as `faqbot check` does, and keep it as a draft for a reviewer."""
    request.max_content_length = IMPORT_LIMIT
    upload = request.files.get("archive")
    current = drafting.published()
    try:
        if upload is None or not upload.filename:
            raise SnapshotError("choose a .zip file of the knowledge folder")
        files = snapshots.from_zip(upload.read(IMPORT_LIMIT + 1))
    except SnapshotError as error:
        return render_template("staff/knowledge.html", version=current.version, files=list(current.files.files),
                               error=str(error)), 400  # fmt: skip
    found = drafting.problems(files)
    if found:
        return render_template("staff/knowledge.html", version=current.version, files=list(current.files.files),
                               problems=found), 422  # fmt: skip
    draft = save_import(files, current, author=current_account().name)
    record_action("draft-save", detail=f"import, {len(files.files)} files")
    flash("The folder is valid and kept as a draft: review its changes, then a reviewer publishes it.", "status")
    return redirect(url_for("editor.draft", draft_id=draft.id), 303)


def save_import(files: Snapshot, current: drafting.Published, *, author: str):
    """Keep an imported folder as the one import draft (a newer import replaces an older one)."""
    existing = knowledge_store.draft_for(db.get_db(), "import", "knowledge")
    return knowledge_store.save_draft(
        db.get_db(),
        kind="import",
        item="knowledge",
        action="import",
        content=dict(files.files),
        path="",
        base={"version": current.version.id if current.version else 0},
        revision=existing.revision if existing else 0,
        author=author,
    )


# -- publishing ------------------------------------------------------------------------------


def _with_draft(draft, current: drafting.Published, reviewer: str) -> Snapshot:
    """The published knowledge with the draft applied and, where its clinical content changed, signed off."""
    kind = KINDS[draft.kind]
    published = items.find(current.files, kind, draft.item)
    if _unsigned(published.content if published else None) != _unsigned(draft.base):
        raise PublishRefused(
            "The published version of this item changed after the draft was saved. Open the draft in the "
            "editor: it shows the difference; save it again on the new version, then sign it off."
        )
    content = None if draft.action == "remove" else draft.content
    if content is not None:
        content = _signed(kind, published.content if published else None, content, reviewer)
    return apply(current.files, kind, draft.item, content, path=draft.path)


def _changed_since(change, then: Snapshot, now: Snapshot) -> bool:
    """Whether an item a version changed is different now (a later version changed it again)."""
    if change.kind == "file":
        return then.files.get(change.id) != now.files.get(change.id)
    kind = KINDS[change.kind]
    before, after = items.find(then, kind, change.id), items.find(now, kind, change.id)
    return _unsigned(before.content if before else None) != _unsigned(after.content if after else None)


def _unsigned(content: dict | None) -> dict | None:
    """The content without its sign-off: a review in between ("sign off as it stands") changes nothing drafted."""
    return None if content is None else {k: v for k, v in content.items() if k not in SIGNOFF}


def _signed(kind: Kind, old: dict | None, new: dict, reviewer: str) -> dict:
    """Carry the published sign-off over, or sign it off now when its clinical content changed."""
    kept = {name: (old or {}).get(name, "") for name in SIGNOFF}
    new = {**new, **kept}
    if kind in SIGNED_KINDS and clinical_change(kind, old, new):
        if kind is TOPIC and not new.get("clinic_answer"):
            return {**new, "reviewed_by": "", "reviewed_on": ""}  # no clinic answer left to vouch for
        return sign_off(new, reviewer, drafting.today())
    return new


def _imported(files: Snapshot, published: Snapshot, reviewer: str) -> Snapshot:
    """An imported folder, with sign-offs as they are published: a file cannot sign itself off."""
    result = files
    for kind in SIGNED_KINDS:
        for item in items.items(files, kind):
            old = items.find(published, kind, item.id)
            content = {k: v for k, v in item.content.items() if k not in SIGNOFF}
            result = apply(result, kind, item.id, _signed(kind, old.content if old else None, content, reviewer))
    return result


def _publish(files: Snapshot, current: drafting.Published, *, author: str, reviewer: str, summary: str = ""):
    """Validate, write the new version, swap it in here and tell the other processes."""
    found = drafting.problems(files)
    if found:
        raise PublishRefused("Nothing was published: the check finds problems in the result.", found)
    changes = [c.key for c in compare(current.files, files)]
    if not changes:
        raise PublishRefused("Nothing was published: it would change nothing that patients get.")
    try:
        new = knowledge_store.publish(
            db.get_db(),
            files,
            on=current.version,
            baseline=live.baseline(current_app),
            author=author,
            reviewer=reviewer,
            summary=summary or describe(changes),
            changes=changes,
        )
    except Conflict:
        raise PublishRefused("Another reviewer published a moment ago. Nothing was lost: try again.") from None
    record_action("publish", detail=f"version {new.id}: {describe(changes)}"[:300])
    live.install(current_app, new.id, files, drafting.assistant_for(files))
    try:
        knowledge_updates(current_app).publish(str(new.id))
    except Unavailable as error:  # the others find the new version by asking the database within seconds
        current_app.logger.warning("Could not announce knowledge version %s: %s", new.id, error)
    return new


def _refused(message: str, problems, back: str) -> tuple[str, int]:
    return render_template("staff/refused.html", message=message, problems=problems, back=back), 409
