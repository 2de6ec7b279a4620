"""The production server: waitress serving the app on a real loopback port."""

from __future__ import annotations

import json
import urllib.request

import pytest
import servers

from faqbot.serve import make_server


@pytest.fixture
def running(app):
    """The app served by waitress on a free loopback port."""
    served = servers.WaitressThread(app, threads=2)
    yield served.url
    served.stop()


def test_waitress_serves_the_api_over_http(running):
    """A real HTTP request to the served app gets the health report, from a server that names no version."""
    with urllib.request.urlopen(running + "/api/health", timeout=5) as response:
        assert json.load(response)["status"] == "ok"
        assert response.headers["Server"] == "faqbot"


def test_waitress_serves_a_chat_reply(running):
    """POST /api/chat works through the real server, as the browser uses it."""
    request = urllib.request.Request(
        running + "/api/chat",
        data=json.dumps({"message": "what is a dental implant"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["kind"] == "answer"


def test_make_server_accepts_a_factory(make_app):
    """serve() and make_server() take an app or a function that makes one."""
    server = make_server(make_app, "127.0.0.1", 0, threads=1)
    assert int(server.effective_port) > 0
    server.close()


def test_at_least_one_thread_is_needed(app):
    """Asking for zero threads is refused with a clear message."""
    with pytest.raises(ValueError, match="threads must be at least 1"):
        make_server(app, "127.0.0.1", 0, threads=0)


def test_serve_prints_each_log_line_once(monkeypatch, tmp_path, capsys):
    """The app made by `serve` logs through the one stderr handler only, start-up messages included."""
    import logging

    from flask.logging import default_handler

    from faqbot import cli

    made = []
    monkeypatch.setattr(logging.root, "handlers", [])  # as in a fresh `python -m faqbot serve`
    monkeypatch.setattr("faqbot.serve.serve", lambda app, **options: made.append(app))
    monkeypatch.setenv("FAQBOT_DATABASE", str(tmp_path / "stats.sqlite"))
    monkeypatch.setenv("FAQBOT_SECRET_KEY", "s" * 64)
    assert cli.main(["serve", "--port", "0"]) == 0
    [app] = made
    assert default_handler not in app.logger.handlers
    app.logger.warning("one line")
    assert capsys.readouterr().err.count("one line") == 1
