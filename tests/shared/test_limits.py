"""Rate limits: with REDIS_URL one client's requests are counted across every process."""

from __future__ import annotations

import pytest
import servers

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_POST": "3 per minute"}


def chat(app, address: str = "203.0.113.7") -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.post("/api/chat", json={"message": "thank you"}).status_code


def test_a_clients_limit_is_counted_across_processes_only_when_they_share_redis(make_process, sharing):
    """Three requests allowed a minute: spread over two processes, the fourth is refused only with Redis."""
    first, second = make_process(**LIMITED), make_process(**LIMITED)
    statuses = [chat(first), chat(second), chat(first), chat(second)]
    if sharing:
        assert statuses == [200, 200, 200, 429]
    else:
        assert statuses == [200] * 4  # each process counts its own two


def test_another_client_has_its_own_limit(make_process):
    """The shared count is per client: one client's burst does not refuse another."""
    app = make_process(**LIMITED)
    assert [chat(app) for _ in range(4)] == [200, 200, 200, 429]
    assert chat(app, "198.51.100.2") == 200


@pytest.mark.parametrize("sharing", [{}])
def test_an_explicit_limiter_storage_wins_over_redis_url(make_process, redis_url):
    """RATELIMIT_STORAGE_URI set on purpose (memory://) keeps the counters in the process despite REDIS_URL."""
    first = make_process(**LIMITED, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI="memory://")
    second = make_process(**LIMITED, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI="memory://")
    assert [chat(first), chat(second), chat(first), chat(second)] == [200] * 4


@pytest.mark.parametrize("sharing", [{}])
def test_a_redis_that_stops_answering_never_stops_the_chat(make_process):
    """Redis unreachable: the limiter counts in memory meanwhile, and patients are answered."""
    app = make_process(**LIMITED, REDIS_URL=f"redis://127.0.0.1:{servers.free_port()}/0")
    assert [chat(app) for _ in range(4)] == [200, 200, 200, 429]
