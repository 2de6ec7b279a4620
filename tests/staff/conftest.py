"""Fixtures for the staff workspace: an app with a staff password, and a logged-in client."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from faqbot import create_app
from faqbot.storage.accounts import hash_password

PASSWORD = "a long staff password"
PASSWORD_HASH = hash_password(PASSWORD)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build an app with a staff password, a tmp_path database and instance folder; settings override."""

    def make(**settings: Any) -> Flask:
        config = {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "DATABASE": str(tmp_path / "faqbot.sqlite"),
            "STAFF_PASSWORD_HASH": PASSWORD_HASH,
        }
        app = create_app({**config, **settings})
        app.instance_path = str(tmp_path / "instance")
        return app

    return make


@pytest.fixture
def app(make_app) -> Flask:
    """The staff-enabled app."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An anonymous browser."""
    return app.test_client()


def csrf_token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token of the form on a page."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: FlaskClient, password: str = PASSWORD):
    """Log in through the form as a person would."""
    return client.post("/staff/login", data={"password": password, "csrf_token": csrf_token(client, "/staff/login")})


@pytest.fixture
def login() -> Callable[..., Any]:
    """Log a client in through the form (with an optional other password)."""
    return log_in


@pytest.fixture
def csrf() -> Callable[[FlaskClient, str], str]:
    """Read the CSRF token of a page's form."""
    return csrf_token


@pytest.fixture
def staff(client: FlaskClient) -> FlaskClient:
    """A browser logged in as staff."""
    assert log_in(client).status_code == 303
    return client
