"""The command line: ask, chat, check, eval, export, and staff accounts."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import staff_forms

from faqbot import create_app
from faqbot.cli import main
from faqbot.storage import accounts, audit, db

PROJECT = Path(__file__).resolve().parent.parent


def run(args, stdin=""):
    """Run the CLI in-process and return (status, stdout)."""
    out = io.StringIO()
    status = main(args, stdin=io.StringIO(stdin), stdout=out)
    return status, out.getvalue()


def run_eval(folder, *lines):
    """Write the cases as one JSONL file (cases.jsonl) in `folder` and run `eval` on it: (status, stdout)."""
    cases = folder / "cases.jsonl"
    cases.write_text("".join(line + "\n" for line in lines))
    return run(["eval", str(cases)])


def test_ask_prints_the_answer_with_its_sources():
    """`ask` prints the answer, the source title, link and quote, then suggestions."""
    status, out = run(["ask", "What is osseointegration?"])
    assert status == 0
    assert out.startswith("[answer] Osseointegration means the implant fusing with the bone")
    assert "Source: Dental Implant Placement vs. Implant Restoration" in out
    assert "(/sources/placement-vs-restoration#pvr-placement-healing)" in out
    assert "You could also ask:" in out


def test_chat_keeps_the_conversation_for_follow_ups():
    """In `chat`, a follow-up line is answered in the context of the previous one."""
    status, out = run(["chat"], "what happens at the first surgery\nand the second one?\n")
    assert status == 0
    replies = [line for line in out.splitlines() if line.startswith("[")]
    assert replies[0].startswith("[answer] Once your treatment plan is set")
    assert replies[1].startswith("[answer] The second surgery is much smaller")


def test_check_passes_on_the_real_knowledge_base():
    """`check` says ok with the counts."""
    status, out = run(["check"])
    assert status == 0 and out.startswith("ok: ")


def test_check_lists_every_problem_and_fails(tiny_dir, capsys):
    """`check` on a broken folder exits non-zero and lists each problem, not just the first."""
    plants = tiny_dir / "faq" / "plants.toml"
    text = plants.read_text().replace('passages = ["gg-water"]', 'passages = ["nope"]')
    plants.write_text(text.replace('related = ["watering"]', 'related = ["ghost"]', 1))
    status, _ = run(["--knowledge", str(tiny_dir), "check"])
    err = capsys.readouterr().err
    assert status == 1
    assert "cites unknown passage 'nope'" in err and "related entry 'ghost' does not exist" in err


def test_eval_prints_misses_and_totals(tmp_path):
    """`eval` reports each question that missed its expected entry or kind, then the totals."""
    status, out = run_eval(
        tmp_path,
        '{"q": "What is osseointegration?", "expect_id": "osseointegration"}',
        '{"q": "how much does it cost", "expect_kind": "fallback"}',
        '{"q": "What is osseointegration?", "expect_id": "crown"}',
    )
    assert status == 1
    assert "MISS line 3: 'What is osseointegration?'" in out and "wanted entry crown" in out
    assert out.rstrip().endswith("2/3 as expected, 1 missed")


def test_eval_expected_entry_may_list_others_that_answer_as_well(tmp_path):
    """With "accept" beside "expect_id", an answer from a listed entry is met too; a decline still misses."""
    status, out = run_eval(
        tmp_path,
        '{"q": "What is osseointegration?", "expect_id": "crown", "accept": ["osseointegration"]}',
        '{"q": "how much does it cost", "expect_id": "crown", "accept": ["osseointegration"]}',
    )
    assert status == 1
    assert "MISS line 2:" in out and "wanted entry crown or osseointegration" in out
    assert "MISS line 1:" not in out and out.rstrip().endswith("1/2 as expected, 1 missed")


def test_eval_either_accepts_a_decline_or_a_listed_entry(tmp_path):
    """An "either" case is met by a decline or by an answer from its "accept" list, and missed by any other answer."""
    status, out = run_eval(
        tmp_path,
        '{"q": "What is osseointegration?", "expect_kind": "either", "accept": ["osseointegration"]}',
        '{"q": "how much does it cost", "expect_kind": "either", "accept": ["crown"]}',
        '{"q": "What is osseointegration?", "expect_kind": "either", "accept": ["crown", "abutment"]}',
    )
    assert status == 1
    assert "MISS line 3:" in out and "wanted fallback or entry crown or abutment" in out
    assert "MISS line 1:" not in out and "MISS line 2:" not in out
    assert out.rstrip().endswith("2/3 as expected, 1 missed")


@pytest.mark.parametrize(
    "line, problem",
    [
        ("not json", "not valid JSON"),
        ('{"q": "hi", "expect_kind": "either"}', '"either" needs "accept": a list of known entry ids'),
        ('{"q": "hi", "expect_kind": "either", "accept": ["ghost"]}', '"either" needs "accept"'),
        ('{"q": "hi", "expect_kind": "either", "accept": "crown"}', '"either" needs "accept"'),
        ('{"q": "hi", "expect_id": "crown", "accept": ["ghost"]}', '"accept" must be a list of known entry ids'),
        ('{"expect_id": "crown"}', 'needs a non-empty "q"'),
        ('{"q": "hi"}', 'needs exactly one of "expect_id" or "expect_kind"'),
        ('{"q": "hi", "expect_id": "ghost"}', "unknown entry id 'ghost'"),
        ('{"q": "hi", "expect_kind": "joke"}', "expect_kind must be one of"),
    ],
)
def test_eval_rejects_a_bad_file_before_running(tmp_path, capsys, line, problem):
    """A bad line is reported with its line number, and nothing runs."""
    status, out = run_eval(tmp_path, '{"q": "hi", "expect_kind": "smalltalk"}', line)
    assert status == 2 and out == ""
    assert f"cases.jsonl:2: {problem}" in capsys.readouterr().err


def test_eval_missing_file_is_a_clear_error(tmp_path, capsys):
    """A file that does not exist is named in the error."""
    status, _ = run(["eval", str(tmp_path / "none.jsonl")])
    assert status == 2 and "cannot read" in capsys.readouterr().err


def test_export_writes_every_entry(tmp_path):
    """`export` writes every entry with its alternates and quoted sources."""
    target = tmp_path / "entries.json"
    status, out = run(["export", "-o", str(target)])
    entries = json.loads(target.read_text())["entries"]
    assert status == 0 and f"wrote {len(entries)} entries" in out
    healing = next(e for e in entries if e["id"] == "healing-time")
    assert len(healing["alternates"]) >= 8 and healing["staff_note"]
    assert {s["document"] for s in healing["sources"]} == {"placement-vs-restoration", "two-stage-process"}


@pytest.mark.parametrize(("name", "value"), [("MAX_MESSAGE_LENGTH", "lots"), ("EMBEDDING_THREADS", "0")])
def test_bad_setting_names_the_key(monkeypatch, capsys, name, value):
    """An invalid FAQBOT_* variable stops the command with the variable's name."""
    monkeypatch.setenv(f"FAQBOT_{name}", value)
    status, _ = run(["ask", "hi"])
    assert status == 2 and f"FAQBOT_{name}" in capsys.readouterr().err


def test_module_entry_point_runs():
    """`python -m faqbot ask` works as a real process from the project folder."""
    result = subprocess.run(
        [sys.executable, "-m", "faqbot", "ask", "hello"], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("[smalltalk] Hello!")


# Staff accounts from the command line, on an app whose database is in tmp_path.


@pytest.fixture
def staff_app(tmp_path, monkeypatch):
    """The app the staff commands work on (as `serve` would run it), with no account yet."""
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "faqbot.sqlite")})
    monkeypatch.setattr("faqbot.cli._web_app", lambda settings: app)
    return app


def stored(app) -> list[tuple[str, str, str]]:
    """Every account's name, role and password change time, and the audit rows: what a command may change."""
    with app.app_context():
        connection = db.get_db()
        rows = [(a.name, a.role, a.password_changed) for a in accounts.listed(connection)]
        return rows + [(e.action, e.account, e.detail) for e in audit.latest(connection)]


def test_staff_add_then_list(staff_app):
    """`staff add` makes an account that logs in with the password from stdin; `staff list` shows it."""
    status, out = run(["staff", "add", "Ada", "--role", "admin", "--password-stdin"], "a long admin password\n")
    assert status == 0 and out == "Added ada as admin. They log in at /staff/login.\n"
    status, out = run(["staff", "list"])
    header, row = out.splitlines()
    assert status == 0 and header.split("  ")[:2] == ["NAME", "ROLE"] and row.split()[:2] == ["ada", "admin"]
    assert row.split()[-1] == "0"  # open sessions
    client = staff_app.test_client()
    assert staff_forms.log_in(client, "a long admin password", name="ada").status_code == 303
    with staff_app.app_context():
        [event] = [e for e in audit.latest(db.get_db()) if e.action == "account-added"]
    assert (event.account, event.client, event.detail) == ("", "command line", "ada, admin")


def test_staff_list_without_accounts_says_how_to_make_the_first(staff_app):
    """An empty list says how to create the first administrator."""
    assert run(["staff", "list"]) == (
        0,
        "No staff accounts yet. Create the first administrator with:\n"
        "  python -m faqbot staff add NAME --role admin --password-stdin\n",
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "rita", "--role", "owner", "--password-stdin"], "a long password here\n", "The role must be one of"),
        (["add", "rita smith", "--role", "editor", "--password-stdin"], "a long password here\n", "A name is at most"),
        (["add", "ada", "--role", "editor", "--password-stdin"], "a long password here\n", "already an account"),
        (["add", "rita", "--role", "editor", "--password-stdin"], "short\n", "at least 12 characters"),
        (["add", "rita", "--role", "editor", "--password-stdin"], "", "at least 12 characters"),
        (["remove", "nobody"], "", "There is no account named nobody."),
        (["remove", "ada"], "", "ada is the last administrator and cannot be removed."),
        (["set-password", "nobody", "--password-stdin"], "a long password here\n", "There is no account named nobody."),
        (["set-password", "ada", "--password-stdin"], "short\n", "at least 12 characters"),
        (["set-role", "ada", "editor"], "", "ada is the last administrator and cannot be demoted."),
        (["set-role", "ada", "superuser"], "", "The role must be one of editor, reviewer, admin."),
        (["set-role", "nobody", "editor"], "", "There is no account named nobody."),
    ],
)
def test_bad_staff_input_exits_1_and_changes_nothing(staff_app, capsys, args, stdin, message):
    """Each mistake is named on stderr, with exit status 1, and no account or audit row changes."""
    run(["staff", "add", "ada", "--role", "admin", "--password-stdin"], "a long admin password\n")
    before = stored(staff_app)
    capsys.readouterr()
    status, out = run(["staff", *args], stdin)
    err = capsys.readouterr().err
    assert status == 1 and out == "" and message in err and err.rstrip().endswith("Nothing was changed.")
    assert stored(staff_app) == before


@pytest.mark.parametrize("command", [["remove", "rita"], ["set-password", "rita", "--password-stdin"]])
def test_removing_or_a_new_password_ends_that_accounts_sessions(staff_app, command):
    """`staff remove` and `staff set-password` log the account out everywhere; other accounts stay in."""
    staff_forms.add_account(staff_app, "rita", "editor")
    staff_forms.add_account(staff_app, "sam", "reviewer")
    rita, sam = staff_app.test_client(), staff_app.test_client()
    assert staff_forms.log_in(rita, name="rita").status_code == 303 and staff_forms.log_in(sam).status_code == 303
    status, out = run(["staff", *command], "a brand new password\n")
    assert status == 0 and "ended 1 open staff session(s)" in out
    assert rita.get("/staff/").status_code == 302 and sam.get("/staff/").status_code == 200


def test_set_role(staff_app):
    """`staff set-role` gives another role, recorded in the audit log."""
    staff_forms.add_account(staff_app, "rita", "editor")
    assert run(["staff", "set-role", "rita", "reviewer"]) == (0, "rita is now reviewer.\n")
    assert ("role-changed", "", "rita, editor to reviewer") in stored(staff_app)


def test_at_a_terminal_the_password_is_asked_for_twice(staff_app, monkeypatch, capsys):
    """Without --password-stdin at a terminal, getpass asks twice; two different answers change nothing."""
    answers = iter(["a long admin password", "a long admin pasword"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    terminal = io.StringIO()
    terminal.isatty = lambda: True
    assert main(["staff", "add", "ada", "--role", "admin"], stdin=terminal, stdout=io.StringIO()) == 1
    assert "The two passwords differ." in capsys.readouterr().err and stored(staff_app) == []


@pytest.mark.parametrize("command", ["set-staff-password", "hash-staff-password"])
def test_the_shared_password_commands_are_retired(command, capsys):
    """The old commands (as scripts call them) exit 1, saying how to create accounts instead."""
    status, out = run([command, "--stdin"], "a long staff password\n")
    err = capsys.readouterr().err
    assert status == 1 and out == ""
    assert "shared staff password is no longer used" in err and "python -m faqbot staff add NAME --role admin" in err
