"""The tantivy BM25 index: schema, writing and querying.

Fields: `id` (page id), `url` (tokenised, stored), `url_key` (the canonical URL as one raw term, for exact
lookup), `title` and `body` (English stemming, stored; body feeds snippets), `anchors` (the anchor text of
links pointing at the page, as web engines index it; not stored) and `plain` (the body again, lower-cased and
split only: no stemming, stopwords kept; not stored), for a second, plain BM25 ranking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import IndexMismatchError

SEARCH_FIELDS = ["title", "body", "anchors", "url"]
PLAIN_FIELD = "plain"
# body first: a searcher's query of several clues must find the page that states them, not a page whose short
# title holds one of its words ("invasion Gaul ruler ..." ranked the pages Ruler and Invasion above the general
# who fought that invasion when titles weighed 2.0 and anchors 1.5)
FIELD_BOOSTS = {"title": 0.5, "anchors": 0.3, "body": 1.0, "url": 0.1}
MAX_QUERY_TERMS = 64
_WORD = re.compile(r"\w+")


HEAP_BYTES_PER_THREAD = 15_000_000  # tantivy's smallest indexing heap per thread

TOKENIZERS = ("en_stem", "default")  # en_stem: English Snowball stemming (~3x slower to index, better recall)


def build_schema(tokenizer: str = "en_stem") -> Any:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("url", stored=True, tokenizer_name="default")
    builder.add_text_field("url_key", stored=False, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=tokenizer)
    builder.add_text_field("body", stored=True, tokenizer_name=tokenizer)
    builder.add_text_field("anchors", stored=False, tokenizer_name=tokenizer)
    # "default" whatever `tokenizer` is: the plain ranking must not change with the build options;
    # "freq": BM25 needs term frequencies, and no phrase query reaches it (query_text drops quotes)
    builder.add_text_field(PLAIN_FIELD, stored=False, tokenizer_name="default", index_option="freq")
    return builder.build()


class FulltextWriter:
    def __init__(
        self, directory: Path, *, tokenizer: str = "en_stem", threads: int = 1, heap_bytes: int | None = None
    ) -> None:
        import tantivy

        directory.mkdir(parents=True, exist_ok=True)
        self._tantivy = tantivy
        self.index = tantivy.Index(build_schema(tokenizer), path=str(directory))
        threads = max(1, threads)
        # the indexing heap is the largest thing the merge holds; tantivy's floor per thread is as fast here as
        # 32 or 128 MB (tools/bench_ingest_memory.py) and keeps the merge's peak memory low
        self.writer = self.index.writer(
            heap_size=heap_bytes or HEAP_BYTES_PER_THREAD * threads, num_threads=threads
        )

    def add(self, page_id: int, url: str, title: str, body: str, anchors: str) -> None:
        doc = self._tantivy.Document(
            url=url, url_key=url, title=title, body=body, anchors=anchors, plain=body
        )
        doc.add_unsigned("id", page_id)  # a plain int keyword would be taken as i64 and rejected
        self.writer.add_document(doc)

    def close(self) -> None:
        self.writer.commit()
        self.writer.wait_merging_threads()


def query_text(query: str) -> str:
    """User text → a safe query string: words only (no operators, fields or quotes), lower-cased."""
    return " ".join(_WORD.findall(query.lower())[:MAX_QUERY_TERMS])


class FulltextReader:
    def __init__(self, directory: Path, *, index_path: Path | None = None) -> None:
        import tantivy

        self._tantivy = tantivy
        self._index_path = index_path or directory  # what error messages name
        self.index = tantivy.Index.open(str(directory))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()
        self.has_plain = _has_field(self.index, PLAIN_FIELD)

    def parse(self, query: str) -> Any | None:
        text = query_text(query)
        if not text:
            return None
        return self.index.parse_query(text, SEARCH_FIELDS, field_boosts=FIELD_BOOSTS)

    def parse_plain(self, query: str) -> Any | None:
        """A query over `plain` only, no boosts; None when the text has no words."""
        if not self.has_plain:
            raise IndexMismatchError(
                f"{self._index_path}: built before plain BM25 search existed; rebuild it with "
                f"`infoseek-local index WARC... --out NEW_DIR`"
            )
        text = query_text(query)
        if not text:
            return None
        return self.index.parse_query(text, [PLAIN_FIELD])

    def top_k(self, query: Any, k: int) -> list[tuple[float, Any]]:
        return self.searcher.search(query, limit=k).hits

    def doc(self, address: Any) -> Any:
        return self.searcher.doc(address)

    def snippet_generator(self, query: Any, max_chars: int) -> Any:
        generator = self._tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        generator.set_max_num_chars(max_chars)
        return generator

    def lookup_url(self, canonical: str) -> int | None:
        query = self._tantivy.Query.term_query(self.schema, "url_key", canonical)
        hits = self.searcher.search(query, limit=1).hits
        if not hits:
            return None
        return int(self.searcher.doc(hits[0][1]).get_first("id"))

    def count_docs(self) -> int:
        return self.searcher.num_docs

    def plain_doc_freq(self, word: str) -> int:
        """Pages whose plain text holds `word` (one lower-case token of the default tokenizer)."""
        if not self.has_plain:
            return 0
        return int(self.searcher.doc_freq(PLAIN_FIELD, word))

    def many(self, queries: Sequence[Any], k: int) -> list[list[tuple[float, Any]]]:
        return [self.top_k(q, k) if q is not None else [] for q in queries]


def _has_field(index: Any, name: str) -> bool:
    # tantivy-py lists no schema fields; parsing a query over an unknown field raises ValueError
    try:
        index.parse_query("x", [name])
    except ValueError:
        return False
    return True
