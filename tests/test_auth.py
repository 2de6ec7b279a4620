"""The staff password: strong hash only, no default, owner-only file."""

from __future__ import annotations

import stat

import pytest

from faqbot.storage.accounts import (
    PasswordError,
    hash_password,
    password_matches,
    save_password_hash,
    stored_password_hash,
)


def test_password_is_stored_only_as_a_salted_hash(tmp_path):
    """The file holds a scrypt hash, not the password, and only its owner can read it."""
    password = "correct horse battery"
    path = save_password_hash(tmp_path, hash_password(password))
    text = path.read_text()
    assert password not in text and text.startswith("scrypt:")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert hash_password(password) != hash_password(password)  # salted


def test_login_check(tmp_path):
    """Only the right password matches; a missing or malformed hash never lets anyone in."""
    save_password_hash(tmp_path, hash_password("correct horse battery"))
    stored = stored_password_hash(None, tmp_path)
    assert password_matches(stored, "correct horse battery")
    assert not password_matches(stored, "wrong password here")
    assert not password_matches(None, "anything at all")
    assert not password_matches("not-a-hash", "anything at all")
    assert not password_matches(stored, "")


def test_no_default_password(tmp_path):
    """Without the setting or the file there is no staff password at all."""
    assert stored_password_hash(None, tmp_path) is None
    assert stored_password_hash("", tmp_path) is None


def test_configured_hash_wins_over_the_file(tmp_path):
    """A hash given in the environment is used before the instance file."""
    save_password_hash(tmp_path, hash_password("file password 123"))
    configured = hash_password("env password 1234")
    assert stored_password_hash(configured, tmp_path) == configured


@pytest.mark.parametrize("password, message", [("short", "at least 12"), (" padded password ", "spaces")])
def test_weak_passwords_are_refused(password, message):
    """Too short, or padded with spaces, gets a clear refusal."""
    with pytest.raises(PasswordError, match=message):
        hash_password(password)
