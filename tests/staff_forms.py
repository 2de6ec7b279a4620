"""The staff login as a person uses it, shared by the test packages that log in: one password, the form."""

from __future__ import annotations

import re

from faqbot.storage.accounts import hash_password

PASSWORD = "a long staff password"
PASSWORD_HASH = hash_password(PASSWORD)


def form_token(client, path: str) -> str:
    """Return the CSRF token of the form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def log_in(client, password: str = PASSWORD):
    """Log in through the form as a person would."""
    return client.post("/staff/login", data={"password": password, "csrf_token": form_token(client, "/staff/login")})
