"""Shared fixtures: a tiny knowledge base written to tmp_path, and the real app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from faqbot import create_app
from faqbot.engine import shared_encoder
from faqbot.engine.assistant import Assistant, Settings
from faqbot.engine.clinic import Clinic
from faqbot.engine.fitted import load_params
from faqbot.engine.loading import load_knowledge

TINY = Path(__file__).parent / "data" / "tiny_knowledge"
PROJECT = Path(__file__).resolve().parent.parent


def build(folder: Path, clinic: Clinic | None = None, settings: Settings | None = None) -> Assistant:
    """An assistant over a knowledge folder with the project's model and fitted parameters."""
    return Assistant(
        load_knowledge(folder),
        clinic or Clinic(),
        load_params(PROJECT / "fitting" / "params.json"),
        encoder=shared_encoder(str(PROJECT / "models")),
        settings=settings,
    )


@pytest.fixture(scope="session")
def make_assistant():
    """Build an assistant over any knowledge folder, with the project's model and fitted parameters."""
    return build


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
    return build(tiny_dir, clinic)


@pytest.fixture(scope="session")
def real_assistant() -> Assistant:
    """The assistant over the project's real knowledge base."""
    return build(PROJECT / "knowledge")


@pytest.fixture
def app(tmp_path):
    """The Flask app over the real knowledge base, in testing mode, with its database in tmp_path."""
    return create_app({"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "stats.sqlite")})


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


CLARIFY_CANDIDATES = (
    "first surgery or healing", "abutment and crown", "first or second surgery", "abutment or crown", "implant healing",
    "surgery or healing", "healing or crown", "abutment healing", "implant and abutment", "two surgeries healing",
)  # fmt: skip


@pytest.fixture(scope="session")
def clarifying(real_assistant: Assistant) -> str:
    """A message the engine answers with a clarify reply on the real knowledge base."""
    for message in CLARIFY_CANDIDATES:
        if real_assistant.reply(message).kind == "clarify":
            return message
    raise AssertionError(f"none of {CLARIFY_CANDIDATES} asks to clarify any more; add a new candidate")


@pytest.fixture
def rate():
    """Ask a question through the API, then vote on its answer with the reply's feedback token."""

    def ask_and_vote(client, message: str, vote: str, *, entry: str | None = None):
        reply = client.post("/api/chat", json={"message": message}).get_json()
        body = {"entry": entry or reply["entry"]["id"], "vote": vote, "reply": reply.get("feedback_token")}
        return client.post("/api/feedback", json=body)

    return ask_and_vote
