"""The in-corpus link graph as compact numpy arrays (CSR), memory-mapped when read.

Out-edges are sorted by source; edge `e` goes `sources[e] -> targets[e]` with anchor text
`anchor_bytes[anchor_offsets[e]:anchor_offsets[e + 1]]`. In-edges are a permutation of edge ids sorted by
target, so in-links reuse the same anchors. Self-links are dropped and each (source, target) pair is kept
once, with the first anchor text seen.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..records import OutLink


class EdgeCollector:
    """Accumulates edges in source order during the merge, in typed arrays (~10 bytes + anchor per edge)."""

    def __init__(self) -> None:
        self.sources = array("i")
        self.targets = array("i")
        self.anchor_ends = array("q")
        self.anchor_bytes = bytearray()

    def add(self, source: int, target: int, anchor: str) -> None:
        self.sources.append(source)
        self.targets.append(target)
        self.anchor_bytes += anchor.encode("utf-8", "replace")
        self.anchor_ends.append(len(self.anchor_bytes))

    def __len__(self) -> int:
        return len(self.targets)


def write_graph(directory: Path, n_pages: int, edges: EdgeCollector) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    sources = np.frombuffer(edges.sources, dtype=np.int32) if len(edges) else np.zeros(0, np.int32)
    targets = np.frombuffer(edges.targets, dtype=np.int32) if len(edges) else np.zeros(0, np.int32)
    anchor_offsets = np.zeros(len(edges) + 1, dtype=np.int64)
    if len(edges):
        anchor_offsets[1:] = np.frombuffer(edges.anchor_ends, dtype=np.int64)
    anchor_bytes = np.frombuffer(bytes(edges.anchor_bytes), dtype=np.uint8)
    out_indptr = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n_pages), out=out_indptr[1:])
    in_edges = np.argsort(targets, kind="stable").astype(np.int64)
    in_indptr = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(np.bincount(targets, minlength=n_pages), out=in_indptr[1:])
    for name, values in {
        "sources": sources,
        "targets": targets,
        "anchor_offsets": anchor_offsets,
        "anchor_bytes": anchor_bytes,
        "out_indptr": out_indptr,
        "in_edges": in_edges,
        "in_indptr": in_indptr,
    }.items():
        np.save(directory / f"{name}.npy", values)


class LinkGraph:
    def __init__(self, directory: Path) -> None:
        def load(name: str) -> np.ndarray:
            return np.load(directory / f"{name}.npy", mmap_mode="r")

        self.sources = load("sources")
        self.targets = load("targets")
        self.anchor_offsets = load("anchor_offsets")
        self.anchor_bytes = load("anchor_bytes")
        self.out_indptr = load("out_indptr")
        self.in_edges = load("in_edges")
        self.in_indptr = load("in_indptr")
        # slicing a memoryview copies only the slice (in-link anchors lie scattered over the whole array)
        self._anchor_buffer = memoryview(self.anchor_bytes) if len(self.anchor_bytes) else memoryview(b"")
        self.n_pages = len(self.out_indptr) - 1
        self.n_edges = len(self.targets)

    def _check(self, page_id: int) -> None:
        if not 0 <= page_id < self.n_pages:
            raise IndexError(f"page id {page_id} out of range 0..{self.n_pages - 1}")

    def anchors_of(self, edges: Sequence[int] | np.ndarray) -> list[str]:
        """Anchor texts of the given edge ids."""
        if len(edges) == 0:
            return []
        index = np.asarray(edges, dtype=np.int64)
        starts = self.anchor_offsets[index].tolist()
        ends = self.anchor_offsets[index + 1].tolist()
        buffer = self._anchor_buffer
        return [str(buffer[a:b], "utf-8", "replace") for a, b in zip(starts, ends, strict=True)]

    def out_links(self, page_id: int) -> list[OutLink]:
        self._check(page_id)
        start, end = int(self.out_indptr[page_id]), int(self.out_indptr[page_id + 1])
        targets = self.targets[start:end].tolist()
        return [OutLink(t, a) for t, a in zip(targets, self.anchors_of(list(range(start, end))), strict=True)]

    def in_links(self, page_id: int) -> list[OutLink]:
        self._check(page_id)
        start, end = int(self.in_indptr[page_id]), int(self.in_indptr[page_id + 1])
        edges = self.in_edges[start:end].tolist()
        sources = self.sources[edges].tolist()
        return [OutLink(s, a) for s, a in zip(sources, self.anchors_of(edges), strict=True)]

    def in_degree(self, page_id: int) -> int:
        self._check(page_id)
        return int(self.in_indptr[page_id + 1] - self.in_indptr[page_id])

    def out_degrees(self) -> np.ndarray:
        return np.diff(np.asarray(self.out_indptr))
