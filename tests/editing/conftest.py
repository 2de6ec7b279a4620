"""Fixtures for knowledge editing: a staff app over a copy of the tiny knowledge base, and staff browsers.

Logging in lives in `staff_browser` only: when staff log in with named accounts, change it there.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import staff_forms
from flask import Flask
from flask.testing import FlaskClient

from faqbot import create_app

TINY = Path(__file__).resolve().parent.parent / "data" / "tiny_knowledge"

# Stored test questions for the tiny knowledge base, each getting its expected reply as shipped.
TEST_QUESTIONS = """\
[[question]]
text = "how often should I water my tomato plants"
expect = "watering"

[[question]]
text = "how many hours of sun do tomatoes need"
expect = "sunlight"

[[question]]
text = "when do I give my tomatoes compost"
expect = "feeding"

[[question]]
text = "how do I get rid of aphids on tomatoes"
expect = "decline"
"""


@pytest.fixture
def knowledge_dir(tiny_dir: Path) -> Path:
    """The folder the app ships with: the tiny knowledge base plus stored test questions (a test may change it)."""
    (tiny_dir / "test_questions.toml").write_text(TEST_QUESTIONS, encoding="utf-8")
    return tiny_dir


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory) -> str:
    """One embedding cache for every app these tests make, outside the project's instance folder."""
    return str(tmp_path_factory.mktemp("embeddings") / "embeddings.npz")


def app_settings(knowledge: Path, folder: Path, cache: str) -> dict[str, Any]:
    """A staff-enabled app's settings: its knowledge folder, an SQLite file in `folder`, test mode."""
    return {
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "DATABASE": str(folder / "faqbot.sqlite"),
        "KNOWLEDGE_DIR": str(knowledge),
        "EMBEDDING_CACHE": cache,
    }


def new_app(settings: dict[str, Any], instance: Path) -> Flask:
    """An app with the reviewer account staff_forms.NAME (who may edit and publish)."""
    app = create_app(settings)
    app.instance_path = str(instance)
    staff_forms.add_account(app, exist_ok=True)
    return app


@pytest.fixture
def make_app(knowledge_dir: Path, tmp_path: Path, embedding_cache: str) -> Callable[..., Flask]:
    """Build an app over `knowledge_dir` with its database in tmp_path; keyword settings override."""

    def make(**settings: Any) -> Flask:
        return new_app({**app_settings(knowledge_dir, tmp_path, embedding_cache), **settings}, tmp_path / "instance")

    return make


@pytest.fixture
def app(make_app) -> Flask:
    """The staff-enabled app over the tiny knowledge base, nothing published yet."""
    return make_app()


@pytest.fixture
def signed_off_earlier(knowledge_dir):
    """The shipped watering answer was signed off on 1 March 2024 by an earlier reviewer."""
    plants = knowledge_dir / "faq" / "plants.toml"
    shipped = plants.read_text(encoding="utf-8")
    line = 'related = ["sunlight"]\n'
    assert shipped.count(line) == 1
    plants.write_text(shipped.replace(line, line + 'reviewed_by = "Dr Earlier"\nreviewed_on = 2024-03-01\n'), "utf-8")


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, embedding_cache: str) -> Flask:
    """One app for a module whose tests change nothing it keeps (refused saves), over its own tiny knowledge copy."""
    folder = tmp_path_factory.mktemp("shared-app")
    knowledge = folder / "knowledge"
    shutil.copytree(TINY, knowledge)
    (knowledge / "test_questions.toml").write_text(TEST_QUESTIONS, encoding="utf-8")
    return new_app(app_settings(knowledge, folder, embedding_cache), folder / "instance")


@pytest.fixture(scope="session")
def staff_browser() -> Callable[[Flask], FlaskClient]:
    """Open a new browser on an app and log it in to the staff workspace (the only place tests log in)."""

    def logged_in(app: Flask, role: str = staff_forms.ROLE) -> FlaskClient:
        """Logged in as the reviewer, or as an account of another role (made on first use, named after it)."""
        name = staff_forms.NAME if role == staff_forms.ROLE else role
        staff_forms.add_account(app, name, role, exist_ok=True)
        browser = app.test_client()
        response = staff_forms.log_in(browser, name=name)
        assert response.status_code == 303, "the staff login failed"
        return browser

    return logged_in


@pytest.fixture
def staff_client(app: Flask, staff_browser) -> FlaskClient:
    """A browser logged in to the staff workspace of `app`."""
    return staff_browser(app)


@pytest.fixture
def patient(app: Flask) -> FlaskClient:
    """A patient's browser on `app` (not logged in)."""
    return app.test_client()
