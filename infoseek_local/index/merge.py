"""Stage 2 of `index`: extracted shards → dense ids, link graph, page store and tantivy index.

Sources are read in the order they were first added and a source's parts by record offset, so ids do not
depend on the worker count, and pages added by a later run get ids after every earlier page (old pages keep
theirs). The first occurrence of a URL or of an exact text wins. Everything is written into a fresh generation
directory; the caller switches the manifest to it only when it is complete.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from ..records import ExtractedPage, OutLink, Page
from ..store import read_shard, shard_path
from .fulltext import FulltextWriter
from .graph import EdgeCollector, LinkGraph, write_graph
from .pagestore import PageStoreReader, PageStoreWriter

MAX_ANCHOR_FIELD_CHARS = 20_000  # a hub page's inlink anchors, capped so one page cannot dominate memory


class _PageKeys(msgspec.Struct, tag="extracted_page"):
    """The fields of an ExtractedPage that pass 1 needs; msgspec skips the rest (text, links) unparsed."""

    url: str
    text_hash: str
    offset: int


def _iter_extracted(
    extract_dir: Path, sources: Sequence[Sequence[str]], record_type: type = ExtractedPage
) -> Iterator[Any]:
    for parts in sources:
        streams = [read_shard(shard_path(extract_dir, name), record_type) for name in parts]
        yield from heapq.merge(*streams, key=lambda page: page.offset) if len(streams) > 1 else streams[0]


def merge_shards(
    extract_dir: Path,
    sources: Sequence[Sequence[str]],
    gen_dir: Path,
    *,
    threads: int = 1,
    tokenizer: str = "en_stem",
) -> dict[str, int]:
    """Build pages/, graph/ and tantivy/ under `gen_dir`; returns the counts for the manifest."""
    counts: Counter[str] = Counter()
    # pass 1: ids — first URL and first text win
    # keyed by hash(): 64-bit ints take a third of the memory of the URL strings, and hash() is stable
    # within this process (collision odds ~n²/2^65: 3e-8 for a million pages)
    url_to_id: dict[int, int] = {}
    seen_texts: set[int] = set()
    accepted = bytearray()
    for page in _iter_extracted(extract_dir, sources, _PageKeys):
        url_key, text_key = hash(page.url), hash(page.text_hash)
        if url_key in url_to_id:
            counts["duplicate_url"] += 1
            accepted.append(0)
        elif text_key in seen_texts:
            counts["duplicate_text"] += 1
            accepted.append(0)
        else:
            url_to_id[url_key] = len(url_to_id)
            seen_texts.add(text_key)
            accepted.append(1)
    del seen_texts
    n_pages = len(url_to_id)

    # pass 2: resolve links, write the page store in id order
    edges = EdgeCollector()
    store = PageStoreWriter(gen_dir / "pages")
    page_id = 0
    for page, keep in zip(_iter_extracted(extract_dir, sources), accepted, strict=True):
        if not keep:
            continue
        out_links: list[OutLink] = []
        targets_seen: set[int] = set()
        for link in page.links:
            target = url_to_id.get(hash(link.url))
            if target is None:
                counts["links_out_of_corpus"] += 1
            elif target == page_id:
                counts["self_links"] += 1
            elif target in targets_seen:
                counts["repeated_links"] += 1
            else:
                targets_seen.add(target)
                out_links.append(OutLink(target, link.anchor))
                edges.add(page_id, target, link.anchor)
        store.write(
            Page(
                id=page_id,
                url=page.url,
                title=page.title,
                text=page.text,
                out_links=out_links,
                text_hash=page.text_hash,
                lang=page.lang,
                source=page.source,
                offset=page.offset,
            )
        )
        page_id += 1
    store.close()
    del url_to_id
    counts["links"] = len(edges)
    write_graph(gen_dir / "graph", n_pages, edges)
    del edges

    # pass 3: full text, with the anchor text of each page's in-links (memory-mapped graph, one page at a time)
    graph = LinkGraph(gen_dir / "graph")
    in_indptr = np.asarray(graph.in_indptr)
    writer = FulltextWriter(gen_dir / "tantivy", tokenizer=tokenizer, threads=threads)
    pages = PageStoreReader(gen_dir / "pages")
    for page in pages:
        start, end = in_indptr[page.id], in_indptr[page.id + 1]
        anchors = " ".join(graph.anchors_of(graph.in_edges[start:end])) if end > start else ""
        writer.add(page.id, page.url, page.title, page.text, anchors[:MAX_ANCHOR_FIELD_CHARS])
    pages.close()
    writer.close()
    counts["pages"] = n_pages
    return dict(counts)
