"""The README and the code agree: every setting is documented, and every documented setting exists."""

from __future__ import annotations

import re
from pathlib import Path

from faqbot.cli import _parser
from faqbot.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


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
