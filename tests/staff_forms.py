"""The staff login as a person uses it, shared by the test packages that log in: accounts, the form.

Every app the fixtures make has the account NAME (a reviewer, who may do everything but manage
accounts) with PASSWORD. `add_account(app, "ada", "admin")` adds another; `log_in(client, name="ada")`
logs in as it.
"""

from __future__ import annotations

import functools
import re

from faqbot.storage import accounts, db

NAME = "sam"
ROLE = "reviewer"
PASSWORD = "a long staff password"


def form_token(client, path: str) -> str:
    """Return the CSRF token of the form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def log_in(client, password: str = PASSWORD, *, name: str = NAME):
    """Log in through the form as a person would."""
    form = {"name": name, "password": password, "csrf_token": form_token(client, "/staff/login")}
    return client.post("/staff/login", data=form)


def add_account(app, name: str = NAME, role: str = ROLE, password: str = PASSWORD, *, exist_ok: bool = False) -> None:
    """Create a staff account in the app's database, as `python -m faqbot staff add` does."""
    with app.app_context():
        connection = db.get_db()
        if not (exist_ok and accounts.find(connection, name)):
            accounts.add(connection, name, role, password_hash(password))


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """The scrypt hash of a password, made once per test session (scrypt is slow on purpose)."""
    return accounts.hash_password(password)
