"""Sharded record store: zstd-framed msgpack shards, completion markers and torn-tail recovery.

A shard is a sequence of independent zstd frames; each frame is one msgpack array of records. Frames carry a
content checksum, so a frame cut short by a crash (or corrupted) is detected; reading stops there and every
complete frame before it is returned. A finished shard is written under a temporary name, renamed into place,
and only then marked complete in `_done/`, so a rerun can trust a marker and redo anything unmarked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

import msgspec
import zstandard

from .errors import StoreError

T = TypeVar("T")

SHARD_SUFFIX = ".msgpack.zst"
DONE_DIR = "_done"
_READ_CHUNK = 1 << 16


def shard_path(directory: Path, name: str) -> Path:
    return Path(directory) / f"{name}{SHARD_SUFFIX}"


class ShardWriter:
    """Writes records to one shard, one zstd frame per `frame_records` records.

    With `append=False` the shard is built under `<name>.partial` and renamed into place on `close()`.
    With `append=True` (logs such as the LLM call cache) frames go straight onto the existing file after any
    torn tail has been cut off, so every flushed frame survives a crash.
    """

    def __init__(self, path: Path, *, frame_records: int = 256, level: int = 3, append: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._append = append
        self._frame_records = frame_records
        self._compressor = zstandard.ZstdCompressor(level=level, write_checksum=True)
        self._encoder = msgspec.msgpack.Encoder()
        self._batch: list[Any] = []
        self.records_written = 0
        if append:
            if self.path.exists():
                valid = valid_prefix_length(self.path)
                if valid < self.path.stat().st_size:
                    with open(self.path, "r+b") as f:
                        f.truncate(valid)
            self._target = self.path
            self._file: BinaryIO | None = open(self.path, "ab")
        else:
            self._target = self.path.with_name(self.path.name + ".partial")
            self._file = open(self._target, "wb")

    def write(self, record: Any) -> None:
        self._batch.append(record)
        self.records_written += 1
        if len(self._batch) >= self._frame_records:
            self.flush()

    def write_all(self, records: Iterable[Any]) -> None:
        for record in records:
            self.write(record)

    def flush(self) -> None:
        """End the current frame and push it to the OS, so it survives this process dying."""
        if self._file is None:
            raise StoreError(f"{self.path}: write after close")
        if self._batch:
            self._file.write(self._compressor.compress(self._encoder.encode(self._batch)))
            self._batch = []
        self._file.flush()

    def close(self) -> None:
        if self._file is None:
            return
        self.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        if not self._append:
            os.replace(self._target, self.path)

    def abort(self) -> None:
        """Drop an unfinished non-append shard without touching any earlier complete one."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if not self._append:
            self._target.unlink(missing_ok=True)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _iter_raw_frames(f: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """Yield (start, end, decompressed bytes) of every complete, checksum-valid frame; stop at a torn tail."""
    pending = b""
    offset = 0
    while True:
        if not pending:
            pending = f.read(_READ_CHUNK)
            if not pending:
                return
        decompressor = zstandard.ZstdDecompressor().decompressobj()
        parts: list[bytes] = []
        consumed = 0
        chunk = pending
        while True:
            try:
                parts.append(decompressor.decompress(chunk))
            except zstandard.ZstdError:
                return  # corrupt bytes: treated like a torn tail
            if decompressor.eof:
                pending = decompressor.unused_data
                consumed += len(chunk) - len(pending)
                break
            consumed += len(chunk)
            chunk = f.read(_READ_CHUNK)
            if not chunk:
                return  # the file ends inside this frame
        yield offset, offset + consumed, b"".join(parts)
        offset += consumed


def valid_prefix_length(path: Path) -> int:
    """Bytes at the start of `path` made of complete frames; anything after them is a torn tail."""
    end = 0
    with open(path, "rb") as f:
        for _, end, _ in _iter_raw_frames(f):
            pass
    return end


class ShardReader(Generic[T]):
    """Iterates the records of one shard; after iterating, `torn` tells whether a torn tail was dropped."""

    def __init__(self, path: Path, record_type: type[T]) -> None:
        self.path = Path(path)
        self._decoder = msgspec.msgpack.Decoder(list[record_type])  # type: ignore[valid-type]
        self.torn = False
        self.frames = 0

    def __iter__(self) -> Iterator[T]:
        if not self.path.exists():
            raise StoreError(f"{self.path}: shard not found")
        size = self.path.stat().st_size
        good_end = 0
        with open(self.path, "rb") as f:
            for start, good_end, payload in _iter_raw_frames(f):
                try:
                    batch = self._decoder.decode(payload)
                except msgspec.DecodeError as exc:
                    raise StoreError(
                        f"{self.path}: frame at byte {start} does not hold the expected records: {exc}"
                    ) from None
                self.frames += 1
                yield from batch
        self.torn = good_end != size


def read_shard(path: Path, record_type: type[T]) -> Iterator[T]:
    """Every record of the complete frames of `path`."""
    return iter(ShardReader(path, record_type))


def read_shards(directory: Path, record_type: type[T], *, only_done: bool = True) -> Iterator[T]:
    """Records of every shard in `directory` in name order; by default only shards marked complete."""
    directory = Path(directory)
    if not directory.exists():
        return
    for path in sorted(directory.glob(f"*{SHARD_SUFFIX}")):
        name = path.name[: -len(SHARD_SUFFIX)]
        if only_done and not is_done(directory, name):
            continue
        yield from read_shard(path, record_type)


# ── completion markers ──────────────────────────────────────────────────────────────────────────────────


def _marker(directory: Path, name: str) -> Path:
    return Path(directory) / DONE_DIR / name


def mark_done(directory: Path, name: str, info: dict[str, Any] | None = None) -> None:
    """Record that shard `name` is complete; call only after its output is closed."""
    marker = _marker(directory, name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(json.dumps(info or {}, sort_keys=True))
    os.replace(tmp, marker)


def is_done(directory: Path, name: str) -> bool:
    return _marker(directory, name).is_file()


def done_info(directory: Path, name: str) -> dict[str, Any]:
    marker = _marker(directory, name)
    try:
        return json.loads(marker.read_text() or "{}")
    except (OSError, json.JSONDecodeError) as exc:
        message = f"{marker}: unreadable completion marker ({exc}); delete it to redo that shard"
        raise StoreError(message) from exc


def done_shards(directory: Path) -> list[str]:
    folder = Path(directory) / DONE_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".tmp"))
