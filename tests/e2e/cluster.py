"""The production topology on one machine: PostgreSQL, N ``frontline run --webhook`` workers on
loopback and nginx in front of them — run as plain processes, with the nginx config that the
README's "Deploying" section documents (``bot/deploy/nginx.conf``).

Used by the multi-worker e2e test and by ``tests/benchmarks/cluster_bench.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.emulator import Emulator
from handlers.office import Office
from handlers.registration import roster
from storage.db import make_engine
from tests.conftest import unavailable
from tests.e2e.harness import BotProcess, free_port, office_for, safe_env

DEPLOY = Path(__file__).resolve().parents[2] / "bot" / "deploy"
NGINX_SITE = DEPLOY / "nginx.conf"
INSTALL_NGINX = "apt-get install -y nginx"
INSTALL_PGSERVER = "uv sync"
WEBHOOK_PATH = "/telegram/"  # the location nginx forwards (bot/deploy/nginx.conf)
LEADS_SENDER = "leader: this process now runs the sender"
# The sender and the scheduler as fast as the emulator takes them: the figures are ours.
UNLIMITED = {"FRONTLINE_SEND_RATE_PER_SECOND": "100000",
             "FRONTLINE_PRIVATE_CHAT_PER_SECOND": "1000",
             "FRONTLINE_GROUP_CHAT_PER_MINUTE": "100000"}

_UPSTREAM_SERVER = re.compile(r"^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n", re.MULTILINE)
_TLS = re.compile(r"^(\s*)listen 443 ssl;\n(?:\s*(?:server_name|ssl_\w+)\s[^;]*;\n)*",
                  re.MULTILINE)


def nginx_binary() -> str:
    """Debian's nginx; skip (or under CI, fail) with the command that installs it."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)
    if found is None:
        unavailable("the multi-worker tests need nginx", INSTALL_NGINX)
    return found


def site_config(listen: int, workers: list[int], documented: str | None = None) -> str:
    """The documented site config, on loopback: its upstream lists *workers* and it listens
    on 127.0.0.1:*listen* without TLS. Everything else is the documented file's."""
    source = NGINX_SITE.read_text(encoding="utf-8") if documented is None else documented
    servers = list(_UPSTREAM_SERVER.finditer(source))
    tls = list(_TLS.finditer(source))
    if not servers or len(tls) != 1:
        raise ValueError(f"{NGINX_SITE} lost its upstream servers or its TLS listen line")
    indent, options = servers[0].group(1), servers[0].group(2) or ""
    upstream = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in workers)
    start, end = servers[0].start(), servers[-1].end()
    source = source[:start] + upstream + source[end:]
    tls_match = next(_TLS.finditer(source))
    return (source[:tls_match.start()] + f"{tls_match.group(1)}listen 127.0.0.1:{listen};\n"
            + source[tls_match.end():])


@dataclass
class Nginx:
    """nginx in the foreground with its files in *root* (no root privileges needed)."""

    root: Path
    listen: int
    workers: list[int]
    process: subprocess.Popen[bytes] | None = None

    def start(self, within: float = 15.0) -> None:
        binary = nginx_binary()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "frontline.conf").write_text(site_config(self.listen, self.workers))
        temp = "\n".join(f"    {kind}_temp_path {self.root / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.root / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.root / 'nginx.pid'};\n"
            f"error_log {self.root / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n    access_log off;\n{temp}\n"
            f"    include {self.root / 'frontline.conf'};\n}}\n")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.root), "-e", str(self.root / "error.log"),
             "-c", str(self.root / "nginx.conf")], stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + within
        while not _port_open(self.listen):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start:\n{self.error_log()}")
            time.sleep(0.05)

    def error_log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Postgres:
    """A PostgreSQL server of the test's own (pgserver), so that it can be stopped.

    Its data lives outside pytest's temp root: pytest makes that root private again whenever
    a session starts, and the server runs as its own user.
    """

    data: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="frontline-pg-")))
    url: str = ""
    _server: Any = None  # pgserver.PostgresServer (untyped)

    def start(self) -> Postgres:
        try:
            import pgserver
        except ImportError:  # pragma: no cover - pgserver is a dev dependency
            unavailable("the multi-worker tests need PostgreSQL (pgserver)", INSTALL_PGSERVER)
        self._server = pgserver.get_server(self.data, cleanup_mode="delete")
        self.url = str(self._server.get_uri())
        return self

    def stop(self) -> None:
        """Stop the server as an outage would (``pg_ctl stop -m fast``: clients are cut)."""
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data,
               user=self._server.system_user)

    def resume(self) -> None:
        """Start it again on the same socket (the URL stays valid)."""
        self._server.ensure_postgres_running()

    def close(self) -> None:
        if self._server is not None:
            with contextlib.suppress(Exception):
                self._server.cleanup()


def advisory_locks(url: str) -> int:
    """How many advisory locks are held in the database at *url* (the sender's, the
    scheduler's)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
                "database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )).scalar() or 0)
    finally:
        engine.dispose()


def office_with_residents(url: str, households: int) -> tuple[Office, list[str]]:
    """A fresh office on *url* (schema upgraded once, as `frontline db upgrade` does before
    the workers start) with *households* households; returns their codes."""
    office = office_for(url)
    rows = [{"building": "1", "room": f"{i:04d}", "name": f"住户{i}",
             "phone": f"1390000{i:04d}"} for i in range(households)]
    roster.import_households(office, enumerate(rows, start=2))
    return office, [code for _, _, code in roster.household_codes(office)]


@dataclass
class Cluster:
    """N workers behind nginx, sharing one database; ``url`` is the public webhook URL."""

    root: Path
    api_base: str
    database_url: str
    framework: str = "aiogram"
    env: dict[str, str] = field(default_factory=dict)
    workers: list[BotProcess] = field(default_factory=list)
    nginx: Nginx | None = None
    url: str = ""

    async def start(self, count: int) -> None:
        """nginx first, then the workers, all at once (whichever is first takes the lead)."""
        ports = [free_port() for _ in range(count)]
        self.nginx = Nginx(self.root / "nginx", free_port(), ports)
        self.nginx.start()
        self.url = f"http://127.0.0.1:{self.nginx.listen}{WEBHOOK_PATH}{secrets.token_hex(6)}"
        secret = secrets.token_urlsafe(24)
        for index, port in enumerate(ports):
            settings = {"FRONTLINE_DATABASE_URL": self.database_url,
                        "FRONTLINE_FRAMEWORK": self.framework,
                        "FRONTLINE_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                        "FRONTLINE_WEBHOOK_SECRET": secret, **UNLIMITED, **self.env}
            worker = BotProcess(safe_env(self.api_base, **settings),
                                self.root / f"worker-{index + 1}.log", webhook_url=self.url,
                                cwd=self.root)
            self.workers.append(worker)
        await asyncio.gather(*(worker.start(within=90) for worker in self.workers))

    def leading_sender(self) -> list[BotProcess]:
        """The running workers whose latest word on the sender lock is that they hold it."""
        leaders = []
        for worker in self.workers:
            if not worker.running:
                continue
            lines = [line for line in worker.log().splitlines()
                     if LEADS_SENDER in line or "sender lock" in line
                     or "the sender stopped" in line]
            if lines and LEADS_SENDER in lines[-1]:
                leaders.append(worker)
        return leaders

    async def stop(self) -> None:
        for worker in self.workers:
            if worker.running:
                with contextlib.suppress(Exception):
                    await worker.terminate(within=30)
            worker.cleanup()
        if self.nginx is not None:
            self.nginx.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {w.log_path.name}\n{w.log()[-3000:]}" for w in self.workers)


@asynccontextmanager
async def running_cluster(root: Path, api_base: str, database_url: str, count: int, *,
                          framework: str = "aiogram", **env: str) -> AsyncIterator[Cluster]:
    """*count* workers behind nginx, stopped (gracefully) on exit."""
    cluster = Cluster(root, api_base, database_url, framework, env)
    try:
        await cluster.start(count)
        yield cluster
    finally:
        await cluster.stop()


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """A server of our own, deleted afterwards."""
    server = Postgres().start()
    try:
        yield server
    finally:
        server.close()


@asynccontextmanager
async def on_postgres_of_its_own(root: Path, api_base: str, count: int,
                                 framework: str = "aiogram",
                                 ) -> AsyncIterator[tuple[Postgres, Cluster]]:
    """nginx and *count* workers on a PostgreSQL server started for them (it can be
    stopped), the schema upgraded before the first worker starts."""
    nginx_binary()
    with postgres() as database:
        office, _ = office_with_residents(database.url, 0)
        office.engine.dispose()
        async with running_cluster(root, api_base, database.url, count,
                                   framework=framework) as cluster:
            yield database, cluster

@dataclass
class Strangers:
    """People who have not bound their chat yet: each message they write gets exactly one
    reply (the welcome with how to bind), so replies can be counted against updates.

    ``stamp()`` notes when each reply showed up, for the benchmark's update → reply times.
    """

    emulator: Emulator
    count: int
    users: list[int] = field(default_factory=list)
    sent_at: dict[int, list[float]] = field(default_factory=dict)
    replied_at: dict[int, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.users = [self.emulator.create_user(f"访客{i}", language_code="zh-hans").id
                      for i in range(self.count)]
        for user in self.users:
            self.sent_at[user], self.replied_at[user] = [], []

    def write(self, messages: int = 1) -> int:
        """Each person writes *messages* more; returns how many updates that made."""
        for _ in range(messages):
            for user in self.users:
                self.say(user)
        return messages * len(self.users)

    def say(self, user: int) -> None:
        """*user* writes one more message."""
        self.emulator.send_text(user, f"你好 {len(self.sent_at[user])}")
        self.sent_at[user].append(time.monotonic())

    def replies(self, user: int) -> int:
        return sum(1 for m in self.emulator.chats[user].messages if m.from_bot)

    @property
    def sent(self) -> int:
        return sum(len(stamps) for stamps in self.sent_at.values())

    def answered(self) -> bool:
        """Every update has its reply."""
        return all(self.replies(u) >= len(self.sent_at[u]) for u in self.users)

    def doubled(self) -> int:
        """Replies beyond one per update."""
        return sum(max(0, self.replies(u) - len(self.sent_at[u])) for u in self.users)

    def missing(self) -> int:
        return sum(max(0, len(self.sent_at[u]) - self.replies(u)) for u in self.users)

    def stamp(self) -> None:
        now = time.monotonic()
        for user in self.users:
            seen = self.replies(user)
            stamps = self.replied_at[user]
            stamps.extend([now] * (seen - len(stamps)))

    def latencies(self) -> list[float]:
        """Seconds from each update to its reply (the n-th reply answers the n-th message)."""
        return [reply - sent for user in self.users
                for sent, reply in zip(self.sent_at[user], self.replied_at[user],
                                       strict=False)]
