"""Fixtures for what processes share: apps that are separate "processes" on one Redis, or on none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import staff_forms
from flask import Flask

from faqbot import create_app
from faqbot.shared.notifications import knowledge_updates

SECRET_KEY = "k" * 64  # several processes of one deployment share their secret key


@pytest.fixture(params=["memory", "redis"])
def sharing(request) -> dict:
    """Settings for processes that share nothing (memory), then for processes sharing one Redis."""
    return {"REDIS_URL": request.getfixturevalue("redis_url")} if request.param == "redis" else {}


@pytest.fixture
def make_process(tmp_path: Path, sharing: dict) -> Callable[..., Flask]:
    """An app standing for one server process: its own SQLite file (with the staff account staff_forms.NAME),
    the test's Redis (if any)."""
    made = []

    def make(**settings: Any) -> Flask:
        folder = tmp_path / f"process-{len(made)}"
        config = {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": SECRET_KEY,
            "DATABASE": str(folder / "faqbot.sqlite"),
        }
        app = create_app({**config, **sharing, **settings})
        app.instance_path = str(folder / "instance")
        made.append(app)
        staff_forms.add_account(app)
        return app

    yield make
    for app in made:  # stop listening: a later test's notice must not reload this one's knowledge
        knowledge_updates(app).close()
