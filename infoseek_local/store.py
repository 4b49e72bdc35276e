"""Sharded record store: zstd-framed msgpack shards, completion markers and torn-tail recovery.

A shard is a sequence of independent zstd frames; each frame is one msgpack array of records. Frames carry a
content checksum, so a frame cut short by a crash (or corrupted) is detected; reading stops there and every
complete frame before it is returned. A finished shard is written under a temporary name, renamed into place,
and only then marked complete in `_done/`, so a rerun can trust a marker and redo anything unmarked.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

import msgspec
import zstandard

from .errors import StoreError
from .records import SCHEMA_VERSION

T = TypeVar("T")

SHARD_SUFFIX = ".msgpack.zst"
DONE_DIR = "_done"
_READ_CHUNK = 1 << 16
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
# the marker key holding the shard's size and sha256 at the time it was marked complete
SHARD_KEY = "_shard"
_REDO_HINT = "rerun the command that wrote it with the same options: it redoes damaged shards"


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


@dataclass(frozen=True)
class ShardDamage:
    """Bytes [start, end) of a shard that hold no readable frame: a torn tail (the file ends inside a frame
    that a crash cut short) or damage in the middle (a frame with a bad checksum, readable frames after it)."""

    path: Path
    start: int
    end: int
    reason: str
    tail: bool

    def describe(self) -> str:
        where = "torn at the end" if self.tail else "damaged in the middle"
        return f"{self.path}: {where}, bytes {self.start}-{self.end} unreadable ({self.reason})"


def _frame_at(f: BinaryIO, start: int) -> tuple[int, bytes] | str:
    """(end, decompressed bytes) of a complete, checksum-valid frame at byte `start`, else why not."""
    f.seek(start)
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    parts: list[bytes] = []
    position = start
    while True:
        chunk = f.read(_READ_CHUNK)
        if not chunk:
            return "the file ends inside a frame"
        try:
            parts.append(decompressor.decompress(chunk))
        except zstandard.ZstdError as exc:
            return str(exc).removeprefix("zstd decompressor error: ")
        if decompressor.eof:
            return position + len(chunk) - len(decompressor.unused_data), b"".join(parts)
        position += len(chunk)


def _next_frame(f: BinaryIO, after: int, size: int) -> int:
    """Start of the first readable frame after byte `after`, or `size` when none follows (a torn tail)."""
    position = after + 1
    while position < size:
        f.seek(position)
        window = f.read(_READ_CHUNK + len(_ZSTD_MAGIC) - 1)
        found = window.find(_ZSTD_MAGIC)
        if found < 0:
            position += _READ_CHUNK
            continue
        candidate = position + found
        if not isinstance(_frame_at(f, candidate), str):
            return candidate
        position = candidate + 1
    return size


def _iter_raw_frames(f: BinaryIO, path: Path) -> Iterator[tuple[int, int, bytes] | ShardDamage]:
    """Yield (start, end, decompressed bytes) of every complete, checksum-valid frame, and a ShardDamage for
    each unreadable stretch; reading goes on after damage in the middle, so later frames are never lost."""
    size = os.fstat(f.fileno()).st_size
    pending = b""
    offset = 0
    while offset < size:
        if not pending:
            f.seek(offset)
            pending = f.read(_READ_CHUNK)
        decompressor = zstandard.ZstdDecompressor().decompressobj()
        parts: list[bytes] = []
        consumed = 0
        chunk = pending
        reason = ""
        while True:
            try:
                parts.append(decompressor.decompress(chunk))
            except zstandard.ZstdError as exc:
                reason = str(exc).removeprefix("zstd decompressor error: ")
                break
            if decompressor.eof:
                pending = decompressor.unused_data
                consumed += len(chunk) - len(pending)
                break
            consumed += len(chunk)
            chunk = f.read(_READ_CHUNK)
            if not chunk:
                reason = "the file ends inside a frame"
                break
        if reason:
            resume = _next_frame(f, offset, size)
            yield ShardDamage(path, offset, resume, reason, tail=resume == size)
            offset, pending = resume, b""
            continue
        yield offset, offset + consumed, b"".join(parts)
        offset += consumed


def valid_prefix_length(path: Path) -> int:
    """Bytes of `path` up to the end of its last readable frame: what is left after a torn tail is cut off
    (damage in the middle is kept, so the frames after it stay readable)."""
    end = 0
    with open(path, "rb") as f:
        for item in _iter_raw_frames(f, Path(path)):
            if not isinstance(item, ShardDamage):
                end = item[1]
    return end


class ShardReader(Generic[T]):
    """Iterates the records of one shard.

    A shard marked complete (its `_done/` marker exists) must be whole: any unreadable byte, or a size other
    than the one its marker recorded, raises StoreError naming the shard and the byte. An unmarked shard (an
    append log, or one still being written) may end in a torn tail, which is dropped (`torn`); damage in its
    middle is skipped, the frames after it are read, and each stretch is listed in `damage`.
    """

    def __init__(self, path: Path, record_type: type[T]) -> None:
        self.path = Path(path)
        self._decoder = msgspec.msgpack.Decoder(list[record_type])  # type: ignore[valid-type]
        self.torn = False
        self.frames = 0
        self.records = 0
        self.damage: list[ShardDamage] = []

    def __iter__(self) -> Iterator[T]:
        if not self.path.exists():
            raise StoreError(f"{self.path}: shard not found")
        directory, name = self.path.parent, self.path.name.removesuffix(SHARD_SUFFIX)
        complete = self.path.name.endswith(SHARD_SUFFIX) and is_done(directory, name)
        if complete:
            self._check_size(_read_marker(directory, name).get(SHARD_KEY))
        with open(self.path, "rb") as f:
            for item in _iter_raw_frames(f, self.path):
                if isinstance(item, ShardDamage):
                    if complete:
                        raise StoreError(f"{item.describe()} after {self.records} records; {_REDO_HINT}")
                    self.damage.append(item)
                    self.torn = item.tail
                    continue
                start, _, payload = item
                try:
                    batch = self._decoder.decode(payload)
                except msgspec.DecodeError as exc:
                    raise StoreError(
                        f"{self.path}: frame at byte {start} does not hold the expected records: {exc}"
                    ) from None
                self.frames += 1
                self.records += len(batch)
                yield from batch

    def _check_size(self, recorded: dict[str, Any] | None) -> None:
        if not recorded:
            return  # marked before markers recorded sizes
        version = recorded.get("schema_version", 1)  # marked before markers recorded it: version 1
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written with record schema version {version}, this infoseek-local reads up to "
                f"{SCHEMA_VERSION}; upgrade infoseek-local to read it"
            )
        size = self.path.stat().st_size
        if size != recorded.get("bytes"):
            raise StoreError(
                f"{self.path}: {size} bytes on disk, but {recorded.get('bytes')} when it was marked complete "
                f"(cut short or overwritten); {_REDO_HINT}"
            )


def read_shard(path: Path, record_type: type[T]) -> Iterator[T]:
    """Every record of `path` (StoreError when a shard marked complete is damaged)."""
    return iter(ShardReader(path, record_type))


def read_shards(
    directory: Path,
    record_type: type[T],
    *,
    only_done: bool = True,
    damage: list[ShardDamage] | None = None,
) -> Iterator[T]:
    """Records of every shard in `directory` in name order; by default only shards marked complete.

    Unmarked shards (append logs) skip their damaged stretches and list them in `damage` when given."""
    directory = Path(directory)
    if not directory.exists():
        return
    for path in sorted(directory.glob(f"*{SHARD_SUFFIX}")):
        name = path.name[: -len(SHARD_SUFFIX)]
        if only_done and not is_done(directory, name):
            continue
        reader = ShardReader(path, record_type)
        yield from reader
        if damage is not None:
            damage.extend(d for d in reader.damage if not d.tail)


# ── completion markers ──────────────────────────────────────────────────────────────────────────────────


def _marker(directory: Path, name: str) -> Path:
    return Path(directory) / DONE_DIR / name


def mark_done(directory: Path, name: str, info: dict[str, Any] | None = None) -> None:
    """Record that shard `name` is complete; call only after its output is closed. When the shard's file is
    in `directory`, its size and sha256 go into the marker, so later damage is detected and redone."""
    marker = _marker(directory, name)
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(marker.name + ".tmp")
    info = dict(info or {})
    path = shard_path(directory, name)
    if path.is_file():
        info[SHARD_KEY] = {
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
            "schema_version": SCHEMA_VERSION,
        }
    tmp.write_text(json.dumps(info, sort_keys=True))
    os.replace(tmp, marker)


def is_done(directory: Path, name: str) -> bool:
    return _marker(directory, name).is_file()


def done_info(directory: Path, name: str) -> dict[str, Any]:
    """What the stage stored in shard `name`'s marker (its counts)."""
    info = _read_marker(directory, name)
    info.pop(SHARD_KEY, None)
    return info


def _read_marker(directory: Path, name: str) -> dict[str, Any]:
    marker = _marker(directory, name)
    try:
        return json.loads(marker.read_text() or "{}")
    except (OSError, json.JSONDecodeError) as exc:
        message = f"{marker}: unreadable completion marker ({exc}); delete it to redo that shard"
        raise StoreError(message) from exc


def shard_intact(directory: Path, name: str) -> bool:
    """Whether shard `name` is marked complete and its file still has the size and sha256 of that moment
    (markers without them, or whose stage writes no file there, are trusted)."""
    if not is_done(directory, name):
        return False
    try:
        recorded = _read_marker(directory, name).get(SHARD_KEY)
    except StoreError:
        return False
    if not recorded:
        return True
    path = shard_path(directory, name)
    return (
        path.is_file()
        and path.stat().st_size == recorded.get("bytes")
        and _sha256(path) == recorded.get("sha256")
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def done_shards(directory: Path) -> list[str]:
    folder = Path(directory) / DONE_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".tmp"))
