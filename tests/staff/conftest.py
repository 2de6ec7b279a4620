"""Fixtures for the staff workspace: an app with a staff password, and a logged-in client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import staff_forms
from flask import Flask
from flask.testing import FlaskClient

from faqbot import create_app

PASSWORD = staff_forms.PASSWORD
PASSWORD_HASH = staff_forms.PASSWORD_HASH


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


@pytest.fixture
def login() -> Callable[..., Any]:
    """Log a client in through the form (with an optional other password)."""
    return staff_forms.log_in


@pytest.fixture
def staff(client: FlaskClient) -> FlaskClient:
    """A browser logged in as staff."""
    assert staff_forms.log_in(client).status_code == 303
    return client
