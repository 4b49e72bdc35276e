"""The in-corpus link graph as compact numpy arrays (CSR), memory-mapped when read.

Out-edges are sorted by source; edge `e` goes `sources[e] -> targets[e]` with anchor text
`anchor_bytes[anchor_offsets[e]:anchor_offsets[e + 1]]`. In-edges are a permutation of edge ids sorted by
target, so in-links reuse the same anchors. Self-links are dropped and each (source, target) pair is kept
once, with the first anchor text seen. An index has one graph per link kind: hyperlinks in `graph/`, mention
links in `mentions/`, whose `offsets.npy` holds where in the source page's text each mention starts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..records import OutLink
from .spool import Column

HYPERLINK = "hyperlink"
MENTION = "mention"
EDGE_BLOCK = 1 << 16  # edges handled at once when the arrays are written (bounds the transient memory)


class EdgeSpool:
    """Edges added in source order, spooled to files under `directory` (none of them held in RAM)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.sources = Column(self.directory / "sources.raw", "i")
        self.targets = Column(self.directory / "targets.raw", "i")
        self.anchor_ends = Column(self.directory / "anchor_ends.raw")
        self.offsets = Column(self.directory / "offsets.raw")
        self._anchors = open(self.directory / "anchor_bytes.raw", "wb")
        self._anchor_end = 0

    def add(self, source: int, target: int, anchor: str, offset: int = -1) -> None:
        self.sources.append(source)
        self.targets.append(target)
        encoded = anchor.encode("utf-8", "replace")
        self._anchors.write(encoded)
        self._anchor_end += len(encoded)
        self.anchor_ends.append(self._anchor_end)
        self.offsets.append(offset)

    def __len__(self) -> int:
        return self.targets.count + len(self.targets._buffer)

    def close(self) -> None:
        for column in (self.sources, self.targets, self.anchor_ends, self.offsets):
            column.close()
        self._anchors.close()


def _save(directory: Path, name: str, values: np.ndarray, dtype) -> None:
    """Copy `values` (possibly memory-mapped) into `name`.npy block by block."""
    if len(values) == 0:
        np.save(directory / f"{name}.npy", np.zeros(0, dtype))
        return
    out = np.lib.format.open_memmap(directory / f"{name}.npy", mode="w+", dtype=dtype, shape=(len(values),))
    for start in range(0, len(values), EDGE_BLOCK):
        out[start : start + EDGE_BLOCK] = values[start : start + EDGE_BLOCK]
    out.flush()
    del out


def _zeros(path: Path, length: int) -> np.ndarray:
    """A new .npy file of `length` int64 zeros, memory-mapped for writing."""
    return np.lib.format.open_memmap(path, mode="w+", dtype=np.int64, shape=(length,))


def write_graph(directory: Path, n_pages: int, edges: EdgeSpool, *, with_offsets: bool = False) -> None:
    """The CSR arrays of the spooled edges; the in-edge permutation is a counting sort done block by block."""
    directory.mkdir(parents=True, exist_ok=True)
    edges.close()
    sources, targets = edges.sources.values(), edges.targets.values()
    n_edges = len(targets)
    _save(directory, "sources", sources, np.int32)
    _save(directory, "targets", targets, np.int32)
    anchor_offsets = np.lib.format.open_memmap(
        directory / "anchor_offsets.npy", mode="w+", dtype=np.int64, shape=(n_edges + 1,)
    )
    anchor_offsets[0] = 0
    anchor_ends = edges.anchor_ends.values()
    for start in range(0, n_edges, EDGE_BLOCK):
        anchor_offsets[start + 1 : start + 1 + EDGE_BLOCK] = anchor_ends[start : start + EDGE_BLOCK]
    anchor_offsets.flush()
    del anchor_offsets
    raw_anchors = edges.directory / "anchor_bytes.raw"
    anchor_bytes = np.memmap(raw_anchors, dtype=np.uint8, mode="r") if raw_anchors.stat().st_size else []
    _save(directory, "anchor_bytes", anchor_bytes, np.uint8)
    if with_offsets:
        _save(directory, "offsets", edges.offsets.values(), np.int64)

    # every array of a value per page is written through a memory map, a block at a time: none is held in RAM
    out_indptr = _zeros(directory / "out_indptr.npy", n_pages + 1)
    for start in range(0, n_pages, EDGE_BLOCK):
        pages = np.arange(start, min(start + EDGE_BLOCK, n_pages))
        out_indptr[start + 1 : start + 1 + len(pages)] = (
            np.searchsorted(sources, pages, side="right") if n_edges else 0
        )
    out_indptr.flush()
    in_indptr = _zeros(directory / "in_indptr.npy", n_pages + 1)
    for start in range(0, n_edges, EDGE_BLOCK):
        distinct, counts = np.unique(np.asarray(targets[start : start + EDGE_BLOCK]), return_counts=True)
        in_indptr[distinct + 1] += counts
    for start in range(0, n_pages, EDGE_BLOCK):  # running sum: in_indptr[i + 1] = in-links of pages 0..i
        block = in_indptr[start + 1 : start + 1 + EDGE_BLOCK]
        np.cumsum(block, out=block)
        block += in_indptr[start]
    in_indptr.flush()
    # stable counting sort by target, block by block (each step O(block)): edge ids of a target stay in
    # source order
    if n_edges == 0:
        np.save(directory / "in_edges.npy", np.zeros(0, np.int64))
        return
    in_edges = np.lib.format.open_memmap(
        directory / "in_edges.npy", mode="w+", dtype=np.int64, shape=(n_edges,)
    )
    cursor = _zeros(edges.directory / "cursor.npy", n_pages)  # next free slot of each target in in_edges
    for start in range(0, n_pages, EDGE_BLOCK):
        cursor[start : start + EDGE_BLOCK] = in_indptr[start : min(start + EDGE_BLOCK, n_pages)]
    for start in range(0, n_edges, EDGE_BLOCK):
        block = np.asarray(targets[start : start + EDGE_BLOCK])
        order = np.argsort(block, kind="stable")
        sorted_targets = block[order]
        first = np.searchsorted(sorted_targets, sorted_targets, side="left")
        in_edges[cursor[sorted_targets] + np.arange(len(block)) - first] = order + start
        distinct, counts = np.unique(sorted_targets, return_counts=True)
        cursor[distinct] += counts
    in_edges.flush()
    del in_edges


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
        self.kind = MENTION if (directory / "offsets.npy").is_file() else HYPERLINK
        self.offsets = load("offsets") if self.kind == MENTION else None
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

    def _links(self, pages: list[int], edges: list[int]) -> list[OutLink]:
        anchors = self.anchors_of(edges)
        if self.offsets is None:
            return [OutLink(p, a) for p, a in zip(pages, anchors, strict=True)]
        offsets = self.offsets[edges].tolist() if edges else []
        return [OutLink(p, a, MENTION, o) for p, a, o in zip(pages, anchors, offsets, strict=True)]

    def out_links(self, page_id: int) -> list[OutLink]:
        self._check(page_id)
        start, end = int(self.out_indptr[page_id]), int(self.out_indptr[page_id + 1])
        return self._links(self.targets[start:end].tolist(), list(range(start, end)))

    def in_links(self, page_id: int) -> list[OutLink]:
        """Links into `page_id`; `target` holds the source page (and `offset` a place in its text)."""
        self._check(page_id)
        start, end = int(self.in_indptr[page_id]), int(self.in_indptr[page_id + 1])
        edges = self.in_edges[start:end].tolist()
        return self._links(self.sources[edges].tolist(), edges)

    def in_degree(self, page_id: int) -> int:
        self._check(page_id)
        return int(self.in_indptr[page_id + 1] - self.in_indptr[page_id])

    def out_degrees(self) -> np.ndarray:
        return np.diff(np.asarray(self.out_indptr))
