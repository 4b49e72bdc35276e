"""Stage 2 of `index`: extracted shards → dense ids, link graphs, page store and tantivy index.

Sources are read in the order they were first added and a source's parts by record offset, so ids do not
depend on the worker count, and pages added by a later run get ids after every earlier page (old pages keep
theirs). The first occurrence of a URL or of an exact text wins. Everything is written into a fresh generation
directory; the caller switches the manifest to it only when it is complete. Every merge rebuilds the mention
links of every page, so pages added later are mentioned by old pages as well as mentioning them.

Memory stays flat as the corpus grows: keys, edges, name pairs and every per-page array live in files under
`_work/` (index/spool.py), read memory-mapped (their pages are file-backed: the kernel reclaims them); what
stays in RAM is two flags per extracted record, the mention automaton (one entry per distinct name) and
tantivy's indexing heap (fixed, per thread). Freed heap is handed back to the OS between passes (memory.py).
"""

from __future__ import annotations

import heapq
import shutil
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from ..records import ExtractedPage, OutLink, Page, RawLink
from ..store import read_shard, shard_path
from .chrome import ChromeCounter, pair_key, site_of
from .fulltext import FulltextWriter
from .graph import EDGE_BLOCK, EdgeSpool, LinkGraph, write_graph
from .memory import release_freed_memory
from .mentions import ANCHOR_AGREEMENT, MentionDictionary, agreed_anchor_names, title_names
from .pagestore import PageStoreReader, PageStoreWriter
from .spool import Column
from .urlkeys import UrlTable, assign_ids, url_key

MAX_ANCHOR_FIELD_CHARS = 20_000  # a hub page's inlink anchors, capped so one page cannot dominate memory
HYPERLINK_DIR = "graph"
MENTION_DIR = "mentions"


class _PageKeys(msgspec.Struct, tag="extracted_page"):
    """The fields of an ExtractedPage that pass 1 needs; msgspec skips the rest (text) unparsed."""

    url: str
    text_hash: str
    offset: int
    links: list[RawLink]


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
    mention_links: bool = True,
) -> tuple[dict[str, int], dict[str, float]]:
    """Build pages/, graph/, mentions/ and tantivy/ under `gen_dir`; returns (counts, seconds per phase)."""
    counts: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    work = gen_dir / "_work"
    work.mkdir(parents=True, exist_ok=True)

    # pass 1: keys of every record spooled to disk; ids — first URL and first text win; site chrome
    started = time.perf_counter()
    url_keys, text_keys = Column(work / "url_keys"), Column(work / "text_keys")
    chrome_counter = ChromeCounter(work)
    for page in _iter_extracted(extract_dir, sources, _PageKeys):
        url_keys.append(url_key(page.url))
        text_keys.append(hash(page.text_hash))
        chrome_counter.add_page(page.url, [link.url for link in page.links])
    accepted, duplicates = assign_ids(url_keys.values(), text_keys.values(), work)
    counts.update(duplicates)
    for column in (url_keys, text_keys):
        column.close()
        column.path.unlink()
    chrome = chrome_counter.chrome_pairs()
    n_pages = int(accepted.sum())
    release_freed_memory()
    seconds["ids"] = time.perf_counter() - started

    # pass 2: resolve hyperlinks, write the page store in id order, collect title names
    started = time.perf_counter()
    urls = UrlTable(work)
    edges = EdgeSpool(work / "hyperlinks")
    names = MentionDictionary(work / "names") if mention_links else None
    page_sites = np.lib.format.open_memmap(work / "sites.npy", mode="w+", dtype=np.int64, shape=(n_pages,))
    store = PageStoreWriter(gen_dir / "pages")
    page_id = 0
    for page, keep in zip(_iter_extracted(extract_dir, sources), _flags(accepted), strict=True):
        if not keep:
            continue
        site_key = hash(site_of(page.url))
        page_sites[page_id] = site_key
        out_links = _resolve_links(page_id, page.links, site_key, chrome, urls, counts)
        for link in out_links:
            edges.add(page_id, link.target, link.anchor)
        if names is not None:
            for name in title_names(page.title):
                names.add(name, page_id)
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
    del accepted, urls
    counts["links"] = len(edges)
    write_graph(gen_dir / HYPERLINK_DIR, n_pages, edges)
    release_freed_memory()
    seconds["pages_and_hyperlinks"] = time.perf_counter() - started

    # pass 3: names from agreed in-link anchors, then mention links of every page and the full text, with the
    # anchor text of each page's in-links (memory-mapped graph, one page at a time)
    started = time.perf_counter()
    graph = LinkGraph(gen_dir / HYPERLINK_DIR)
    pages = PageStoreReader(gen_dir / "pages")
    matcher = None
    if names is not None:
        counts["mention_names_from_titles"] = names.names
        titles = PageStoreReader(gen_dir / "pages", cached_frames=2)  # targets come in id order
        for target in _linked_by_several(graph.in_indptr):
            anchors = graph.anchors_of(graph.in_edges[graph.in_indptr[target] : graph.in_indptr[target + 1]])
            for name in agreed_anchor_names(anchors, titles.get(target).title):
                names.add(name, target)
        titles.close()
        counts["mention_names"] = names.names
        page_sites.flush()
        matcher = names.matcher(page_sites)
    release_freed_memory()
    seconds["mention_dictionary"] = time.perf_counter() - started

    started = time.perf_counter()
    mention_seconds = 0.0
    mentions = EdgeSpool(work / "mentions")
    writer = FulltextWriter(gen_dir / "tantivy", tokenizer=tokenizer, threads=threads)
    in_indptr = graph.in_indptr
    for page in pages:
        if matcher is not None:
            before = time.perf_counter()
            hyperlinked = {link.target for link in page.out_links}
            for mention in matcher.find(page.text, page.id):
                mentions.add(page.id, mention.target, mention.surface, mention.offset)
                counts["mention_links_also_hyperlinked"] += mention.target in hyperlinked
            mention_seconds += time.perf_counter() - before
        start, end = in_indptr[page.id], in_indptr[page.id + 1]
        anchors = " ".join(graph.anchors_of(graph.in_edges[start:end])) if end > start else ""
        writer.add(page.id, page.url, page.title, page.text, anchors[:MAX_ANCHOR_FIELD_CHARS])
    pages.close()
    release_freed_memory()  # before the commit's own peak
    counts["mention_links"] = len(mentions)
    if matcher is not None:
        counts["ambiguous_mentions"] = matcher.ambiguous
    write_graph(gen_dir / MENTION_DIR, n_pages, mentions, with_offsets=True)
    seconds["mention_links"] = mention_seconds
    writer.close()
    seconds["fulltext"] = time.perf_counter() - started - mention_seconds
    del graph, page_sites, matcher, names
    shutil.rmtree(work, ignore_errors=True)
    counts["pages"] = n_pages
    return dict(counts), {name: round(value, 3) for name, value in seconds.items()}


def _flags(accepted: np.ndarray) -> Iterator[bool]:
    """The accepted flag of each record, a block at a time (a list of them all would be O(records) objects)."""
    for start in range(0, len(accepted), EDGE_BLOCK):
        yield from accepted[start : start + EDGE_BLOCK].tolist()


def _linked_by_several(in_indptr: np.ndarray) -> Iterator[int]:
    """Ids of the pages with ANCHOR_AGREEMENT or more in-links, in id order, read a block of pages at a time."""
    n_pages = len(in_indptr) - 1
    for start in range(0, n_pages, EDGE_BLOCK):
        block = np.asarray(in_indptr[start : min(start + EDGE_BLOCK, n_pages) + 1])
        yield from (np.flatnonzero(np.diff(block) >= ANCHOR_AGREEMENT) + start).tolist()


def _resolve_links(
    page_id: int, links: list[RawLink], site_key: int, chrome: frozenset[int], urls: UrlTable, counts: Counter
) -> list[OutLink]:
    """The page's in-corpus research links: site chrome, self-links and repeats of a target dropped."""
    if chrome:
        kept = [link for link in links if pair_key(site_key, link.url) not in chrome]
        counts["site_chrome_links"] += len(links) - len(kept)
        links = kept
    out_links: list[OutLink] = []
    targets_seen: set[int] = set()
    for link, target in zip(links, urls.lookup([url_key(link.url) for link in links]), strict=True):
        if target < 0:
            counts["links_out_of_corpus"] += 1
        elif target == page_id:
            counts["self_links"] += 1
        elif target in targets_seen:
            counts["repeated_links"] += 1
        else:
            targets_seen.add(target)
            out_links.append(OutLink(target, link.anchor))
    return out_links
