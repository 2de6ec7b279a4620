"""Throw-away servers for the tests and bench/load.py: PostgreSQL and Redis from Debian's packages, and the
app on waitress in a thread of the test process.

Each runs on a free loopback port with its own temporary data folder and is stopped (and the folder
removed) at the end. PostgreSQL refuses to run as root: as root, its folder belongs to the `postgres`
user the Debian package creates, and its programs are started as that user. `make test` installs
the packages when they are missing (the Makefile's `services` target).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg


class Missing(RuntimeError):
    """The server's programs are not installed."""


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_bin() -> Path:
    """The folder of the newest installed PostgreSQL's programs (initdb, pg_ctl)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return Path(shutil.which("initdb")).parent
    raise Missing("PostgreSQL is not installed (apt-get install postgresql)")


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only, trusting local connections."""

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
        # PostgreSQL refuses to run as root: as root (CI), its programs run as the package's postgres user.
        # subprocess switches user itself: runuser lives in /usr/sbin, which a CI PATH may not include.
        self._as_user: dict = {}
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as_user = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
        self._databases = 0

    def start(self) -> PostgresServer:
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
        # Durability off: a test database is thrown away, and fsync would make every commit wait for the disk.
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", *, password: str = "") -> str:
        """The URL of one database (trust authentication accepts any password, for tests that need one)."""
        secret = f":{password}" if password else ""
        return f"postgresql://postgres{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; return its URL."""
        self._databases += 1
        name = f"faqbot_{os.getpid()}_{self._databases}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database, ending its open connections."""
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.folder, **self._as_user)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stdout}{result.stderr}")


class RedisServer:
    """redis-server on 127.0.0.1 with nothing saved to disk, in a temporary folder."""

    def __init__(self) -> None:
        self.program = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(self.program):
            raise Missing("Redis is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="faqbot-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        command = [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.folder), "--loglevel", "warning"]
        log = open(self.folder / "server.log", "w")  # noqa: SIM115 - the server writes to it until stopped
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not start: {(self.folder / 'server.log').read_text()}")

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class Outage:
    """A TCP relay in front of a server that a test can cut (connections dropped, new ones refused) and restore."""

    def __init__(self, target_port: int) -> None:
        import threading

        self.target_port = target_port
        self.port = free_port()
        self._threading = threading
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        """Accept connections again, on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self._listener = listener
        self._threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every relayed connection and refuse new ones, as a server that went away."""
        if self._listener is not None:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread; close alone would not
            self._listener.close()
            self._listener = None
        for open_socket in self._sockets:
            with contextlib.suppress(OSError):
                open_socket.shutdown(socket.SHUT_RDWR)
            open_socket.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            server = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                self._threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


class AppProcess:
    """`python -m faqbot serve` on a free loopback port, with FAQBOT_* settings from `settings`."""

    def __init__(self, settings: dict[str, str], *, folder: Path, threads: int = 8) -> None:
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **{f"FAQBOT_{key}": value for key, value in settings.items()}}
        env.setdefault("FAQBOT_EMBEDDING_CACHE", str(folder / "embeddings.npz"))
        self.log = folder / f"server-{self.port}.log"
        command = [sys.executable, "-m", "faqbot", "serve", "--port", str(self.port), "--threads", str(threads)]
        root = Path(__file__).resolve().parent.parent
        with open(self.log, "w") as output:  # a file, not a pipe: nobody reads a pipe while the server runs
            self.process = subprocess.Popen(command, cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 90) -> AppProcess:
        """Wait until /api/health answers (the first start embeds the knowledge base)."""
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                urllib.request.urlopen(self.url + "/api/health", timeout=1).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer: {self.log.read_text()}")

    def stop(self, signal_number: int | None = None, timeout: float = 30) -> int:
        """Stop it (SIGTERM by default, as a service manager does) and return its exit status."""
        import signal

        if self.process.poll() is None:
            self.process.send_signal(signal_number or signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class WaitressThread:
    """The app served by waitress (the production server) on a free loopback port, in a thread of this process."""

    def __init__(self, app, threads: int = 2):
        # Imported here: bench/load.py imports this module for PostgreSQL and Redis without faqbot on its path.
        from waitress import wasyncore

        from faqbot.serve import make_server

        self._close_all = wasyncore.close_all
        self.server = make_server(app, "127.0.0.1", 0, threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the sockets from waitress's own loop thread: closed from another thread, the loop went on
        polling them and its thread died on "Bad file descriptor". With its map empty, the loop ends."""
        server = self.server
        server.trigger.pull_trigger(lambda: (server.task_dispatcher.shutdown(), self._close_all(server._map)))
        self._thread.join(timeout=5)
        if self._thread.is_alive():
            raise RuntimeError("the waitress test server did not stop")
