"""Shared fixtures: a tiny knowledge base written to tmp_path, and the real app."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import servers
import staff_forms
from sqlalchemy import create_engine, text

from faqbot import config, create_app
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
        # The app's thread count: two threads sum in another order, and a near tie may fall the other way.
        encoder=shared_encoder(str(PROJECT / "models"), config.defaults()["EMBEDDING_THREADS"]),
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


def _started(server_class):
    """Start a throw-away server; skip the tests that need it when it is not installed (fail under CI=true)."""
    try:
        return server_class().start()
    except servers.Missing as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{error}: CI must run every test (make test installs it)")
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server for this test session, on a loopback port with its own data folder."""
    server = _started(servers.PostgresServer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    """A Redis server for this test session, on a loopback port, saving nothing."""
    server = _started(servers.RedisServer)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres) -> str:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def redis_url(redis_server) -> str:
    """The URL of the session's Redis, emptied for this test."""
    import redis

    with redis.Redis.from_url(redis_server.url()) as connection:
        connection.flushall()
    return redis_server.url()


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_settings(request, tmp_path) -> dict:
    """Settings for one database: the SQLite file in tmp_path, then a new PostgreSQL database (one test each)."""
    settings = {"DATABASE": str(tmp_path / "faqbot.sqlite")}
    if request.param == "postgresql":
        settings["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    return settings


@pytest.fixture
def url(storage_settings):
    """The SQLAlchemy URL of this test's database."""
    from faqbot.storage.engine import database_url

    return database_url(storage_settings)


@pytest.fixture
def connection(url):
    """A connection to this test's database, migrated, each statement committing on its own (as get_db())."""
    from faqbot.storage import engine as storage
    from faqbot.storage.migrations import migrate

    with storage.create_engine(url, pooled=False).connect() as fresh:
        migrate(fresh)
    engine = storage.create_engine(url, autocommit=True)
    with engine.connect() as opened:
        yield opened
    engine.dispose()


def query(settings: dict, sql: str, **values) -> list[tuple]:
    """Run one statement on the database the settings name, outside the app (what an operator would see)."""
    from faqbot.storage.engine import database_url

    engine = create_engine(database_url(settings))
    try:
        with engine.connect() as connection:
            result = connection.execute(text(sql), values)
            rows = [tuple(row) for row in result] if result.returns_rows else []
            connection.commit()
            return rows
    finally:
        engine.dispose()


@pytest.fixture
def stored():
    """Run one SQL statement (named :parameters) on the database some settings name and return its rows."""
    return query


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
    """A message the engine answers with a clarify reply on the real knowledge base, opening a conversation."""
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


# Staff accounts and the login form, for every test package that logs in (tests/web has its own `csrf`).


@pytest.fixture
def log_in() -> Callable[..., Any]:
    """Log a client in to the staff workspace through the form: log_in(client), or with another password or
    name: log_in(client, "wrong password", name="rita")."""
    return staff_forms.log_in


@pytest.fixture
def add_account() -> Callable[..., None]:
    """Create a staff account in an app's database: add_account(app, "rita", "editor") (password: the default)."""
    return staff_forms.add_account


@pytest.fixture
def csrf() -> Callable[[Any, str], str]:
    """Read the CSRF token of a page's form: csrf(client, path)."""
    return staff_forms.form_token
