"""The no-JavaScript transcript: what the session cookie remembers between post and redirect.

Why not the patient's words: the cookie travels with every request and sits in the browser's
cookie store, so it holds only what faqbot itself said, by reference where it can: the kind of each
reply, the answered entry's id, the suggestions as entry ids, the kinds of its contact buttons, and
the clinic's own wording for replies that have no entry (fallback, small talk, urgent). The page
shows each answer under the question it answers; with JavaScript on, the patient's words stay in the
tab's sessionStorage only.
"""

from __future__ import annotations

import json
from typing import Any

from ..engine.clinic import ACTION_KINDS, Clinic, contact_actions
from ..engine.knowledge import KnowledgeBase
from ..engine.reply import Reply

MAX_TURNS = 8
MAX_BYTES = 2400  # what the records may take before signing; a cookie must stay under 4 KB


def remember(
    records: list[dict[str, Any]], reply: Reply, knowledge: KnowledgeBase, *, feedback_token: str = ""
) -> list[dict[str, Any]]:
    """Return the records with this reply added, oldest dropped to stay within the cookie's budget."""
    by_question = {e.question: e.id for e in knowledge.entries}
    record: dict[str, Any] = {"k": reply.kind, "s": [by_question.get(s, s) for s in reply.suggestions]}
    if reply.statement:  # the clinic's own answer: by its words, as it is not an entry
        record["t"] = reply.text
        record["c"] = [reply.statement.reviewer, reply.statement.day]
    elif reply.entry and reply.kind == "answer":
        record["e"] = reply.entry.id
        if feedback_token:
            record["f"] = feedback_token  # spent by the vote, so a replayed cookie cannot vote again
    else:
        record["t"] = reply.text
    if reply.actions:
        record["a"] = [action.kind for action in reply.actions]
    kept = [*records, record][-MAX_TURNS:]
    while len(kept) > 1 and len(json.dumps(kept)) > MAX_BYTES:
        kept.pop(0)
    return kept


def vote(records: list[dict[str, Any]], index: int, entry_id: str, value: str) -> bool:
    """Mark turn `index` as rated; return False if it is not that entry's answer or was already rated."""
    if not 0 <= index < len(records):
        return False
    record = records[index]
    if record.get("e") != entry_id or "v" in record:
        return False
    record["v"] = value
    return True


def expand(records: list[dict[str, Any]], knowledge: KnowledgeBase, clinic: Clinic) -> list[dict[str, Any]]:
    """Return the turns as the reply contract's dicts (plus `vote`), ready for the page template."""
    turns = []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("k"), str):
            continue  # a cookie from an older faqbot: skip what it cannot show
        entry = knowledge.entry(record.get("e") or "")
        if record.get("e") and entry is None:
            continue  # the entry was retired since; its answer is no longer published
        suggestions = []
        for item in record.get("s", []):
            suggested = knowledge.entry(item)
            suggestions.append(suggested.question if suggested else str(item))
        kinds = tuple(kind for kind in record.get("a", []) if kind in ACTION_KINDS)
        actions = contact_actions(clinic, kinds, urgent=record["k"] == "urgent")
        turns.append(
            {
                "text": entry.answer if entry else str(record.get("t", "")),
                "actions": [{"kind": a.kind, "label": a.label, "href": a.href} for a in actions],
                "kind": record["k"],
                "entry": {"id": entry.id, "question": entry.question} if entry else None,
                "sources": _sources(entry, knowledge) if entry else [],
                "suggestions": suggestions,
                "statement": _statement(record.get("c")),
                "vote": record.get("v"),
            }
        )
    return turns


def _statement(value: Any) -> dict[str, str] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return {"reviewed_by": value[0], "reviewed_on": value[1]}
    return None


def _sources(entry, knowledge: KnowledgeBase) -> list[dict[str, str]]:
    sources = []
    for passage in knowledge.cited_passages(entry):
        document = knowledge.document(passage.document_id)
        url = f"/sources/{passage.document_id}#{passage.id}"
        sources.append({"title": document.title if document else "", "url": url, "quote": passage.text})
    return sources
