"""`serve` under hostile clients, with real sockets: trickling clients, connect bursts, deep JSON, conflicting
lengths, IPv6 and what /health tells. Deadlines are a fraction of a second here so the tests stay fast."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from infoseek_local.agent.server import RetrievalServer, ServerConfig, make_server

REQUEST = b'{"queries": ["Danube river"], "topk": 1}'


@contextmanager
def serving(index: Path, **settings: object) -> Iterator[RetrievalServer]:
    srv = make_server(index, ServerConfig(port=0, workers=1, **settings))  # type: ignore[arg-type]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def raw_exchange(srv: RetrievalServer, data: bytes) -> tuple[int, dict]:
    with socket.create_connection(srv.server_address[:2], timeout=10) as sock:
        sock.sendall(data)
        response = b""
        while b"\r\n\r\n" not in response or not response.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def retrieve(srv: RetrievalServer) -> int:
    host, port = srv.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("POST", "/retrieve", REQUEST, {"Content-Type": "application/json"})
    status = connection.getresponse().status
    connection.close()
    return status


def start_trickle(srv: RetrievalServer) -> socket.socket:
    sock = socket.create_connection(srv.server_address[:2], timeout=10)
    sock.sendall(b"POST /retrieve HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
    return sock


def closed_by_server(sock: socket.socket, *, trickle_seconds: float) -> bool:
    """Send one byte every 50 ms for up to `trickle_seconds`; True once the server has closed the socket."""
    sock.settimeout(0.05)
    stop = time.monotonic() + trickle_seconds
    while time.monotonic() < stop:
        try:
            sock.sendall(b" ")
            if sock.recv(1) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_a_client_trickling_bytes_is_cut_off_at_the_request_deadline(sample_index: Path) -> None:
    with serving(sample_index, request_timeout=0.5) as srv:
        sock = start_trickle(srv)
        try:
            # each byte arrives well within the per-read timeout; only a deadline per request ends this
            assert closed_by_server(sock, trickle_seconds=8)
        finally:
            sock.close()
        assert retrieve(srv) == 200


def test_slow_clients_holding_every_slot_do_not_lock_out_a_quick_one(sample_index: Path) -> None:
    with serving(sample_index, max_connections=4, request_timeout=30, evict_after=0.2) as srv:
        slow = [start_trickle(srv) for _ in range(4)]
        try:
            time.sleep(0.4)  # every slot is now held by a request that has been reading for a while
            assert [retrieve(srv) for _ in range(3)] == [200, 200, 200]
        finally:
            for sock in slow:
                sock.close()


def test_quick_clients_over_the_limit_still_get_a_fast_503(sample_index: Path) -> None:
    with serving(sample_index, max_connections=1, evict_after=30) as srv:
        holder = start_trickle(srv)
        try:
            time.sleep(0.1)
            host, port = srv.server_address[:2]
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", "/health")  # no body, so the 503 cannot race an unsent one
            assert connection.getresponse().status == 503
            connection.close()
        finally:
            holder.close()


def test_a_burst_of_connects_is_queued_not_dropped(sample_index: Path) -> None:
    srv = make_server(sample_index, ServerConfig(port=0, workers=1))
    sockets = []
    try:
        # nothing accepts yet: every connect must still complete from the listen queue
        for _ in range(200):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(3)
            sock.connect(srv.server_address[:2])
            sockets.append(sock)
        assert len(sockets) == 200
    finally:
        for sock in sockets:
            sock.close()
        srv.server_close()


def test_deeply_nested_json_is_a_400(sample_index: Path) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with serving(sample_index) as srv:
        request = b"POST /retrieve HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
        status, data = raw_exchange(srv, request + body)
        assert (status, data) == (400, {"error": "body nests too deeply to be a /retrieve request"})
        assert retrieve(srv) == 200


@pytest.mark.parametrize("second", [b"5", b"40"])
def test_two_content_lengths_are_refused(sample_index: Path, second: bytes) -> None:
    with serving(sample_index) as srv:
        head = b"POST /retrieve HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nContent-Length: %s\r\n\r\n"
        status, data = raw_exchange(srv, head % (len(REQUEST), second) + REQUEST)
        assert (status, data) == (400, {"error": "more than one Content-Length header"})


def test_health_names_the_index_without_its_path(sample_index: Path) -> None:
    with serving(sample_index) as srv:
        status, data = raw_exchange(srv, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status == 200 and data["index"] == sample_index.name
    assert str(sample_index.parent) not in json.dumps(data)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_serves_on_ipv6_loopback(sample_index: Path) -> None:
    with serving(sample_index, host="::1") as srv:
        assert srv.url.startswith("http://[::1]:")
        connection = http.client.HTTPConnection("::1", srv.server_address[1], timeout=10)
        connection.request("POST", "/retrieve", REQUEST)
        assert connection.getresponse().status == 200
        connection.close()
