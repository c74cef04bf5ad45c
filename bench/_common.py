"""What the benchmarks share: a cheap keep-alive HTTP/1.1 client, the `fraudhub` command, a
dedicated PostgreSQL database and the server run in its own process group.

The client is a thin socket-level one, cheaper per request than http.client, because it shares
the machine's CPUs with the server it measures. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

HOST = "127.0.0.1"  # loopback only: the benchmarks never talk to another machine
REQUEST_TIMEOUT = 60.0
SERVER_START_TIMEOUT = 90.0


class HttpError(Exception):
    """The connection failed or the answer could not be read."""


class Connection:
    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT) -> None:
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def close(self) -> None:
        if self.sock is not None:
            with suppress(OSError):
                self.sock.close()
        self.sock = None
        self.buffer = b""

    def connect(self) -> None:
        if self.sock is None:
            sock = socket.create_connection((HOST, self.port), timeout=self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = sock

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(262144)
        if not chunk:
            raise HttpError("connection closed by the server")
        self.buffer += chunk

    def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one complete request; return (status, body). Raises HttpError, OSError."""
        self.connect()
        assert self.sock is not None
        self.sock.sendall(raw)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        self.buffer = self.buffer[end + 4:]
        try:
            status = int(head[0].split(" ", 2)[1])
        except (IndexError, ValueError) as exc:
            raise HttpError(f"bad status line {head[0]!r}") from exc
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(self.buffer) < length:
                self._fill()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:  # body runs to the end of the connection
            with suppress(HttpError):
                while True:
                    self._fill()
            body, self.buffer = self.buffer, b""
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            while (end := self.buffer.find(b"\r\n")) < 0:
                self._fill()
            size = int(self.buffer[:end].split(b";")[0], 16)
            self.buffer = self.buffer[end + 2:]
            while len(self.buffer) < size + 2:
                self._fill()
            if size == 0:
                # trailers are not expected; skip to the blank line
                while (end := self.buffer.find(b"\r\n")) != 0:
                    if end < 0:
                        self._fill()
                    else:
                        self.buffer = self.buffer[end + 2:]
                self.buffer = self.buffer[2:]
                return b"".join(parts)
            parts.append(self.buffer[:size])
            self.buffer = self.buffer[size + 2:]

def build_request(method: str, path: str, port: int, body: bytes | None = None, *,
                  bearer: str | None = None, client_ip: str | None = None,
                  language: str | None = None, agent: str = "fraudhub-bench/1") -> bytes:
    """One complete request, ready to send as many times as needed."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Accept: application/json",
             f"User-Agent: {agent}"]
    if language:
        lines.append(f"Accept-Language: {language}")
    if client_ip:
        lines.append(f"X-Forwarded-For: {client_ip}")
    if bearer:
        lines.append(f"Authorization: Bearer {bearer}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    conn = Connection(port, timeout=timeout)
    try:
        return conn.request(build_request("GET", path, port))
    finally:
        conn.close()


def ms(seconds: float, digits: int = 1) -> str:
    return f"{seconds * 1000:.{digits}f} ms"


def recreate_postgres(url: str) -> None:
    """Drop and create the database ``url`` names, through the server's `postgres` database;
    never one of the server's own."""
    name = conninfo_to_dict(url).get("dbname")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {name!r}: name a dedicated benchmark database")
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(str(name))))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))


def fraudhub_command() -> str:
    beside = Path(sys.executable).with_name("fraudhub")
    found = str(beside) if beside.exists() else shutil.which("fraudhub")
    if found is None:
        raise SystemExit("the `fraudhub` command was not found; run with .venv/bin/python")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_server(cmd: list[str], env: dict[str, str], log: TextIO,
                   port: int) -> Iterator[subprocess.Popen[bytes]]:
    """Start the server in its own process group, wait for /healthz; always stop the group."""
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(proc, port)
        yield proc
    finally:
        stop_group(proc)


def server_banner(log_path: Path) -> str:
    """The last line in which `fraudhub serve` said where it listens, with how many processes."""
    with suppress(OSError):
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        for line in reversed(lines):
            if line.startswith("FraudHub listening on"):
                return line
    return "(serve printed no 'FraudHub listening on' line)"


def wait_healthy(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} while starting")
        with suppress(HttpError, OSError):
            status, body = http_get(port, "/healthz")
            if status == 200 and b'"ok"' in body:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {SERVER_START_TIMEOUT:.0f} s")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL to whatever is left."""
    if proc.poll() is not None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a master that died
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
