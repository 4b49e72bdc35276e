"""Page ids from URL and text keys without a dict: the first record of a URL wins, then the first of a text.

Keys are 64-bit `hash()` values (stable within the merge process; collision odds ~n²/2^65: 3e-8 for a million
pages) spooled to disk by pass 1; `assign_ids` sorts them externally (index/spool.py) and `UrlTable` answers
URL → id lookups by binary search over the sorted keys, memory-mapped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .spool import first_occurrences, sorted_buckets


def url_key(url: str) -> int:
    return hash(url)


class UrlTable:
    """Sorted URL keys (uint64) and the page id of each, memory-mapped from `directory`."""

    def __init__(self, directory: Path) -> None:
        self.keys = np.load(directory / "url_keys.npy", mmap_mode="r")
        self.ids = np.load(directory / "url_ids.npy", mmap_mode="r")

    def lookup(self, keys: list[int]) -> list[int]:
        """The page id of each URL key, -1 where the URL is not a page of the corpus."""
        if not keys or not len(self.keys):
            return [-1] * len(keys)
        wanted = np.array(keys, dtype=np.int64).view(np.uint64)
        where = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = np.asarray(self.keys[where]) == wanted
        return np.where(found, np.asarray(self.ids[where]), -1).tolist()


def assign_ids(url_keys: np.ndarray, text_keys: np.ndarray, work: Path) -> tuple[np.ndarray, dict[str, int]]:
    """(accepted flag per record, duplicate counts); writes the UrlTable of accepted pages into `work`. Ids are
    the accepted records' ranks in record order."""
    first_url = first_occurrences(url_keys, work)
    accepted = first_occurrences(text_keys, work, select=first_url) & first_url
    ids = _record_ids(accepted, work)
    n_pages = int(accepted.sum())
    table_keys = np.lib.format.open_memmap(
        work / "url_keys.npy", mode="w+", dtype=np.uint64, shape=(n_pages,)
    )
    table_ids = np.lib.format.open_memmap(work / "url_ids.npy", mode="w+", dtype=np.int32, shape=(n_pages,))
    written = 0
    for sorted_keys, positions in sorted_buckets(url_keys, work, select=accepted):
        table_keys[written : written + len(sorted_keys)] = sorted_keys
        table_ids[written : written + len(sorted_keys)] = ids[positions]
        written += len(sorted_keys)
    table_keys.flush()
    table_ids.flush()
    counts = {
        "duplicate_url": int(len(url_keys) - first_url.sum()),
        "duplicate_text": int(first_url.sum() - n_pages),
    }
    return accepted, counts


def _record_ids(accepted: np.ndarray, work: Path) -> np.ndarray:
    """Each record's page id were it accepted (rank among accepted records, less one), memory-mapped."""
    if not len(accepted):
        return np.zeros(0, np.int64)
    ids = np.lib.format.open_memmap(
        work / "record_ids.npy", mode="w+", dtype=np.int64, shape=(len(accepted),)
    )
    np.cumsum(accepted, dtype=np.int64, out=ids)
    ids -= 1
    return ids
