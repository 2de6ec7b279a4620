"""Staff accounts: each person's name, role and password (kept only as a strong hash), checked at login.

There is no default account. The first administrator is made on the server with `python -m faqbot
staff add NAME --role admin`; administrators then manage the others at /staff/accounts. What each role
may do is in faqbot.roles. The single shared staff password of older faqbots (STAFF_PASSWORD_HASH or
instance/staff_password.hash) is retired: `retired_password()` finds one left behind, so that the start
can say it is no longer used. No Flask here: callers pass the connection (storage.db.get_db()).
"""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..roles import ROLES
from .schema import staff_account

MAX_NAME_LENGTH = 40
MIN_LENGTH = 12
RETIRED_HASH_FILE = "staff_password.hash"  # where older faqbots kept the shared password's hash
RETIRED_SETTING = "STAFF_PASSWORD_HASH"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")  # not "..", nor "-x" (an option to the command line)
_METHOD = "scrypt"  # memory-hard; Werkzeug's default, named so a library change cannot weaken it


class AccountError(ValueError):
    """A change to the accounts cannot be made; the message says why, to the person who asked."""


class PasswordError(AccountError):
    """A new password does not meet the rules."""


@dataclass(frozen=True)
class Account:
    """A staff account as the workspace sees it: never its password hash. Times are UTC ISO 8601."""

    name: str
    role: str
    created: str = ""
    password_changed: str = ""


def normal_name(text: str) -> str:
    """A typed name as accounts are named: no surrounding spaces, lower case (phones capitalise the first letter)."""
    return text.strip().lower()


def check_name(name: str) -> str:
    """Return a name that meets the rules, or raise AccountError saying what they are (never echoing the name)."""
    if not name:
        raise AccountError("Give the account a name.")
    if len(name) > MAX_NAME_LENGTH or not _NAME.fullmatch(name):
        raise AccountError(
            f"A name is at most {MAX_NAME_LENGTH} characters: lower-case letters, digits, dots, hyphens and "
            "underscores, starting with a letter or a digit."
        )
    return name


def check_role(role: str) -> str:
    """Return a known role, or raise AccountError naming the roles there are."""
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    return role


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of a new password, after checking it is long enough."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"The password must be at least {MIN_LENGTH} characters long.")
    if password.strip() != password:
        raise PasswordError("The password must not start or end with spaces.")
    return generate_password_hash(password, method=_METHOD)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Check a password against a hash; always False without a hash or a password."""
    if not password_hash or not password:
        return False
    try:
        return check_password_hash(password_hash, password)
    except (ValueError, TypeError):  # a malformed hash in the database must not crash the login
        return False


def authenticate(db: Connection, name: str, password: str) -> Account | None:
    """Return the account when the name and password match, else None.

    An unknown name costs the same scrypt check as a known one, so the time taken does not tell whether
    a name exists.
    """
    row = db.execute(select(staff_account).where(staff_account.c.name == name)).first()
    if row is None:
        password_matches(_stand_in_hash(), password)
        return None
    return _account(row) if password_matches(row.password_hash, password) else None


def find(db: Connection, name: str) -> Account | None:
    """Return the account of that name, or None."""
    row = db.execute(select(staff_account).where(staff_account.c.name == name)).first()
    return _account(row) if row else None


def listed(db: Connection) -> list[Account]:
    """Return every account, by name."""
    return [_account(row) for row in db.execute(select(staff_account).order_by(staff_account.c.name))]


def any_exist(db: Connection) -> bool:
    """Tell whether anybody can log in at all."""
    return db.execute(select(func.count()).select_from(staff_account)).scalar_one() > 0


def add(db: Connection, name: str, role: str, password_hash: str, *, now: datetime | None = None) -> Account:
    """Create an account (the password already hashed by `hash_password`); AccountError says why not."""
    check_name(name)
    check_role(role)
    if find(db, name):
        raise AccountError(f"There is already an account named {name}.")
    created, changed = _stamps(now)
    try:
        db.execute(
            staff_account.insert().values(
                name=name, role=role, password_hash=password_hash, created=created, password_changed=changed
            )
        )
    except IntegrityError:  # made by someone else since the check
        raise AccountError(f"There is already an account named {name}.") from None
    return Account(name, role, created, changed)


def set_role(db: Connection, name: str, role: str) -> Account:
    """Give an account another role; never demote the last administrator."""
    account, role = _existing(db, name), check_role(role)
    if role != "admin":
        _keep_an_admin(db, account, "demoted")
    db.execute(staff_account.update().where(staff_account.c.name == name).values(role=role))
    return Account(account.name, role, account.created, account.password_changed)


def set_password(db: Connection, name: str, password_hash: str, *, now: datetime | None = None) -> Account:
    """Give an account a new password (hashed by `hash_password`): its sessions opened before are no longer open."""
    account = _existing(db, name)
    changed = _stamps(now)[1]
    db.execute(
        staff_account.update()
        .where(staff_account.c.name == name)
        .values(password_hash=password_hash, password_changed=changed)
    )
    return Account(account.name, account.role, account.created, changed)


def remove(db: Connection, name: str) -> Account:
    """Remove an account (its sessions are no longer open); never the last administrator."""
    account = _existing(db, name)
    _keep_an_admin(db, account, "removed")
    db.execute(staff_account.delete().where(staff_account.c.name == name))
    return account


def retired_password(config: Mapping[str, Any], environ: Mapping[str, str], instance_path: str | Path) -> str | None:
    """Say where the retired shared staff password is still set (a setting or the instance file), or None."""
    if str(config.get(RETIRED_SETTING) or "").strip():
        return RETIRED_SETTING
    if environ.get("FAQBOT_" + RETIRED_SETTING, "").strip():
        return "FAQBOT_" + RETIRED_SETTING
    path = Path(instance_path) / RETIRED_HASH_FILE
    return str(path) if path.exists() else None


def _existing(db: Connection, name: str) -> Account:
    account = find(db, name)
    if account is None:
        raise AccountError(f"There is no account named {name}.")
    return account


def _keep_an_admin(db: Connection, account: Account, change: str) -> None:
    # Without an administrator nobody could manage accounts in the workspace.
    if account.role != "admin":
        return
    admins = select(func.count()).select_from(staff_account).where(staff_account.c.role == "admin")
    if db.execute(admins).scalar_one() <= 1:
        raise AccountError(
            f"{account.name} is the last administrator and cannot be {change}. Make another account an "
            "administrator first."
        )


def _account(row) -> Account:
    return Account(row.name, row.role, row.created, row.password_changed)


def _stamps(now: datetime | None) -> tuple[str, str]:
    """When an account was made (to the second, as elsewhere) and when its password changed (to the microsecond)."""
    now = now or datetime.now(UTC)
    return now.isoformat(timespec="seconds"), now.isoformat(timespec="microseconds")


@functools.cache
def _stand_in_hash() -> str:
    """A hash of a password nobody knows, made as real ones are, for checking against when a name is unknown."""
    return generate_password_hash(secrets.token_urlsafe(32), method=_METHOD)
