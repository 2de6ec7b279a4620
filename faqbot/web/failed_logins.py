"""A growing wait after wrong staff passwords, per client and for the shared login, instead of a lockout.

After FREE_FAILURES wrong passwords from one client, its next attempt must wait 1 s, then 2 s, 4 s, ...
up to MAX_WAIT seconds; the shared staff login gets the same after ACCOUNT_FREE_FAILURES wrong
passwords from anywhere (guessing spread over many addresses). A wait is never a lockout: once it has
passed the right password works, and a client that logged in recently is not held up by failures from
elsewhere, so nobody can keep the clinic's own staff out by failing on purpose.

The counts live in this process's memory, bounded and forgotten after FORGET_AFTER seconds without a
failure; with several server processes each counts on its own (until they share Redis).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = 20
MAX_WAIT = 5 * 60
FORGET_AFTER = 60 * 60
KNOWN_FOR = 12 * 60 * 60  # a client that logged in stays exempt from the shared login's wait for a working day
MAX_CLIENTS = 10_000  # memory stays bounded however many addresses an attacker uses
_ACCOUNT = "staff"  # one shared password today, so one account


@dataclass
class _Failures:
    count: int
    last: float


class FailedLogins:
    """Count wrong passwords and say how long a client must wait before its next attempt."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._clients: OrderedDict[str, _Failures] = OrderedDict()
        self._account = _Failures(0, 0.0)
        self._known: OrderedDict[str, float] = OrderedDict()  # client -> when it last logged in

    def wait(self, client: str) -> int:
        """Return the whole seconds this client must still wait before trying a password (0: try now)."""
        now = self.clock()
        own = self._clients.get(client)
        waits = [_remaining(own, FREE_FAILURES, now) if own else 0.0]
        if not self._is_known(client, now):
            waits.append(_remaining(self._account, ACCOUNT_FREE_FAILURES, now))
        return math.ceil(max(waits))

    def failed(self, client: str) -> int:
        """Count a wrong password from this client; return how long its next attempt must wait."""
        now = self.clock()
        own = self._clients.pop(client, None)
        if own is None or now - own.last > FORGET_AFTER:
            own = _Failures(0, now)
        own.count, own.last = own.count + 1, now
        self._clients[client] = own  # re-inserted last: the oldest are dropped first when full
        _drop_oldest(self._clients, now, lambda f: now - f.last > FORGET_AFTER)
        if now - self._account.last > FORGET_AFTER:
            self._account.count = 0
        self._account.count, self._account.last = self._account.count + 1, now
        return self.wait(client)

    def succeeded(self, client: str) -> None:
        """Forget this client's failures and exempt it from the shared login's wait for a while."""
        now = self.clock()
        self._clients.pop(client, None)
        self._known.pop(client, None)
        self._known[client] = now
        _drop_oldest(self._known, now, lambda since: now - since > KNOWN_FOR)

    def _is_known(self, client: str, now: float) -> bool:
        since = self._known.get(client)
        return since is not None and now - since <= KNOWN_FOR


def delay(failures: int, free: int) -> float:
    """Return the wait after `failures` wrong passwords: none up to `free`, then 1, 2, 4 ... MAX_WAIT seconds."""
    if failures < free:
        return 0.0
    return min(2.0 ** min(failures - free, 20), MAX_WAIT)  # the inner min keeps the power small


def _remaining(failures: _Failures, free: int, now: float) -> float:
    if now - failures.last > FORGET_AFTER:
        return 0.0
    return max(0.0, failures.last + delay(failures.count, free) - now)


def _drop_oldest(items: OrderedDict, now: float, expired: Callable[[object], bool]) -> None:
    """Drop expired items from the oldest end, and the oldest of all while there are too many."""
    while items and (len(items) > MAX_CLIENTS or expired(next(iter(items.values())))):
        items.popitem(last=False)
