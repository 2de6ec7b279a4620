"""Load the knowledge folder and validate all of it, reporting every problem at once.

The folder holds TOML files (read with the standard library's tomllib, which cannot run code):
  sources/*.toml    source articles split into passages
  faq/*.toml        the curated question/answer entries
  smalltalk.toml    social messages and their replies
  urgent.toml       urgent-symptom rules and their reply
  synonyms.toml     lay words and spelling variants
  not_covered.toml  topics the sources do not answer (optional)
  triage.toml       example messages: urgent, personal problems, general questions
  replies.toml      the wording of declines, clarify and personal-problem replies, and the line that
                    ends an answer to what may be a problem now
  test_questions.toml  questions with the reply each should get, run before publishing (optional)
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from .clinic import ACTION_KINDS, ACTION_PLACEHOLDERS, DECLINE_ACTIONS, URGENT_ACTIONS
from .knowledge import (
    ANSWER_ENDINGS,
    OPTIONAL_REPLIES,
    REPLY_FIELDS,
    TEST_OUTCOMES,
    TRIAGE_LABELS,
    Document,
    Entry,
    KnowledgeBase,
    Passage,
    Replies,
    SmallTalkIntent,
    TestQuestion,
    TriageGroup,
    UncoveredTopic,
    UrgentRule,
)
from .numbers import numbers_in
from .problems import KnowledgeError, Problem, Reader
from .text import normalize

__all__ = ["KnowledgeError", "Problem", "load_knowledge", "MIN_ALTERNATES"]

MIN_ALTERNATES = 8
MAX_ANSWER_WORDS = 90  # "at most about 80": a little slack before it becomes an error
_SIGNOFF_FIELDS = {"reviewed_by", "reviewed_on"}
_ENTRY_FIELDS = {"id", "question", "alternates", "answer", "passages", "related", "staff_note", *_SIGNOFF_FIELDS}
_TOPIC_FIELDS = {"id", "name", "phrasings", "clinic_answer", *_SIGNOFF_FIELDS}


def load_knowledge(root: str | Path, *, min_alternates: int = MIN_ALTERNATES) -> KnowledgeBase:
    """Read and validate the knowledge folder; raise KnowledgeError listing every problem."""
    root = Path(root)
    reader = Reader(root)
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), "knowledge folder not found")])
    documents = _read_documents(reader, root / "sources")
    entries = _read_entries(reader, root / "faq", min_alternates)
    passages: dict[str, Passage] = {}
    for passage in (p for d in documents for p in d.passages):
        passages.setdefault(passage.id, passage)  # a duplicate is reported already; keep the first
    _check_entries(reader, root, entries, passages)
    synonyms, contrasts = _read_synonyms(reader, root / "synonyms.toml")
    intents, fillers, welcome = _read_smalltalk(reader, root / "smalltalk.toml")
    entry_ids = {entry.id for _, entry in entries}
    for entry_id in welcome:
        if entry_id not in entry_ids:
            reader.problem(root / "smalltalk.toml", f"welcome suggestion '{entry_id}' is not an entry id", "welcome")
    rules, urgent_reply = _read_urgent(reader, root / "urgent.toml")
    uncovered = _read_uncovered(reader, root / "not_covered.toml")
    triage = _read_triage(reader, root / "triage.toml")
    replies = _read_replies(reader, root / "replies.toml")
    tests = _read_test_questions(reader, root / "test_questions.toml", entry_ids)
    if reader.problems:
        raise KnowledgeError(reader.problems)
    return KnowledgeBase(
        documents=tuple(documents),
        entries=tuple(entry for _, entry in entries),
        uncovered=tuple(uncovered),
        smalltalk=tuple(intents),
        smalltalk_fillers=frozenset(fillers),
        welcome=tuple(welcome),
        urgent_rules=tuple(rules),
        urgent_reply=urgent_reply,
        synonyms=MappingProxyType(synonyms),
        contrasts=tuple(contrasts),
        triage=tuple(triage),
        replies=replies,
        test_questions=tuple(tests),
    )


def _toml_files(reader: Reader, folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        reader.problem(folder, "no .toml files found")
    return files


def _read_documents(reader: Reader, folder: Path) -> list[Document]:
    documents, doc_ids, passage_ids = [], {}, {}
    for path in _toml_files(reader, folder):
        data = reader.toml(path)
        if data is None:
            continue
        doc_id = reader.identifier(path, data, doc_ids, "document")
        title = reader.text(path, data, "title", doc_id)
        passages = []
        for table in reader.tables(path, data, "passages"):
            pid = reader.identifier(path, table, passage_ids, "passage")
            text = reader.text(path, table, "text", pid)
            section = reader.text(path, table, "section", pid, required=False)
            passages.append(Passage(pid, doc_id, text, section))
        documents.append(Document(doc_id, title, tuple(passages)))
    return documents


def _read_entries(reader: Reader, folder: Path, min_alternates: int) -> list[tuple[Path, Entry]]:
    entries, seen = [], {}
    for path in _toml_files(reader, folder):
        data = reader.toml(path)
        if data is None:
            continue
        for table in reader.tables(path, data, "entry"):
            entry_id = reader.identifier(path, table, seen, "entry")
            for unknown in sorted(set(table) - _ENTRY_FIELDS):
                reader.problem(
                    path, f"unknown field '{unknown}' (expected one of: {', '.join(sorted(_ENTRY_FIELDS))})", entry_id
                )
            alternates = reader.text_list(path, table, "alternates", entry_id)
            if alternates and len(alternates) < min_alternates:
                message = f"has {len(alternates)} alternates; write at least {min_alternates}"
                reader.problem(path, message, entry_id, "alternates")
            entries.append(
                (
                    path,
                    Entry(
                        id=entry_id,
                        question=reader.text(path, table, "question", entry_id),
                        alternates=alternates,
                        answer=reader.text(path, table, "answer", entry_id),
                        passage_ids=reader.text_list(path, table, "passages", entry_id),
                        related=reader.text_list(path, table, "related", entry_id, required=False),
                        staff_note=reader.text(path, table, "staff_note", entry_id, required=False),
                        file=path.name,
                        signoff=reader.signoff(path, table, entry_id),
                    ),
                )
            )
    return entries


def _check_entries(reader: Reader, root: Path, entries: list[tuple[Path, Entry]], passages: dict[str, Passage]) -> None:
    ids = {entry.id for _, entry in entries}
    owner: dict[str, str] = {}
    for path, entry in entries:
        for pid in entry.passage_ids:
            if pid not in passages:
                reader.problem(path, f"cites unknown passage '{pid}'", entry.id, "passages")
        for rid in entry.related:
            if rid not in ids:
                reader.problem(path, f"related entry '{rid}' does not exist", entry.id, "related")
            elif rid == entry.id:
                reader.problem(path, "lists itself as related", entry.id, "related")
        if len(entry.answer.split()) > MAX_ANSWER_WORDS:
            message = f"answer has {len(entry.answer.split())} words; keep it under about 80"
            reader.problem(path, message, entry.id, "answer")
        if not all(p in passages for p in entry.passage_ids):
            continue  # the unknown passage is the problem to fix first
        cited = " ".join(passages[p].text for p in entry.passage_ids)
        for number in sorted(numbers_in(entry.answer) - numbers_in(cited)):
            message = f"answer says '{number}', which none of its cited passages says"
            reader.problem(path, message, entry.id, "answer")
        own: dict[str, str] = {}
        for phrasing in entry.phrasings:
            key = normalize(phrasing)
            first = own.setdefault(key, phrasing)
            if first is not phrasing:  # a repeat adds nothing and weighs the entry's phrasing twice
                message = f"phrasing '{phrasing}' repeats '{first}' of the same entry"
                reader.problem(path, message, entry.id, "alternates")
            other = owner.setdefault(key, entry.id)
            if other != entry.id:
                message = f"phrasing '{phrasing}' is the same as a phrasing of '{other}'"
                reader.problem(path, message, entry.id, "question" if phrasing == entry.question else "alternates")


def _read_synonyms(reader: Reader, path: Path) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    data = reader.toml(path)
    mapping: dict[str, str] = {}
    if data is None:
        return mapping, []
    contrasts = []
    table = data.pop("contrasts", {})
    groups = table.get("groups", []) if isinstance(table, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2 for g in groups):
        reader.problem(path, "'contrasts' must hold groups = [[word, word, ...], ...]", "contrasts")
    else:
        for group in groups:
            contrasts.append(tuple(normalize(str(w)) for w in group))
    for section, table in data.items():
        if not isinstance(table, dict):
            reader.problem(path, f"'{section}' must be a [table] of word = [variants]")
            continue
        for canonical, variants in table.items():
            variants = reader.text_list(path, table, canonical, f"{section}.{canonical}")
            target = normalize(canonical)
            for variant in (canonical, *variants):
                key = normalize(variant)
                if mapping.get(key, target) != target:
                    reader.problem(
                        path,
                        f"'{variant}' is listed for both '{mapping[key]}' and '{target}'",
                        f"{section}.{canonical}",
                    )
                mapping[key] = target
    return mapping, contrasts


def _read_smalltalk(reader: Reader, path: Path) -> tuple[list[SmallTalkIntent], list[str], tuple[str, ...]]:
    data = reader.toml(path)
    if data is None:
        return [], [], ()
    intents, seen = [], {}
    for table in reader.tables(path, data, "intent"):
        intent_id = reader.identifier(path, table, seen, "intent")
        phrases = reader.text_list(path, table, "phrases", intent_id)
        reply = reader.text(path, table, "reply", intent_id)
        actions = reader.text_list(path, table, "actions", intent_id, required=False)
        for action in actions:
            if action not in ACTION_KINDS:
                reader.problem(
                    path, f"unknown action '{action}' (expected one of: {', '.join(ACTION_KINDS)})", intent_id
                )
        actions = tuple(a for a in actions if a in ACTION_KINDS)
        _check_repeats(reader, path, reply, actions, intent_id)
        intents.append(SmallTalkIntent(intent_id, phrases, reply, actions))
    fillers = data.get("fillers", {})
    words = reader.text_list(path, fillers if isinstance(fillers, dict) else {}, "words", "fillers", required=False)
    welcome = data.get("welcome", {})
    suggestions = reader.text_list(path, welcome if isinstance(welcome, dict) else {}, "suggestions", "welcome")
    return intents, [normalize(w) for w in words], suggestions


def _read_urgent(reader: Reader, path: Path) -> tuple[list[UrgentRule], str]:
    data = reader.toml(path)
    if data is None:
        return [], ""
    reply = reader.text(path, data, "reply")
    _check_repeats(reader, path, reply, URGENT_ACTIONS, "reply")
    rules = []
    for table in reader.tables(path, data, "rule"):
        name = reader.text(path, table, "name", "?")
        groups = table.get("groups")
        if (
            not isinstance(groups, list)
            or not groups
            or not all(isinstance(g, list) and g and all(isinstance(w, str) and w.strip() for w in g) for g in groups)
        ):
            reader.problem(path, "'groups' must be a list of non-empty lists of words", name)
            continue
        alone_with = reader.text_list(path, table, "alone_with", name, required=False)
        rules.append(UrgentRule(name, tuple(tuple(w.strip() for w in g) for g in groups), alone_with))
    return rules, reply


def _read_uncovered(reader: Reader, path: Path) -> list[UncoveredTopic]:
    if not path.exists():
        return []
    data = reader.toml(path)
    if data is None:
        return []
    topics, seen = [], {}
    for table in reader.tables(path, data, "topic"):
        topic_id = reader.identifier(path, table, seen, "topic")
        for unknown in sorted(set(table) - _TOPIC_FIELDS):
            message = f"unknown field '{unknown}' (expected one of: {', '.join(sorted(_TOPIC_FIELDS))})"
            reader.problem(path, message, topic_id)
        answer = reader.text(path, table, "clinic_answer", topic_id, required=False)
        signoff = reader.signoff(path, table, topic_id)
        if answer and signoff is None:
            message = "a clinic answer reaches patients only once a reviewer signs it off (reviewed_by, reviewed_on)"
            reader.problem(path, message, topic_id, "clinic_answer")
        if len(answer.split()) > MAX_ANSWER_WORDS:
            message = f"answer has {len(answer.split())} words; keep it under about 80"
            reader.problem(path, message, topic_id, "clinic_answer")
        _check_repeats(reader, path, answer, DECLINE_ACTIONS, topic_id)
        name = reader.text(path, table, "name", topic_id)
        phrasings = reader.text_list(path, table, "phrasings", topic_id)
        topics.append(UncoveredTopic(topic_id, name, phrasings, answer, signoff))
    return topics


def _read_triage(reader: Reader, path: Path) -> list[TriageGroup]:
    data = reader.toml(path)
    if data is None:
        return []
    groups, seen, examples = [], {}, {}
    for table in reader.tables(path, data, "group"):
        group_id = reader.identifier(path, table, seen, "group")
        label = reader.text(path, table, "label", group_id)
        if label and label not in TRIAGE_LABELS:
            reader.problem(path, f"label '{label}' must be one of: {', '.join(TRIAGE_LABELS)}", group_id)
        texts = reader.text_list(path, table, "examples", group_id)
        for text in texts:
            other = examples.setdefault(normalize(text), group_id)
            if other != group_id:
                reader.problem(path, f"example '{text}' is also in group '{other}'", group_id, "examples")
        name = reader.text(path, table, "name", group_id)
        not_about_health = reader.flag(path, table, "not_about_health", group_id)
        if not_about_health and label != "question":
            reader.problem(path, "'not_about_health' belongs to a group with label 'question'", group_id)
        groups.append(TriageGroup(group_id, label, name, texts, not_about_health))
    for label in TRIAGE_LABELS:
        if groups and not any(g.label == label for g in groups):
            reader.problem(path, f"needs at least one group with label '{label}'")
    return groups


def _read_test_questions(reader: Reader, path: Path, entry_ids: set[str]) -> list[TestQuestion]:
    if not path.exists():
        return []
    data = reader.toml(path)
    if data is None:
        return []
    tests = []
    for number, table in enumerate(reader.tables(path, data, "question"), start=1):
        item = f"question {number}"
        text = reader.text(path, table, "text", item)
        expect = reader.text(path, table, "expect", item)
        if expect and expect not in entry_ids and expect not in TEST_OUTCOMES:
            message = f"expects '{expect}', which is neither an entry id nor one of: {', '.join(TEST_OUTCOMES)}"
            reader.problem(path, message, item, "expect")
        tests.append(TestQuestion(text, expect))
    return tests


def _read_replies(reader: Reader, path: Path) -> Replies:
    data = reader.toml(path)
    if data is None:
        return Replies()
    for unknown in sorted(set(data) - set(REPLY_FIELDS)):
        reader.problem(path, f"unknown reply '{unknown}' (expected one of: {', '.join(REPLY_FIELDS)})")
    texts = {name: reader.text(path, data, name, name, required=name not in OPTIONAL_REPLIES) for name in REPLY_FIELDS}
    replies = Replies(**{name: text for name, text in texts.items() if text})
    for name in ("fallback", "fallback_again", "off_topic", "problem_now", "personal"):
        _check_repeats(reader, path, getattr(replies, name), DECLINE_ACTIONS, name)
    # These end a standard answer, whose words state no number the sources do not (so no phone number either).
    for name, allowed in ANSWER_ENDINGS.items():
        for placeholder in sorted(set(re.findall(r"\{(\w+)\}", getattr(replies, name))) - set(allowed)):
            named = " and ".join(f"{{{a}}}" for a in allowed)
            reader.problem(
                path,
                f"reply '{name}' may name {named} only, not {{{placeholder}}}: "
                "it ends a standard answer, which states no number the sources do not",
            )
    return replies


def _check_repeats(reader: Reader, path: Path, reply: str, actions: tuple[str, ...], item: str) -> None:
    """A reply's buttons show the phone number and booking link: its words must not repeat them."""
    for action in actions:
        placeholder = "{" + ACTION_PLACEHOLDERS[action] + "}"
        if placeholder in reply:
            reader.problem(
                path,
                f"'{placeholder}' repeats the {action} button that comes with this reply; "
                "name the action in words instead (for example 'call {clinic_name}')",
                item,
            )
