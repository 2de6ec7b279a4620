"""Which database, how it is opened, and that a DATABASE_URL's password never shows."""

from __future__ import annotations

import logging

import pytest

from faqbot import create_app
from faqbot.config import ConfigError, env_overrides
from faqbot.storage import db
from faqbot.storage.engine import create_engine, database_url, describe, parse_database_url, redact, shown

SECRET = "pw-canary-71x"


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://faqbot:pw@db:5432/faqbot", "postgresql+psycopg"),
        ("postgres://faqbot:pw@db/faqbot", "postgresql+psycopg"),
        ("postgresql+psycopg://faqbot@db.internal:6432/stats", "postgresql+psycopg"),
    ],
)
def test_postgresql_urls_are_driven_by_psycopg(given, driver):
    """Any spelling of a PostgreSQL URL is read with psycopg 3, the driver faqbot installs."""
    assert parse_database_url(given).drivername == driver


@pytest.mark.parametrize(
    "given", [f"mysql://root:{SECRET}@db/x", f"postgresql://u:{SECRET}@/nohost", f"not a url {SECRET}", "sqlite:///x"]
)
def test_a_bad_database_url_is_refused_without_repeating_it(given):
    """A URL faqbot cannot use stops the start naming the key, never the URL (it holds a password)."""
    with pytest.raises(ConfigError) as refused:
        env_overrides({"FAQBOT_DATABASE_URL": given})
    assert "'FAQBOT_DATABASE_URL' must be a URL like postgresql://" in str(refused.value)
    assert SECRET not in str(refused.value)


def test_unset_means_the_sqlite_file_of_the_database_setting(tmp_path):
    """Without DATABASE_URL the SQLite file at DATABASE is used, as before."""
    url = database_url({"DATABASE_URL": "", "DATABASE": str(tmp_path / "x.sqlite")})
    assert url.get_backend_name() == "sqlite" and shown(url) == str(tmp_path / "x.sqlite")


def test_logs_show_the_url_without_its_password():
    """The database is named in the log with its password as ***; error texts lose passwords too."""
    url = parse_database_url(f"postgresql://faqbot:{SECRET}@db:5432/faqbot")
    assert shown(url) == "postgresql+psycopg://faqbot:***@db:5432/faqbot"
    assert SECRET not in redact(f"connect to postgresql://faqbot:{SECRET}@db/x failed; password={SECRET} no")


def test_sqlite_connections_keep_their_pragmas(tmp_path):
    """Every SQLite connection has WAL, a busy timeout, foreign keys on, and a new file is private."""
    engine = create_engine(database_url({"DATABASE": str(tmp_path / "p.sqlite")}), timeout_ms=1500)
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() == 1500
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()
    assert (tmp_path / "p.sqlite").stat().st_mode & 0o077 == 0


def test_an_unreachable_server_is_reported_without_its_address_or_password(tmp_path, caplog):
    """The health endpoint and the log say the server cannot be reached, never its password."""
    import servers

    url = f"postgresql://faqbot:{SECRET}@127.0.0.1:{servers.free_port()}/faqbot"
    caplog.set_level(logging.INFO)
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "x.sqlite"), "DATABASE_URL": url})
    body = app.test_client().get("/api/health").get_json()
    assert body["statistics"]["reason"] == "the database server cannot be reached"
    assert "127.0.0.1" not in str(body)
    assert "Statistics database postgresql+psycopg://faqbot:***@127.0.0.1" in caplog.text
    assert SECRET not in caplog.text
    db.writer(app).close(timeout=1)


def test_describe_gives_no_values(tmp_path):
    """An error's description is its cause, without the statement's values."""
    from sqlalchemy import text

    engine = create_engine(database_url({"DATABASE": str(tmp_path / "d.sqlite")}), autocommit=True)
    with engine.connect() as connection, pytest.raises(Exception) as failed:
        connection.execute(text("INSERT INTO nowhere VALUES (:secret)"), {"secret": SECRET})
    assert describe(failed.value) == "no such table: nowhere"
    assert SECRET not in str(failed.value)  # hide_parameters: not even the exception's own text
    engine.dispose()


def test_an_empty_optional_setting_counts_as_unset():
    """DATABASE_URL, REDIS_URL or RATELIMIT_STORAGE_URI given empty (a compose file's ${VAR:-}) mean "not set"."""
    given = {"FAQBOT_DATABASE_URL": "", "FAQBOT_REDIS_URL": " ", "FAQBOT_RATELIMIT_STORAGE_URI": ""}
    assert env_overrides(given) == {"DATABASE_URL": "", "REDIS_URL": "", "RATELIMIT_STORAGE_URI": ""}


def test_a_bad_redis_url_is_refused_without_repeating_it():
    """REDIS_URL must name Redis; the error never repeats the value (it may hold a password)."""
    with pytest.raises(ConfigError) as refused:
        env_overrides({"FAQBOT_REDIS_URL": f"http://:{SECRET}@cache"})
    assert "'FAQBOT_REDIS_URL' must be a URL like redis://" in str(refused.value) and SECRET not in str(refused.value)
