"""The retrieval server's open connections: a deadline per request and room for newcomers under slow clients.

A socket timeout bounds one `recv`, not a request: a client that sends a byte every few seconds would hold its
connection (and a thread) forever. Here every request gets a wall-clock deadline from the moment the server
starts waiting for it; a watchdog thread shuts down any connection past it. When every slot is taken, a
newcomer may take the slot of the connection that has spent longest reading one request (or idling between
requests), provided that has lasted `evict_after` seconds; otherwise it gets an immediate 503. Slow clients
thus cannot starve quick ones, and a burst of quick ones is answered, not dropped.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass

READING = "reading"
WORKING = "working"


@dataclass
class _Connection:
    state: str
    since: float  # when the current request began (reading it, or waiting for it on a kept-alive connection)


class ConnectionGuard:
    def __init__(self, capacity: int, deadline: float, evict_after: float) -> None:
        self.capacity = capacity
        self.deadline = deadline
        self.evict_after = evict_after
        self._open: dict[socket.socket, _Connection] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="connection-deadlines", daemon=True)
        self._watchdog.start()
        self.evicted = 0
        self.timed_out = 0

    def admit(self, sock: socket.socket) -> bool:
        """Take a slot for `sock`, evicting the slowest reader when full; False when there is no room."""
        now = time.monotonic()
        with self._lock:
            if len(self._open) >= self.capacity:
                readers = [(c.since, s) for s, c in self._open.items() if c.state == READING]
                oldest = min(readers, key=lambda item: item[0], default=None)
                if oldest is None or now - oldest[0] < self.evict_after:
                    return False
                del self._open[oldest[1]]
                _cut(oldest[1])
                self.evicted += 1
            self._open[sock] = _Connection(READING, now)
            return True

    def reading(self, sock: socket.socket) -> None:
        """The connection waits for (or reads) a new request: its deadline starts now."""
        with self._lock:
            if sock in self._open:
                self._open[sock] = _Connection(READING, time.monotonic())

    def working(self, sock: socket.socket) -> None:
        """The request is read; it keeps its deadline but is no longer a candidate for eviction."""
        with self._lock:
            if sock in self._open:
                self._open[sock].state = WORKING

    def release(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(sock, None)

    def close(self) -> None:
        self._stop.set()
        self._watchdog.join(5)

    def _watch(self) -> None:
        tick = max(0.01, min(0.5, self.deadline / 4))
        while not self._stop.wait(tick):
            now = time.monotonic()
            with self._lock:
                late = [s for s, c in self._open.items() if now - c.since > self.deadline]
                for sock in late:
                    del self._open[sock]
            for sock in late:
                _cut(sock)
                self.timed_out += 1


def _cut(sock: socket.socket) -> None:
    """End a connection another thread is blocked on: its read returns at once and its handler finishes."""
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
