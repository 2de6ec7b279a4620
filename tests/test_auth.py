"""Staff accounts in storage: strong hashes only, no default account, names and passwords checked, no last-admin loss;
the retired shared password is noticed at start."""

from __future__ import annotations

import logging

import pytest
import staff_forms

from faqbot import create_app
from faqbot.config import PROJECT_ROOT
from faqbot.storage import accounts, db
from faqbot.storage.accounts import AccountError, PasswordError, hash_password, password_matches


def app_in(instance, **settings):
    """An app with its instance folder (and database) in a test's folder, reusing the usual embeddings cache."""
    cache = str(PROJECT_ROOT / "instance" / "embeddings.npz")  # where the other fixtures' apps keep it
    database = str(instance.parent / "faqbot.sqlite")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
        return create_app({"TESTING": True, "DATABASE": database, "EMBEDDING_CACHE": cache, **settings})


@pytest.fixture
def app(tmp_path):
    """An app with an empty database: no account at all."""
    return create_app({"TESTING": True, "DATABASE": str(tmp_path / "faqbot.sqlite")})


@pytest.fixture
def connection(app):
    with app.app_context():
        yield db.get_db()


def test_password_is_stored_only_as_a_salted_hash():
    """A password becomes a scrypt hash that does not contain it, different each time."""
    password = "correct horse battery"
    assert password not in hash_password(password) and hash_password(password).startswith("scrypt:")
    assert hash_password(password) != hash_password(password)  # salted


def test_login_check(connection):
    """Only the right name and password match; a malformed hash never lets anyone in."""
    accounts.add(connection, "rita", "editor", hash_password("correct horse battery"))
    assert accounts.authenticate(connection, "rita", "correct horse battery").role == "editor"
    assert accounts.authenticate(connection, "rita", "wrong password here") is None
    assert accounts.authenticate(connection, "rota", "correct horse battery") is None
    assert accounts.authenticate(connection, "rita", "") is None
    assert not password_matches("not-a-hash", "anything at all")


def test_no_default_account(connection):
    """A new database has no account, so nobody can log in until an administrator makes one."""
    assert not accounts.any_exist(connection) and accounts.listed(connection) == []


@pytest.mark.parametrize("password, message", [("short", "at least 12"), (" padded password ", "spaces")])
def test_weak_passwords_are_refused(password, message):
    """Too short, or padded with spaces, gets a clear refusal."""
    with pytest.raises(PasswordError, match=message):
        hash_password(password)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("rita", True), ("r.smith-2_b", True), ("x" * 40, True), ("x" * 41, False), ("Rita", False), ("", False)]
    + [("rita smith", False), ("rita/../admin", False), ("ríta", False), ("rita\n", False), ("..", False)]
    + [("-rita", False), ("_rita", False), ("7rita", True)],
)
def test_names_are_short_and_plain(name, allowed):
    """Names are at most 40 lower-case letters, digits, dots, hyphens and underscores, starting with a letter or a
    digit (so that no name is a path like "..", or an option to the command line)."""
    if allowed:
        assert accounts.check_name(name) == name
    else:
        with pytest.raises(AccountError):
            accounts.check_name(name)


def test_typed_names_are_made_lower_case():
    """What a person types at the login (a capital from a phone, a space) reaches the lower-case name."""
    assert accounts.normal_name("  Rita ") == "rita"


def test_the_last_administrator_stays(connection):
    """The only administrator can be neither removed nor demoted; with a second one, either can go."""
    accounts.add(connection, "ada", "admin", staff_forms.password_hash())
    for change in (lambda: accounts.remove(connection, "ada"), lambda: accounts.set_role(connection, "ada", "editor")):
        with pytest.raises(AccountError, match="ada is the last administrator"):
            change()
    accounts.add(connection, "grace", "admin", staff_forms.password_hash())
    accounts.set_role(connection, "ada", "reviewer")
    assert [(a.name, a.role) for a in accounts.listed(connection)] == [("ada", "reviewer"), ("grace", "admin")]


def test_a_new_password_changes_when_the_password_changed(connection):
    """Each new password gets a new change time, which sessions opened before it no longer match."""
    before = accounts.add(connection, "rita", "editor", staff_forms.password_hash())
    after = accounts.set_password(connection, "rita", staff_forms.password_hash("another long password"))
    assert after.password_changed != before.password_changed and after.created == before.created
    assert accounts.authenticate(connection, "rita", "another long password") == after


@pytest.mark.parametrize(
    ("config", "environ", "file", "named"),
    [
        ({"STAFF_PASSWORD_HASH": "scrypt:..."}, {}, False, "STAFF_PASSWORD_HASH"),
        ({}, {"FAQBOT_STAFF_PASSWORD_HASH": "scrypt:..."}, False, "FAQBOT_STAFF_PASSWORD_HASH"),
        ({}, {}, True, "staff_password.hash"),
    ],
)
def test_the_retired_shared_password_is_named_in_a_warning_at_start(
    tmp_path, monkeypatch, caplog, config, environ, file, named
):
    """A shared password still configured is not used, and the log says so once, with how to make accounts."""
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    instance = tmp_path / "instance"
    if file:
        instance.mkdir()
        (instance / "staff_password.hash").write_text("scrypt:...\n")
    caplog.set_level(logging.WARNING)
    app = app_in(instance, **config)
    [warning] = [r.getMessage() for r in caplog.records if "no longer used" in r.getMessage()]
    assert named in warning and "python -m faqbot staff add NAME --role admin --password-stdin" in warning
    assert app.test_client().get("/staff/login").get_data(as_text=True).count("No staff account exists yet") == 1


def test_no_warning_without_a_retired_password(tmp_path, caplog):
    """A deployment that never had the shared password is told nothing about it."""
    caplog.set_level(logging.WARNING)
    app_in(tmp_path / "instance")
    assert "no longer used" not in caplog.text
