"""A whole knowledge base as text: the TOML files of a knowledge folder, keyed by their path in it.

Validation writes the files to a private temporary folder and runs `load_knowledge` on it: the same
code, the same messages and the same file names ("knowledge/faq/basics.toml") as `faqbot check`.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from ..engine.knowledge import KnowledgeBase
from ..engine.loading import load_knowledge

FOLDER = "knowledge"  # the folder name problems are reported under, as `faqbot check` reports them
MAX_FILES = 200
MAX_FILE_BYTES = 1_000_000  # far above any real knowledge file; an upload past it is a mistake


class SnapshotError(ValueError):
    """Files that cannot be a knowledge folder (an unsafe path, not TOML, too large, not UTF-8)."""


@dataclass(frozen=True)
class Snapshot:
    """The TOML files of a knowledge folder: relative POSIX path -> text."""

    files: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path, text in self.files.items():
            _check_path(path)
            if not isinstance(text, str):
                raise SnapshotError(f"{path}: the content must be text")
        object.__setattr__(self, "files", MappingProxyType(dict(sorted(self.files.items()))))

    @property
    def digest(self) -> str:
        """A short fingerprint of the content: equal snapshots have equal digests."""
        hasher = hashlib.sha256()
        for path, text in self.files.items():
            hasher.update(path.encode() + b"\0" + text.encode("utf-8", "surrogatepass") + b"\0")
        return hasher.hexdigest()[:16]

    def replace(self, path: str, text: str) -> Snapshot:
        """A copy with one file's text replaced (or added)."""
        return Snapshot({**self.files, path: text})

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)


def read_folder(root: str | Path) -> Snapshot:
    """Read every .toml file under a knowledge folder (the repository's baseline, or an exported copy)."""
    root = Path(root)
    files = {}
    for path in sorted(root.rglob("*.toml")):
        relative = path.relative_to(root).as_posix()
        try:
            files[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise SnapshotError(f"{relative} is not UTF-8 text: {error}") from None
    return Snapshot(files)


def write_folder(snapshot: Snapshot, root: str | Path) -> list[Path]:
    """Write the files into a folder (made if missing); other files there are left alone. Return the paths."""
    root = Path(root)
    written = []
    for relative, text in snapshot.files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)  # a reader never sees half a file
        written.append(target)
    return written


def load(snapshot: Snapshot) -> KnowledgeBase:
    """Validate and load the knowledge, exactly as `faqbot check` does; KnowledgeError lists every problem."""
    with tempfile.TemporaryDirectory(prefix="faqbot-knowledge-") as folder:
        root = Path(folder) / FOLDER
        write_folder(snapshot, root)
        return load_knowledge(root)


def to_zip(snapshot: Snapshot) -> bytes:
    """The files as a .zip under a knowledge/ folder, to download and keep in version control."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, text in snapshot.files.items():
            archive.writestr(f"{FOLDER}/{relative}", text)
    return buffer.getvalue()


def from_zip(data: bytes) -> Snapshot:
    """Read an uploaded .zip of a knowledge folder (as `to_zip` makes it, or zipped by hand).

    Only .toml files count; one leading folder (knowledge/, or whatever it was called) is dropped.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SnapshotError("the upload is not a .zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and m.filename.endswith(".toml")]
        if not members:
            raise SnapshotError("the .zip holds no .toml files")
        if len(members) > MAX_FILES or any(m.file_size > MAX_FILE_BYTES for m in members):
            raise SnapshotError("the .zip is too large to be a knowledge folder")
        for member in members:
            _check_path(member.filename)  # as uploaded: "../x.toml" must not become "x.toml" below
        names = [PurePosixPath(m.filename) for m in members]
        tops = {name.parts[0] for name in names}
        strip = len(tops) == 1 and all(len(name.parts) > 1 for name in names) and not _is_root(names)
        files = {}
        for member, name in zip(members, names):
            relative = PurePosixPath(*name.parts[1:]) if strip else name
            try:
                files[relative.as_posix()] = archive.read(member).decode("utf-8")
            except UnicodeDecodeError:
                raise SnapshotError(f"{relative} is not UTF-8 text") from None
    return Snapshot(files)


def _is_root(names: list[PurePosixPath]) -> bool:
    """A zip of the folder's contents (faq/, sources/ at the top) keeps its first folder."""
    return any(name.parts[0] in ("faq", "sources") for name in names)


def _check_path(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path or pure.suffix != ".toml" or not pure.parts:
        raise SnapshotError(f"'{path}' is not a .toml file inside the knowledge folder")
