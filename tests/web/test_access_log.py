"""Operational logs: one access line per request with no patient text, and queue warnings summarised."""

from __future__ import annotations

import logging

from faqbot.web.access_log import QueueDepthSummary


def test_one_access_line_per_request_without_the_words_typed(client, caplog):
    caplog.set_level(logging.INFO, logger="faqbot.access")
    client.post("/api/chat", json={"message": "my email is jo@example.com, what is an implant"})
    client.get("/sources/two-stage-process?q=secret-words")
    client.get("/no/such/page-with-a-name")
    lines = [r.getMessage() for r in caplog.records if r.name == "faqbot.access"]
    assert len(lines) == 3
    assert lines[0].startswith("POST /api/chat 200 ") and lines[0].endswith(" ms")
    assert lines[1].startswith("GET /sources/<document_id> 200 ")
    assert lines[2].startswith("GET (no route) 404 ")
    text = " ".join(lines)
    assert "jo@example.com" not in text and "secret-words" not in text and "page-with-a-name" not in text


def _queue_warning(depth: int) -> logging.LogRecord:
    return logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d", (depth,), None)


def test_queue_warnings_become_one_summary_per_interval():
    now = [0.0]
    summary = QueueDepthSummary(interval=60, clock=lambda: now[0])
    passed = []
    for second in range(120):  # two minutes of a queue on every request
        now[0] = float(second)
        for depth in (1, 3, 2):
            record = _queue_warning(depth)
            if summary.filter(record):
                passed.append(record.getMessage())
    assert passed == [
        "181 request(s) waited for a free thread in the last 60 s (deepest queue 3)",  # 60 s x 3, then 1
    ]
    other = logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, "something else", (), None)
    assert summary.filter(other)
