"""Security: headers on every endpoint, framing, cookies, the secret key, configuration and escaping."""

from __future__ import annotations

import base64
import json
import stat
import zlib

import pytest
from flask import Flask, render_template_string
from markupsafe import escape

from faqbot import config
from faqbot.config import ConfigError
from faqbot.web import security

ENDPOINTS = [
    # (method, path, request arguments)
    ("get", "/", {}),
    ("get", "/embed", {}),
    ("get", "/embed/snippet", {}),
    ("get", "/sources/", {}),
    ("get", "/sources/two-stage-process", {}),
    ("get", "/no-such-page", {}),
    ("post", "/send", {"data": {"message": "hi"}}),  # refused: no CSRF token
    ("post", "/clear", {}),
    ("post", "/api/chat", {"json": {"message": "what is an implant"}}),
    ("post", "/api/chat", {"data": "nope"}),
    ("post", "/api/feedback", {"json": {"entry": "what-is-implant", "vote": "up"}}),
    ("get", "/api/health", {}),
    ("get", "/api/openapi.json", {}),
    ("get", "/static/site.css", {}),
]


@pytest.mark.parametrize(("method", "path", "arguments"), ENDPOINTS)
def test_every_response_carries_the_security_headers(client, method, path, arguments):
    """Every endpoint, error or not, sends a strict CSP, nosniff and a framing rule."""
    response = getattr(client, method)(path, **arguments)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    if path == "/embed":
        assert "frame-ancestors 'self'" in csp and "X-Frame-Options" not in response.headers
    else:
        assert "frame-ancestors 'none'" in csp and response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("origins", "expected"),
    [
        ("https://www.clinic.example", "frame-ancestors https://www.clinic.example"),
        ("https://a.example  https://b.example:8443", "frame-ancestors https://a.example https://b.example:8443"),
    ],
)
def test_only_configured_origins_may_frame_the_embed(make_app, origins, expected):
    """/embed may be framed by EMBED_ORIGINS only; the chat page still refuses every frame."""
    client = make_app(EMBED_ORIGINS=origins).test_client()
    assert expected in client.get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]


def test_pages_and_replies_are_not_cached(client):
    """Pages and API replies belong to one conversation, so shared caches must not keep them."""
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.post("/api/chat", json={"message": "hi"}).headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_over_https_only(client):
    """Strict-Transport-Security is sent on HTTPS requests, never on plain HTTP."""
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_session_cookie_is_secure_httponly_and_samesite(client):
    """The session cookie is Secure, HttpOnly and SameSite=Lax."""
    cookie = client.get("/").headers["Set-Cookie"]
    assert cookie.startswith("faqbot_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def decoded_session(client) -> str:
    """Return the session cookie's payload as text (it is signed, not encrypted)."""
    value = client.get_cookie("faqbot_session").value
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(data) if value.startswith(".") else data).decode()


def test_patient_words_never_reach_the_cookie(client, send):
    """After a whole no-JavaScript conversation, the cookie holds entry ids and kinds, not what was typed."""
    messages = ["what is a dental implnt exactly", "can I pay with bitcoin please", "thank you so much"]
    for message in messages:
        send(message)
    cookie = decoded_session(client)
    assert [turn["k"] for turn in json.loads(cookie)["turns"]] == ["answer", "fallback", "smalltalk"]
    for word in ("implnt", "exactly", "bitcoin", "please", "much"):
        assert word not in cookie


def test_ensure_secret_key_generates_once_and_keeps_it(tmp_path):
    """Without SECRET_KEY, one random key is written to the instance folder (owner only) and reused."""
    keys = []
    for _ in range(2):
        app = Flask("faqbot", instance_path=str(tmp_path / "instance"))
        security.ensure_secret_key(app)
        keys.append(app.config["SECRET_KEY"])
    assert keys[0] == keys[1] and len(keys[0]) == 64
    path = tmp_path / "instance" / security.SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_instance_path_that_is_a_file_refuses_to_start_naming_the_key(tmp_path):
    """If the instance folder cannot be created, start-up fails with a message naming SECRET_KEY."""
    blocker = tmp_path / "instance"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="'SECRET_KEY' is not set and could not be kept"):
        security.ensure_secret_key(Flask("faqbot", instance_path=str(blocker / "inner")))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("FAQBOT_RATELIMIT_POST", "lots", "'FAQBOT_RATELIMIT_POST' must be a rate"),
        ("FAQBOT_EMBED_ORIGINS", "javascript:alert(1)", "'FAQBOT_EMBED_ORIGINS' must be origins"),
        ("FAQBOT_MAX_CONTENT_LENGTH", "0", "'FAQBOT_MAX_CONTENT_LENGTH' must be a positive whole number"),
        ("FAQBOT_SESSION_COOKIE_SECURE", "maybe", "'FAQBOT_SESSION_COOKIE_SECURE' must be true or false"),
        ("FAQBOT_SECRET_KEY", "hunter2", "'FAQBOT_SECRET_KEY' must be at least 32 characters"),
    ],
)
def test_bad_environment_values_fail_naming_the_key(variable, value, message):
    """A bad FAQBOT_* value stops start-up with the variable's name (and never prints a secret)."""
    with pytest.raises(ConfigError) as failure:
        config.env_overrides({variable: value})
    assert message in str(failure.value)
    if "SECRET" in variable:
        assert value not in str(failure.value)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SECRET_KEY", "short", "Config 'SECRET_KEY' must be at least 32 characters"),
        ("EMBED_ORIGINS", "*", "Config 'EMBED_ORIGINS' must be origins"),
        ("RATELIMIT_POST", "", "Config 'RATELIMIT_POST' must be non-empty text"),
        ("DATABASE", 42, "Config 'DATABASE' must be text"),
    ],
)
def test_bad_instance_values_fail_naming_the_key(make_app, setting, value, message):
    """A bad value from the instance file or test config stops create_app with the key's name."""
    with pytest.raises(ConfigError, match=message):
        make_app(**{setting: value})


def test_every_setting_has_help_text():
    """Every setting is declared with a sentence saying what it is for."""
    for key, setting in config.SETTINGS.items():
        assert setting.help.strip().endswith("."), key


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_replies_are_rendered_as_text_never_html(app, text):
    """Reply text, questions and suggestions are escaped, so nothing in them can become markup."""
    turn = {
        "reply": text,
        "kind": "answer",
        "entry": {"id": "x", "question": text},
        "sources": [{"title": text, "url": "/sources/x#y", "quote": text}],
        "suggestions": [text],
        "vote": None,
    }
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_reply.html" import reply_card with context %}{{ reply_card(turn, 0) }}', turn=turn, view="page"
        )
    assert "<script>" not in html and "<img" not in html
    assert str(escape(text)) in html
