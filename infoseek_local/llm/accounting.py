"""Accounting: every LLM call becomes an `LLMCallRecord` in `<run>/llm_calls/<pid>.msgpack.zst` for `stats`.

The log is an append shard flushed after each record (a killed run keeps its records); the same numbers are
summed in memory in `CallStats` for a stage's own counters.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..records import LLMCallRecord
from ..store import ShardDamage, ShardWriter, read_shards, shard_path

CALL_LOG_DIR = "llm_calls"


@dataclass
class CallStats:
    calls: int = 0
    cache_hits: int = 0
    failures: int = 0
    retries: int = 0
    repairs: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def add(self, record: LLMCallRecord) -> None:
        self.calls += 1
        self.cache_hits += record.cache_hit
        self.failures += not record.ok
        self.retries += record.retries
        self.repairs += record.repairs
        if not record.cache_hit:  # replayed tokens cost nothing this time
            self.prompt_tokens += record.prompt_tokens
            self.completion_tokens += record.completion_tokens
        self.seconds += record.seconds

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CallLog:
    def __init__(self, run_dir: Path | None) -> None:
        self.directory = Path(run_dir) / CALL_LOG_DIR if run_dir is not None else None
        self.stats = CallStats()
        self._writer: ShardWriter | None = None
        self._lock = threading.Lock()

    def record(self, record: LLMCallRecord) -> None:
        with self._lock:
            self.stats.add(record)
            if self.directory is None:
                return
            if self._writer is None:
                path = shard_path(self.directory, str(os.getpid()))
                self._writer = ShardWriter(path, frame_records=1, append=True)
            self._writer.write(record)

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


def read_call_log(run_dir: Path, damage: list[ShardDamage] | None = None) -> Iterator[LLMCallRecord]:
    """Every call record of a run (all processes, torn tails dropped, damaged frames skipped into `damage`)."""
    return read_shards(Path(run_dir) / CALL_LOG_DIR, LLMCallRecord, only_done=False, damage=damage)
