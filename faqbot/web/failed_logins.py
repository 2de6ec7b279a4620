"""A growing wait after wrong staff passwords, per client and for the login as a whole, instead of a lockout.

After FREE_FAILURES wrong passwords from one client, its next attempt must wait 1 s, then 2 s, 4 s, ...
up to MAX_WAIT seconds; the whole staff login gets the same after ACCOUNT_FREE_FAILURES wrong
passwords from anywhere, for any name (guessing spread over many addresses). A wait is never a lockout: once it has
passed the right password works, and a client that logged in recently is not held up by failures from
elsewhere, so nobody can keep the clinic's own staff out by failing on purpose.

The counts are forgotten after FORGET_AFTER seconds without a failure. They live in this process's
memory, bounded (`MemoryCounts`), or with REDIS_URL in Redis (`RedisCounts`, wall-clock times), so that
guesses spread over several processes are counted together.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .. import shared

FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = 20
MAX_WAIT = 5 * 60
FORGET_AFTER = 60 * 60
KNOWN_FOR = 12 * 60 * 60  # a client that logged in stays exempt from the shared login's wait for a working day
MAX_CLIENTS = 10_000  # memory stays bounded however many addresses an attacker uses
_ACCOUNT = "staff"  # the login as a whole, whichever name was typed (counted apart from any one address)


@dataclass
class Failures:
    """How many wrong passwords in a row, and when the last one came."""

    count: int
    last: float


class FailedLogins:
    """Count wrong passwords and say how long a client must wait before its next attempt."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, counts: MemoryCounts | None = None) -> None:
        self.clock = clock
        self.counts = counts or MemoryCounts()

    def wait(self, client: str) -> int:
        """Return the whole seconds this client must still wait before trying a password (0: try now)."""
        now = self.clock()
        own, account, known_since = self.counts.read(client, _ACCOUNT)
        waits = [_remaining(own, FREE_FAILURES, now) if own else 0.0]
        if not (known_since is not None and now - known_since <= KNOWN_FOR):
            waits.append(_remaining(account, ACCOUNT_FREE_FAILURES, now) if account else 0.0)
        return math.ceil(max(waits))

    def failed(self, client: str) -> int:
        """Count a wrong password from this client; return how long its next attempt must wait."""
        self.counts.add_failure(client, _ACCOUNT, self.clock())
        return self.wait(client)

    def succeeded(self, client: str) -> None:
        """Forget this client's failures and exempt it from the shared login's wait for a while."""
        self.counts.succeeded(client, self.clock())


class MemoryCounts:
    """The counts in this process's memory: bounded, the oldest dropped first."""

    def __init__(self) -> None:
        self._clients: OrderedDict[str, Failures] = OrderedDict()
        self._account = Failures(0, 0.0)
        self._known: OrderedDict[str, float] = OrderedDict()  # client -> when it last logged in

    def read(self, client: str, account: str) -> tuple[Failures | None, Failures | None, float | None]:
        """The client's failures, the shared login's, and when the client last logged in."""
        return self._clients.get(client), self._account, self._known.get(client)

    def add_failure(self, client: str, account: str, now: float) -> None:
        own = self._clients.pop(client, None)
        if own is None or now - own.last > FORGET_AFTER:
            own = Failures(0, now)
        own.count, own.last = own.count + 1, now
        self._clients[client] = own  # re-inserted last: the oldest are dropped first when full
        _drop_oldest(self._clients, now, lambda f: now - f.last > FORGET_AFTER)
        if now - self._account.last > FORGET_AFTER:
            self._account.count = 0
        self._account.count, self._account.last = self._account.count + 1, now

    def succeeded(self, client: str, now: float) -> None:
        self._clients.pop(client, None)
        self._known.pop(client, None)
        self._known[client] = now
        _drop_oldest(self._known, now, lambda since: now - since > KNOWN_FOR)


# One failure, atomically: a count that has been quiet for FORGET_AFTER starts again at one.
_ADD_FAILURE = """
local now, forget = tonumber(ARGV[1]), tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  local last = tonumber(redis.call('HGET', key, 'last') or '0')
  local count = tonumber(redis.call('HGET', key, 'count') or '0')
  if now - last > forget then count = 0 end
  redis.call('HSET', key, 'count', count + 1, 'last', ARGV[1])
  redis.call('EXPIRE', key, forget)
end
"""


class RedisCounts:
    """The counts in Redis, shared by every process; times are the wall clock (time.time), the same everywhere."""

    def __init__(self, redis) -> None:
        self.redis = redis
        self._add = redis.register_script(_ADD_FAILURE)

    def read(self, client: str, account: str) -> tuple[Failures | None, Failures | None, float | None]:
        with shared.reaching("reading failed-login counts in Redis"):
            own, shared_login, known = (
                self.redis.pipeline().hgetall(_key(client)).hgetall(_key(account, "account")).get(_known(client))
            ).execute()
        return _failures(own), _failures(shared_login), float(known) if known else None

    def add_failure(self, client: str, account: str, now: float) -> None:
        with shared.reaching("counting a failed login in Redis"):
            self._add(keys=[_key(client), _key(account, "account")], args=[repr(now), FORGET_AFTER])

    def succeeded(self, client: str, now: float) -> None:
        with shared.reaching("recording a staff login in Redis"):
            self.redis.pipeline().delete(_key(client)).set(_known(client), repr(now), ex=KNOWN_FOR).execute()


def counts_for(app) -> tuple[Callable[[], float], MemoryCounts | RedisCounts]:
    """The clock and the counts an app uses: Redis and the wall clock with REDIS_URL, else memory."""
    redis = shared.client(app)
    return (time.time, RedisCounts(redis)) if redis is not None else (time.monotonic, MemoryCounts())


def delay(failures: int, free: int) -> float:
    """Return the wait after `failures` wrong passwords: none up to `free`, then 1, 2, 4 ... MAX_WAIT seconds."""
    if failures < free:
        return 0.0
    return min(2.0 ** min(failures - free, 20), MAX_WAIT)  # the inner min keeps the power small


def _remaining(failures: Failures, free: int, now: float) -> float:
    if now - failures.last > FORGET_AFTER:
        return 0.0
    return max(0.0, failures.last + delay(failures.count, free) - now)


def _drop_oldest(items: OrderedDict, now: float, expired: Callable[[object], bool]) -> None:
    """Drop expired items from the oldest end, and the oldest of all while there are too many."""
    while items and (len(items) > MAX_CLIENTS or expired(next(iter(items.values())))):
        items.popitem(last=False)


def _key(name: str, kind: str = "client") -> str:
    return f"{shared.PREFIX}failed-logins:{kind}:{name}"


def _known(client: str) -> str:
    return f"{shared.PREFIX}logged-in:{client}"


def _failures(fields: dict) -> Failures | None:
    return Failures(int(fields["count"]), float(fields["last"])) if fields else None
