"""The read API of an index that later stages (synth, verify, agent, serve) may rely on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

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

    def search_plain(self, query: str, k: int = 10) -> list[SearchHit]:
        """Top-k plain BM25 hits: body text only, lower-cased and split (no stemming, stopwords kept), no
        field boosts; a second judge of "one search finds the page" next to `search`. Hits have no snippet.
        Raises IndexMismatchError on an index built before this ranking existed."""
        ...

    def search_plain_many(self, queries: Sequence[str], k: int = 10) -> list[list[SearchHit]]:
        """The same as `search_plain` for each query."""
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

    def in_degrees(self) -> Any:
        """In-degree of every page as a numpy array (seed sampling skips hubs)."""
        ...

    def iter_pages(self) -> Iterator[Page]: ...
