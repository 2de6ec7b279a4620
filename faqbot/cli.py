"""The command line: ask, chat, check, eval, export, serve, staff, sessions, purge, knowledge (see --help)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from . import config, knowledge_commands
from .cli_staff import FIRST_ADMIN, add_commands
from .engine import build_assistant
from .engine.assistant import Assistant
from .engine.checking import phrasing_problems
from .engine.loading import KnowledgeError
from .engine.reply import KINDS, Reply

EITHER = "either"  # an eval case met by a decline or by an answer from one of its "accept" entries


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run one command and return its exit status."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = {**config.defaults(), **config.env_overrides()}
        if args.knowledge:
            settings["KNOWLEDGE_DIR"] = args.knowledge
        return args.run(args, settings, stdin, stdout)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    except config.ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head` closed the pipe: not an error worth a traceback
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m faqbot", description="The clinic's dental-implant assistant.")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: the project's knowledge/)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the JSON reply the web API returns")
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="talk to the assistant in the terminal (follow-ups work)")
    chat.set_defaults(run=_chat)

    check = commands.add_parser("check", help="validate the knowledge base and list every problem")
    check.set_defaults(run=_check)

    evaluate = commands.add_parser("eval", help="batch-test questions from a JSONL file")
    evaluate.add_argument("file", type=Path, help='JSONL lines like {"q": "...", "expect_id": "..."} or "expect_kind"')
    evaluate.set_defaults(run=_eval)

    export = commands.add_parser("export", help="write every entry as JSON")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    export.set_defaults(run=_export)

    serve = commands.add_parser("serve", help="run the web application with the production server (waitress)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    serve.set_defaults(run=_serve)

    add_commands(commands)
    for retired in ("set-staff-password", "hash-staff-password"):  # no help: left out of the list of commands
        command = commands.add_parser(retired)
        command.add_argument("--stdin", action="store_true")  # as old scripts call it, to reach the message
        command.set_defaults(run=_retired)

    end_sessions = commands.add_parser("end-staff-sessions", help="end every staff session now (staff log in again)")
    end_sessions.set_defaults(run=_end_staff_sessions)

    purge = commands.add_parser("purge", help="delete kept unanswered questions older than RETENTION_DAYS")
    purge.set_defaults(run=_purge)

    knowledge_commands.add_parser(commands)
    return parser


def _ask(args, settings, stdin, stdout) -> int:
    reply = build_assistant(settings).reply(args.question)
    if args.json:
        print(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2), file=stdout)
    else:
        print(format_reply(reply), file=stdout)
    return 0


def _chat(args, settings, stdin, stdout) -> int:
    assistant = build_assistant(settings)
    interactive = stdin.isatty()
    print("Ask about dental implants. An empty line or Ctrl-D ends the chat.", file=stdout)
    conversation = None
    while True:
        if interactive:
            print("\nyou> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line.strip():
            return 0
        reply = assistant.reply(line.strip()[: settings["MAX_MESSAGE_LENGTH"]], conversation)
        conversation = reply.conversation
        print(format_reply(reply), file=stdout, flush=True)


def _check(args, settings, stdin, stdout) -> int:
    assistant = build_assistant(settings)  # raises KnowledgeError listing every problem
    clashes = phrasing_problems(assistant)  # the editor shows these same problems, next to the field
    for problem in clashes:
        print(f"{problem.item}: {problem.message}", file=stdout)
    kb = assistant.knowledge
    if clashes:
        print(f"{len(clashes)} phrasing(s) cannot be told apart; reword them.", file=stdout)
        return 1
    passages = sum(len(d.passages) for d in kb.documents)
    phrasings = sum(len(e.phrasings) for e in kb.entries)
    print(
        f"ok: {len(kb.entries)} entries, {phrasings} phrasings, {len(kb.documents)} sources, "
        f"{passages} passages, {len(kb.urgent_rules)} urgent rules, {len(kb.uncovered)} uncovered topics, "
        f"{sum(len(g.examples) for g in kb.triage)} triage examples",
        file=stdout,
    )
    return 0


def _eval(args, settings, stdin, stdout) -> int:
    assistant = build_assistant(settings)
    cases, problems = _read_cases(args.file, assistant)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 2
    misses = 0
    for line_number, case in cases:
        reply = assistant.reply(case["q"])
        got_id = reply.entry.id if reply.entry else None
        expected_id, expected_kind = case.get("expect_id"), case.get("expect_kind")
        if expected_id:
            accepted = [expected_id, *case.get("accept", [])]  # entries whose answer answers it as well
            ok, want = got_id in accepted and reply.kind == "answer", f"entry {' or '.join(accepted)}"
        elif expected_kind == EITHER:
            accepted = case["accept"]
            ok = reply.kind == "fallback" or (reply.kind == "answer" and got_id in accepted)
            want = f"fallback or entry {' or '.join(accepted)}"
        else:
            ok, want = reply.kind == expected_kind, f"kind {expected_kind}"
        if not ok:
            misses += 1
            print(
                f"MISS line {line_number}: {case['q']!r}\n  wanted {want}, got {reply.kind} {got_id or ''} "
                f"(confidence {reply.confidence:.2f}; {reply.reason})",
                file=stdout,
            )
    total = len(cases)
    print(f"{total - misses}/{total} as expected, {misses} missed", file=stdout)
    return 1 if misses else 0


def _known_ids(ids, assistant: Assistant) -> bool:
    return isinstance(ids, list) and bool(ids) and all(isinstance(i, str) and assistant.knowledge.entry(i) for i in ids)


def _read_cases(path: Path, assistant: Assistant) -> tuple[list[tuple[int, dict]], list[str]]:
    """Read and check every line first, so a typo on line 40 is reported before anything runs."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        return [], [f"error: cannot read {path}: {error.strerror}"]
    cases, problems = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"{path}:{number}: not valid JSON ({error.msg})")
            continue
        if not isinstance(case, dict) or not isinstance(case.get("q"), str) or not case["q"].strip():
            problems.append(f'{path}:{number}: needs a non-empty "q"')
        elif ("expect_id" in case) == ("expect_kind" in case):
            problems.append(f'{path}:{number}: needs exactly one of "expect_id" or "expect_kind"')
        elif "expect_id" in case and not assistant.knowledge.entry(case["expect_id"]):
            problems.append(f"{path}:{number}: unknown entry id {case['expect_id']!r}")
        elif case.get("expect_kind") == EITHER and not _known_ids(case.get("accept"), assistant):
            problems.append(f'{path}:{number}: "either" needs "accept": a list of known entry ids')
        elif "expect_id" in case and "accept" in case and not _known_ids(case["accept"], assistant):
            problems.append(f'{path}:{number}: "accept" must be a list of known entry ids')
        elif "expect_kind" in case and case["expect_kind"] not in (*KINDS, EITHER):
            problems.append(f"{path}:{number}: expect_kind must be one of {', '.join((*KINDS, EITHER))}")
        else:
            cases.append((number, case))
    return cases, problems


def _export(args, settings, stdin, stdout) -> int:
    assistant = build_assistant(settings)
    kb = assistant.knowledge
    entries = [
        {
            "id": e.id,
            "question": e.question,
            "alternates": list(e.alternates),
            "answer": e.answer,
            "sources": [{"passage": p.id, "document": p.document_id, "quote": p.text} for p in kb.cited_passages(e)],
            "related": list(e.related),
            "staff_note": e.staff_note,
            "file": e.file,
        }
        for e in kb.entries
    ]
    text = json.dumps({"entries": entries}, ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {len(entries)} entries to {args.output}", file=stdout)
    else:
        print(text, file=stdout)
    return 0


def _web_app(settings):
    """Create the web app as `serve` runs it, with the knowledge folder --knowledge names. Passed to the
    app, not through the process's FAQBOT_KNOWLEDGE_DIR, which bound every later app in the same process."""
    from . import create_app

    return create_app(overrides={"KNOWLEDGE_DIR": settings["KNOWLEDGE_DIR"]})


def _serve(args, settings, stdin, stdout) -> int:
    from .serve import configure_logging, serve

    if not 0 <= args.port <= 65535 or args.threads < 1:
        print("error: --port must be 0-65535 and --threads at least 1", file=sys.stderr)
        return 2
    configure_logging()  # before the app exists, so that its start-up messages are not printed twice
    serve(_web_app(settings), host=args.host, port=args.port, threads=args.threads)
    return 0


def _retired(args, settings, stdin, stdout) -> int:
    print(
        f"error: {args.command} is retired: the shared staff password is no longer used, and each person logs in\n"
        f"with their own account. Create the first administrator with:\n  {FIRST_ADMIN}",
        file=sys.stderr,
    )
    return 1


def _end_staff_sessions(args, settings, stdin, stdout) -> int:
    try:
        ended = _end_all_sessions(_web_app(settings))
    except _store_errors() as error:
        print(
            f"error: the statistics database, which keeps staff sessions, is unavailable: {_describe(error)}",
            file=sys.stderr,
        )
        return 1
    print(f"Ended {ended} open staff session(s). Staff log in again at /staff/login.", file=stdout)
    return 0


def _end_all_sessions(app) -> int:
    """End every open staff session and put it in the audit log; return how many were open."""
    from .shared.revocations import session_ends
    from .storage import audit, db, sessions

    with app.app_context():
        connection = db.get_db()
        idle_seconds, now = app.config["STAFF_SESSION_MINUTES"] * 60, time.time()
        ended = sessions.end_all(connection, idle_seconds=idle_seconds, now=now)
        session_ends(app).end_all(now)  # also where other processes keep their own sessions
        audit.record(connection, "end-sessions", account="", client=audit.COMMAND_LINE, detail=f"{ended} open")
    return ended


def _store_errors() -> tuple[type[BaseException], ...]:
    """What reaching the database or Redis can raise (imported here: `ask` and `chat` need neither)."""
    from .shared import Unavailable
    from .storage.engine import DATABASE_ERRORS

    return (*DATABASE_ERRORS, Unavailable)


def _describe(error: BaseException) -> str:
    from .shared import Unavailable
    from .storage.engine import describe

    return str(error) if isinstance(error, Unavailable) else describe(error)


def _purge(args, settings, stdin, stdout) -> int:
    from .storage import db, usage

    app = _web_app(settings)
    with app.app_context():
        deleted = usage.purge(db.get_db(), retention_days=app.config["RETENTION_DAYS"])
    print(f"Deleted {deleted} kept question(s) older than {app.config['RETENTION_DAYS']} days.", file=stdout)
    return 0


def format_reply(reply: Reply) -> str:
    """Render a reply for the terminal: text, contact actions, sources, then suggestions."""
    lines = [f"[{reply.kind}] {reply.text}", *(f"  {action.as_text()}" for action in reply.actions)]
    for source in reply.sources:
        lines.append(f'  Source: {source.title} ({source.url})\n    "{source.quote}"')
    if reply.suggestions:
        label = "Did you mean" if reply.kind == "clarify" else "You could also ask"
        lines.append(f"  {label}:")
        lines.extend(f"    {i}. {s}" for i, s in enumerate(reply.suggestions, 1))
    return "\n".join(lines)
