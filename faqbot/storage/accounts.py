"""The staff password: set by an administrator, kept only as a strong hash, checked at login.

There is no default password. The hash comes from the STAFF_PASSWORD_HASH setting (for deployments
that inject secrets as environment variables) or from instance/staff_password.hash, which
`python -m faqbot set-staff-password` writes with owner-only permissions.
"""

from __future__ import annotations

import os
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

HASH_FILE = "staff_password.hash"
MIN_LENGTH = 12
_METHOD = "scrypt"  # memory-hard; Werkzeug's default, named so a library change cannot weaken it


class PasswordError(ValueError):
    """A new password does not meet the rules."""


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of a new staff password, after checking it is long enough."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"The password must be at least {MIN_LENGTH} characters long.")
    if password.strip() != password:
        raise PasswordError("The password must not start or end with spaces.")
    return generate_password_hash(password, method=_METHOD)


def save_password_hash(instance_path: str | Path, password_hash: str) -> Path:
    """Write the hash to the instance folder, readable by its owner only."""
    folder = Path(instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / HASH_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(password_hash + "\n")
    os.chmod(path, 0o600)
    return path


def stored_password_hash(configured: str | None, instance_path: str | Path) -> str | None:
    """Return the configured hash, else the one in the instance folder, else None (no staff login yet)."""
    if configured:
        return configured.strip()
    path = Path(instance_path) / HASH_FILE
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def password_matches(password_hash: str | None, password: str) -> bool:
    """Check a login attempt; always False when no password has been set."""
    if not password_hash or not password:
        return False
    try:
        return check_password_hash(password_hash, password)
    except (ValueError, TypeError):  # a malformed hash in the configuration must not crash the login
        return False
