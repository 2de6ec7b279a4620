"""The knowledge editor's pages as a person uses them: read a form as the browser would send it, read problems.

Forms are read with the standard library's HTML parser, so a test posts exactly what the page offers
(its CSRF token, its revision, the ticked checkboxes) with only the fields the person changed.
"""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

Form = dict[str, "str | list[str]"]
MULTIPLE = ("passages", "related")  # checkbox groups: sent as one value per ticked box


class _Forms(HTMLParser):
    """Every <form> on a page: its action and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, Form]] = []
        self._fields: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._fields = {}
            self.forms.append((attributes.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag == "input" and "name" in attributes:
            name, kind = attributes["name"], attributes.get("type", "text")
            if kind == "checkbox":
                values = self._fields.setdefault(name, [])
                if "checked" in attributes:
                    values.append(attributes.get("value", "on"))
            elif kind not in ("submit", "file"):
                self._fields[name] = attributes.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = attributes["name"], []
        elif tag == "select":
            self._select = attributes["name"]
        elif tag == "option" and self._select and "selected" in attributes:
            self._fields[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "textarea" and self._textarea and self._fields is not None:
            text = "".join(self._text)
            self._fields[self._textarea] = text[1:] if text.startswith("\n") else text  # as browsers read it
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)


def forms(page: str) -> list[tuple[str, Form]]:
    """Every form on the page as (action, fields)."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def form(page: str, action: str) -> Form:
    """The fields of the one form posting to `action` (a path ending)."""
    found = [fields for target, fields in forms(page) if target.split("#")[0].endswith(action)]
    assert len(found) == 1, f"expected one form posting to {action}, found {[a for a, _ in forms(page)]}"
    return dict(found[0])


def edit_form(client, kind: str, item_id: str) -> tuple[str, Form]:
    """Open an item in the editor; return where its form posts and the fields as the browser would send them."""
    path = f"/staff/edit/{kind}/{item_id}"
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return path, form(response.get_data(as_text=True), path)


def save(client, kind: str, item_id: str, **changes):
    """Open an item's form, change some fields (lists of lines as lists), and save it as a draft."""
    path, fields = edit_form(client, kind, item_id)
    return client.post(path, data={**fields, **_as_form(changes)})


def _as_form(changes: dict) -> dict:
    """Form values: a list for a lines field becomes one line each (checkbox groups stay lists)."""
    return {k: "\n".join(v) if isinstance(v, list) and k not in MULTIPLE else v for k, v in changes.items()}


def field_problems(page: str) -> dict[str, list[str]]:
    """The problems shown next to each field: {field name: [message, ...]}."""
    found = re.findall(r'<ul class="field-problems" id="problem-([\w-]+)">(.*?)</ul>', page, re.S)
    return {field: _items(block) for field, block in found}


def alert_items(page: str) -> list[str]:
    """The listed problems in the page's alert boxes (the check's lines: "file [item]: message")."""
    return [item for block in re.findall(r'<div class="alert" role="alert">(.*?)</div>', page, re.S)
            for item in _items(block)]  # fmt: skip


def text(page: str) -> str:
    """The page's visible words, tags dropped and whitespace collapsed (to look for a sentence)."""
    without_tags = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))
    return " ".join(html.unescape(without_tags).split())


def _items(block: str) -> list[str]:
    items = re.findall(r"<li>(.*?)</li>", block, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", item)).split()) for item in items]


def submit(client, page_path: str, action: str, **changes):
    """Open a page and send its form posting to `action` (a path ending), with some fields changed."""
    page = client.get(page_path)
    assert page.status_code == 200, page.status_code
    target = next(t for t, _ in forms(page.get_data(as_text=True)) if t.split("#")[0].endswith(action))
    return client.post(target.split("#")[0], data={**form(page.get_data(as_text=True), action), **_as_form(changes)})


def publish(client, draft_path: str):
    """Sign a draft off and publish it from its page, as a reviewer does."""
    return submit(client, draft_path, "/publish")


def location(response) -> str:
    """Where a redirect sends the browser (its path)."""
    assert response.status_code == 303, response.status_code
    return urlsplit(response.headers["Location"]).path


def ask(client, message: str) -> dict:
    """A patient's question through the chat API; the JSON reply."""
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.status_code
    return response.get_json()


def upload(client, archive: bytes):
    """Upload a .zip of a knowledge folder through the import form."""
    token = form(client.get("/staff/knowledge").get_data(as_text=True), "/staff/knowledge/import")["csrf_token"]
    data = {"csrf_token": token, "archive": (io.BytesIO(archive), "knowledge.zip")}
    return client.post("/staff/knowledge/import", data=data, content_type="multipart/form-data")
