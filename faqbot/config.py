"""Settings: defaults, then an optional instance file, then FAQBOT_* environment variables.

Every setting is declared once in SETTINGS with its type and meaning; a bad value fails at start
with a message that names the key, as Starlette's config does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Setting:
    """One configuration key: its default, how to read it from text, and what it is for."""

    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: dict[str, Setting] = {
    "KNOWLEDGE_DIR": Setting(str(PROJECT_ROOT / "knowledge"), _text, "Folder holding the knowledge base."),
    "CLINIC_NAME": Setting("the clinic", _text, "Clinic name used in replies and page headers."),
    "CLINIC_PHONE": Setting("+44 20 7946 0000", _text, "Phone number patients are told to call."),
    "CLINIC_BOOKING_URL": Setting("https://example.com/book", _text, "Where patients book an appointment."),
    "EMERGENCY_NUMBER": Setting("112", _text, "Emergency services number given in urgent replies."),
    "MAX_MESSAGE_LENGTH": Setting(500, _positive_int, "Longest message accepted, in characters."),
    "RATELIMIT_ENABLED": Setting(True, _boolean, "Limit requests per client on POST endpoints."),
}


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read FAQBOT_<KEY> variables for every declared setting, failing loudly on a bad value."""
    environ = os.environ if environ is None else environ
    values = {}
    for key, setting in SETTINGS.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is None:
            continue
        try:
            values[key] = setting.parse(raw)
        except ValueError as error:
            raise ConfigError(f"Config '{ENV_PREFIX}{key}' {error} (got {raw!r}).") from None
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
        if isinstance(setting.default, str) and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"Config '{key}' must be non-empty text (got {value!r}).")
