"""Enforcement on the platform, behind one interface.

- LocalAdapter: FraudHub is the platform's record; the status is kept on the Target (default).
- WebhookAdapter: an HMAC-SHA256-signed JSON POST to the platform, with an idempotency key;
  retried with back-off by the enforcement job.
- RecordingAdapter: keeps orders in memory and can be told to fail; for tests.
"""

from __future__ import annotations

import abc
import datetime
import email.utils
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    retryable: bool = False
    detail: str = ""
    # How long the platform asked us to wait before the next attempt (its Retry-After), if it
    # said so: the back-off waits at least that long.
    retry_after_seconds: int | None = None


# A platform's Retry-After is followed up to this long; beyond it the back-off's own cap holds.
RETRY_AFTER_MAX_SECONDS = 6 * 3600


def parse_retry_after(value: str | None, *, now: float | None = None) -> int | None:
    """Seconds to wait from a Retry-After header (delay in seconds or an HTTP date), or None.

    A value that is neither, negative or in the past is ignored; a longer one is capped at
    RETRY_AFTER_MAX_SECONDS, so a platform cannot park an order for days.
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        seconds = int(text[:12])
    else:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # an HTTP date is GMT; a zone-less one is read as such
            when = when.replace(tzinfo=datetime.UTC)
        seconds = int(when.timestamp() - (time.time() if now is None else now))
    if seconds <= 0:
        return None
    return min(seconds, RETRY_AFTER_MAX_SECONDS)


class PlatformAdapter(abc.ABC):
    name: ClassVar[str]

    @abc.abstractmethod
    def deliver(self, *, order: dict[str, Any], idempotency_key: str) -> DeliveryResult:
        """Hand one enforcement order (apply or revert) to the platform."""


class LocalAdapter(PlatformAdapter):
    name = "local"

    def deliver(self, *, order: dict[str, Any], idempotency_key: str) -> DeliveryResult:
        return DeliveryResult(ok=True, detail="recorded in FraudHub")


def sign_body(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(*, secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiving platform does with X-FraudHub-Signature (`t=<unix>,v1=<hex>`)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign_body(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, parts.get("v1", ""))


# Statuses after which sending the same order again may succeed.
_RETRYABLE_STATUSES = {408, 409, 425, 429}


class WebhookAdapter(PlatformAdapter):
    """POSTs each order to the platform; the whole exchange must end within `timeout` seconds.

    The limit bounds the delivery, not each read: a socket timeout alone lets a platform that
    sends its answer a byte at a time hold the worker for ever. Redirects are not followed:
    a 3xx is a failed delivery (followed, the order would have become a GET without its body,
    and the page it landed on would have answered 200 for an order the platform never saw).
    """

    name = "webhook"

    def __init__(self, url: str | None = None, secret: str | None = None,
                 timeout: float | None = None) -> None:
        self.url = url if url is not None else settings.FRAUDHUB_WEBHOOK_URL
        self.secret = secret if secret is not None else settings.FRAUDHUB_WEBHOOK_SECRET
        self.timeout = (
            timeout if timeout is not None else settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS
        )
        if not self.url or not self.secret:
            raise ImproperlyConfigured(
                "FRAUDHUB_WEBHOOK_URL and FRAUDHUB_WEBHOOK_SECRET are required for the webhook "
                "adapter"
            )
        self._target = urllib.parse.urlsplit(self.url)
        if self._target.scheme not in ("http", "https") or not self._target.hostname:
            raise ImproperlyConfigured(
                f"FRAUDHUB_WEBHOOK_URL must be an http:// or https:// address, not {self.url!r}")

    def deliver(self, *, order: dict[str, Any], idempotency_key: str) -> DeliveryResult:
        body = json.dumps(order, sort_keys=True, separators=(",", ":")).encode("utf-8")
        timestamp = int(time.time())
        signature = sign_body(secret=self.secret, timestamp=timestamp, body=body)
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
            "X-FraudHub-Event": f"enforcement.{order['action']}",
            "X-FraudHub-Signature": f"t={timestamp},v1={signature}",
            "User-Agent": "FraudHub-Enforcement/1",
        }
        exchange = _Exchange(self._target, timeout=self.timeout)
        try:
            status, retry_after = exchange.post(body, headers)
        except (http.client.HTTPException, OSError, ValueError) as exc:
            # Whatever the other end did (not HTTP at all, a broken status line, a NUL byte,
            # too slow), the order may succeed later: retried with back-off, described in
            # printable text.
            if exchange.expired:
                detail = f"no complete answer within {self.timeout:g} s"
            else:
                detail = f"{type(exc).__name__}: {exc}".replace("\x00", "\\0")[:500]
            return DeliveryResult(ok=False, retryable=True, detail=detail)
        if 200 <= status < 300:
            return DeliveryResult(ok=True, detail=f"HTTP {status}")
        retryable = status >= 500 or status in _RETRYABLE_STATUSES
        wait = parse_retry_after(retry_after) if retryable else None
        detail = f"HTTP {status}" + (f" (Retry-After: {wait} s)" if wait else "")
        return DeliveryResult(ok=False, retryable=retryable, detail=detail,
                              retry_after_seconds=wait)


class _Exchange:
    """One POST on its own connection, cut off when its deadline passes.

    The deadline spans the whole attempt: the name lookup, connecting to each address the
    name has, the TLS handshake, sending and the answer's status and headers. A socket timeout
    alone is per step (http.client's connect tries every address with the full timeout each,
    and the name lookup has none), so a platform whose name has two unanswering addresses took
    twice the timeout, and one whose lookup was slow got a fresh timeout for each later read.
    """

    def __init__(self, target: urllib.parse.SplitResult, *, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self.expired = False
        self._deadline = 0.0
        self._lock = threading.Lock()
        # The socket the watchdog shuts down at the deadline, once connected.
        self._sock: socket.socket | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str | None]:
        """The answer's status and its Retry-After header (None when absent)."""
        target = self.target
        connection_class = _TLSConnection if target.scheme == "https" else _Connection
        connection = connection_class(self, target.hostname or "", target.port)
        path = target.path or "/"
        if target.query:
            path += "?" + target.query
        self._deadline = time.monotonic() + self.timeout
        watchdog = threading.Timer(self.timeout, self._expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheader("Retry-After")
        except (http.client.HTTPException, OSError):
            # A socket timeout (set to the time left) may end a step a moment before the
            # watchdog: it is the same deadline.
            if time.monotonic() >= self._deadline:
                self.expired = True
            raise
        finally:
            watchdog.cancel()
            connection.close()
            with self._lock:
                if self._sock is not None:
                    self._sock.close()  # a handshake cut short left it to us

    def remaining(self) -> float:
        """Seconds left before the deadline; past it the exchange has expired."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError(f"no complete answer within {self.timeout:g} s")
        return left

    def open_socket(self, host: str, port: int, *, tls: bool) -> socket.socket:
        """A socket connected to the platform (and its TLS handshake done) within the time
        left; each address the name has is tried in turn until one answers."""
        error: OSError | None = None
        for family, kind, proto, _name, address in self._resolve(host, port):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.remaining())
                sock.connect(address)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            return self._handshake(sock, host) if tls else self._watch(sock)
        self.remaining()  # the time ran out on the last address: say so
        raise error if error is not None else OSError(f"{host} has no address")

    def _resolve(self, host: str, port: int) -> list[Any]:
        """The name's addresses; the lookup runs in a thread so that a resolver that hangs
        costs this exchange only the time it has left (the thread ends with the resolver's own
        timeout)."""
        found: list[Any] = []
        failure: list[OSError | ValueError] = []

        def lookup() -> None:
            try:
                found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except (OSError, ValueError) as exc:  # ValueError: a name IDNA cannot encode
                failure.append(exc)

        resolver = threading.Thread(target=lookup, name="webhook-lookup", daemon=True)
        resolver.start()
        resolver.join(self.remaining())
        if resolver.is_alive():
            self.remaining()  # raises: the deadline passed during the lookup
            raise TimeoutError(f"looking up {host} did not end")
        if failure:
            raise failure[0]
        return found

    def _watch(self, sock: socket.socket) -> socket.socket:
        """Hand the connected socket to the watchdog, unless the deadline has already passed."""
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError(f"no complete answer within {self.timeout:g} s")
            self._sock = sock
        sock.settimeout(self.remaining())
        return sock

    def _handshake(self, sock: socket.socket, host: str) -> socket.socket:
        wrapped = ssl.create_default_context().wrap_socket(
            sock, server_hostname=host, do_handshake_on_connect=False)
        # Watched before the handshake, so a platform that drags it out is cut off too.
        self._watch(wrapped)
        wrapped.do_handshake()
        return wrapped

    def _expire(self) -> None:
        # Shutting the socket down wakes the read (or handshake) blocked on it, which then
        # fails; socket.socket's own shutdown, as SSLSocket's would drop its TLS state under
        # the handshake still running in the other thread.
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed: the exchange is over


class _Connection(http.client.HTTPConnection):
    """Connects through its exchange, so that connecting counts against its deadline."""

    tls = False

    def __init__(self, exchange: _Exchange, host: str, port: int | None) -> None:
        super().__init__(host, port, timeout=exchange.timeout)
        self.exchange = exchange

    def connect(self) -> None:
        self.sock = self.exchange.open_socket(self.host, self.port, tls=self.tls)


class _TLSConnection(_Connection):
    tls = True
    default_port = http.client.HTTPS_PORT


class RecordingAdapter(PlatformAdapter):
    """Keeps every order; fails the first `fail_first` deliveries. Chosen by tests."""

    name = "recording"
    orders: ClassVar[list[dict[str, Any]]] = []
    fail_first: ClassVar[int] = 0
    _calls: ClassVar[int] = 0

    @classmethod
    def reset(cls, *, fail_first: int = 0) -> None:
        cls.orders = []
        cls.fail_first = fail_first
        cls._calls = 0

    def deliver(self, *, order: dict[str, Any], idempotency_key: str) -> DeliveryResult:
        type(self)._calls += 1
        if type(self)._calls <= self.fail_first:
            return DeliveryResult(ok=False, retryable=True, detail="told to fail")
        type(self).orders.append({**order, "idempotency_key": idempotency_key})
        return DeliveryResult(ok=True, detail="recorded")


ADAPTERS: dict[str, type[PlatformAdapter]] = {
    cls.name: cls for cls in (LocalAdapter, WebhookAdapter, RecordingAdapter)
}


def get_adapter(name: str | None = None) -> PlatformAdapter:
    key = name or settings.FRAUDHUB_PLATFORM_ADAPTER
    try:
        return ADAPTERS[key]()
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"FRAUDHUB_PLATFORM_ADAPTER={key!r}; one of {', '.join(ADAPTERS)}"
        ) from exc
