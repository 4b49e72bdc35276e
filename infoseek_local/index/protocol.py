"""The read API of an index that later stages (synth, verify, agent, serve) may rely on."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from ..records import OutLink, Page, SearchHit


class IndexLike(Protocol):
    """Read-only view of a built index. Page ids are dense ints 0..n_pages-1.

    Links come in two kinds (`kinds` takes either or both; the default is hyperlinks only): "hyperlink" (an
    <a href> of the page) and "mention" (the page's text names the target: `OutLink.anchor` is the words as
    written and `OutLink.offset` where they start in the text of the page the link starts from, so the
    sentence that mentions the target is known). With both, hyperlinks come first and a page reached by both
    is listed once, as a hyperlink.
    """

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

    def doc_freq(self, word: str) -> int:
        """How many pages hold the word (plain text, lower case): how rare a clue's words are."""
        ...

    def page(self, page_id: int) -> Page: ...

    def page_by_url(self, url: str) -> Page | None:
        """Looks the URL up after canonicalisation; None when not in the corpus."""
        ...

    def out_links(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> list[OutLink]: ...

    def in_links(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> list[OutLink]:
        """Links pointing at `page_id`: `target` holds the *source* page id, `anchor` its anchor text (and a
        mention's `offset` is in the source page's text)."""
        ...

    def in_degree(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> int: ...

    def in_degrees(self, kinds: Sequence[str] = ("hyperlink",)) -> Any:
        """In-degree of every page as a numpy array (seed sampling skips hubs)."""
        ...

    def iter_pages(self) -> Iterator[Page]: ...
