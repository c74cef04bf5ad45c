"""One delivery attempt of the webhook adapter ends within FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS,
whichever step is slow: the name lookup, connecting (to each of the name's addresses), or the
answer. Local sockets stand in for the platform; the name lookup is the only thing faked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fraudhub.cases.adapters import DeliveryResult, WebhookAdapter

SECRET = "whsec-test-1234567890"
PLATFORM_HOST = "platform.invalid"
# Well past the 1 s timeout, well short of the twice it used to take.
LATEST = 1.5


@pytest.fixture
def one_second(settings: Any) -> None:
    settings.FRAUDHUB_WEBHOOK_SECRET = SECRET
    settings.FRAUDHUB_WEBHOOK_TIMEOUT_SECONDS = 1


@pytest.fixture
def hanging_address() -> Iterator[tuple[str, int]]:
    """An address whose connect never completes: a listener whose backlog is full drops
    further SYNs, so the connecting side waits (and retransmits) until its timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    address = listener.getsockname()
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(address)
        fillers.append(filler)
    time.sleep(0.1)  # let the handshakes that fit in the backlog complete
    probe = socket.socket()
    probe.settimeout(0.3)
    with pytest.raises(TimeoutError):  # the trick works here: a connect now hangs
        probe.connect(address)
    probe.close()
    yield address
    for filler in fillers:
        filler.close()
    listener.close()


class _SilentServer:
    """Accepts the connection and reads the order, then answers only after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = self.sock.getsockname()
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            conn, _addr = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            if not self.stopped.wait(self.delay):
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def _resolve_platform_to(monkeypatch: pytest.MonkeyPatch, addresses: list[tuple[str, int]],
                         *, after: float = 0.0) -> None:
    """PLATFORM_HOST resolves (after `after` seconds) to `addresses`, as a platform's name
    with several A records, or `localhost` with ::1 and 127.0.0.1, does."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != PLATFORM_HOST:
            return real(host, port, *args, **kwargs)
        time.sleep(after)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)
                for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _timed_delivery(url: str) -> tuple[DeliveryResult, float]:
    adapter = WebhookAdapter(url=url)
    started = time.monotonic()
    result = adapter.deliver(order={"action": "apply"}, idempotency_key="k")
    return result, time.monotonic() - started


def test_a_connect_hanging_on_each_of_the_platforms_addresses_ends_within_the_timeout(
    one_second: None, hanging_address: tuple[str, int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each address used to get the whole timeout of its own: 2 s for two addresses.
    _resolve_platform_to(monkeypatch, [hanging_address, hanging_address])

    result, took = _timed_delivery(f"http://{PLATFORM_HOST}:{hanging_address[1]}/hook")

    assert took < LATEST
    assert (result.ok, result.retryable) == (False, True)
    assert result.detail == "no complete answer within 1 s"


def test_a_slow_name_lookup_counts_against_the_timeout_of_a_slow_answer(
    one_second: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The lookup took 1.2 s, then the answer's read got a fresh 1 s: 2.2 s in all.
    server = _SilentServer(delay=3)
    _resolve_platform_to(monkeypatch, [server.address], after=1.2)
    try:
        result, took = _timed_delivery(f"http://{PLATFORM_HOST}:{server.address[1]}/hook")
    finally:
        server.close()

    assert took < LATEST
    assert (result.ok, result.retryable) == (False, True)
    assert result.detail == "no complete answer within 1 s"


def test_a_slow_answer_after_a_connect_that_took_most_of_the_time_ends_at_the_timeout(
    one_second: None, hanging_address: tuple[str, int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first address hangs until the time is up: the second (which would answer slowly)
    is not given a timeout of its own."""
    server = _SilentServer(delay=3)
    _resolve_platform_to(monkeypatch, [hanging_address, server.address])
    try:
        result, took = _timed_delivery(f"http://{PLATFORM_HOST}:{server.address[1]}/hook")
    finally:
        server.close()

    assert took < LATEST
    assert result.detail == "no complete answer within 1 s"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_unanswered_delivery_still_ends_at_the_timeout_and_a_prompt_one_succeeds(
    one_second: None, scheme: str,
) -> None:
    server = _SilentServer(delay=3)
    try:
        result, took = _timed_delivery(f"{scheme}://127.0.0.1:{server.address[1]}/hook")
    finally:
        server.close()
    assert 0.9 < took < LATEST
    assert result.detail == "no complete answer within 1 s"

    prompt = _SilentServer(delay=0)
    try:
        result, took = _timed_delivery(f"http://127.0.0.1:{prompt.address[1]}/hook")
    finally:
        prompt.close()
    assert (result.ok, result.detail) == (True, "HTTP 200")


def test_a_failed_lookup_is_a_retryable_failure_named_in_the_detail(
    one_second: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def getaddrinfo(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    result, took = _timed_delivery(f"http://{PLATFORM_HOST}/hook")
    assert took < LATEST
    assert (result.ok, result.retryable) == (False, True)
    assert result.detail == "gaierror: [Errno -2] Name or service not known"


