"""Hand-built research trees, questions and a tiny in-memory index for the verify tests."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from infoseek_local.llm.client import LLM
from infoseek_local.llm.fake import FakeBackend
from infoseek_local.records import Claim, OutLink, Page, Provenance, Question, SearchHit, Tree, Vertex

PROVENANCE = Provenance(tool_version="test")

PAGE_TEXTS = {
    "Gustave Eiffel": (
        "Gustave Eiffel was a French civil engineer. His company designed and built the Eiffel Tower "
        "for the 1889 World's Fair in Paris. He also worked on the Statue of Liberty."
    ),
    "Eiffel Tower": (
        "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. It was "
        "constructed from 1887 to 1889 as the centerpiece of the World's Fair."
    ),
    "Statue of Liberty": (
        "The Statue of Liberty is a colossal neoclassical sculpture on Liberty Island in New York Harbor. "
        "The copper statue was a gift from the people of France."
    ),
    "Paris": "Paris is the capital and largest city of France. It lies on the Seine river.",
    "Champ de Mars": "The Champ de Mars is a large public green space in Paris, France, near the Seine.",
    "Alexandre Dumas": "Alexandre Dumas was a French writer. His novels include The Three Musketeers.",
}
TITLES = list(PAGE_TEXTS)


# MemoryIndex holds six pages, so every answer page is in a top 10: checks over it hold the whole question to
# rank 1 instead of verify's default of 10 (VerifyConfig.question_shortcut_rank)
MEMORY_QUESTION_SHORTCUT_RANK = 1


def page_id(title: str) -> int:
    return TITLES.index(title)


def url(title: str) -> str:
    return "https://en.wikipedia.org/wiki/" + title.replace(" ", "_")


class MemoryIndex:
    """IndexLike over a few pages; ranks by the number of query words a page's title + text contains (ties and
    pages sharing no word follow in id order, so k hits always come back)."""

    def __init__(self, texts: dict[str, str] = PAGE_TEXTS) -> None:
        self._pages = [
            Page(id=i, url=url(t), title=t, text=x, out_links=[], text_hash=str(i))
            for i, (t, x) in enumerate(texts.items())
        ]
        self.searches: list[str] = []
        self.plain_searches: list[str] = []

    @property
    def n_pages(self) -> int:
        return len(self._pages)

    def search(self, query: str, k: int = 10) -> list[SearchHit]:
        self.searches.append(query)
        words = set(re.findall(r"\w+", query.lower())) - {"the", "a", "of", "which", "is", "was", "in", "on"}
        scored = []
        for page in self._pages:
            hay = set(re.findall(r"\w+", (page.title + " " + page.text).lower()))
            scored.append((-len(words & hay), page.id))
        return [
            SearchHit(page_id=pid, url=self._pages[pid].url, title=self._pages[pid].title, score=-s)
            for s, pid in sorted(scored)[:k]
        ]

    def search_many(self, queries: Sequence[str], k: int = 10) -> list[list[SearchHit]]:
        return [self.search(q, k) for q in queries]

    def search_plain(self, query: str, k: int = 10) -> list[SearchHit]:
        """Like plain BM25: body text only, every word counts (stopwords too), pages sharing no word left out."""
        self.plain_searches.append(query)
        words = set(re.findall(r"\w+", query.lower()))
        scored = []
        for page in self._pages:
            shared = len(words & set(re.findall(r"\w+", page.text.lower())))
            if shared:
                scored.append((-shared, page.id))
        return [
            SearchHit(page_id=pid, url=self._pages[pid].url, title=self._pages[pid].title, score=-s)
            for s, pid in sorted(scored)[:k]
        ]

    def search_plain_many(self, queries: Sequence[str], k: int = 10) -> list[list[SearchHit]]:
        return [self.search_plain(q, k) for q in queries]

    def page(self, page_id: int) -> Page:
        return self._pages[page_id]

    def page_by_url(self, address: str) -> Page | None:
        return next((p for p in self._pages if p.url == address), None)

    def out_links(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> list[OutLink]:
        return []

    def in_links(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> list[OutLink]:
        return []

    def in_degree(self, page_id: int, kinds: Sequence[str] = ("hyperlink",)) -> int:
        return 0

    def iter_pages(self) -> Iterator[Page]:
        return iter(self._pages)


def claim(text: str, *sentences: str, kind: str = "attribute") -> Claim:
    return Claim(
        text=text, sentence_ids=list(range(1, len(sentences) + 1)), sentences=list(sentences), kind=kind
    )


def eiffel_tree(tree_id: str = "t1", claims: list[Claim] | None = None) -> Tree:
    """Answer Gustave Eiffel; child: the tower his company built (relation cites Eiffel's page)."""
    root_claims = (
        claims
        if claims is not None
        else [
            claim("This entity was a French civil engineer.", "Gustave Eiffel was a French civil engineer.")
        ]
    )
    return Tree(
        id=tree_id,
        seed_page_id=page_id("Gustave Eiffel"),
        status="accepted",
        provenance=PROVENANCE,
        vertices=[
            Vertex(
                index=0,
                page_id=page_id("Gustave Eiffel"),
                url=url("Gustave Eiffel"),
                title="Gustave Eiffel",
                claims=root_claims,
                descriptor="a French civil engineer",
            ),
            Vertex(
                index=1,
                page_id=page_id("Eiffel Tower"),
                url=url("Eiffel Tower"),
                title="Eiffel Tower",
                parent=0,
                relation=claim(
                    "This entity's company designed and built a wrought-iron lattice tower for the World's Fair.",
                    "His company designed and built the Eiffel Tower for the 1889 World's Fair in Paris.",
                    kind="relation",
                ),
                claims=[
                    claim(
                        "It was constructed in the 1880s as the centerpiece of the World's Fair.",
                        "It was constructed from 1887 to 1889 as the centerpiece of the World's Fair.",
                    )
                ],
                descriptor="a wrought-iron lattice tower",
            ),
        ],
    )


HARD_QUESTION = (
    "Which engineer's firm produced a wrought-iron lattice structure that was constructed in the 1880s as "
    "the centerpiece of a world exhibition?"
)


def question(
    text: str = HARD_QUESTION, qid: str = "q1", tree_id: str = "t1", answer: str = "Gustave Eiffel"
) -> Question:
    return Question(
        id=qid,
        tree_id=tree_id,
        question=text,
        answer=answer,
        aliases=["Alexandre Gustave Eiffel"],
        hops=1,
        vertices=2,
        gold_page_ids=[page_id("Gustave Eiffel"), page_id("Eiffel Tower")],
        gold_urls=[url("Gustave Eiffel"), url("Eiffel Tower")],
        provenance=PROVENANCE,
    )


def fake_llm(*answers: object, n_ctx: int = 2048) -> tuple[LLM, FakeBackend]:
    backend = FakeBackend(n_ctx=n_ctx)
    backend.enqueue(*answers)
    return LLM(backend), backend
