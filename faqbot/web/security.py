"""Security set-up: the secret key, response headers and CSP, CSRF for forms, rate limits per client.

Libraries: Flask-WTF's CSRFProtect (the token lives in the signed session cookie, checked on every
form POST) and Flask-Limiter (per-client limits in one place, with Retry-After on 429). The JSON API
is exempt from CSRF because it only accepts `Content-Type: application/json`, which another site's
page cannot send without a CORS preflight that faqbot never grants.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import ConfigError

csrf = CSRFProtect()
SECRET_KEY_FILE = "secret_key"
FRAMEABLE = {"chat.embed"}  # the only endpoint another site may show in an iframe
CROSS_ORIGIN_STATIC = {"launcher.js"}  # the only file another site's page may load (<script src>)

# No 'unsafe-inline' anywhere: every script and style is a file under /static.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; manifest-src 'self'; frame-ancestors {ancestors}"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SessionSerializer(TaggedJSONSerializer):
    """Read the session cookie, dropping what the libraries could not use.

    A cookie signed with our key may still hold what this faqbot never wrote (one from another
    version, or made with a leaked key): a session that is not an object starts afresh, and Flask's
    flashed messages and Flask-WTF's CSRF token are dropped unless they have the shape those read.
    faqbot's own keys are checked where they are read (staff_login.signed_in_account, chat.py).
    """

    def loads(self, value: str) -> dict:
        data = super().loads(value)
        if not isinstance(data, dict):
            return {}
        if not isinstance(data.get("csrf_token", ""), str):
            del data["csrf_token"]
        flashes = data.get("_flashes", [])
        if not isinstance(flashes, list) or not all(_is_flash(item) for item in flashes):
            del data["_flashes"]
        return data


def _is_flash(item: object) -> bool:
    return isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(part, str) for part in item)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, read with `SessionSerializer`."""

    serializer = SessionSerializer()


def ensure_secret_key(app: Flask) -> None:
    """Fill in SECRET_KEY when unset: random for tests, else generated once and kept in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    if app.testing:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    path = Path(app.instance_path) / SECRET_KEY_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two servers starting together cannot each write a different key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text(encoding="ascii").strip()
        else:
            key = secrets.token_hex(32)
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(key + "\n")
    except OSError as error:
        raise ConfigError(
            f"Config 'SECRET_KEY' is not set and could not be kept in {path} ({error.strerror}); "
            "set FAQBOT_SECRET_KEY or make the instance folder writable."
        ) from None
    app.config["SECRET_KEY"] = key


def client_address() -> str:
    """Return who a rate limit counts: the client's address (as a trusted proxy forwarded it, BEHIND_PROXY)."""
    return request.remote_addr or "unknown"


class TrustedProxyFix:
    """Apply X-Forwarded-For/-Proto/-Host only to requests that come straight from a trusted proxy.

    Anyone who can reach faqbot's port directly could otherwise claim any address per request and so
    escape the per-client login limits; from them the headers are ignored and their own address counts.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]], trusted: str) -> None:
        self.app = app
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
        self.networks = [ipaddress.ip_network(item, strict=False) for item in trusted.split()]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        trusted = self.is_trusted(environ.get("REMOTE_ADDR", ""))
        return (self.proxied if trusted else self.app)(environ, start_response)

    def is_trusted(self, address: str) -> bool:
        """Tell whether a direct peer's address is one of the trusted proxies."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:  # a Unix socket or an empty address: not a proxy we know
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:127.0.0.1 on a dual-stack socket
            ip = ip.ipv4_mapped
        return any(ip in network for network in self.networks)


def init_app(app: Flask) -> None:
    """Install proxy handling, secure cookies, CSRF, rate limits and the security headers."""
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, app.config["TRUSTED_PROXIES"])  # type: ignore[method-assign]
    app.config.update(
        SESSION_COOKIE_NAME="faqbot_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # valid for the browser session: a patient may read for a long time
        WTF_CSRF_SSL_STRICT=True,
    )
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    from . import api

    csrf.exempt(api.bp)

    # One limiter per app, so each test app (and each server) counts on its own, unless they share Redis.
    storage = app.config["RATELIMIT_STORAGE_URI"] or app.config["REDIS_URL"] or "memory://"
    shared = not storage.startswith("memory://")
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=storage,
        # A shared store that stops answering must not stop the chat: each process then counts on its
        # own, in memory, until the store is back (the limiter checks again every few seconds).
        storage_options={"socket_timeout": 1, "socket_connect_timeout": 1} if storage.startswith("redis") else {},
        in_memory_fallback_enabled=shared,
        swallow_errors=shared,
        default_limits=[lambda: app.config["RATELIMIT_POST"]],
        default_limits_exempt_when=lambda: request.method != "POST",
        headers_enabled=True,
    )
    app.extensions["faqbot.limiter"] = limiter

    ancestors = "'none'"
    embed_ancestors = " ".join(app.config["EMBED_ORIGINS"].split())

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        frameable = request.endpoint in FRAMEABLE
        response.headers["Content-Security-Policy"] = CSP.format(ancestors=embed_ancestors if frameable else ancestors)
        if not frameable:
            response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint == "static" and (request.view_args or {}).get("filename") in CROSS_ORIGIN_STATIC:
            response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if response.mimetype in {"text/html", "application/json"} and "Cache-Control" not in response.headers:
            # Pages and replies belong to one patient's conversation: never kept by a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response
