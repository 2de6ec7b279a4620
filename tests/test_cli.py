"""The command line: ask, chat, check, eval and export."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from faqbot.cli import main

PROJECT = Path(__file__).resolve().parent.parent


def run(args, stdin=""):
    """Run the CLI in-process and return (status, stdout)."""
    out = io.StringIO()
    status = main(args, stdin=io.StringIO(stdin), stdout=out)
    return status, out.getvalue()


def test_ask_prints_the_answer_with_its_sources():
    """`ask` prints the answer, the source title, link and quote, then suggestions."""
    status, out = run(["ask", "What is osseointegration?"])
    assert status == 0
    assert out.startswith("[answer] Osseointegration is the fusion of the implant")
    assert "Source: Dental Implant Placement vs. Implant Restoration" in out
    assert "(/sources/placement-vs-restoration#pvr-placement-healing)" in out
    assert "You could also ask:" in out


def test_chat_keeps_the_conversation_for_follow_ups():
    """In `chat`, a follow-up line is answered in the context of the previous one."""
    status, out = run(["chat"], "what happens at the first surgery\nand the second one?\n")
    assert status == 0
    replies = [line for line in out.splitlines() if line.startswith("[")]
    assert replies[0].startswith("[answer] Once your treatment plan is set")
    assert replies[1].startswith("[answer] After the implant has fused with the jawbone")


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
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"q": "What is osseointegration?", "expect_id": "osseointegration"}\n'
        '{"q": "how much does it cost", "expect_kind": "fallback"}\n'
        '{"q": "What is osseointegration?", "expect_id": "crown"}\n'
    )
    status, out = run(["eval", str(cases)])
    assert status == 1
    assert "MISS line 3: 'What is osseointegration?'" in out and "wanted entry crown" in out
    assert out.rstrip().endswith("2/3 as expected, 1 missed")


@pytest.mark.parametrize(
    "line, problem",
    [
        ("not json", "not valid JSON"),
        ('{"expect_id": "crown"}', 'needs a non-empty "q"'),
        ('{"q": "hi"}', 'needs exactly one of "expect_id" or "expect_kind"'),
        ('{"q": "hi", "expect_id": "ghost"}', "unknown entry id 'ghost'"),
        ('{"q": "hi", "expect_kind": "joke"}', "expect_kind must be one of"),
    ],
)
def test_eval_rejects_a_bad_file_before_running(tmp_path, capsys, line, problem):
    """A bad line is reported with its line number, and nothing runs."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"q": "hi", "expect_kind": "smalltalk"}\n' + line + "\n")
    status, out = run(["eval", str(cases)])
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


def test_bad_setting_names_the_key(monkeypatch, capsys):
    """An invalid FAQBOT_* variable stops the command with the variable's name."""
    monkeypatch.setenv("FAQBOT_MAX_MESSAGE_LENGTH", "lots")
    status, _ = run(["ask", "hi"])
    assert status == 2 and "FAQBOT_MAX_MESSAGE_LENGTH" in capsys.readouterr().err


def test_module_entry_point_runs():
    """`python -m faqbot ask` works as a real process from the project folder."""
    result = subprocess.run(
        [sys.executable, "-m", "faqbot", "ask", "hello"], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("[smalltalk] Hello!")
