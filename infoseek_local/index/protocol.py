"""The read API of an index that later stages (synth, verify, agent, serve) may rely on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from ..records import OutLink, Page, SearchHit


class IndexLike(Protocol):
    """Read-only view of a built index. Page ids are dense ints 0..n_pages-1."""

    @property
    def n_pages(self) -> int: ...

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        """Top-k BM25 hits over title, body and inlink anchors; a query with no terms gives []."""
        ...

    def search_many(self, queries: Sequence[str], k: int = 10) -> list[list[SearchHit]]:
        """The same as `search` for each query, in one batched call."""
        ...

    def page(self, page_id: int) -> Page: ...

    def page_by_url(self, url: str) -> Page | None:
        """Looks the URL up after canonicalisation; None when not in the corpus."""
        ...

    def out_links(self, page_id: int) -> list[OutLink]: ...

    def in_links(self, page_id: int) -> list[OutLink]:
        """Links pointing at `page_id`: `target` holds the *source* page id, `anchor` its anchor text."""
        ...

    def in_degree(self, page_id: int) -> int: ...

    def iter_pages(self) -> Iterator[Page]: ...
