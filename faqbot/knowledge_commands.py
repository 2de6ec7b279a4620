"""`python -m faqbot knowledge export|import|history`: the published knowledge as files, on the server.

Export writes the knowledge patients get (the newest published version, else the shipped folder) in
the repository's TOML format, to keep in version control. Import checks a folder as `faqbot check`
does and keeps it as a draft: a clinical reviewer sees every change in the workspace and publishes it,
so the command line cannot put unreviewed answers in front of patients.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .editing import snapshot as snapshots
from .editing.snapshot import SnapshotError
from .engine.loading import KnowledgeError

COMMAND_LINE = "command line"  # the author of a draft imported on the server


def add_parser(commands) -> None:
    """Add the `knowledge` command and its three subcommands to the command line's parser."""
    knowledge = commands.add_parser("knowledge", help="export or import the published knowledge, list its history")
    actions = knowledge.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write the published knowledge's TOML files into a folder")
    export.add_argument("folder", type=Path, help="where to write (made if missing; other files are left alone)")
    export.set_defaults(run=_export)
    imported = actions.add_parser("import", help="check a knowledge folder and keep it as a draft for a reviewer")
    imported.add_argument("folder", type=Path, help="a knowledge folder, as exported")
    imported.set_defaults(run=_import)
    history = actions.add_parser("history", help="list the published versions, newest first")
    history.set_defaults(run=_history)


def _export(args, settings, stdin, stdout) -> int:
    from .storage import db
    from .web import drafting

    app = _app(settings)
    with app.test_request_context():
        current = drafting.published()
        db.close_db()
    written = snapshots.write_folder(current.files, args.folder)
    which = f"version {current.version.id}" if current.version else "the shipped knowledge (nothing published yet)"
    print(f"Wrote {len(written)} files of {which} to {args.folder}.", file=stdout)
    return 0


def _import(args, settings, stdin, stdout) -> int:
    from .storage import audit, db
    from .web import drafting, publishing

    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 1
    try:
        files = snapshots.read_folder(args.folder)
        snapshots.load(files)  # every problem at once, as `faqbot check` lists them
    except SnapshotError as error:
        print(f"error: {error}. Nothing was imported.", file=sys.stderr)
        return 1
    except KnowledgeError as error:
        print(f"{error}\nNothing was imported.", file=sys.stderr)
        return 1
    app = _app(settings)
    with app.test_request_context():
        draft = publishing.save_import(files, drafting.published(), author=COMMAND_LINE)
        audit.record(db.get_db(), "draft-save", client=audit.COMMAND_LINE, detail=f"import, {len(files.files)} files")
        db.close_db()
    print(
        f"The folder is valid and kept as draft {draft.id}. A clinical reviewer reviews and publishes it "
        f"in the staff workspace at /staff/drafts/{draft.id}.",
        file=stdout,
    )
    return 0


def _history(args, settings, stdin, stdout) -> int:
    from .storage import db, knowledge_store

    app = _app(settings)
    with app.app_context():
        versions = knowledge_store.history(db.get_db())
    if not versions:
        print("Nothing published yet: patients get the shipped knowledge folder.", file=stdout)
    for version in versions:
        reviewer = f", signed off by {version.reviewer}" if version.reviewer else ""
        print(f"{version.id:>4}  {version.created}  by {version.author}{reviewer}: {version.summary}", file=stdout)
    return 0


def _app(settings):
    from .cli import _web_app

    return _web_app(settings)
