"""One item of the knowledge (an entry, a not-covered topic, a triage group, a synonym), read and replaced in its file.

An item's content is a plain dict of its fields (text, or a list of texts). Replacing an item rewrites
only its own table with tomlkit, so the comments and layout around it stay as staff wrote them, and
the answer keeps the knowledge guide's style: a multi-line string whose lines end in a backslash.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch

import tomlkit
from tomlkit.exceptions import TOMLKitError

from .snapshot import Snapshot

Content = dict[str, "str | list[str]"]


@dataclass(frozen=True)
class Field:
    """One editable field: how it is stored, and how the editor labels and explains it."""

    name: str
    label: str
    form: str  # text, long (a paragraph), lines (one per line), passages, entries, choice
    help: str = ""
    required: bool = True


@dataclass(frozen=True)
class Kind:
    """A kind of item: where its tables live (`[[key]]` in files matching `files`) and its fields."""

    name: str
    label: str
    key: str
    files: str
    fields: tuple[Field, ...]
    clinical: tuple[str, ...] = ()  # fields whose change needs a clinical reviewer's sign-off

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def holds(self, path: str) -> bool:
        return fnmatch(path, self.files)


SIGNOFF = ("reviewed_by", "reviewed_on")  # written by publishing, never by the edit form

ENTRY = Kind(
    "entry",
    "Standard answer",
    "entry",
    "faq/*.toml",
    (
        Field("question", "Question", "text", "The question as patients see it above the answer."),
        Field("alternates", "Other ways of asking", "lines", "One per line, in patients' own words; at least 8."),
        Field("answer", "Answer", "long", "Only what the cited passages say, in plain words; about 80 words at most."),
        Field("passages", "Cited passages", "passages", "Tick every passage the answer relies on."),
        Field("related", "Related answers", "entries", "Offered after this answer.", required=False),
        Field("staff_note", "Staff note", "long", "For staff only; patients never see it.", required=False),
    ),
    clinical=("answer", "passages"),
)
TOPIC = Kind(
    "topic",
    "Topic the sources do not cover",
    "topic",
    "not_covered.toml",
    (
        Field("name", "Name", "text", 'Said in the decline: "I don\'t have information about NAME".'),
        Field("phrasings", "Ways of asking", "lines", "One per line: questions on this topic, so they are declined."),
        Field(
            "clinic_answer",
            "The clinic's own answer",
            "long",
            "Optional. The clinic's statement (price, opening hours...), given instead of declining once a "
            "reviewer signs it off. Patients see it marked as the clinic's own statement.",
            required=False,
        ),
    ),
    clinical=("clinic_answer",),
)
TRIAGE = Kind(
    "triage",
    "Triage examples",
    "group",
    "triage.toml",
    (
        Field("name", "Name", "text", "What the examples have in common."),
        Field("label", "Kind", "choice", "urgent, personal (a problem for the clinic) or question."),
        Field("examples", "Example messages", "lines", "One per line, written the way patients type."),
    ),
    clinical=("label", "examples"),
)
SYNONYMS = Kind(
    "synonyms",
    "Synonyms",
    "",  # not [[tables]]: each [section] of synonyms.toml is one item, each of its lines "word = variants"
    "synonyms.toml",
    (
        Field(
            "words",
            "Words",
            "lines",
            "One word per line, then = and the words patients use for it, separated by commas: "
            "crown = cap, tooth cap, false tooth",
        ),
    ),
)
KINDS = {kind.name: kind for kind in (ENTRY, TOPIC, TRIAGE, SYNONYMS)}
SYNONYM_SKIPPED = ("contrasts",)  # a section of synonyms.toml with its own shape, edited as a file


class ItemError(ValueError):
    """An item cannot be written: a file that does not parse, or a file the kind does not live in."""


@dataclass(frozen=True)
class Item:
    """An item as published: the file it lives in and its fields."""

    kind: Kind
    id: str
    path: str
    content: Content


def items(snapshot: Snapshot, kind: Kind) -> list[Item]:
    """Every item of a kind, in file order."""
    if kind is SYNONYMS:
        return _synonym_sections(snapshot)
    found = []
    for path in _files(snapshot, kind):
        for table in _tables(snapshot, path, kind):
            item_id = str(table.get("id", ""))
            found.append(Item(kind, item_id, path, _content(table)))
    return found


def find(snapshot: Snapshot, kind: Kind, item_id: str) -> Item | None:
    """The item with this id, or None."""
    return next((item for item in items(snapshot, kind) if item.id == item_id), None)


def files_for(snapshot: Snapshot, kind: Kind) -> list[str]:
    """The files a new item of this kind may go in."""
    return _files(snapshot, kind)


def put(snapshot: Snapshot, kind: Kind, item_id: str, content: Mapping, *, path: str = "") -> Snapshot:
    """Replace the item's fields with `content` (empty optional fields are dropped), or add it to `path`."""
    existing = find(snapshot, kind, item_id)
    target = existing.path if existing else path or (_files(snapshot, kind) or [""])[0]
    if not target or not kind.holds(target):
        raise ItemError(f"a {kind.label.lower()} cannot go in '{target}'")
    document = _parse(snapshot, target) if target in snapshot.files else tomlkit.document()
    if kind is SYNONYMS:
        _put_synonyms(document, item_id, content.get("words") or [])
        return snapshot.replace(target, tomlkit.dumps(document))
    if kind.key not in document:
        document[kind.key] = tomlkit.aot()
    tables = document[kind.key]
    table = next((t for t in tables if str(t.get("id", "")) == item_id), None)
    if table is None:
        if len(tables):
            tables[-1].add(tomlkit.nl())  # a blank line between tables, as the files are written
        table = tomlkit.table()
        table["id"] = item_id
        tables.append(table)
    written = _content(table)
    for field in kind.fields:
        if field.name in table and _normal(written.get(field.name)) == _normal(content.get(field.name)):
            continue  # unchanged: left exactly as staff wrote it (wrapping, one line or many)
        _set(table, field, content.get(field.name))
    for name in SIGNOFF:
        if str(written.get(name) or "") != str(content.get(name) or ""):
            _set_signoff(table, name, content.get(name))
    return snapshot.replace(target, tomlkit.dumps(document))


def remove(snapshot: Snapshot, kind: Kind, item_id: str) -> Snapshot:
    """A copy without the item (unchanged if there is none)."""
    existing = find(snapshot, kind, item_id)
    if existing is None:
        return snapshot
    document = _parse(snapshot, existing.path)
    if kind is SYNONYMS:
        del document[item_id]
        return snapshot.replace(existing.path, tomlkit.dumps(document))
    tables = document[kind.key]
    index = next(i for i, t in enumerate(tables) if str(t.get("id", "")) == item_id)
    del tables[index]
    return snapshot.replace(existing.path, tomlkit.dumps(document))


def synonym_line_problems(lines: list[str]) -> list[str]:
    """What is wrong with the "word = variant, variant" lines of a synonyms section (the form checks it first)."""
    problems = []
    for number, line in enumerate(lines, start=1):
        word, equals, variants = line.partition("=")
        if not equals or not word.strip() or not [v for v in variants.split(",") if v.strip()]:
            example = "crown = cap, tooth cap"
            problems.append(f"line {number} ('{line}'): write the word, then =, then the variants: {example}")
    return problems


def _synonym_sections(snapshot: Snapshot) -> list[Item]:
    found = []
    for path in _files(snapshot, SYNONYMS):
        try:
            document = tomlkit.parse(snapshot.files[path])
        except TOMLKitError:
            continue
        for section, table in document.items():
            if section in SYNONYM_SKIPPED or not isinstance(table, Mapping):
                continue
            lines = [f"{word} = {', '.join(str(v) for v in variants)}" for word, variants in table.items()
                     if isinstance(variants, list)]  # fmt: skip
            found.append(Item(SYNONYMS, str(section), path, {"words": lines}))
    return found


def _put_synonyms(document, section: str, lines: list[str]) -> None:
    """Set a section's words in place: unchanged lines keep their place and the comments around them."""
    wanted: dict[str, list[str]] = {}
    for line in lines:
        word, _, variants = line.partition("=")
        wanted[word.strip()] = [v.strip() for v in variants.split(",") if v.strip()]
    if section not in document:
        document[section] = tomlkit.table()
    table = document[section]
    for word in [w for w in table if w not in wanted]:
        del table[word]
    for word, variants in wanted.items():
        if [str(v) for v in table.get(word, [])] != variants:
            table[word] = _raw("[" + ", ".join(_quoted(v) for v in variants) + "]")


def clinical_change(kind: Kind, old: Content | None, new: Content | None) -> bool:
    """Whether a change touches what a clinical reviewer signs off (a new or removed item always does)."""
    if old is None or new is None:
        return True
    return any(_normal(old.get(name)) != _normal(new.get(name)) for name in kind.clinical)


def _normal(value) -> str | tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value)
    return " ".join(str(value or "").split())


def _files(snapshot: Snapshot, kind: Kind) -> list[str]:
    return [path for path in snapshot.files if kind.holds(path)]


def _parse(snapshot: Snapshot, path: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(snapshot.files[path])
    except TOMLKitError as error:
        raise ItemError(f"{path} cannot be parsed: {error}") from None


def _tables(snapshot: Snapshot, path: str, kind: Kind) -> list:
    try:
        document = tomlkit.parse(snapshot.files[path])
    except TOMLKitError:
        return []  # the check reports it; an unparsable file has no items to edit
    tables = document.get(kind.key, [])
    return [t for t in tables if isinstance(t, Mapping)] if isinstance(tables, list) else []


def _content(table: Mapping) -> Content:
    content: Content = {}
    for key, value in table.items():
        if key == "id":
            continue
        if isinstance(value, dt.date):
            content[key] = value.isoformat()
        elif isinstance(value, list):
            content[key] = [str(v) for v in value]
        else:
            content[key] = str(value).strip()
    return content


def _set(table, field: Field, value) -> None:
    if isinstance(value, list | tuple):
        value = [clean(str(v)).strip() for v in value if clean(str(v)).strip()]
        if not value and not field.required:
            value = None
    elif value is not None:
        value = clean(str(value)).strip()
        if not value and not field.required:
            value = None
    if value is None:
        if field.name in table:
            del table[field.name]
        return
    table[field.name] = _value(field, value)


def _set_signoff(table, name: str, value) -> None:
    if not value:
        if name in table:
            del table[name]
        return
    table[name] = tomlkit.date(value) if name == "reviewed_on" else tomlkit.string(str(value))


def clean(text: str) -> str:
    """Text without control characters (a paste can carry them; TOML refuses most), keeping line breaks and tabs."""
    return "".join(c for c in text if c in "\n\t" or (c >= " " and c != "\x7f" and not "\x80" <= c <= "\x9f"))


def _value(field: Field, value):
    """A TOML value in the style of the shipped files: long text wrapped with backslashes, long lists one per line."""
    if isinstance(value, list):
        inline = "[" + ", ".join(_quoted(v) for v in value) + "]"
        if field.form != "lines" and len(inline) <= 100:
            return _raw(inline)
        return _raw("[\n" + "".join(f"  {_quoted(v)},\n" for v in value) + "]")
    if field.form == "long":
        return _raw(_long_string(value))
    return tomlkit.string(value)


def _long_string(text: str) -> str:
    """A multi-line TOML string whose lines end in a backslash (joined back into one line when read)."""
    paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = []
    for number, paragraph in enumerate(paragraphs):
        escaped = paragraph.replace("\\", "\\\\").replace('"', '\\"')
        lines = textwrap.wrap(escaped, 100, break_long_words=False, break_on_hyphens=False)
        last = number == len(paragraphs) - 1
        # A backslash ends each wrapped line (the line break is not part of the text); between
        # paragraphs, "\n" keeps a real line break.
        body.append(" \\\n".join(lines) + ("\n" if last else "\\n\\n\\\n"))
    return '"""\n' + "".join(body) + '"""'


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _raw(toml_value: str):
    return tomlkit.parse("value = " + toml_value + "\n")["value"]
