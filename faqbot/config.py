"""Settings: defaults, then an optional instance file, then FAQBOT_* environment variables.

Every setting is declared once in SETTINGS with its type and meaning; a bad value fails at start
with a message that names the key, as Starlette's config does.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .brand import MAX_LOGO_BYTES, MIN_CONTRAST, parse_accent_colour, parse_logo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "FAQBOT_"


class ConfigError(Exception):
    """A setting is missing or has a value that cannot be used."""


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("must be true or false")


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive whole number")
    return number


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _secret(value: str) -> str:
    # A short key can be guessed offline from one signed cookie; 32 characters is token_hex(16).
    if len(value.strip()) < 32:
        hint = "python -c 'import secrets; print(secrets.token_hex(32))'"
        raise ValueError(f"must be at least 32 characters; generate one with: {hint}")
    return value.strip()


def _rate_limit(value: str) -> str:
    from limits import parse_many  # only the web app needs it, not the command line

    try:
        parse_many(value)
    except ValueError:
        raise ValueError("must be a rate like '30 per minute' or '30/minute; 300/hour'") from None
    return value.strip()


def _database_url(value: str) -> str:
    from .storage.engine import parse_database_url  # SQLAlchemy loads only for the web app and its commands

    parse_database_url(value)  # its error never repeats the value: the URL holds a password
    return value.strip()


def _redis_url(value: str) -> str:
    if not value.strip().startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must be a URL like redis://redis:6379/0 or rediss://:password@host:6380/0")
    return value.strip()


_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$|^'self'$")


def _networks(value: str) -> str:
    items = value.split()
    try:
        for item in items:
            ipaddress.ip_network(item, strict=False)
    except ValueError:
        items = []
    if not items:
        raise ValueError("must be addresses or networks like '127.0.0.1 ::1' or '10.0.0.0/8', separated by spaces")
    return " ".join(items)


def _origins(value: str) -> str:
    origins = value.split()
    bad = [o for o in origins if not _ORIGIN.match(o.lower())]
    if not origins or bad:
        raise ValueError("must be origins like https://www.clinic.example (or 'self'), separated by spaces")
    return " ".join(origins)


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, how to read it from text, and what it is for."""

    default: Any
    parse: Callable[[str], Any]
    help: str
    secret: bool = False  # never echoed in an error message
    optional: bool = False  # an empty value means "not set"


SETTINGS: dict[str, Setting] = {
    "KNOWLEDGE_DIR": Setting(str(PROJECT_ROOT / "knowledge"), _text, "Folder holding the knowledge base."),
    "KNOWLEDGE_CHECK_SECONDS": Setting(
        5, _positive_int, "How often each process asks the database whether a reviewer published new knowledge."
    ),
    "REVIEW_MONTHS": Setting(12, _positive_int, "Months after a clinical sign-off when an answer is due for review."),
    "SEMANTIC_MATCHING": Setting(
        True, _boolean, "Use sentence embeddings (all-MiniLM-L6-v2) beside keyword and fuzzy matching."
    ),
    "MODEL_DIR": Setting(
        str(PROJECT_ROOT / "models"), _text, "Folder of the sentence-embedding model, built on first use if missing."
    ),
    "EMBEDDING_THREADS": Setting(
        min(2, os.cpu_count() or 1),
        _positive_int,
        "CPU threads one message's embedding may use (default: 2, or 1 on a one-core machine). Two take about "
        "a quarter off a reply on an idle machine; set 1 when several server processes share the cores.",
    ),
    "EMBEDDING_CACHE": Setting(
        "",
        _text,
        "File caching the knowledge base's embeddings by content; unset, instance/embeddings.npz.",
        optional=True,
    ),
    "FITTED_PARAMS": Setting(
        str(PROJECT_ROOT / "fitting" / "params.json"), _text, "Fitted triage and answer models (fitting/fit.py)."
    ),
    "CLINIC_NAME": Setting("the clinic", _text, "Clinic name used in replies and page headers."),
    "CLINIC_LOGO": Setting(
        "",
        parse_logo,
        f"The clinic's logo in the page and embed headers: a PNG, JPEG, WebP or SVG file of at most "
        f"{MAX_LOGO_BYTES // 1024} KB, served from this site. Unset: no logo.",
        optional=True,
    ),
    "CLINIC_ACCENT_COLOUR": Setting(
        "",
        parse_accent_colour,
        f"The clinic's colour for buttons and links, as #rrggbb; it must reach {MIN_CONTRAST}:1 contrast with "
        "white text and on the page backgrounds. Unset: #0b5394.",
        optional=True,
    ),
    "CLINIC_PHONE": Setting("+44 20 7946 0000", _text, "Phone number patients are told to call."),
    "CLINIC_BOOKING_URL": Setting("https://example.com/book", _text, "Where patients book an appointment."),
    "EMERGENCY_NUMBER": Setting("112", _text, "Emergency services number given in urgent replies."),
    "MAX_MESSAGE_LENGTH": Setting(500, _positive_int, "Longest message accepted, in characters."),
    "RATELIMIT_ENABLED": Setting(True, _boolean, "Limit requests per client on POST endpoints."),
    # Web application. A default of None is filled in at start from the instance folder (see create_app).
    "SECRET_KEY": Setting(
        None,
        _secret,
        "Signs the session cookie (CSRF token, no-JS transcript). Unset: generated once and kept in "
        "instance/secret_key.",
        secret=True,
    ),
    "DATABASE": Setting(
        None, _text, "SQLite file for reply statistics and feedback votes. Unset: instance/faqbot.sqlite."
    ),
    "DATABASE_URL": Setting(
        "",
        _database_url,
        "A PostgreSQL server for everything DATABASE holds, e.g. postgresql://faqbot:password@db:5432/faqbot. "
        "Unset: the SQLite file.",
        secret=True,
        optional=True,
    ),
    "REDIS_URL": Setting(
        "",
        _redis_url,
        "Redis shared by several processes: rate limits, staff session ends, spent feedback tokens, failed logins, "
        "knowledge reloads. Unset: each process keeps these in memory.",
        secret=True,
        optional=True,
    ),
    "MAX_CONTENT_LENGTH": Setting(16 * 1024, _positive_int, "Largest request body accepted, in bytes (413 above)."),
    "RATELIMIT_POST": Setting(
        "30 per minute", _rate_limit, "Requests one client may make to each POST endpoint, e.g. '30/minute; 300/hour'."
    ),
    "RATELIMIT_STORAGE_URI": Setting(
        "",
        _text,
        "Where rate-limit counters live (a Flask-Limiter storage URI). Unset: REDIS_URL, else memory://.",
        secret=True,
        optional=True,
    ),
    "SESSION_COOKIE_SECURE": Setting(
        True, _boolean, "Send the session cookie over HTTPS only (browsers also accept it on http://localhost)."
    ),
    "BEHIND_PROXY": Setting(
        False, _boolean, "Trust X-Forwarded-For/-Proto/-Host from exactly one reverse proxy in front of faqbot."
    ),
    "TRUSTED_PROXIES": Setting(
        "127.0.0.1 ::1",
        _networks,
        "With BEHIND_PROXY, the proxy's addresses or networks (space-separated); headers from others are ignored.",
    ),
    "EMBED_ORIGINS": Setting(
        "'self'",
        _origins,
        "Sites allowed to show /embed in an iframe, separated by spaces, e.g. https://www.clinic.example.",
    ),
    # Staff workspace and learning from use.
    "STAFF_SESSION_MINUTES": Setting(60, _positive_int, "A staff session ends after this many idle minutes."),
    "STAFF_LOGIN_LIMIT": Setting(
        "30 per minute",
        _rate_limit,
        "Flood guard: login requests one client may make (wrong passwords also wait longer each time).",
    ),
    "KEEP_UNANSWERED_TEXT": Setting(
        False, _boolean, "Keep the redacted text of unanswered questions for the staff report (off by default)."
    ),
    "RETENTION_DAYS": Setting(30, _positive_int, "Days kept questions are stored before they are deleted."),
    "RETENTION_CHECK_MINUTES": Setting(
        60, _positive_int, "How often the running server deletes kept questions past RETENTION_DAYS."
    ),
    "STATS_QUEUE_SIZE": Setting(
        10000, _positive_int, "Statistics rows that may wait to be written; beyond it rows are dropped and counted."
    ),
}


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read FAQBOT_<KEY> variables for every declared setting, failing loudly on a bad value."""
    environ = os.environ if environ is None else environ
    values = {}
    for key, setting in SETTINGS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is None:
            continue
        if setting.optional and not raw.strip():
            values[key] = ""  # set but empty (a compose file's ${VAR:-}): not set
            continue
        try:
            values[key] = setting.parse(raw)
        except ValueError as error:
            got = "" if setting.secret else f" (got {raw!r})"
            raise ConfigError(f"Config '{ENV_PREFIX}{key}' {error}{got}.") from None
    return values


def defaults() -> dict[str, Any]:
    """Return every setting's default value."""
    return {key: setting.default for key, setting in SETTINGS.items()}


def check(config: Mapping[str, Any]) -> None:
    """Fail with the key's name when a configured value has the wrong type or is empty."""
    for key, setting in SETTINGS.items():
        value = config.get(key)
        if value is None:
            raise ConfigError(f"Config '{key}' is missing, and has no default.")
        if isinstance(setting.default, bool) and not isinstance(value, bool):
            raise ConfigError(f"Config '{key}' must be true or false (got {value!r}).")
        is_count = isinstance(setting.default, int) and not isinstance(setting.default, bool)
        if is_count and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
            raise ConfigError(f"Config '{key}' must be a positive whole number (got {value!r}).")
        if setting.optional and value == "":
            continue
        if isinstance(setting.default, str) and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"Config '{key}' must be non-empty text (got {value!r}).")
        if setting.default is None and not isinstance(value, str):
            raise ConfigError(f"Config '{key}' must be text.")
        if isinstance(value, str):
            # The same rule as for the environment, so an instance file cannot slip in a bad value.
            try:
                setting.parse(value)
            except ValueError as error:
                got = "" if setting.secret else f" (got {value!r})"
                raise ConfigError(f"Config '{key}' {error}{got}.") from None
