"""The README and the code agree: every setting is documented, and every documented setting exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from faqbot.cli import _parser
from faqbot.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    """Each key in faqbot.config.SETTINGS has a row in the README's configuration table."""
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README, re.MULTILINE))
    assert documented == set(SETTINGS)


def test_every_command_is_documented_in_the_readme():
    """Each `python -m faqbot` command appears in the README's command table."""
    commands = _parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"| `{name}" in README, name


def test_readme_gives_the_two_commands():
    """A newcomer finds one command to run the app and one to run the tests."""
    assert "```sh\nmake run\n```" in README and "```sh\nmake test\n```" in README


def test_make_run_takes_a_port_and_a_host():
    """`make run PORT=8080 HOST=0.0.0.0` serves there, as the README says; plain `make run` on 127.0.0.1:8000."""

    def planned(*variables: str) -> str:
        return subprocess.run(["make", "-n", "run", *variables], cwd=ROOT, capture_output=True, text=True).stdout

    assert "-m faqbot serve --host 0.0.0.0 --port 8080" in planned("PORT=8080", "HOST=0.0.0.0")
    assert "-m faqbot serve --host 127.0.0.1 --port 8000" in planned()
    assert "make run PORT=8080" in README
