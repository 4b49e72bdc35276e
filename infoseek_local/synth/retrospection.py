"""Retrospection: pin the answer down with the fewest clues, judged by the index.

A research tree is a hierarchical constraint problem (DESIGN.md): the answer set of a vertex is the pages of its
kind that fit its facts and relate, as its relation clue says, to some page of its child's answer set. Code
computes these sets bottom-up over the index:
- a vertex's facts admit the pages both rankings return for them that hold most of each fact's words;
- a relation admits the pages that link to a page of the child's set and hold most of the relation's words;
- a vertex with no fact and an unconstrained child is unconstrained (None): every page of its kind fits.
The question is unique when the root's answer set is the root alone. While it is not, one fact is added: code
tries every clean, non-revealing fact of every vertex and keeps those that shrink the root's set most
(preferring facts reached through a hop over facts of the answer's own page: famous answers are recalled from
memory), and the browser (LLM) picks among them. Facts are decided by code, never by a judge that says yes to
everything; a tree that stays ambiguous is rejected as `underdetermined`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..oracle import oracle_solve
from ..records import Claim, Vertex
from ..text import BLUR_WORDS, content_terms, mentions_name, search_query
from ..text.directions import share_stated
from .claims import fact_claim, is_grounded, kind_words
from .compose import compose
from .context import SynthContext, TreeRejected, choice_type
from .diffusion import add_child, check_shape, choose_link, depth_of, found_midway
from .options import FactOption, LinkOption, fact_options, link_options

MAX_FACTS_PER_VERTEX = 2
MAX_ANSWER_LINKS = 2  # the chain's first hop and at most one back-link added to pin the answer down
MAX_FACTS_PER_TREE = 4  # more clues make a long question
RIVAL_POOL = 30  # pages per ranking considered as other entities a fact could describe
MAX_ENUMERATED = 300  # a child's answer set larger than this bounds its parent too loosely to enumerate
RELATION_COVERAGE = 0.75
UNBOUNDED = 10**9
ORACLE_TRIES = 4  # searches the oracle may spend finding one vertex
MAX_OPTION_CHARS = 200
MAX_VERTEX_RIVALS = 1  # other pages that may still fit the start: readers found a start of 4 too vague


def children_of(vertices: list[Vertex], vertex: Vertex) -> list[Vertex]:
    return [v for v in vertices if v.parent == vertex.index and v.relation is not None]


def _same_kind(ctx: SynthContext, vertex: Vertex, page_id: int) -> bool:
    noun = ctx.noun(vertex.page_id)
    return not noun or ctx.noun(page_id) == noun


def _clue_terms(vertices: list[Vertex], claim: Claim) -> tuple[str, ...]:
    return _terms(claim.text, (*(v.descriptor for v in vertices), *claim.name_kinds))


@lru_cache(maxsize=1 << 12)
def _terms(text: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a clue a fitting page must hold: not the kinds that stand for masked names, nor the words
    blurring put in place of figures ("hundreds", "century")."""
    skip = kind_words(list(kinds)) | BLUR_WORDS
    return tuple(t for t in content_terms(text) if t not in skip)


def fits_fact(ctx: SynthContext, vertices: list[Vertex], page_id: int, claim: Claim) -> bool:
    """Whether one sentence of the page states most of the fact's words (as the fact's own sentence does),
    and names something of each kind the clue put in place of a name."""
    terms = _clue_terms(vertices, claim)
    nouns = _named_nouns(claim)
    if not terms and not nouns:
        return True
    return any(
        share_stated(terms, s.text) >= ctx.config.fit_coverage and _names_kinds(ctx, page_id, s.text, nouns)
        for s in ctx.sentences(page_id)
    )


def _named_nouns(claim: Claim) -> tuple[str, ...]:
    return tuple(kind.split()[-1] for kind in claim.name_kinds)


def _names_kinds(ctx: SynthContext, page_id: int, sentence: str, nouns: tuple[str, ...]) -> bool:
    """Whether the sentence names something of each kind: the noun itself ("the Laccadive Sea" for "a sea")
    or a name the page links to a page of that kind ("Nigeria" for "a country"). A blurred name still
    constrains: a clue "borders a sea" fits a page whose sentence names a sea, not any page that borders."""
    if not nouns:
        return True
    lowered = sentence.lower()
    linked = {ctx.noun(link.target) for link in ctx.out_links(page_id) if link.anchor in sentence}
    return all(
        noun in linked or re.search(r"\b" + re.escape(noun) + r"(?:e?s)?\b", lowered) for noun in nouns
    )


def fits_relation(ctx: SynthContext, vertices: list[Vertex], page_id: int, child: Vertex, other: int) -> bool:
    """Whether a sentence of `page_id` that names page `other` holds most of the relation's words: the clue
    is said in the sentence that makes the link, as it was for the tree's own edge."""
    assert child.relation is not None
    terms = _clue_terms(vertices, child.relation)
    nouns = _named_nouns(child.relation)
    names = [n for n in ctx.aliases(other)[:4] if len(n) >= 3]
    return any(
        share_stated(terms, sentence.text) >= RELATION_COVERAGE
        and any(mentions_name(sentence.text, name) for name in names)
        and _names_kinds(ctx, page_id, sentence.text, nouns)
        for sentence in ctx.sentences(page_id)
    )


def _fact_pool(ctx: SynthContext, vertex: Vertex, facts: list[Claim]) -> set[int]:
    pool: set[int] = {vertex.page_id}
    for claim in facts:
        text = f"{ctx.noun(vertex.page_id)} {claim.text}"
        pool.update(hit.page_id for hit in ctx.index.search(search_query(text), RIVAL_POOL))
        pool.update(hit.page_id for hit in ctx.index.search_plain(text, RIVAL_POOL))
    return pool


def _related(ctx: SynthContext, vertices: list[Vertex], child: Vertex, below: set[int]) -> set[int]:
    """Pages that relate to some page of the child's answer set as the child's relation clue says: pages that
    link to it in a sentence holding the clue's words, or, for a back-link (the clue is on the child's page),
    the pages it links to in such a sentence."""
    pages: set[int] = set()
    for page_id in below:
        if child.relation_from == "child":
            targets = {link.target for link in ctx.out_links(page_id)}
            pages.update(t for t in targets if fits_relation(ctx, vertices, page_id, child, t))
        else:
            sources = {link.target for link in ctx.in_links(page_id)}  # in-links: target holds the source
            pages.update(p for p in sources if fits_relation(ctx, vertices, p, child, page_id))
    return pages


def answer_set(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, extra: dict[int, Claim] | None = None
) -> set[int] | None:
    """The pages that could be `vertex`'s entity given the clues below it (`extra`: a fact to try, by vertex
    index); None when nothing bounds it. Remembered per subtree: trying a fact on one vertex leaves the sets
    below the other vertices as they were."""
    key = _subtree_key(vertices, vertex, extra)
    if key not in ctx.answer_sets:
        ctx.answer_sets[key] = _answer_set(ctx, vertices, vertex, extra)
    return ctx.answer_sets[key]


def _subtree_key(
    vertices: list[Vertex], vertex: Vertex, extra: dict[int, Claim] | None
) -> tuple[object, ...]:
    """What an answer set depends on: the subtree's pages, clues and edge directions, and the tree's kinds."""
    parts: list[object] = [tuple(v.descriptor for v in vertices)]
    stack = [vertex]
    while stack:
        v = stack.pop()
        tried = (extra[v.index].text,) if extra and v.index in extra else ()
        relation = v.relation.text if v.relation is not None else ""
        parts.append((v.page_id, relation, v.relation_from, *(c.text for c in v.claims), *tried))
        stack += children_of(vertices, v)
    return tuple(parts)


def _answer_set(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, extra: dict[int, Claim] | None
) -> set[int] | None:
    facts = [*vertex.claims, *([extra[vertex.index]] if extra and vertex.index in extra else [])]
    if vertex.relation is not None and vertex.relation_from == "child":
        facts.append(vertex.relation)  # a back-link's clue is said on this vertex's own page: a fact of it
    candidates: set[int] | None = None
    for child in children_of(vertices, vertex):
        below = answer_set(ctx, vertices, child, extra)
        if below is None or len(below) > MAX_ENUMERATED:
            if child.relation_from == "parent":
                # too loose to enumerate, but the clue is said on this vertex's page ("is located on a river
                # north of a mountain range"): its words still bound this vertex, like a fact
                facts.append(child.relation)
            continue
        linked = _related(ctx, vertices, child, below)
        candidates = linked if candidates is None else candidates & linked
    if facts:
        pool = candidates if candidates is not None else _fact_pool(ctx, vertex, facts)
        candidates = {p for p in pool if all(fits_fact(ctx, vertices, p, c) for c in facts)}
    if candidates is None:
        return None
    return {p for p in candidates if _same_kind(ctx, vertex, p)} | {vertex.page_id}


def root_rivals(ctx: SynthContext, vertices: list[Vertex], extra: dict[int, Claim] | None = None) -> int:
    """How many other pages fit the whole question; a large number when nothing bounds the root."""
    found = answer_set(ctx, vertices, vertices[0], extra)
    return UNBOUNDED if found is None else len(found) - 1


def _claim_of(option: FactOption) -> Claim:
    return fact_claim(option.sentence, option.clue, option.name_kinds)


def _choose_fact(ctx: SynthContext, vertex: Vertex, options: list[FactOption]) -> FactOption:
    if len(options) == 1:
        return options[0]
    listing = "\n".join(f"[{i}] one that {o.clue[:MAX_OPTION_CHARS]}" for i, o in enumerate(options, 1))
    answer = ctx.ask(
        "browser_claim",
        {"title": vertex.title, "sentences": listing},
        choice_type(tuple(range(1, len(options) + 1))),
        stage="retrospection",
    )
    return options[answer.choice - 1]


def solvable(ctx: SynthContext, vertices: list[Vertex]) -> bool:
    """Whether the oracle, typing only words the question and its results show, reaches the answer."""
    return oracle_solve(ctx.index, compose(vertices), vertices, tries_per_vertex=ORACLE_TRIES).solved


Standing = tuple[int, int, bool]  # (other pages that fit the answer, loose vertices, unsolvable by search)
SETTLED: Standing = (0, 0, False)


def loose_vertices(ctx: SynthContext, vertices: list[Vertex]) -> int:
    """Starting points a reader cannot pin down from their own clues: unbounded, with more than
    `MAX_VERTEX_RIVALS` other pages that fit, or in words too common to single anything out (`specificity`).
    A start is a leaf with a clue of its own (a fact, or a back-link said on its page), or else the leaf's
    parent, whose page names the leaf only by its kind ("A capital is located on a river north of a mountain
    range": the reader starts from the capital). A question whose first clue fits any country is unique to
    code (the words of a later clue are rare) but not to a reader, who must know where to start."""
    starts: dict[int, list[Claim]] = {}
    for vertex in vertices[1:]:
        if children_of(vertices, vertex):
            continue  # bounded by its child through the link, as a searcher follows it
        own_clue = vertex.claims or vertex.relation_from == "child"
        start = vertex if own_clue else vertices[vertex.parent]
        starts.setdefault(start.index, []).extend(_clues_about(start))
        if not own_clue:
            assert vertex.relation is not None
            starts[start.index].append(vertex.relation)  # said on the start's page
    loose = 0
    for index, clues in starts.items():
        if index == 0:
            continue  # the answer's own uniqueness is `root_rivals`
        found = answer_set(ctx, vertices, vertices[index])
        vague = specificity(ctx, vertices, clues) < ctx.config.min_start_specificity
        loose += found is None or len(found) - 1 > MAX_VERTEX_RIVALS or vague
    return loose


def _clues_about(vertex: Vertex) -> list[Claim]:
    """The clues said on the vertex's own page: its facts, and its back-link's clue."""
    own = [vertex.relation] if vertex.relation is not None and vertex.relation_from == "child" else []
    return [*vertex.claims, *own]


def specificity(ctx: SynthContext, vertices: list[Vertex], clues: list[Claim]) -> float:
    """How specific a start's most specific clue is, as a reader meets it: the rarity of its two rarest words
    (not the kinds that stand for names, nor blurring's words). Two vague clues make no specific one ("a
    country of several million inhabitants" and "a sovereign nation in a subregion" fit dozens together). The
    index judges uniqueness among its own pages; this judges whether the words could single out an entity
    among all a reader knows."""
    return max((_clue_specificity(ctx, vertices, claim) for claim in clues), default=0.0)


def _clue_specificity(ctx: SynthContext, vertices: list[Vertex], claim: Claim) -> float:
    rarities = sorted((ctx.rarity(word) for word in _clue_terms(vertices, claim)), reverse=True)
    return sum(rarities[:2])


def _standing(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex | None = None, claim: Claim | None = None
) -> Standing:
    """Where the question stands, with `claim` added to `vertex` for a try."""
    if vertex is not None and claim is not None:
        vertex.claims.append(claim)
    try:
        rivals = root_rivals(ctx, vertices)
        loose = loose_vertices(ctx, vertices)
        return rivals, loose, bool(rivals or loose) or not solvable(ctx, vertices)
    finally:
        if vertex is not None and claim is not None:
            vertex.claims.remove(claim)


def pin_down(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Add facts (or, where one-hop questions are allowed, a back-link to the answer), best first, until only
    the answer fits and the oracle can solve the question; TreeRejected("underdetermined") when nothing can
    make it so."""
    left = _standing(ctx, vertices)
    while left != SETTLED:
        if sum(len(v.claims) for v in vertices) >= MAX_FACTS_PER_TREE:
            raise _rejection(left, f"after {MAX_FACTS_PER_TREE} facts")
        tried: list[tuple[Standing, int, int, int, Vertex, FactOption | LinkOption]] = []
        for vertex in vertices:
            if len(vertex.claims) >= MAX_FACTS_PER_VERTEX:
                continue
            for position, option in enumerate(fact_options(ctx, vertices, vertex)):
                standing = _standing(ctx, vertices, vertex, _claim_of(option))
                # fewest rivals, solvable; then a fact reached through a hop over one of the answer's own;
                # then the deeper vertex; then the shorter fact
                tried.append(
                    (
                        standing,
                        0 if vertex.index else 1,
                        -depth_of(vertices, vertex),
                        position,
                        vertex,
                        option,
                    )
                )
        tried += _branches(ctx, vertices)
        if not tried:
            raise _rejection(left, "and no fact is left")
        tried.sort(key=lambda item: item[:4])
        best = tried[0][:3]
        if best[0] >= left:
            raise _rejection(left, "and no fact helps")
        vertex = tried[0][4]
        same = [t[5] for t in tried if t[:3] == best and t[4] is vertex][: ctx.config.shortlist]
        if isinstance(same[0], LinkOption):
            links = [o for o in same if isinstance(o, LinkOption)]
            branch = add_child(ctx, vertices, vertex, links[choose_link(ctx, vertex, links, "retrospection")])
            said = f"a back-link from {branch.title}"
        else:
            facts = [o for o in same if isinstance(o, FactOption)]
            choice = _choose_fact(ctx, vertex, facts)
            vertex.claims.append(_claim_of(choice))
            said = f"'{choice.clue}'"
        left = _standing(ctx, vertices)
        if left != SETTLED:
            ctx.note(
                f"{_count(left[0])} other pages still fit and {left[1]} vertices stay loose after {said} "
                f"(vertex {vertex.index + 1})"
            )


def _rejection(left: Standing, how: str) -> TreeRejected:
    if left[0]:
        return TreeRejected("underdetermined", f"{_count(left[0])} other pages fit {how}")
    if left[1]:
        return TreeRejected("underdetermined", f"{left[1]} vertices below the answer stay loose {how}")
    return TreeRejected("oracle_unsolved", f"unique, but the oracle cannot solve it {how}")


def _branches(
    ctx: SynthContext, vertices: list[Vertex]
) -> list[tuple[Standing, int, int, int, Vertex, LinkOption]]:
    """A second hop from the answer, as one more constraint: a page that links to the answer and says how in
    a sentence about itself ("A city is the largest city in that country"), which pins that page down too."""
    root = vertices[0]
    if len(children_of(vertices, root)) >= MAX_ANSWER_LINKS or len(vertices) >= ctx.config.max_vertices:
        return []
    if ctx.config.min_depth > 1:
        return []  # the page of such a back-link is a start one hop from the answer: a one-hop question
    found = []
    # a page of the answer's own kind would be read as the answer: "Another country borders it. Which country
    # is that?" points at the wrong one
    options = (
        o
        for o in link_options(ctx, vertices, root)
        if o.back and ctx.noun(o.link.target) != ctx.noun(root.page_id)
    )
    for position, option in enumerate(options):
        child = add_child(ctx, vertices, root, option)
        found.append((_standing(ctx, vertices), 0, -1, position, root, option))
        vertices.remove(child)
    return found


def _count(rivals: int) -> str:
    return "all pages of its kind" if rivals >= UNBOUNDED else str(rivals)


def retrospect(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Pin the answer down; then check shape and grounding."""
    pin_down(ctx, vertices)
    check_shape(ctx, vertices)
    midway = found_midway(ctx, vertices)  # the hops a reader searches stop there (`diffusion.reader_hops`)
    if midway is not None and depth_of(vertices, midway) < ctx.config.min_depth:
        raise TreeRejected(
            "too_shallow",
            f"the clues said of {midway.title} find it alone: the hops below it are dead weight",
        )
    check_grounding(ctx, vertices)


def check_grounding(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Mark every claim grounded by code; an ungrounded claim rejects the tree (it would be a wrong record)."""
    allowed = kind_words([v.descriptor for v in vertices])
    for vertex in vertices:
        for claim in vertex.claims:
            claim.grounded = is_grounded(claim, ctx.sentences(vertex.page_id), allowed)
            if not claim.grounded:
                raise TreeRejected("ungrounded", f"vertex {vertex.index + 1}: {claim.text}")
        if vertex.relation is not None:
            cited = vertex if vertex.relation_from == "child" else vertices[vertex.parent]
            vertex.relation.grounded = is_grounded(vertex.relation, ctx.sentences(cited.page_id), allowed)
            if not vertex.relation.grounded:
                raise TreeRejected(
                    "ungrounded", f"relation of vertex {vertex.index + 1}: {vertex.relation.text}"
                )
