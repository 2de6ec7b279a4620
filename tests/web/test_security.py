"""Security: headers on every endpoint, framing, cookies, the secret key, configuration and escaping."""

from __future__ import annotations

import base64
import json
import re
import stat
import zlib

import pytest
import staff_forms
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
        ("FAQBOT_TRUSTED_PROXIES", "proxy.clinic.example", "'FAQBOT_TRUSTED_PROXIES' must be addresses or networks"),
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


def wrong_logins(make_app, *, peer: str, forwarded_for: list[str], **settings) -> list[int]:
    """Post a wrong staff password once per X-Forwarded-For value, all from one direct peer; return the statuses."""
    app = make_app(BEHIND_PROXY=True, RATELIMIT_ENABLED=True, STAFF_LOGIN_LIMIT="3 per minute", **settings)
    staff_forms.add_account(app)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"name": staff_forms.NAME, "password": "not the staff password", "csrf_token": token}
    return [
        client.post("/staff/login", data=form, headers={"X-Forwarded-For": address}).status_code
        for address in forwarded_for
    ]


FORGED = [f"198.51.100.{n}" for n in range(1, 6)]  # a new made-up address per attempt


def test_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_login_limit(make_app):
    """Behind a proxy, a client reaching the port directly is limited by its own address, whatever it claims."""
    assert wrong_logins(make_app, peer="203.0.113.9", forwarded_for=FORGED) == [401, 401, 401, 429, 429]


def test_the_trusted_proxy_forwards_each_clients_own_address(make_app):
    """Through the trusted proxy, each patient or staff member is counted by the address the proxy saw."""
    assert wrong_logins(make_app, peer="127.0.0.1", forwarded_for=FORGED) == [401] * 5


def test_a_proxy_on_another_machine_is_trusted_once_configured(make_app):
    """TRUSTED_PROXIES takes networks: a proxy at 10.0.0.5 is believed when 10.0.0.0/8 is listed."""
    statuses = wrong_logins(make_app, peer="10.0.0.5", forwarded_for=FORGED, TRUSTED_PROXIES="10.0.0.0/8")
    assert statuses == [401] * 5


@pytest.mark.parametrize(
    ("trusted", "peer", "believed"),
    [
        ("127.0.0.1 ::1", "127.0.0.1", True),
        ("127.0.0.1 ::1", "::1", True),
        ("127.0.0.1 ::1", "::ffff:127.0.0.1", True),  # IPv4 on a dual-stack socket
        ("127.0.0.1 ::1", "10.0.0.5", False),
        ("10.0.0.0/8 fd00::/8", "fd12::7", True),
        ("10.0.0.0/8", "11.0.0.1", False),
        ("127.0.0.1", "", False),
        ("127.0.0.1", "not an address", False),
    ],
)
def test_only_peers_in_trusted_proxies_are_believed(trusted, peer, believed):
    """Forwarded headers count only when the direct peer's address is in TRUSTED_PROXIES."""
    assert security.TrustedProxyFix(lambda environ, start: [], trusted).is_trusted(peer) is believed


def test_forwarded_https_is_believed_only_from_the_trusted_proxy(make_app):
    """A forged X-Forwarded-Proto cannot make a direct plain-HTTP request look secure (no HSTS for it)."""
    client = make_app(BEHIND_PROXY=True).test_client()
    headers = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" in client.get("/", headers=headers).headers
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert "Strict-Transport-Security" not in client.get("/", headers=headers).headers
