"""Read TOML files while collecting problems, so one run of the check reports every one of them."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .knowledge import SignOff

IDENTIFIER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the knowledge folder, said so that staff can find and fix it."""

    file: str
    message: str
    item: str = ""
    field: str = ""  # the field of the item it is about (the web editor shows it there), when known

    def __str__(self) -> str:
        where = f"{self.file} [{self.item}]" if self.item else self.file
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge folder has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n{lines}")


class Reader:
    """Collects problems while reading, so one run reports all of them."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, path: Path, message: str, item: str = "", field: str = "") -> None:
        self.problems.append(Problem(self._name(path), message, item, field))

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def toml(self, path: Path) -> dict[str, Any] | None:
        try:
            with path.open("rb") as handle:
                return tomllib.load(handle)
        except FileNotFoundError:
            self.problem(path, "file is missing")
        except tomllib.TOMLDecodeError as error:
            self.problem(path, f"cannot be parsed: {error}")
        except UnicodeDecodeError as error:
            self.problem(path, f"is not UTF-8 text: {error}")
        return None

    def text(self, path: Path, table: dict, key: str, item: str = "", *, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem(path, f"'{key}' must be text", item, key)
            return ""
        value = value.strip()
        if required and not value:
            self.problem(path, f"'{key}' is missing or empty", item, key)
        return value

    def flag(self, path: Path, table: dict, key: str, item: str = "") -> bool:
        """Read an optional true/false setting (false when absent)."""
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.problem(path, f"'{key}' must be true or false (without quotes)", item, key)
            return False
        return value

    def text_list(self, path: Path, table: dict, key: str, item: str = "", *, required: bool = True) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path, f"'{key}' must be a list of texts", item, key)
            return ()
        if any(not v.strip() for v in value):
            self.problem(path, f"'{key}' contains an empty text", item, key)
        value = tuple(v.strip() for v in value if v.strip())
        if required and not value:
            self.problem(path, f"'{key}' is missing or empty", item, key)
        return value

    def tables(self, path: Path, data: dict, key: str) -> list[dict]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(path, f"'{key}' must be written as [[{key}]] tables")
            return []
        if not value:
            self.problem(path, f"has no [[{key}]] tables")
        return value

    def identifier(self, path: Path, table: dict, seen: dict[str, Path], kind: str) -> str:
        ident = self.text(path, table, "id", "?")
        if ident and not IDENTIFIER.match(ident):
            self.problem(path, f"{kind} id '{ident}' must be lower-case words joined by hyphens", ident, "id")
        if ident in seen:
            self.problem(path, f"duplicate {kind} id (also in {self._name(seen[ident])})", ident, "id")
        elif ident:
            seen[ident] = path
        return ident

    def signoff(self, path: Path, table: dict, item: str) -> SignOff | None:
        """Read reviewed_by and reviewed_on (a date, 2026-11-28): both or neither."""
        reviewer = self.text(path, table, "reviewed_by", item, required=False)
        day = table.get("reviewed_on")
        if day is not None and (not isinstance(day, dt.date) or isinstance(day, dt.datetime)):
            message = "'reviewed_on' must be a date written as 2026-11-28, without quotes"
            self.problem(path, message, item, "reviewed_on")
            return None
        if bool(reviewer) != (day is not None):
            self.problem(path, "'reviewed_by' and 'reviewed_on' go together: give both or neither", item, "reviewed_by")
            return None
        return SignOff(reviewer, day.isoformat()) if reviewer else None
