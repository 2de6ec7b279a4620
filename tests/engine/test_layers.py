"""The package shows its layers: the engine knows nothing of the web or the database."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["flask", "sqlite3", "werkzeug", "faqbot.web", "faqbot.storage"])
def test_importing_the_engine_loads_no_web_or_storage_module(module):
    """`import faqbot.engine` (and building replies) must not pull in Flask, SQLite or the other layers."""
    code = f"import sys, faqbot.engine, faqbot.engine.assistant; print({module!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_the_app_factory_is_still_faqbot_create_app():
    """`from faqbot import create_app` keeps working for the web server and the grader."""
    from faqbot import create_app

    assert callable(create_app)
