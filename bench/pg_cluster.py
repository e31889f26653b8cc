"""A throwaway PostgreSQL cluster for bench/run.py's PostgreSQL rows (standard library only).

    cluster = PgCluster(state_dir)
    try:
        admin_url = cluster.ensure_started()     # scripts/test-postgres start STATE, once
        url = cluster.create_database("bench_ingest_1")
        ...                                      # socialgate serve --storage URL
    finally:
        cluster.stop()                           # scripts/test-postgres stop STATE

The cluster is scripts/test-postgres's: PostgreSQL 15 in a fresh mktemp directory
(/tmp/sg-pg-*), listening on 127.0.0.1 at a free port, trust authentication for the superuser
`socialgate`, fsync and synchronous_commit left on. `stop` stops it and removes the directory.
STATE is a directory of the caller's; `start` first stops a cluster an earlier run left in it
(one killed before its `stop`). SQL goes through `psql`; nothing here imports bench/run.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "test-postgres")
PG_BIN = "/usr/lib/postgresql/15/bin"

START_TIMEOUT_S = 120  # initdb + start (the script's own bound on the start is 60 s)
STOP_TIMEOUT_S = 60
PSQL_TIMEOUT_S = 30


class PgError(Exception):
    """The cluster could not be started, stopped or queried."""


def missing() -> list[str]:
    """What running a cluster needs and this machine lacks (empty when all is there)."""
    out = []
    if not os.access(SCRIPT, os.X_OK):
        out.append(SCRIPT)
    if not os.access(os.path.join(PG_BIN, "initdb"), os.X_OK):
        out.append(os.path.join(PG_BIN, "initdb") + " (PostgreSQL 15)")
    if shutil.which("psql") is None:
        out.append("psql")
    return out


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead: postgresql://u@h:p/postgres -> .../name."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def psql(url: str, sql: str, timeout: float = PSQL_TIMEOUT_S) -> list[list[str]]:
    """Runs `sql` (one statement) on `url`; the result's rows, each a list of column texts."""
    argv = ["psql", "-qAt", "-v", "ON_ERROR_STOP=1", "-F", "\t", url, "-c", sql]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                             stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise PgError(f"psql did not answer within {timeout:.0f} s: {sql}") from None
    if out.returncode != 0:
        raise PgError(f"psql {sql!r}: {out.stderr.strip() or f'status {out.returncode}'}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


class PgCluster:
    """One cluster, started once (`start`) and stopped once (`stop`, safe to call always)."""

    def __init__(self, state_dir: str):
        self.state_dir = os.path.abspath(state_dir)
        self.admin_url: str | None = None
        self.start_error: str | None = None

    def _script(self, command: str, timeout: float) -> str:
        argv = [SCRIPT, command, self.state_dir]
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL, cwd=ROOT)
        except subprocess.TimeoutExpired:
            raise PgError(f"scripts/test-postgres {command} took over {timeout:.0f} s") from None
        if out.returncode != 0:
            raise PgError(f"scripts/test-postgres {command} failed (status {out.returncode}): "
                          f"{out.stderr.strip()[-500:] or '(no output)'}")
        return out.stdout

    def start(self) -> str:
        """Starts the cluster; its admin URL (database "postgres")."""
        os.makedirs(self.state_dir, exist_ok=True)
        try:
            printed = self._script("start", START_TIMEOUT_S)
        except PgError:
            self.stop()  # a half-made cluster (initdb done, server not started)
            raise
        m = re.search(r"^(postgres(?:ql)?://\S+)$", printed, re.M)
        if not m:
            self.stop()
            raise PgError(f"scripts/test-postgres start printed no URL: {printed[-300:]!r}")
        self.admin_url = m.group(1)
        return self.admin_url

    def ensure_started(self) -> str:
        """The admin URL, starting the cluster on the first call; once a start has failed,
        every later call fails the same way (the cluster is started once at most)."""
        if self.admin_url is None:
            if self.start_error is not None:
                raise PgError(self.start_error)
            try:
                self.start()
            except PgError as e:
                self.start_error = str(e)
                raise
        return self.admin_url

    def stop(self) -> None:
        """Stops the cluster and removes its directory and the state directory."""
        if os.path.isdir(self.state_dir):
            try:
                self._script("stop", STOP_TIMEOUT_S)
            finally:
                shutil.rmtree(self.state_dir, ignore_errors=True)
        self.admin_url = None

    def _admin(self) -> str:
        if self.admin_url is None:
            raise PgError("the PostgreSQL cluster is not running")
        return self.admin_url

    def create_database(self, name: str) -> str:
        """A new empty database `name` (dropped first if there); the URL naming it."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise PgError(f"not a plain database name: {name!r}")
        psql(self._admin(), f"DROP DATABASE IF EXISTS {name}")
        psql(self._admin(), f"CREATE DATABASE {name}")
        return with_database(self._admin(), name)

    def settings(self) -> dict[str, str]:
        """The server's version and the settings the benchmark's figures depend on."""
        names = ("server_version", "fsync", "synchronous_commit", "wal_sync_method",
                 "shared_buffers", "max_connections")
        sql = ("SELECT name, setting || COALESCE(unit, '') FROM pg_settings WHERE name IN ("
               + ", ".join(f"'{n}'" for n in names) + ")")
        out = {row[0]: row[1] for row in psql(self._admin(), sql)}
        # pg_settings gives shared_buffers in 8 kB pages ("8192" + "8kB"): say it in MB.
        m = re.fullmatch(r"(\d+)8kB", out.get("shared_buffers", ""))
        if m:
            out["shared_buffers"] = f"{int(m.group(1)) * 8 // 1024}MB"
        return out

    def directory(self) -> str | None:
        """The cluster's temporary directory (/tmp/sg-pg-...), while it exists."""
        try:
            with open(os.path.join(self.state_dir, "dir")) as f:
                return f.read().strip() or None
        except OSError:
            return None

    def server_pid(self) -> int | None:
        """The postmaster's process id (the first line of data/postmaster.pid)."""
        try:
            with open(os.path.join(self.directory() or "", "data", "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def cpu_seconds(self) -> float:
        """CPU (user + system) the server's processes have used so far: the postmaster, its
        live children (backends, WAL writer, checkpointer...) and its children that exited."""
        root = self.server_pid()
        if root is None:
            return 0.0
        total = 0.0
        for pid in [root] + children(root):
            fields = proc_stat(pid)
            if fields is None:
                continue
            # utime, stime, cutime, cstime are fields 14-17 (proc(5)); cutime and cstime of
            # the postmaster hold its exited backends, of a backend nothing.
            total += sum(int(x) for x in fields[11:15])
        return total / os.sysconf("SC_CLK_TCK")


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command (field 3, the state, first)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(parent: int) -> list[int]:
    """The process ids whose parent is `parent`."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = proc_stat(int(entry))
            if fields is not None and fields[1] == str(parent):  # field 4, the parent's id
                out.append(int(entry))
    return out


def wait_numbers_split(url: str, instances: int, timeout: float) -> tuple[bool, dict[str, int]]:
    """Waits until `instances` gateways on `url` each hold their share of the business numbers
    (table number_leases: at most the count over `instances` rounded up each); whether they
    did within `timeout` seconds, and how many numbers each holder has."""
    sql = ("SELECT owner, COUNT(*) FROM number_leases WHERE owner IS NOT NULL AND lease_until > "
           "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint GROUP BY owner")
    deadline = time.monotonic() + timeout
    held: dict[str, int] = {}
    while True:
        try:
            total = int(psql(url, "SELECT COUNT(*) FROM number_leases")[0][0])
            held = {row[0]: int(row[1]) for row in psql(url, sql)}
        except PgError:
            total, held = 0, {}  # the schema may not be there yet
        share = -(-total // instances) if total else 0
        if (total and len(held) == instances and sum(held.values()) == total
                and max(held.values()) <= share):
            return True, held
        if time.monotonic() > deadline:
            return False, held
        time.sleep(0.5)
