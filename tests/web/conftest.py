"""Fixtures for the web tests: the real knowledge base, a tmp_path database, and small helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faqbot import create_app

# Messages whose reply kind the engine decides today; tests that need a kind look it up here.
URGENT = "my gum has been bleeding for hours and it won't stop"
FALLBACK = "can I pay with bitcoin"


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build an app over the real knowledge base with a tmp_path database; keyword settings override."""

    def make(**settings: Any) -> Flask:
        config = {"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "faqbot.sqlite")}
        return create_app({**config, **settings})

    return make


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app in testing mode, rate limits off, statistics in tmp_path."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def csrf(client: FlaskClient) -> Callable[[str], str]:
    """Load a page and return the CSRF token its forms carry."""

    def token(path: str = "/") -> str:
        page = client.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    return token


@pytest.fixture
def send(client: FlaskClient, csrf: Callable[[str], str]) -> Callable[..., Any]:
    """Post the no-JavaScript chat form as a browser would, following the redirect back to the page."""

    def post(message: str = "", **fields: str) -> Any:
        form = {"csrf_token": csrf("/"), "message": message, **fields}
        return client.post("/send", data=form, follow_redirects=True)

    return post


def assert_error(response: Any, status: int, message_part: str) -> None:
    """Assert the canonical JSON error body: {"error": <message>, "status": <status>} and nothing else."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "status"}
    assert body["status"] == status
    assert message_part in body["error"]


@pytest.fixture(name="assert_error")
def assert_error_fixture() -> Callable[[Any, int, str], None]:
    """The one check of the canonical JSON error body, for every test that expects an error."""
    return assert_error
