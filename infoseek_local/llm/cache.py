"""The LLM call cache: finished calls keyed by (model sha256, template version, prompt, schema, params).

Entries live in append-only record shards, one per process (`<dir>/<pid>.msgpack.zst`), each entry flushed as
its own zstd frame, so a killed run keeps every answer it got and a rerun replays them instead of recomputing.
A torn last frame is dropped on load. All shards of the directory are loaded when the cache opens.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import msgspec

from ..records import LLMCacheEntry
from ..store import SHARD_SUFFIX, ShardReader, ShardWriter, shard_path
from .base import GenParams, Message


def call_key(
    model_sha256: str, template_version: str, messages: Sequence[Message], schema: str, params: GenParams
) -> str:
    material = msgspec.msgpack.encode(
        [
            model_sha256,
            template_version,
            [[m.role, m.content] for m in messages],
            schema,
            msgspec.to_builtins(params),
        ]
    )
    return hashlib.sha256(material).hexdigest()


class CallCache:
    """A key → entry map, persisted to `directory` when one is given (else in memory only)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = Path(directory) if directory is not None else None
        self._entries: dict[str, LLMCacheEntry] = {}
        self._writer: ShardWriter | None = None
        self._lock = threading.Lock()
        self.torn_shards = 0
        if self.directory is not None and self.directory.is_dir():
            for path in sorted(self.directory.glob(f"*{SHARD_SUFFIX}")):
                reader = ShardReader(path, LLMCacheEntry)
                for entry in reader:
                    self._entries[entry.key] = entry
                self.torn_shards += reader.torn

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> LLMCacheEntry | None:
        return self._entries.get(key)

    def put(self, entry: LLMCacheEntry) -> None:
        with self._lock:
            self._entries[entry.key] = entry
            if self.directory is None:
                return
            if self._writer is None:
                path = shard_path(self.directory, str(os.getpid()))
                self._writer = ShardWriter(path, frame_records=1, append=True)
            self._writer.write(entry)  # frame_records=1: flushed to the OS right here

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None


class NoCache(CallCache):
    """Caching switched off: every call goes to the backend."""

    def __init__(self) -> None:
        super().__init__(None)

    def get(self, key: str) -> LLMCacheEntry | None:
        return None

    def put(self, entry: LLMCacheEntry) -> None:
        pass
