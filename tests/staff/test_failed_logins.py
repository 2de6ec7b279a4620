"""Wrong passwords make the next attempt wait longer each time, but never lock the right password out.

The counting rules run twice: on this process's memory, and on Redis (shared by several processes).
"""

from __future__ import annotations

import pytest

from faqbot import shared
from faqbot.shared.notifications import knowledge_updates
from faqbot.web import failed_logins
from faqbot.web.failed_logins import (
    ACCOUNT_FREE_FAILURES,
    FREE_FAILURES,
    MAX_WAIT,
    FailedLogins,
    MemoryCounts,
    RedisCounts,
)
from faqbot.web.staff_login import FAILED_LOGINS


class FakeClock:
    """A clock the test moves by hand, so nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "redis"])
def counts(request):
    """Make the failed-login counts: in memory, then (a second run of each test) in Redis."""
    if request.param == "memory":
        return MemoryCounts
    redis = shared.connect(request.getfixturevalue("redis_url"))
    return lambda: RedisCounts(redis)


@pytest.fixture
def limited_app(make_app, clock, counts):
    """The app as deployed (rate limits on, default STAFF_LOGIN_LIMIT), its failed-login clock in the test's hand."""
    app = make_app(RATELIMIT_ENABLED=True)
    app.extensions[FAILED_LOGINS] = FailedLogins(clock=clock, counts=counts())
    return app


def test_the_right_password_works_once_the_wait_has_passed(limited_app, clock, login):
    """After many wrong passwords the right one must wait, then works: no lockout of the clinic's staff."""
    client = limited_app.test_client()
    for _ in range(FREE_FAILURES + 2):
        clock.now += MAX_WAIT  # each guess after the previous wait
        assert login(client, "a wrong password guess").status_code == 401
    too_soon = login(client)
    assert too_soon.status_code == 429 and too_soon.headers["Retry-After"] == "4"
    assert "Too many wrong passwords. Please try again in 4 seconds." in too_soon.get_data(as_text=True)
    clock.now += 4
    assert login(client).status_code == 303


def test_a_wrong_password_says_how_long_to_wait(limited_app, login):
    """The failure that starts a wait says so, so nobody retries blindly."""
    client = limited_app.test_client()
    for _ in range(FREE_FAILURES - 1):
        login(client, "a wrong password guess")
    page = login(client, "a wrong password guess").get_data(as_text=True)
    assert "That name or password is not right.\n    Please wait 1 second before trying again." in page


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(FREE_FAILURES - 1, 0), (FREE_FAILURES, 1), (FREE_FAILURES + 1, 2), (FREE_FAILURES + 3, 8), (60, MAX_WAIT)],
)
def test_the_wait_doubles_with_each_failure_up_to_five_minutes(clock, counts, failures, wait):
    """No wait for the first few failures, then 1, 2, 4, 8 ... seconds, never more than MAX_WAIT."""
    counts = FailedLogins(clock=clock, counts=counts())
    for _ in range(failures):
        clock.now += MAX_WAIT  # each attempt after the previous wait: only the count grows
        counts.failed("203.0.113.9")
    assert counts.wait("203.0.113.9") == wait


def test_one_clients_failures_do_not_delay_another(clock, counts):
    """Wrong passwords from one address make only that address wait."""
    counts = FailedLogins(clock=clock, counts=counts())
    for _ in range(FREE_FAILURES + 3):
        counts.failed("203.0.113.9")
    assert counts.wait("203.0.113.9") > 0 and counts.wait("198.51.100.7") == 0


def test_guessing_from_many_addresses_slows_new_clients_but_not_recent_staff(clock, counts):
    """Failures spread over many addresses delay unknown clients; an address that logged in recently is not held up."""
    counts = FailedLogins(clock=clock, counts=counts())
    counts.succeeded("192.0.2.1")  # the clinic, this morning
    for number in range(ACCOUNT_FREE_FAILURES + 2):
        counts.failed(f"203.0.113.{number}")
    assert counts.wait("198.51.100.7") == 4
    assert counts.wait("192.0.2.1") == 0


def test_failures_are_forgotten_after_an_hour_of_quiet(clock, counts):
    """An address that stops failing starts afresh after FORGET_AFTER seconds."""
    counts = FailedLogins(clock=clock, counts=counts())
    for _ in range(FREE_FAILURES + 5):
        counts.failed("203.0.113.9")
    clock.now += failed_logins.FORGET_AFTER + 1
    assert counts.wait("203.0.113.9") == 0
    counts.failed("203.0.113.9")
    assert counts.wait("203.0.113.9") == 0  # the count started again at one


def test_memory_stays_bounded_however_many_addresses_fail(clock, monkeypatch):
    """Past MAX_CLIENTS addresses, the oldest are forgotten first."""
    monkeypatch.setattr(failed_logins, "MAX_CLIENTS", 3)
    monkeypatch.setattr(failed_logins, "ACCOUNT_FREE_FAILURES", 1000)  # only the per-address counts matter here
    counts = FailedLogins(clock=clock, counts=MemoryCounts())  # Redis keys expire on their own
    for client in ["a", "b", "c", "d"]:
        for _ in range(FREE_FAILURES):
            counts.failed(client)
    assert counts.wait("a") == 0 and counts.wait("d") == 1


def test_with_redis_guesses_on_one_process_make_the_other_wait(make_app, redis_url, login):
    """Two processes sharing Redis count one client's wrong passwords together (each used to count alone)."""
    first, second = make_app(REDIS_URL=redis_url), make_app(REDIS_URL=redis_url)
    for app in (first, second) * 3:  # six wrong passwords, three on each process
        login(app.test_client(), "a wrong password guess")
    refused = login(second.test_client())
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    for app in (first, second):
        knowledge_updates(app).close()  # a later test's notice must not reload these apps' knowledge
