"""The page store: every Page in id order, with random access by id.

One file of independent zstd frames (the same framing as `store.py`, so `read_shard` reads it too), each frame
a msgpack array of `frame_pages` consecutive pages, plus `frames.npy` holding each frame's start byte. Page
`i` lives in frame `i // frame_pages` at position `i % frame_pages`; a lookup decompresses one small frame.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import msgspec
import numpy as np
import zstandard

from ..errors import StoreError
from ..records import Page

PAGES_FILE = "pages.msgpack.zst"
FRAMES_FILE = "frames.npy"
DEFAULT_FRAME_PAGES = 32


class PageStoreWriter:
    def __init__(self, directory: Path, *, frame_pages: int = DEFAULT_FRAME_PAGES, level: int = 3) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.frame_pages = frame_pages
        self._file = open(self.directory / PAGES_FILE, "wb")
        self._compressor = zstandard.ZstdCompressor(level=level, write_checksum=True)
        self._encoder = msgspec.msgpack.Encoder()
        self._batch: list[Page] = []
        self._starts: list[int] = []
        self.count = 0

    def write(self, page: Page) -> None:
        if page.id != self.count:
            raise StoreError(f"{self.directory}: page id {page.id} written at position {self.count}")
        self._batch.append(page)
        self.count += 1
        if len(self._batch) >= self.frame_pages:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._starts.append(self._file.tell())
            self._file.write(self._compressor.compress(self._encoder.encode(self._batch)))
            self._batch = []

    def close(self) -> None:
        self._flush()
        self._starts.append(self._file.tell())  # end sentinel: frame i spans starts[i]..starts[i+1]
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        header = np.array([self.frame_pages, self.count], dtype=np.int64)
        np.save(
            self.directory / FRAMES_FILE, np.concatenate([header, np.array(self._starts, dtype=np.int64)])
        )


class PageStoreReader:
    def __init__(self, directory: Path, *, cached_frames: int = 64) -> None:
        self.directory = Path(directory)
        try:
            table = np.load(self.directory / FRAMES_FILE)
            self._file = open(self.directory / PAGES_FILE, "rb")
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.directory}: page store unreadable ({exc}); rebuild the index") from None
        self._fd = self._file.fileno()  # os.pread: no shared file position, so readers may share the store
        self.frame_pages, self.count = int(table[0]), int(table[1])
        self._starts = table[2:]
        self._decoder = msgspec.msgpack.Decoder(list[Page])
        self._decompressor = zstandard.ZstdDecompressor()
        self._cache: OrderedDict[int, list[Page]] = OrderedDict()
        self._cached_frames = cached_frames
        self._lock = threading.Lock()

    def _frame(self, index: int) -> list[Page]:
        with self._lock:  # the LRU is shared; reads use pread, so threads may share one reader
            pages = self._cache.get(index)
            if pages is not None:
                self._cache.move_to_end(index)
                return pages
        start, end = int(self._starts[index]), int(self._starts[index + 1])
        raw = zstandard.ZstdDecompressor().decompress(os.pread(self._fd, end - start, start))  # one per call:
        pages = self._decoder.decode(raw)  # decompressors must not be shared between threads
        with self._lock:
            self._cache[index] = pages
            if len(self._cache) > self._cached_frames:
                self._cache.popitem(last=False)
        return pages

    def get(self, page_id: int) -> Page:
        if not 0 <= page_id < self.count:
            raise IndexError(f"page id {page_id} out of range 0..{self.count - 1}")
        return self._frame(page_id // self.frame_pages)[page_id % self.frame_pages]

    def __iter__(self) -> Iterator[Page]:
        for index in range(len(self._starts) - 1):
            start, end = int(self._starts[index]), int(self._starts[index + 1])
            yield from self._decoder.decode(
                self._decompressor.decompress(os.pread(self._fd, end - start, start))
            )

    def close(self) -> None:
        self._file.close()
