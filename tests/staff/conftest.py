"""Fixtures for the staff workspace: an app with a staff account, and a logged-in client."""

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


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build an app with the staff account staff_forms.NAME (unless with_account=False), a tmp_path database
    and instance folder; settings override."""

    def make(*, with_account: bool = True, **settings: Any) -> Flask:
        config = {"TESTING": True, "RATELIMIT_ENABLED": False, "DATABASE": str(tmp_path / "faqbot.sqlite")}
        app = create_app({**config, **settings})
        app.instance_path = str(tmp_path / "instance")
        if with_account:
            staff_forms.add_account(app, exist_ok=True)  # a second app on the same database finds it there
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
    """Log a client in through the form (with an optional other password or name=)."""
    return staff_forms.log_in


@pytest.fixture
def staff(client: FlaskClient) -> FlaskClient:
    """A browser logged in as staff (the reviewer staff_forms.NAME)."""
    assert staff_forms.log_in(client).status_code == 303
    return client


@pytest.fixture
def signed_in(app: Flask) -> Callable[..., FlaskClient]:
    """A new browser logged in to the app as a new account of a role: signed_in("editor") (named after it)."""

    def sign_in(role: str, name: str | None = None) -> FlaskClient:
        name = name or role
        staff_forms.add_account(app, name, role)
        client = app.test_client()
        assert staff_forms.log_in(client, name=name).status_code == 303
        return client

    return sign_in
