"""`EndpointPool`: which server of an OpenAI-compatible pool takes the next call, and how many at once.

One pool lives in one backend object and is shared by every thread that calls it (a Ray actor serving several
shards, a thread pool in a tool). Each endpoint takes at most `max_in_flight` calls at a time from this pool;
a caller waits for a free slot instead of piling more requests onto a busy server. The next call goes to the
least busy endpoint this call has not tried yet, round-robin among equals. An endpoint that failed rests (one
second, doubling while it keeps failing, 30 s at most): while any untried endpoint is not resting, calls wait
for one of those rather than pay a resting endpoint's timeout; when every untried endpoint rests, one is tried
(that is also how a recovered server comes back).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from ..errors import LLMError

DEFAULT_MAX_IN_FLIGHT = 4  # calls at once per endpoint from one worker; llama.cpp servers often run -np 4
FIRST_REST_SECONDS = 1.0
LONGEST_REST_SECONDS = 30.0


class EndpointPool:
    def __init__(self, endpoints: Sequence[str], *, max_in_flight: int) -> None:
        if not endpoints:
            raise LLMError("an endpoint pool needs at least one endpoint")
        if max_in_flight < 1:
            raise LLMError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self.endpoints = list(endpoints)
        self.max_in_flight = max_in_flight
        self._in_flight = [0] * len(self.endpoints)
        self._failures_in_a_row = [0] * len(self.endpoints)
        self._rests_until = [0.0] * len(self.endpoints)
        self._next_turn = 0
        self._changed = threading.Condition()

    @contextmanager
    def lease(self, tried: Collection[str] = ()) -> Iterator[str]:
        """Hold one call's slot on the best endpoint not in `tried` (all of them when it names every one),
        waiting while those are busy."""
        with self._changed:
            while (slot := self._choose(tried)) is None:
                self._changed.wait(timeout=FIRST_REST_SECONDS)  # a rest may end meanwhile
            self._in_flight[slot] += 1
        try:
            yield self.endpoints[slot]
        finally:
            with self._changed:
                self._in_flight[slot] -= 1
                self._changed.notify()

    def report(self, endpoint: str, *, answered: bool) -> None:
        """Record whether `endpoint` answered (any HTTP answer) or failed (refused, 5xx, timeout, garbage)."""
        slot = self.endpoints.index(endpoint)
        with self._changed:
            if answered:
                self._failures_in_a_row[slot] = 0
                self._rests_until[slot] = 0.0
            else:
                self._failures_in_a_row[slot] += 1
                rest = FIRST_REST_SECONDS * 2 ** (self._failures_in_a_row[slot] - 1)
                self._rests_until[slot] = time.monotonic() + min(rest, LONGEST_REST_SECONDS)
            self._changed.notify_all()

    def _choose(self, tried: Collection[str]) -> int | None:
        count = len(self.endpoints)
        untried = [i for i in range(count) if self.endpoints[i] not in tried] or list(range(count))
        now = time.monotonic()
        candidates = [i for i in untried if self._rests_until[i] <= now] or untried
        free = [i for i in candidates if self._in_flight[i] < self.max_in_flight]
        if not free:
            return None
        chosen = min(free, key=lambda i: (self._in_flight[i], (i - self._next_turn) % count))
        self._next_turn = (chosen + 1) % count
        return chosen
