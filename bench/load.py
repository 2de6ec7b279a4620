"""Load test: the production server under 32 concurrent clients, chat next to a static ceiling.

Run:  .venv/bin/python bench/load.py [--clients 32] [--seconds 10] [--threads 8]
      .venv/bin/python bench/load.py --shared   # one process on SQLite beside two on PostgreSQL + Redis

Starts `faqbot.serve.serve` (what `python -m faqbot serve` runs) in a subprocess on 127.0.0.1 with
a free port, a throw-away statistics database and rate limiting off (32 clients from one address
would otherwise be refused by design). Then, for a bounded time each, the clients send
POST /api/chat (a mix of answers, follow-ups, fallbacks, small talk and urgent messages) and
GET /api/health, the ceiling of what the server can do with no work. Prints throughput, median and
99th-percentile latency and the error count for both, their ratio, and checks that every chat
reply was recorded in the statistics database; exits 1 on any error or lost row.

--shared measures POST /api/chat twice, under the same clients: one process on its SQLite file, then
two processes (the clients split between them) on one PostgreSQL and one Redis, which the benchmark
starts from Debian's packages (tests/servers.py) and throws away. Both runs count rate limits (per
client, as a proxy would name them in X-Forwarded-For, with a limit no client reaches), so the Redis
run pays for its shared counters; both check that every reply is a row in the database.
Traffic stays on loopback; every loop is bounded by the clock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# --shared: rate limits counted per client (X-Forwarded-For from a trusted proxy), never reached.
LIMITED = {"FAQBOT_BEHIND_PROXY": "true", "FAQBOT_RATELIMIT_POST": "1000000 per minute"}
MESSAGES = [
    "what is a dental implant",
    "does implant surgery hurt",
    "how long does healing take in the upper jaw?",
    "and for the lower jaw?",
    "will I need stitches",
    "can I pay with bitcoin",
    "thank you",
    "my gum has been bleeding for hours and it won't stop",
    "what is a healing abutment",
    "how is the crown made",
]


@dataclass
class Result:
    """Latencies and errors of one endpoint's run."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    answered: int = 0  # every 200, warm-up included: each chat one must be a row in the database

    def line(self, name: str, width: int = 17) -> str:
        """Return one row of the results table."""
        ordered = sorted(self.latencies) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"{name:<{width}} {len(self.latencies):>9} {self.throughput:>9.0f} "
            f"{statistics.median(ordered) * 1000:>10.2f} {p99 * 1000:>8.2f} {self.errors:>7}"
        )

    @property
    def throughput(self) -> float:
        """Successful requests per second."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def start_server(threads: int, folder: str, settings: dict[str, str] | None = None) -> tuple[subprocess.Popen, int]:
    """Start the production server on a free loopback port and return it with the port it bound."""
    env = {
        **os.environ,
        "FAQBOT_RATELIMIT_ENABLED": "false",
        "FAQBOT_DATABASE": os.path.join(folder, "bench.sqlite"),
        "FAQBOT_SECRET_KEY": "b" * 64,  # the same for every process of a run, as a deployment's
        "FAQBOT_EMBEDDING_CACHE": str(ROOT / "instance" / "embeddings.npz"),
        **(settings or {}),
    }
    code = f"from faqbot.serve import serve; serve(None, {HOST!r}, 0, {threads})"
    # The log goes to a file: a pipe nobody reads would fill up and stall the server mid-run.
    log = Path(folder, f"server-{time.monotonic_ns()}.log")
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=output, stderr=output)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        found = re.search(r"serving on http://[\d.]+:(\d+)", log.read_text())
        if found:
            return process, int(found.group(1))
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


async def request(reader, writer, method: str, path: str, body: bytes = b"", client: str = "") -> tuple[int, bytes]:
    """Send one HTTP/1.1 request on a kept-alive connection and read the whole response."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
    if client:
        head += f"X-Forwarded-For: {client}\r\n"
    if body:
        head += "Content-Type: application/json\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    payload = await reader.readexactly(length)
    return int(status_line.split()[1]), payload


async def client(number: int, port: int, endpoint: str, until: float, counting_from: float, result: Result) -> None:
    """One patient's browser: one connection, requests back to back until the time is up."""
    reader, writer = await asyncio.open_connection(HOST, port)
    conversation = None
    turn = number
    try:
        while (started := time.monotonic()) < until:
            try:
                if endpoint == "chat":
                    message = MESSAGES[turn % len(MESSAGES)]
                    turn += 1
                    body = json.dumps({"message": message, "conversation": conversation}).encode()
                    status, payload = await request(reader, writer, "POST", "/api/chat", body, f"10.0.0.{number}")
                    if status == 200:
                        conversation = json.loads(payload)["conversation"]
                else:
                    status, _ = await request(reader, writer, "GET", "/api/health")
            except (OSError, asyncio.IncompleteReadError, ValueError):
                status = 0
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
            result.answered += status == 200
            if started < counting_from:
                continue  # warm-up: connections opened, caches filled
            if status == 200:
                result.latencies.append(time.monotonic() - started)
            else:
                result.errors += 1
    finally:
        writer.close()


async def run(endpoint: str, ports: int | list[int], clients: int, seconds: float, warm_up: float) -> Result:
    """Run all clients against one endpoint for a bounded time and collect the figures.

    With several ports (processes), client n talks to ports[n % len(ports)], as a round-robin proxy would.
    """
    ports = [ports] if isinstance(ports, int) else ports
    result = Result(seconds=seconds)
    counting_from = time.monotonic() + warm_up
    until = counting_from + seconds
    await asyncio.gather(
        *(client(n, ports[n % len(ports)], endpoint, until, counting_from, result) for n in range(clients))
    )
    return result


def shared_comparison(args) -> int:
    """Chat on one process with SQLite, then on two processes sharing PostgreSQL and Redis; one table."""
    sys.path.insert(0, str(ROOT / "tests"))
    import servers  # throw-away PostgreSQL and Redis from Debian's packages
    from sqlalchemy import create_engine, text

    rows: list[tuple[str, Result, int]] = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite, port = start_server(args.threads, folder, {**LIMITED, "FAQBOT_RATELIMIT_ENABLED": "true"})
        try:
            result = asyncio.run(run("chat", port, args.clients, args.seconds, warm_up=1.0))
        finally:
            sqlite.terminate()
            sqlite.wait(timeout=30)
        with sqlite3.connect(os.path.join(folder, "bench.sqlite")) as db:
            rows.append(("1 process, SQLite", result, db.execute("SELECT COUNT(*) FROM reply").fetchone()[0]))

        postgres, redis = servers.PostgresServer().start(), servers.RedisServer().start()
        try:
            url = postgres.create_database()
            settings = {**LIMITED, "FAQBOT_RATELIMIT_ENABLED": "true"}
            settings |= {"FAQBOT_DATABASE_URL": url, "FAQBOT_REDIS_URL": redis.url()}
            started = [start_server(args.threads, folder, settings) for _ in range(2)]
            try:
                result = asyncio.run(run("chat", [p for _, p in started], args.clients, args.seconds, warm_up=1.0))
            finally:
                for process, _ in started:
                    process.terminate()
                for process, _ in started:
                    process.wait(timeout=30)
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
            with engine.connect() as connection:
                recorded = connection.execute(text("SELECT COUNT(*) FROM reply")).scalar_one()
            engine.dispose()
            rows.append(("2 processes, PostgreSQL + Redis", result, recorded))
        finally:
            redis.stop()
            postgres.stop()

    print(
        f"POST /api/chat on waitress ({args.threads} threads per process), {args.clients} clients, "
        f"{args.seconds:g} s, {os.cpu_count()} cores shared by servers, databases and clients"
    )
    print(f"{'setup':<32} {'requests':>9} {'req/s':>9} {'median ms':>10} {'p99 ms':>8} {'errors':>7} {'recorded':>14}")
    for name, result, recorded in rows:
        print(f"{result.line(name, 32)} {f'{recorded} of {result.answered}':>14}")
    lost = any(recorded != result.answered for _, result, recorded in rows)
    return 1 if lost or any(result.errors for _, result, _ in rows) else 0


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print the table; return 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint (default 10)")
    parser.add_argument("--threads", type=int, default=8, help="server threads (default 8, as `serve`)")
    parser.add_argument(
        "--shared", action="store_true", help="compare one SQLite process with two on PostgreSQL and Redis"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 256 and 0 < args.seconds <= 120):
        parser.error("use 1-256 clients and at most 120 seconds")
    if args.shared:
        return shared_comparison(args)

    with tempfile.TemporaryDirectory() as folder:
        server, port = start_server(args.threads, folder)
        try:
            health = asyncio.run(run("health", port, args.clients, args.seconds, warm_up=1.0))
            chat = asyncio.run(run("chat", port, args.clients, args.seconds, warm_up=1.0))
        finally:
            server.terminate()
            server.wait(timeout=10)
        with sqlite3.connect(os.path.join(folder, "bench.sqlite")) as db:
            recorded = db.execute("SELECT COUNT(*) FROM reply").fetchone()[0]

    print(
        f"faqbot on waitress ({args.threads} threads), {args.clients} clients, {args.seconds:g} s each, "
        f"{os.cpu_count()} cores shared by server and clients"
    )
    print(f"{'endpoint':<17} {'requests':>9} {'req/s':>9} {'median ms':>10} {'p99 ms':>8} {'errors':>7}")
    print(chat.line("POST /api/chat"))
    print(health.line("GET /api/health"))
    ratio = chat.throughput / health.throughput if health.throughput else 0.0
    print(f"chat throughput is {ratio:.0%} of the /api/health ceiling (ratio {ratio:.2f})")
    print(f"replies recorded in the statistics database: {recorded} of {chat.answered}")
    return 1 if chat.errors or health.errors or recorded != chat.answered else 0


if __name__ == "__main__":
    sys.exit(main())
