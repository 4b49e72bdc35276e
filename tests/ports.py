"""Loopback ports for tests that start servers (LLM mocks, a Ray cluster)."""

from __future__ import annotations

import socket


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: a server that is down."""
    port = free_ports(1)[0]
    return f"http://127.0.0.1:{port}"
