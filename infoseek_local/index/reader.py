"""`Index`: the read API of a built index (implements index/protocol.IndexLike)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..corpus.urls import canonical_url
from ..errors import IndexMismatchError
from ..records import OutLink, Page, SearchHit
from .fulltext import FulltextReader
from .graph import HYPERLINK, MENTION, LinkGraph
from .manifest import read_manifest
from .pagestore import PageStoreReader

SNIPPET_CHARS = 240
# what the page tokenizer cannot match: "İ" lower-cases to "i" + a combining dot, which splits the word in two
# ("İstanbul" would look for "i" and "stanbul"); "_" joins words for Python's \w but splits them for tantivy,
# which then wants a phrase query (and the plain field keeps no positions for one)
_QUERY_FOLDS = str.maketrans({"\u0130": "I", "_": " "})


def normalize_query(query: str) -> str:
    """A query in the form pages are tokenized in: composed (NFC, as web text is; a decomposed "São" would
    otherwise be searched as "sa" and "o"), the dotted capital I as a plain I, and "_" as a word break."""
    return unicodedata.normalize("NFC", query).translate(_QUERY_FOLDS)


class Index:
    """Open with `Index.open(path)`; usable as a context manager. One instance may be shared by threads."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = Path(path)
        self.manifest = manifest
        data = self.path / manifest["generation"]
        if not data.is_dir():
            raise IndexMismatchError(
                f"{data}: generation directory named by manifest.json is missing; rebuild"
            )
        self._pages = PageStoreReader(data / "pages")
        self._graph = LinkGraph(data / "graph")
        # an index built before mention links has none
        self._mentions = LinkGraph(data / "mentions") if (data / "mentions").is_dir() else None
        self._degree_cache: dict[tuple[tuple[str, ...], bool], Any] = {}
        self._fulltext = FulltextReader(data / "tantivy", index_path=self.path)
        if not self._pages.count == self._graph.n_pages == self._fulltext.count_docs():
            raise IndexMismatchError(
                f"{data}: page store ({self._pages.count}), graph ({self._graph.n_pages}) and tantivy "
                f"({self._fulltext.count_docs()}) disagree; rebuild the index"
            )

    @classmethod
    def open(cls, path: str | Path) -> Index:
        return cls(Path(path), read_manifest(Path(path)))

    def close(self) -> None:
        self._pages.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def n_pages(self) -> int:
        return self._pages.count

    @property
    def n_links(self) -> int:
        """Hyperlinks (see `n_mention_links`)."""
        return self._graph.n_edges

    @property
    def n_mention_links(self) -> int:
        return self._mentions.n_edges if self._mentions is not None else 0

    def search(self, query: str, k: int = 10, *, snippets: bool = True) -> list[SearchHit]:
        parsed = self._fulltext.parse(normalize_query(query))
        if parsed is None or k <= 0:
            return []
        return self._hits(parsed, self._fulltext.top_k(parsed, k), snippets)

    def search_many(
        self, queries: Sequence[str], k: int = 10, *, snippets: bool = True
    ) -> list[list[SearchHit]]:
        # a plain loop: threads gain nothing over tantivy-py here (measured for tools/bench_search.py)
        return [self.search(query, k, snippets=snippets) for query in queries]

    def search_plain(self, query: str, k: int = 10) -> list[SearchHit]:
        """Top-k plain BM25 hits over the body only (see `IndexLike.search_plain`); no snippets."""
        # raises on an index built without the plain field
        parsed = self._fulltext.parse_plain(normalize_query(query))
        if parsed is None or k <= 0:
            return []
        return self._hits(parsed, self._fulltext.top_k(parsed, k), snippets=False)

    def search_plain_many(self, queries: Sequence[str], k: int = 10) -> list[list[SearchHit]]:
        return [self.search_plain(query, k) for query in queries]

    def doc_freq(self, word: str) -> int:
        """How many pages hold `word` (lower case, as the plain ranking splits text); 0 on an index built
        before the plain ranking."""
        return self._fulltext.plain_doc_freq(word.lower())

    def _hits(self, parsed: Any, raw: list[tuple[float, Any]], snippets: bool) -> list[SearchHit]:
        generator = self._fulltext.snippet_generator(parsed, SNIPPET_CHARS) if snippets and raw else None
        hits = []
        for score, address in raw:
            doc = self._fulltext.doc(address)
            snippet = generator.snippet_from_doc(doc).fragment() if generator is not None else ""
            hits.append(
                SearchHit(
                    page_id=int(doc.get_first("id")),  # get_first: ~5x cheaper than doc[...] (no list built)
                    url=doc.get_first("url"),
                    title=doc.get_first("title"),
                    score=float(score),
                    snippet=" ".join(snippet.split()),
                )
            )
        return hits

    def page(self, page_id: int) -> Page:
        return self._pages.get(page_id)

    def page_by_url(self, url: str) -> Page | None:
        canonical = canonical_url(url)
        if canonical is None:
            return None
        page_id = self._fulltext.lookup_url(canonical)
        return None if page_id is None else self._pages.get(page_id)

    def _graphs(self, kinds: Sequence[str]) -> list[LinkGraph]:
        unknown = set(kinds) - {HYPERLINK, MENTION}
        if unknown:
            raise ValueError(f"unknown link kind(s) {sorted(unknown)}; use {HYPERLINK!r} and/or {MENTION!r}")
        graphs = [self._graph] if HYPERLINK in kinds else []
        if MENTION in kinds and self._mentions is not None:
            graphs.append(self._mentions)
        return graphs

    def out_links(self, page_id: int, kinds: Sequence[str] = (HYPERLINK,)) -> list[OutLink]:
        return _first_per_page([graph.out_links(page_id) for graph in self._graphs(kinds)])

    def in_links(self, page_id: int, kinds: Sequence[str] = (HYPERLINK,)) -> list[OutLink]:
        return _first_per_page([graph.in_links(page_id) for graph in self._graphs(kinds)])

    def in_degree(self, page_id: int, kinds: Sequence[str] = (HYPERLINK,)) -> int:
        graphs = self._graphs(kinds)
        if len(graphs) == 1:
            return graphs[0].in_degree(page_id)
        return int(self._degrees(kinds, out=False)[page_id])

    def out_degrees(self, kinds: Sequence[str] = (HYPERLINK,)) -> Any:
        """Out-degree of every page as a numpy array (for `info` and seed selection); with both kinds, a page
        hyperlinked and mentioned counts once."""
        return self._degrees(kinds, out=True)

    def in_degrees(self, kinds: Sequence[str] = (HYPERLINK,)) -> Any:
        return self._degrees(kinds, out=False)

    def _degrees(self, kinds: Sequence[str], *, out: bool) -> Any:
        import numpy as np

        graphs = self._graphs(kinds)
        if len(graphs) == 1:
            return np.diff(np.asarray(graphs[0].out_indptr if out else graphs[0].in_indptr))
        key = (tuple(sorted(set(kinds))), out)
        if key not in self._degree_cache:  # both kinds: distinct (source, target) pairs, computed once
            n = self.n_pages
            pairs = np.unique(
                np.concatenate(
                    [np.zeros(0, np.int64)]
                    + [np.asarray(g.sources, np.int64) * n + np.asarray(g.targets) for g in graphs]
                )
            )
            self._degree_cache[key] = np.bincount(pairs // n if out else pairs % n, minlength=n)
        return self._degree_cache[key]

    def iter_pages(self) -> Iterator[Page]:
        return iter(self._pages)


def _first_per_page(groups: list[list[OutLink]]) -> list[OutLink]:
    """The links of every group in order, each linked page once: hyperlinks come first, so a page both
    hyperlinked and mentioned is reached by its hyperlink."""
    if len(groups) == 1:
        return groups[0]
    seen: set[int] = set()
    merged = []
    for group in groups:
        for link in group:
            if link.target not in seen:
                seen.add(link.target)
                merged.append(link)
    return merged
