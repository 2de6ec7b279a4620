"""Fixtures for the storage tests: each runs once on an SQLite file and once on a PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import staff_forms
from flask import Flask

from faqbot import create_app


@pytest.fixture
def make_app(storage_settings, tmp_path: Path) -> Callable[..., Flask]:
    """Build an app on this test's database, with the staff account staff_forms.NAME (unless with_account=False);
    keyword settings override."""

    def make(*, with_account: bool = True, **settings: Any) -> Flask:
        config = {"TESTING": True, "RATELIMIT_ENABLED": False}
        app = create_app({**config, **storage_settings, **settings})
        app.instance_path = str(tmp_path / "instance")
        if with_account:
            staff_forms.add_account(app, exist_ok=True)  # a restart on the same database finds it there
        return app

    return make
