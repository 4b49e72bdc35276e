"""An oracle searcher: how many real searches a question needs when its tree is followed bottom-up.

The oracle knows the tree's shape (which clue phrase belongs to which vertex) but, like a real searcher, it may
only type words it has seen: words of the question and titles of pages its earlier searches returned. It
resolves the deepest vertices first; a vertex is resolved once its page shows up in the top k of a query built
from its own clues and its resolved children's titles. The root resolved means the question is solved.
"""

from __future__ import annotations

import re

from msgspec import Struct

from .index.protocol import IndexLike
from .records import Vertex
from .text.words import search_query

# the same shape of word `search_query` keeps, so the fairness check sees the query as it is typed
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


class OracleStep(Struct, frozen=True, kw_only=True):
    """One search: the vertex it tried to resolve, the query, and that vertex's page rank (None: not in top k)."""

    vertex: int
    query: str
    rank: int | None


class OracleResult(Struct, frozen=True, kw_only=True):
    solved: bool
    searches: int
    steps: list[OracleStep]
    reason: str = ""  # why not solved; "" when solved


def _key(word: str) -> str:
    return word.casefold().replace("’", "'")


def _word_keys(text: str) -> set[str]:
    """Case-insensitive whole words of `text`, with the parts of hyphenated words ("twentieth-century")."""
    keys: set[str] = set()
    for word in _WORD.findall(text):
        key = _key(word)
        keys.add(key)
        keys.add(re.sub(r"'s$", "", key))  # "Newton's" shows the name "Newton"
        keys.update(part for part in re.split(r"[-']", key) if part)
    return keys


def _clue_words(text: str, question_keys: set[str]) -> list[str]:
    """The clue's words that the question shows (blurring may have rewritten the rest)."""
    return [word for word in _WORD.findall(text) if _key(word) in question_keys]


def _build_query(parts: list[str]) -> str:
    """Function words dropped (as a searcher would type it), each word once, first spelling kept."""
    seen: dict[str, str] = {}
    for word in _WORD.findall(search_query(" ".join(parts))):
        seen.setdefault(_key(word), word)
    return " ".join(seen.values())


def _assert_fair(query: str, known_keys: set[str]) -> None:
    # an explicit raise rather than `assert`: this must hold under `python -O` too
    unseen = [word for word in _WORD.findall(query) if _key(word) not in known_keys]
    if unseen:
        raise AssertionError(f"oracle query {query!r} uses words the searcher has not seen: {unseen}")


def _depths(vertices: list[Vertex]) -> list[int]:
    depths = [0] * len(vertices)
    for position, vertex in enumerate(vertices):
        depth, parent, hops = 0, vertex.parent, 0
        while 0 <= parent < len(vertices) and hops < len(vertices):  # hops: a malformed cycle cannot hang
            depth, parent, hops = depth + 1, vertices[parent].parent, hops + 1
        depths[position] = depth
    return depths


def _query_variants(
    children: list[tuple[int, Vertex]], vertex: Vertex, titles: dict[int, str], known_keys: set[str]
) -> list[str]:
    """Queries to try for `vertex`, best first, empty and repeated ones left out. A child that was not
    searched for (nothing below it pins it down) still gives its relation's words; a resolved back-link child
    (its page links to this vertex) gives the names its linking sentence shows, since the searcher read it."""
    child_titles = [titles[spot] for spot, _ in children if spot in titles]
    relation_words = [
        word
        for _, child in children
        if child.relation is not None
        for word in _clue_words(child.relation.text, known_keys)
    ]
    read_names = [
        word
        for spot, child in children
        if spot in titles and child.relation is not None and child.relation_from == "child"
        for sentence in child.relation.sentences
        for word in _WORD.findall(sentence)  # the words the searcher read, as `_word_keys` knows them
        if word[:1].isupper() and _key(word) not in _word_keys(titles[spot])
    ]
    attribute_words = [word for claim in vertex.claims for word in _clue_words(claim.text, known_keys)]
    kind_words = _clue_words(vertex.descriptor, known_keys)
    # a back-link's clue to the parent is said on this vertex's own page: its words find the page too
    own_link_words = (
        _clue_words(vertex.relation.text, known_keys)
        if vertex.relation is not None and vertex.relation_from == "child"
        else []
    )
    candidates = [
        _build_query([*read_names, *relation_words]) if read_names else "",
        _build_query([*child_titles, *relation_words]) if children else "",
        _build_query([*child_titles, *attribute_words, *kind_words]),
        _build_query([*attribute_words, *kind_words, *own_link_words]),
        _build_query([*attribute_words, *kind_words]),
        _build_query([*attribute_words]),
    ]
    variants: list[str] = []
    for query in candidates:
        if query and query not in variants:
            variants.append(query)
    return variants


def _pinned(vertices: list[Vertex]) -> set[int]:
    """Positions of vertices a searcher can find: those with facts, and those above one it can find."""
    # facts, or a back-link: its clue to the parent is said on its own page
    pinned = {position for position, v in enumerate(vertices) if v.claims or v.relation_from == "child"}
    changed = True
    while changed:
        changed = False
        for position, vertex in enumerate(vertices):
            if position not in pinned and any(
                child.parent == position and spot in pinned for spot, child in enumerate(vertices)
            ):
                pinned.add(position)
                changed = True
    return pinned


def _rank_of(page_id: int, hits_page_ids: list[int]) -> int | None:
    return hits_page_ids.index(page_id) + 1 if page_id in hits_page_ids else None


def oracle_solve(
    index: IndexLike, question: str, vertices: list[Vertex], *, k: int = 10, tries_per_vertex: int = 3
) -> OracleResult:
    """Resolve `vertices` deepest first with real searches; solved when the root's page is reached.

    Queries use only question words found in a vertex's own clues (its attribute claims, the relation phrases
    to its children, its kind) and the titles of its resolved children as the results showed them.
    """
    if tries_per_vertex < 1:
        raise ValueError(f"tries_per_vertex must be at least 1, not {tries_per_vertex}")
    if not vertices:
        return OracleResult(solved=False, searches=0, steps=[], reason="the tree has no vertices")
    question_keys = _word_keys(question)
    known_keys = set(question_keys)  # grows with every resolved title
    titles: dict[int, str] = {}  # vertex position -> title of its page as a search result showed it
    steps: list[OracleStep] = []
    depths = _depths(vertices)
    pinned = _pinned(vertices) | {0}
    order = sorted(pinned, key=lambda position: (-depths[position], position))
    for position in order:
        vertex = vertices[position]
        # `parent` holds the parent's position in `vertices` (vertex i has index i)
        children = [(spot, child) for spot, child in enumerate(vertices) if child.parent == position != spot]
        # only a malformed tree (a parent cycle) gets here
        if any(spot in pinned and spot not in titles for spot, _ in children):
            reason = f"vertex {vertex.index} has unresolved children; its tree's parent links form a cycle"
            return OracleResult(solved=False, searches=len(steps), steps=steps, reason=reason)
        for spot, child in children:
            if spot in titles and child.relation is not None and child.relation_from == "child":
                for sentence in child.relation.sentences:  # the searcher opened that page and read it
                    known_keys |= _word_keys(sentence)
        variants = _query_variants(children, vertex, titles, known_keys)[:tries_per_vertex]
        if not variants:
            reason = f"vertex {vertex.index} has no clue words in the question to search with"
            return OracleResult(solved=False, searches=len(steps), steps=steps, reason=reason)
        for query in variants:
            _assert_fair(query, known_keys)
            hits = index.search(query, k)[:k]
            rank = _rank_of(vertex.page_id, [hit.page_id for hit in hits])
            steps.append(OracleStep(vertex=vertex.index, query=query, rank=rank))
            if rank is not None:
                titles[position] = hits[rank - 1].title
                known_keys |= _word_keys(titles[position])
                break
        else:
            reason = f"vertex {vertex.index} not found in the top {k} after {len(variants)} searches"
            return OracleResult(solved=False, searches=len(steps), steps=steps, reason=reason)
    return OracleResult(solved=True, searches=len(steps), steps=steps)
