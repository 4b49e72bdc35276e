"""Walking the gzip members or zstd frames of a compressed file in bounded memory.

A record of a few KB can inflate to gigabytes (a decompression bomb), so nothing here holds a whole member:
gzip is inflated in steps of at most `_STEP` output bytes and counted, stopping at `limit`; zstd frames are
measured from their block headers without inflating at all. Only the first `keep` inflated bytes are kept.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SKIPPABLE_MAGICS = range(0x184D2A50, 0x184D2A60)
_STEP = 1 << 20
_READ = 1 << 16

Codec = Literal["gzip", "zstd"]


@dataclass(frozen=True)
class Member:
    """One gzip member or zstd frame starting at byte `start`."""

    start: int
    end: int | None  # the byte after it; None when the file ends inside it or it is corrupt
    head: bytes  # its first inflated bytes (at most `keep`)
    inflated: int  # inflated bytes counted (gzip: stops at `limit`; zstd: 0, frames are not inflated)
    over_limit: bool  # gzip: stopped counting at `limit`, so `end` is unknown (None)


def members(f: BinaryIO, start: int, size: int, codec: Codec, *, keep: int, limit: int) -> Iterator[Member]:
    """Every member from byte `start` to the end of the file; stops after the first one that does not end."""
    position = start
    while position < size:
        member = (
            _gzip_member(f, position, keep, limit)
            if codec == "gzip"
            else _zstd_frame(f, position, keep, size)
        )
        yield member
        if member.end is None:
            return
        position = member.end


def _gzip_member(f: BinaryIO, start: int, keep: int, limit: int) -> Member:
    f.seek(start)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    head = bytearray()
    inflated = consumed = 0
    while not decompressor.eof:
        data = f.read(_READ)
        if not data:
            return Member(start, None, bytes(head), inflated, False)
        consumed += len(data)
        while data:
            try:
                out = decompressor.decompress(data, _STEP)  # output per call is bounded by _STEP
            except zlib.error:
                return Member(start, None, bytes(head), inflated, False)
            inflated += len(out)
            if len(head) < keep:
                head += out[: keep - len(head)]
            if inflated > limit:
                return Member(start, None, bytes(head), inflated, True)
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                break
    return Member(start, start + consumed - len(decompressor.unused_data), bytes(head), inflated, False)


def _zstd_frame(f: BinaryIO, start: int, keep: int, size: int) -> Member:
    f.seek(start)
    header = f.read(18)  # the longest frame header
    magic = int.from_bytes(header[:4], "little") if len(header) >= 4 else -1
    if magic in _SKIPPABLE_MAGICS and len(header) >= 8:
        end = start + 8 + int.from_bytes(header[4:8], "little")
        return Member(start, end if end <= size else None, b"", 0, False)
    if header[:4] != ZSTD_MAGIC:
        return Member(start, None, b"", 0, False)
    try:
        position = start + zstandard.frame_header_size(header)
        has_checksum = zstandard.get_frame_parameters(header).has_checksum
    except zstandard.ZstdError:
        return Member(start, None, b"", 0, False)
    last = False
    while not last:
        f.seek(position)
        block = f.read(3)
        if len(block) < 3:
            return Member(start, None, b"", 0, False)
        value = int.from_bytes(block, "little")
        last, kind, length = bool(value & 1), (value >> 1) & 3, value >> 3
        if kind == 3:  # reserved block type: not zstd
            return Member(start, None, b"", 0, False)
        position += 3 + (1 if kind == 1 else length)  # an RLE block stores one byte
    end = position + 4 * has_checksum
    if end > size:
        return Member(start, None, b"", 0, False)
    return Member(start, end, _zstd_head(f, start, keep), 0, False)


def _zstd_head(f: BinaryIO, start: int, keep: int) -> bytes:
    """The first `keep` inflated bytes of the frame at `start` (the reader inflates only what is asked)."""
    f.seek(start)
    reader = zstandard.ZstdDecompressor().stream_reader(f, read_across_frames=False, closefd=False)
    try:
        return reader.read(keep)
    except zstandard.ZstdError:
        return b""
