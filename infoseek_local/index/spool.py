"""Append-only numeric columns on disk, and an external sort of 64-bit keys over them.

The merge keeps what grows with the corpus (URL keys, text keys, edges) in these files rather than in Python
containers, so its peak RSS stays flat: a column is written in blocks and read back memory-mapped, and keys
are sorted by distributing them into buckets by their top bits (each bucket fits `BUCKET_KEYS`) and sorting
one bucket at a time.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

BLOCK = 1 << 16  # values buffered before a write
BUCKET_KEYS = 1 << 16  # keys sorted in memory at once (~3 MB with their positions and the sort's arrays)
MAX_BUCKETS = 256  # open bucket files; past 16M keys the buckets grow instead


class Column:
    """An int64 (or int32) column written by `append`/`extend`, read back with `values()` (memory-mapped)."""

    def __init__(self, path: Path, typecode: str = "q") -> None:
        self.path = Path(path)
        self.typecode = typecode
        self._buffer = array(typecode)
        self._file = open(self.path, "wb")
        self.count = 0

    def append(self, value: int) -> None:
        self._buffer.append(value)
        if len(self._buffer) >= BLOCK:
            self.flush()

    def extend(self, values) -> None:
        if isinstance(values, np.ndarray):
            self.flush()
            values.astype(np.int64 if self.typecode == "q" else np.int32, copy=False).tofile(self._file)
            self.count += len(values)
            return
        self._buffer.extend(values)
        if len(self._buffer) >= BLOCK:
            self.flush()

    def flush(self) -> None:
        self.count += len(self._buffer)
        self._buffer.tofile(self._file)
        self._buffer = array(self.typecode)

    def values(self) -> np.ndarray:
        """Every value written, memory-mapped (an empty array when none)."""
        if not self._file.closed:
            self.flush()
            self._file.flush()
        dtype = np.int64 if self.typecode == "q" else np.int32
        if self.count == 0:
            return np.zeros(0, dtype)
        return np.memmap(self.path, dtype=dtype, mode="r", shape=(self.count,))

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()


def sorted_buckets(keys: np.ndarray, work: Path, select: np.ndarray | None = None) -> Iterator[tuple]:
    """(keys as uint64, their positions in `keys`) bucket by bucket, each sorted by key then position, and
    the buckets in key order (a bucket is a range of top bits), so the concatenation is globally sorted.
    `select` (bool per key) limits the sort to some keys."""
    n = len(keys)
    buckets = min(MAX_BUCKETS, max(1, math.ceil(n / BUCKET_KEYS)))
    shift = np.uint64(64 - max(1, math.ceil(math.log2(buckets)))) if buckets > 1 else None
    if shift is None:
        positions = np.arange(n, dtype=np.int64) if select is None else np.flatnonzero(select)
        chosen = np.asarray(keys[positions]).view(np.uint64)
        order = np.lexsort((positions, chosen))
        yield chosen[order], positions[order]
        return
    files = [Column(work / f"bucket{b}") for b in range(1 << (64 - int(shift)))]  # (key, position) pairs
    for start in range(0, n, BUCKET_KEYS):
        block = np.asarray(keys[start : start + BUCKET_KEYS]).view(np.uint64)
        positions = np.arange(start, start + len(block), dtype=np.int64)
        if select is not None:
            mask = np.asarray(select[start : start + len(block)], dtype=bool)
            block, positions = block[mask], positions[mask]
        bucket_of = (block >> shift).astype(np.int64)
        for b in np.unique(bucket_of).tolist():
            mask = bucket_of == b
            files[b].extend(np.stack([block[mask].view(np.int64), positions[mask]], axis=1).ravel())
    for column in files:
        pairs = np.array(column.values()).reshape(-1, 2)
        column.close()
        column.path.unlink()
        chosen, positions = pairs[:, 0].view(np.uint64), pairs[:, 1]
        order = np.lexsort((positions, chosen))
        yield chosen[order], positions[order]


def first_occurrences(keys: np.ndarray, work: Path, select: np.ndarray | None = None) -> np.ndarray:
    """A bool per key: it is the first (lowest position) among the selected keys equal to it."""
    first = np.zeros(len(keys), dtype=bool)
    for sorted_keys, positions in sorted_buckets(keys, work, select):
        if len(sorted_keys):
            is_first = np.ones(len(sorted_keys), dtype=bool)
            is_first[1:] = sorted_keys[1:] != sorted_keys[:-1]
            first[positions[is_first]] = True
    return first
