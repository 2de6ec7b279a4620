"""`python -m faqbot serve` records every reply in the configured database, and SIGTERM loses none."""

from __future__ import annotations

import json
import urllib.request

import servers


def ask(base: str, message: str) -> int:
    request = urllib.request.Request(
        base + "/api/chat", data=json.dumps({"message": message}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_sigterm_writes_the_queued_statistics_before_exiting(storage_settings, stored, tmp_path):
    """Every reply the server gave is a row in the database (the SQLite file, or PostgreSQL via
    FAQBOT_DATABASE_URL), including those still queued when a service manager stopped it."""
    settings = {key: value for key, value in storage_settings.items()}
    settings |= {"SECRET_KEY": "s" * 64, "RATELIMIT_ENABLED": "false"}
    server = servers.AppProcess(settings, folder=tmp_path).wait_ready()
    try:
        statuses = [ask(server.url, "what is a dental implant") for _ in range(20)]
    finally:
        status = server.stop()
    log = server.log.read_text()
    assert status == 0, log
    assert statuses == [200] * 20
    assert stored(storage_settings, "SELECT COUNT(*) FROM reply") == [(20,)]
    assert "Statistics writer stopped: 20 row(s) written, 0 dropped" in log
    if "DATABASE_URL" in storage_settings:
        assert not (tmp_path / "faqbot.sqlite").exists()  # nothing went to the SQLite file
