"""What a vertex can offer a question: links to follow and facts to state, each already a clean, short clue.

One test of a usable link for everyone: seed sampling, diffusion and the legal-move check all call
`link_options`, so a sampled seed always has a link diffusion can follow.

A clue comes from a sentence of the vertex's page that has the entity as its subject (`text.clues.predicate`);
the answer's defining sentence (its first statement: "X is a landlocked country in ...") is never a clue, nor is
a clue about the answer that alone finds its page by search (either ranking). A clue that finds a deeper vertex
is fine: that search is one hop of the solving path.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from ..records import OutLink, Vertex
from ..text import content_terms, demonyms_in, mask_names, mentions_name, search_query, word_set
from ..text.clues import border_sides, is_clean, predicate, reads_two_ways
from ..text.instructions import looks_like_instruction
from ..text.patterns import compiled
from .context import SynthContext
from .names import Blurred, blur_names
from .sentences import Sentence, words

MAX_OPTION_SENTENCE_CHARS = 600


@dataclass(frozen=True)
class LinkOption:
    link: OutLink  # target: the page the hop leads to
    sentence: Sentence  # on the vertex's page, or on the target's page for a back-link
    clue: str  # the relation as a clause about the vertex, the target as its kind ("rises in a range")
    back: bool = False  # the target's page links to the vertex: the clue is about the target, the vertex
    # named by its kind ("is the largest city in a country")
    name_kinds: tuple[str, ...] = ()  # kinds that stand for other names of the sentence
    names_left: int = 0  # names of the sentence no kind was found for (keys to recall: fewer is better)


@dataclass(frozen=True)
class FactOption:
    sentence: Sentence
    clue: str  # "was first climbed in the 1950s"
    name_kinds: tuple[str, ...] = ()
    names_left: int = 0


def is_statement(sentence: Sentence) -> bool:
    """A full sentence (5+ words, ending like one), not a heading, tagline or the page's own title line."""
    return len(words(sentence.text)) >= 5 and sentence.text.rstrip("\"')]").endswith((".", "!", "?"))


def _instruction(ctx: SynthContext, page_id: int, sentence: Sentence) -> bool:
    """Whether the sentence speaks to a model ("ignore previous instructions ..."): page text is written by
    strangers and never becomes a clue; each one met is counted for `stats`."""
    if not looks_like_instruction(sentence.text):
        return False
    ctx.instruction_sentences.add((page_id, sentence.number))
    return True


def defining_sentence(ctx: SynthContext, page_id: int) -> int:
    """The number of the page's first statement: it defines the entity, so it is never a clue."""
    return next((s.number for s in ctx.sentences(page_id) if is_statement(s)), 0)


def _free_sentences(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> list[Sentence]:
    used = used_sentences(vertices, vertex.page_id) | ctx.spent.get(vertex.page_id, set())
    # the answer's defining sentence gives it away; another vertex's may serve if it does not find its page
    defining = defining_sentence(ctx, vertex.page_id) if vertex.index == 0 else -1
    return [
        s
        for s in ctx.sentences(vertex.page_id)
        if s.number not in used
        and s.number != defining
        and is_statement(s)
        and len(s.text) <= MAX_OPTION_SENTENCE_CHARS
        and not _instruction(ctx, vertex.page_id, s)
    ]


def used_sentences(vertices: list[Vertex], page_id: int) -> set[int]:
    """Sentence numbers of `page_id` already cited by a claim (attribute claims and relations it holds)."""
    used: set[int] = set()
    for v in vertices:
        if v.page_id == page_id:
            for claim in v.claims:
                used.update(claim.sentence_ids)
        if v.relation is None or v.parent < 0:
            continue
        cited = v.page_id if v.relation_from == "child" else vertices[v.parent].page_id
        if cited == page_id:
            used.update(v.relation.sentence_ids)
    return used


def mask_tree_entities(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, clue: str, target: int = -1
) -> str | None:
    """The hop's `target` page named in a clue becomes its kind; a clue that names its own entity or any other
    entity of the tree is no clue: None."""
    for other in vertices:
        if other.page_id in (vertex.page_id, target):
            continue
        if mask_names(clue, ctx.aliases(other.page_id), other.descriptor) != clue:
            return None  # names an entity of the tree besides its hop: "a country" would be the answer itself
    if target >= 0:
        kind = ctx.descriptor(target)
        clue = mask_names(clue, ctx.aliases(target), kind)
        # "the cathedral of a city in a city": a longer name that held the target became its kind too
        if len(compiled(r"\b" + re.escape(kind) + r"\b").findall(clue)) > 1:
            return None
    pages = {v.page_id for v in vertices} | {vertex.page_id} | ({target} if target >= 0 else set())
    tree_names = [n for page in sorted(pages) for n in ctx.aliases(page)]
    if any(mentions_name(clue, name) for name in tree_names if len(name) >= 3) or demonyms_in(
        clue, tree_names
    ):
        return None
    if "this entity" in clue or "a certain one" in clue or not is_clean(clue):
        return None
    return clue


def reveal_rank(ctx: SynthContext, page_id: int, text: str, depth: int = 10) -> int | None:
    """The best rank (index's own ranking or plain body BM25) at which a search with the clue alone, as a
    question clause ("Which <kind> <clue>"), finds the page; None when neither has it in the top `depth`."""
    key = (page_id, text, depth)
    if key not in ctx.reveals:
        clause = f"Which {ctx.noun(page_id)} {text}"
        ranks = [
            rank
            for hits in (ctx.index.search(search_query(clause), depth), ctx.index.search_plain(clause, depth))
            for rank, hit in enumerate(hits, 1)
            if hit.page_id == page_id
        ]
        ctx.reveals[key] = min(ranks, default=None)
    return ctx.reveals[key]


def finds_alone(ctx: SynthContext, page_id: int, clue: str) -> bool:
    """Whether the clue alone puts its own page first (either ranking): a reader would type it and be done."""
    return reveal_rank(ctx, page_id, clue, depth=1) is not None


def _informative(clue: str, kind: str, own_noun: str = "") -> bool:
    """Two content words besides the kind, and not a restatement of the entity's own kind ("is a small
    planetary-mass object that ..." about a dwarf planet says what the question's "Which ..." already says)."""
    kind_words = set(content_terms(kind))
    if own_noun and re.match(
        # "is an active stratovolcano" about a volcano: a kind of its kind says no more than "Which volcano"
        # or "A dynasty was a dynastic kingdom": a word of its stem
        r"(?:is|was|are|were)\s+(?:a|an|the|one)\b(?:\s+\S+){0,4}?\s+[a-z-]*"
        + re.escape(own_noun[:6])
        + r"[a-z]*\b",
        clue,
    ):
        return False
    # "is a compound with the formula HNO3": the link names the entity's class, not a relation to it
    if kind and compiled(r"(?:is|was|are|were)\s+" + re.escape(kind) + r"\b").match(clue):
        return False
    return len([t for t in content_terms(clue) if t not in kind_words]) >= 2


def _forward_option(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, link: OutLink, free: list[Sentence]
) -> LinkOption | None:
    """The vertex's own sentence that mentions the link target, as a clue about the vertex."""
    kind = ctx.descriptor(link.target)
    for sentence in free:
        clue = predicate(
            sentence.text,
            ctx.aliases(vertex.page_id),
            ctx.noun(vertex.page_id),
            target=link.anchor,
            target_kind=kind,
            plural=ctx.is_plural(vertex.page_id),
        )
        if clue is None or not _informative(clue, kind, ctx.noun(vertex.page_id)):
            continue
        clue = mask_tree_entities(ctx, vertices, vertex, clue, target=link.target)
        blurred = _blurred(ctx, vertex.page_id, clue, kind)
        if blurred is not None:
            return LinkOption(link, sentence, blurred.clue, False, blurred.kinds, blurred.names_left)
    return None


def _blurred(ctx: SynthContext, page_id: int, clue: str | None, kind: str) -> Blurred | None:
    """The clue with other names as kinds, if it is still clean and says something besides them."""
    if clue is None:
        return None
    blurred = blur_names(ctx, page_id, clue, (kind,) if kind else ())
    if blurred is None or blurred.names_left > ctx.config.max_names_left:
        return None
    blurred = replace(blurred, clue=border_sides(blurred.clue))
    if reads_two_ways(blurred.clue):
        return None
    if blurred.clue != clue and not (
        is_clean(blurred.clue) and _informative(blurred.clue, " ".join([kind, *blurred.kinds]))
    ):
        return None
    return blurred


def _back_option(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, source: int, anchor: str, kind: str
) -> LinkOption | None:
    """A sentence of a page that links to the vertex, as a clue about that page that names the vertex by its
    kind ("Kano is the second largest city in Nigeria" -> "is the second largest city in a country")."""
    source_vertex = _stub(ctx, source)
    for sentence in _free_sentences(ctx, vertices, source_vertex):
        clue = predicate(
            sentence.text,
            ctx.aliases(source),
            ctx.noun(source),
            target=anchor,
            target_kind=vertex.descriptor,
            plural=ctx.is_plural(source),
        )
        if clue is None or not _informative(clue, vertex.descriptor, ctx.noun(source)):
            continue  # "is a coastal city in a state" says only what the page is
        clue = mask_tree_entities(ctx, vertices, source_vertex, clue, target=vertex.page_id)
        blurred = _blurred(ctx, source, clue, vertex.descriptor)
        if blurred is not None:
            link = OutLink(source, anchor, kind)
            return LinkOption(link, sentence, blurred.clue, True, blurred.kinds, blurred.names_left)
    return None


def link_options(
    ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, *, limit: int = 0
) -> list[LinkOption]:
    """Hops from the vertex to usable pages not yet in the tree, each with a clean clue that relates the vertex
    to it: its page's links (forward) and pages that link to it (back-links, which a sparse dump needs);
    best first (forward, named entities, long-tail targets, short clues), one per target."""
    in_tree = {v.page_id for v in vertices}
    free = _free_sentences(ctx, vertices, vertex)
    hub = ctx.hub_in_degree()
    said = [c.text for v in vertices for c in [*v.claims, v.relation] if c is not None]
    same_kind_hops = sum(
        1 for v in vertices if v.parent >= 0 and ctx.noun(v.page_id) == ctx.noun(vertices[v.parent].page_id)
    )
    candidates = [(link, False) for link in ctx.out_links(vertex.page_id)]
    candidates += [(link, True) for link in ctx.in_links(vertex.page_id)]  # target holds the source
    scored: list[tuple[float, int, LinkOption]] = []
    seen: set[int] = set()
    for position, (link, back) in enumerate(candidates):
        if link.target in in_tree or link.target in seen or not ctx.is_usable_page(link.target):
            continue
        if (vertex.page_id, link.target) in ctx.avoid_hops:
            continue  # an earlier attempt of this seed took that hop and was rejected
        if ctx.noun(link.target) == ctx.noun(vertex.page_id) and (vertex.index == 0 or same_kind_hops):
            continue  # "an emperor ... an emperor ... an emperor": one such hop reads, two do not
        if ctx.in_degree(link.target) > hub or not ctx.noun(link.target):
            continue  # a hub ("Earth") is a vague vertex every tree passes through; a kindless page has no name
        if any(mentions_name(text, name) for text in said for name in ctx.aliases(link.target)[:4]):
            continue  # a clue already in the tree names it: as a vertex it would leak
        if back:
            anchored = OutLink(vertex.page_id, link.anchor)
            if not _names_its_target(ctx, anchored):
                continue
            option = _back_option(ctx, vertices, vertex, link.target, link.anchor, link.kind)
        else:
            if not _names_its_target(ctx, link):
                continue
            option = _forward_option(ctx, vertices, vertex, link, free)
        if option is None:
            continue
        seen.add(link.target)
        # hubs (linked from everywhere) are recalled from memory and make vague vertices: prefer the long tail
        title = ctx.page(link.target if not back else vertex.page_id).title
        score = 2 * (link.anchor.lower() == title.lower()) + link.anchor[:1].isupper() - back
        score -= math.log2(1 + ctx.in_degree(link.target)) / 2
        score -= len(option.clue.split()) / 10
        score -= option.names_left  # a name left in the clue is a key to recall or to type
        score -= 2 * (ctx.noun(link.target) == ctx.noun(vertex.page_id))  # "a country borders a country"
        score -= 0.5 * (link.kind == "mention")  # a hyperlink is the page author's own link: preferred
        if vertex.index == 0:
            rank = reveal_rank(ctx, vertex.page_id, option.clue)
            if rank == 1:
                continue  # a clue about the answer must not find its page alone (a deeper vertex's may: a hop)
            score -= 5 * (
                rank is not None
            )  # the answer's own clue puts its page in the top 10: a near shortcut
        scored.append((-score, position, option))
    scored.sort(key=lambda item: item[:2])
    return [option for _, _, option in scored][: limit or ctx.config.shortlist]


# words that name units, not entities ("923,769 square kilometres" linked to the page Square)
_UNIT_WORDS = word_set(
    """square metre metres meter meters kilometre kilometres mile miles acre acres hectare hectares percent
    degree degrees year years century centuries day days hour hours"""
)


def _names_its_target(ctx: SynthContext, link: OutLink) -> bool:
    """A capitalised anchor names its page; a lower-case one only when it is the page's whole title of two or
    more words ("drainage basin"), not a unit of measure: single common words ("biology") make vague hops."""
    if re.sub(r"^(?:the|a|an)\s+", "", link.anchor.strip())[:1].isupper():
        return True  # "the Buddha" names the Buddha
    anchor = link.anchor.strip().lower()
    return (
        " " in anchor
        and anchor == ctx.page(link.target).title.strip().lower()
        and not set(anchor.split()) & _UNIT_WORDS
    )


def _stub(ctx: SynthContext, page_id: int) -> Vertex:
    page = ctx.page(page_id)
    return Vertex(
        index=-1, page_id=page_id, url=page.url, title=page.title, descriptor=ctx.descriptor(page_id)
    )


def fact_options(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> list[FactOption]:
    """Facts of the vertex's own page as clean clues, shortest first; for the answer and any vertex a hop
    leads to, none that alone finds the page."""
    names = ctx.aliases(vertex.page_id)
    options = []
    for sentence in _free_sentences(ctx, vertices, vertex):
        clue = predicate(sentence.text, names, ctx.noun(vertex.page_id), plural=ctx.is_plural(vertex.page_id))
        if clue is None or not _informative(clue, vertex.descriptor, ctx.noun(vertex.page_id)):
            continue
        blurred = _blurred(ctx, vertex.page_id, mask_tree_entities(ctx, vertices, vertex, clue), "")
        # a fact that alone finds the answer's page is a shortcut; one that finds a vertex a hop leads to
        # makes the hops below it dead weight (only a start may be found by its own clue)
        below = vertex.index == 0 or any(v.parent == vertex.index for v in vertices)
        if blurred is None or (below and finds_alone(ctx, vertex.page_id, blurred.clue)):
            continue
        options.append(FactOption(sentence, blurred.clue, blurred.kinds, blurred.names_left))
    options.sort(key=lambda o: (o.names_left, len(o.clue.split()), o.sentence.number))
    return options[: ctx.config.max_sentences]
