"""Shared fixtures: a tiny knowledge base written to tmp_path, and the real app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faqbot import create_app
from faqbot.engine.assistant import Assistant
from faqbot.engine.clinic import Clinic
from faqbot.engine.loading import load_knowledge

TINY = Path(__file__).parent / "data" / "tiny_knowledge"
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A copy of the tiny knowledge base that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(TINY, target)
    return target


@pytest.fixture
def tiny_assistant(tiny_dir: Path) -> Assistant:
    """An assistant over the tiny knowledge base, with a recognisable clinic."""
    clinic = Clinic(name="Test Clinic", phone="+1 555 0100", booking_url="https://clinic.test/book")
    return Assistant(load_knowledge(tiny_dir), clinic)


@pytest.fixture(scope="session")
def real_assistant() -> Assistant:
    """The assistant over the project's real knowledge base."""
    return Assistant(load_knowledge(PROJECT / "knowledge"), Clinic())


@pytest.fixture
def app(tmp_path):
    """The Flask app over the real knowledge base, in testing mode, with its database in tmp_path."""
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "stats.sqlite")})


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()
