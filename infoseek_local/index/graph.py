"""The in-corpus link graph as compact numpy arrays (CSR), memory-mapped when read.

Out-edges are sorted by source; edge `e` goes `sources[e] -> targets[e]` with anchor text
`anchor_bytes[anchor_offsets[e]:anchor_offsets[e + 1]]`. In-edges are a permutation of edge ids sorted by
target, so in-links reuse the same anchors. Self-links are dropped and each (source, target) pair is kept
once, with the first anchor text seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..records import OutLink


class EdgeCollector:
    """Accumulates edges in source order during the merge."""

    def __init__(self) -> None:
        self.sources: list[int] = []
        self.targets: list[int] = []
        self.anchors: list[bytes] = []

    def add(self, source: int, target: int, anchor: str) -> None:
        self.sources.append(source)
        self.targets.append(target)
        self.anchors.append(anchor.encode("utf-8", "replace"))


def write_graph(directory: Path, n_pages: int, edges: EdgeCollector) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    sources = np.asarray(edges.sources, dtype=np.int32)
    targets = np.asarray(edges.targets, dtype=np.int32)
    lengths = np.fromiter((len(a) for a in edges.anchors), dtype=np.int64, count=len(edges.anchors))
    anchor_offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=anchor_offsets[1:])
    anchor_bytes = np.frombuffer(b"".join(edges.anchors), dtype=np.uint8)
    out_indptr = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n_pages), out=out_indptr[1:])
    in_edges = np.argsort(targets, kind="stable").astype(np.int64)
    in_indptr = np.zeros(n_pages + 1, dtype=np.int64)
    np.cumsum(np.bincount(targets, minlength=n_pages), out=in_indptr[1:])
    for name, array in {
        "sources": sources,
        "targets": targets,
        "anchor_offsets": anchor_offsets,
        "anchor_bytes": anchor_bytes,
        "out_indptr": out_indptr,
        "in_edges": in_edges,
        "in_indptr": in_indptr,
    }.items():
        np.save(directory / f"{name}.npy", array)


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
        self.n_pages = len(self.out_indptr) - 1
        self.n_edges = len(self.targets)

    def anchor(self, edge: int) -> str:
        start, end = int(self.anchor_offsets[edge]), int(self.anchor_offsets[edge + 1])
        return bytes(self.anchor_bytes[start:end]).decode("utf-8", "replace")

    def _check(self, page_id: int) -> None:
        if not 0 <= page_id < self.n_pages:
            raise IndexError(f"page id {page_id} out of range 0..{self.n_pages - 1}")

    def out_links(self, page_id: int) -> list[OutLink]:
        self._check(page_id)
        start, end = int(self.out_indptr[page_id]), int(self.out_indptr[page_id + 1])
        return [OutLink(int(self.targets[e]), self.anchor(e)) for e in range(start, end)]

    def in_links(self, page_id: int) -> list[OutLink]:
        self._check(page_id)
        start, end = int(self.in_indptr[page_id]), int(self.in_indptr[page_id + 1])
        edges: Sequence[int] = self.in_edges[start:end]
        return [OutLink(int(self.sources[e]), self.anchor(int(e))) for e in edges]

    def in_degree(self, page_id: int) -> int:
        self._check(page_id)
        return int(self.in_indptr[page_id + 1] - self.in_indptr[page_id])

    def out_degrees(self) -> np.ndarray:
        return np.diff(np.asarray(self.out_indptr))
