"""Two `python -m faqbot serve` processes on one PostgreSQL and one Redis, as behind a proxy.

One is stopped (SIGTERM, as `docker compose stop` or a rolling restart does) while patients chat: the
other keeps answering, every reply a patient received is a row in the database, and a client's rate
limit is counted across both processes.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import servers

LIMIT = 20  # requests per minute one client may make to each POST endpoint, across both processes


def ask(base: str, address: str) -> int:
    """One chat request as the proxy forwards it for the client at `address`; 0 when the process is gone."""
    request = urllib.request.Request(
        base + "/api/chat",
        data=json.dumps({"message": "what is a dental implant"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": address},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Proxy:
    """Patients behind a round-robin proxy: a request the stopped process cannot take is sent to the other."""

    def __init__(self, processes: list[servers.AppProcess]) -> None:
        self.processes, self.turn, self.lock = processes, 0, threading.Lock()
        self.answered = self.failed_over = 0

    def send(self, address: str) -> int:
        with self.lock:
            self.turn += 1
            order = self.processes[self.turn % 2 :] + self.processes[: self.turn % 2]
        for process in order:
            status = ask(process.url, address)
            if status:
                break
            with self.lock:
                self.failed_over += 1
        with self.lock:
            self.answered += status == 200
        return status


def test_one_process_stops_during_traffic_and_nothing_is_lost(postgres_url, redis_url, stored, tmp_path):
    settings = {
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis_url,
        "DATABASE": str(tmp_path / "unused.sqlite"),
        "SECRET_KEY": "s" * 64,
        "BEHIND_PROXY": "true",  # the proxy says who the client is; each patient below has their own address
        "RATELIMIT_POST": f"{LIMIT} per minute",
        "EMBEDDING_CACHE": str(tmp_path / "embeddings.npz"),
    }
    first = servers.AppProcess(settings, folder=tmp_path, threads=4).wait_ready()
    second = servers.AppProcess(settings, folder=tmp_path, threads=4).wait_ready()  # the cache is warm now
    proxy = Proxy([first, second])
    try:
        # Limits are shared: one client's requests, alternating between the processes, count together.
        statuses = [proxy.send("198.51.100.9") for _ in range(LIMIT + 1)]
        assert statuses == [200] * LIMIT + [429]

        # Patients chat from four threads, each message from its own address; one process stops meanwhile.
        errors: list[int] = []
        stop = threading.Event()

        def patient(number: int) -> None:
            sent = 0
            while not stop.is_set():
                status = proxy.send(f"10.{number}.{sent // 250}.{sent % 250}")
                sent += 1
                if status != 200:
                    errors.append(status)

        patients = [threading.Thread(target=patient, args=(n,)) for n in range(4)]
        for thread in patients:
            thread.start()
        deadline = time.monotonic() + 60
        while proxy.answered < LIMIT + 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        before = proxy.answered
        assert first.stop() == 0, first.log.read_text()  # SIGTERM while requests are under way
        while proxy.answered < before + 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for thread in patients:
            thread.join()
    finally:
        first.stop()
        status = second.stop()
    assert status == 0, second.log.read_text()

    assert proxy.answered >= before + 60  # the other process kept answering
    assert errors == []  # every patient got a reply (the proxy sent it to the process still running)
    assert proxy.failed_over >= 1  # and some did need sending elsewhere: the stop happened under traffic
    [(rows,)] = stored({"DATABASE_URL": postgres_url}, "SELECT COUNT(*) FROM reply")
    # Every reply a patient received has its row. A request cut off by the stop may have been recorded
    # before its answer was lost; the proxy sent it again, so it can count twice, never zero times.
    assert proxy.answered <= rows <= proxy.answered + proxy.failed_over
    for process in (first, second):
        assert "0 dropped" in process.log.read_text()
