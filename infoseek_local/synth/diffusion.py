"""Diffusion: grow a research tree from a seed page with a planner/browser loop.

The planner (LLM) picks an action and a vertex from enums that hold only legal choices; code vetoes what is
still impossible and enforces the depth and size limits. The browser (LLM) picks one numbered option:
deepen offers a code-ranked shortlist of the vertex page's real in-corpus out-links, each with the sentence
that mentions it (that sentence, masked, becomes the relation claim); widen offers the page's unused
sentences (the chosen one, masked, becomes the claim). So every claim is a sentence of the page it cites.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..records import OutLink, Vertex
from .claims import attribute_claim, relation_claim
from .context import SynthContext, TreeRejected, choice_type, move_type
from .masking import longer_name_span
from .sentences import Sentence, words

MAX_CLAIMS_PER_VERTEX = 1
LONG_SENTENCE_WORDS = 30
MAX_OPTION_CHARS = 300  # one offered sentence, so a long sentence cannot crowd out the others


@dataclass(frozen=True)
class LinkOption:
    link: OutLink
    sentence: Sentence


def depth_of(vertices: list[Vertex], vertex: Vertex) -> int:
    depth = 0
    while vertex.parent >= 0:
        vertex = vertices[vertex.parent]
        depth += 1
    return depth


def tree_depth(vertices: list[Vertex]) -> int:
    return max(depth_of(vertices, v) for v in vertices)


def used_sentences(vertices: list[Vertex], page_id: int) -> set[int]:
    """Sentence numbers of `page_id` already cited by a claim (attribute claims and relations it holds)."""
    used: set[int] = set()
    for v in vertices:
        if v.page_id == page_id:
            for claim in v.claims:
                used.update(claim.sentence_ids)
        if v.relation is not None and v.parent >= 0 and vertices[v.parent].page_id == page_id:
            used.update(v.relation.sentence_ids)
    return used


def link_options(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> list[LinkOption]:
    """The vertex page's in-corpus links to usable pages not yet in the tree, best first, one per target."""
    in_tree = {v.page_id for v in vertices}
    sentences = ctx.sentences(vertex.page_id)
    used = used_sentences(vertices, vertex.page_id)
    scored: list[tuple[float, int, LinkOption]] = []
    seen: set[int] = set()
    for position, link in enumerate(ctx.index.out_links(vertex.page_id)):
        if link.target in in_tree or link.target in seen or not ctx.is_usable_page(link.target):
            continue
        sentence = name_mention(sentences, link.anchor)
        if sentence is None or sentence.number in used or not is_statement(sentence):
            continue  # one sentence makes one clue: a second link from it would repeat it
        if len(sentence.text) > 2 * MAX_OPTION_CHARS:
            continue
        seen.add(link.target)
        title = ctx.page(link.target).title
        # named entities over common words; hubs (linked from everywhere) make vague, ambiguous vertices
        score = 3 * link.anchor[:1].isupper() + 2 * (link.anchor.lower() == title.lower())
        score -= math.log2(1 + ctx.index.in_degree(link.target)) / 3
        score -= len(words(sentence.text)) / LONG_SENTENCE_WORDS  # long link sentences make long questions
        scored.append((-score, position, LinkOption(link, sentence)))
    scored.sort(key=lambda item: item[:2])
    return [option for _, _, option in scored[: ctx.config.shortlist]]


def name_mention(sentences: list[Sentence], anchor: str) -> Sentence | None:
    """The first full sentence that mentions `anchor` as a name: capitalised, case-sensitive and standing
    alone. A common word ("square" in "923,769 square kilometres": the corpus's links were rebuilt from title
    mentions) or a part of a longer name ("Europe" in "Central Europe") is no link to that page."""
    anchor = anchor.strip()
    if not anchor[:1].isupper():
        return None
    pattern = re.compile(r"(?<![\w])" + re.escape(anchor) + r"(?![\w])")
    for sentence in sentences:
        if len(words(sentence.text)) < 5:
            continue
        for match in pattern.finditer(sentence.text):
            if longer_name_span(sentence.text, match.start(), match.end()) == (match.start(), match.end()):
                return sentence
    return None


def sentence_options(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> list[Sentence]:
    """Sentences of the vertex page no claim cites yet, of a length that makes a usable clue."""
    used = used_sentences(vertices, vertex.page_id) | ctx.spent.get(vertex.page_id, set())
    sized = [
        (len(words(attribute_claim(ctx, vertex, s).text)), s)
        for s in ctx.sentences(vertex.page_id)
        if s.number not in used and is_statement(s)
    ]
    sized.sort(key=lambda item: (item[0], item[1].number))  # short clues first: questions stay readable
    short = [s for n, s in sized if n <= LONG_SENTENCE_WORDS]
    if len(short) < 2:  # a page of long sentences: offer those too rather than nothing
        short += [s for n, s in sized if LONG_SENTENCE_WORDS < n <= 2 * LONG_SENTENCE_WORDS]
    return short[: ctx.config.max_sentences]


def is_statement(sentence: Sentence) -> bool:
    """A full sentence (5+ words, ending like one), not a heading or tagline."""
    return len(words(sentence.text)) >= 5 and sentence.text.rstrip("\"')]").endswith((".", "!", "?"))


def _short(text: str) -> str:
    return text if len(text) <= MAX_OPTION_CHARS else text[: MAX_OPTION_CHARS - 3] + "..."


def deepen(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, stage: str = "browser") -> Vertex:
    options = link_options(ctx, vertices, vertex)
    if not options:
        raise TreeRejected("no_in_corpus_links", f"page {vertex.page_id}")
    index = 0
    if len(options) > 1:
        listing = "\n".join(
            f"[{i}] link: {o.link.anchor} | sentence: {_short(o.sentence.text)}"
            for i, o in enumerate(options, 1)
        )
        answer = ctx.ask(
            "browser_link",
            {"title": vertex.title, "links": listing},
            choice_type(tuple(range(1, len(options) + 1))),
            stage=stage,
        )
        index = answer.choice - 1
    option = options[index]
    target = ctx.page(option.link.target)
    child = Vertex(
        index=len(vertices),
        page_id=target.id,
        url=target.url,
        title=target.title,
        parent=vertex.index,
        relation=relation_claim(ctx, vertex, target.id, option.link.anchor, option.sentence),
        descriptor=ctx.descriptor(target.id),
    )
    vertices.append(child)
    return child


def widen(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, stage: str = "browser") -> bool:
    """Add one claim to `vertex` from a sentence of its page; False when no sentence is left."""
    options = sentence_options(ctx, vertices, vertex)
    if not options:
        return False
    chosen = options[0]
    if len(options) > 1:
        listing = "\n".join(f"[{s.number}] {_short(s.text)}" for s in options)
        answer = ctx.ask(
            "browser_claim",
            {"title": vertex.title, "sentences": listing},
            choice_type(tuple(s.number for s in options)),
            stage=stage,
        )
        chosen = next(s for s in options if s.number == answer.choice)
    vertex.claims.append(attribute_claim(ctx, vertex, chosen))
    return True


def _legal_moves(ctx: SynthContext, vertices: list[Vertex]) -> dict[str, list[int]]:
    config = ctx.config
    moves: dict[str, list[int]] = {"deepen": [], "widen": []}
    for v in vertices:
        if (
            len(vertices) < config.max_vertices
            and depth_of(vertices, v) < config.max_depth
            and link_options(ctx, vertices, v)
        ):
            moves["deepen"].append(v.index)
        if len(v.claims) < MAX_CLAIMS_PER_VERTEX and sentence_options(ctx, vertices, v):
            moves["widen"].append(v.index)
    return {action: vs for action, vs in moves.items() if vs}


def _describe(vertices: list[Vertex]) -> str:
    lines = []
    for v in vertices:
        children = sum(1 for c in vertices if c.parent == v.index)
        lines.append(
            f"{v.index + 1}. {v.title} (depth {depth_of(vertices, v)}, {len(v.claims)} facts, {children} links)"
        )
    return "\n".join(lines)


def _forced_deepen(ctx: SynthContext, vertices: list[Vertex], moves: dict[str, list[int]]) -> Vertex | None:
    """Below min_depth code deepens the deepest vertex that can go deeper; the planner chooses after that."""
    if tree_depth(vertices) >= ctx.config.min_depth or not moves.get("deepen"):
        return None
    return max((vertices[i] for i in moves["deepen"]), key=lambda v: (depth_of(vertices, v), -v.index))


def plan_and_grow(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Run planner steps until the planner stops (once allowed), the tree is full, or steps run out."""
    config = ctx.config
    for _ in range(config.max_steps):
        depth = tree_depth(vertices)
        can_stop = depth >= config.min_depth and len(vertices) >= config.min_vertices
        moves = _legal_moves(ctx, vertices)
        if not moves or (can_stop and len(vertices) >= config.max_vertices):
            break
        forced = _forced_deepen(ctx, vertices, moves)
        if forced is not None:
            deepen(ctx, vertices, forced)
            continue
        actions = tuple(sorted(moves)) + (("stop",) if can_stop else ())
        candidates = tuple(sorted({i + 1 for vs in moves.values() for i in vs}))
        goal = (
            f"The tree needs depth at least {config.min_depth} and {config.min_vertices} to "
            f"{config.max_vertices} vertices; it has depth {depth} and {len(vertices)} vertices."
        )
        move = ctx.ask(
            "planner",
            {"tree": _describe(vertices), "goal": goal},
            move_type(actions, candidates),
            stage="planner",
        )
        if move.action == "stop":
            break
        chosen = move.vertex - 1
        if chosen not in moves[move.action]:
            # veto: that vertex cannot take this action; use the deepest vertex that can
            ctx.note(f"veto: {move.action} on vertex {move.vertex}")
            chosen = max(moves[move.action], key=lambda i: (depth_of(vertices, vertices[i]), i))
        if move.action == "deepen":
            deepen(ctx, vertices, vertices[chosen])
        else:
            widen(ctx, vertices, vertices[chosen])


def remove_subtree(vertices: list[Vertex], top: Vertex) -> None:
    """Remove `top` and its descendants in place, renumbering the rest (kept objects stay the same)."""
    doomed = {top.index}
    for v in vertices:  # parents come before children, so one pass finds every descendant
        if v.parent in doomed:
            doomed.add(v.index)
    kept = [v for v in vertices if v.index not in doomed]
    renumber = {v.index: i for i, v in enumerate(kept)}
    for v in kept:
        v.index = renumber[v.index]
        v.parent = renumber[v.parent] if v.parent >= 0 else -1
    vertices[:] = kept


def check_shape(ctx: SynthContext, vertices: list[Vertex]) -> None:
    if tree_depth(vertices) < ctx.config.min_depth:
        raise TreeRejected("too_shallow", f"depth {tree_depth(vertices)} < {ctx.config.min_depth}")
    if len(vertices) < ctx.config.min_vertices:
        raise TreeRejected("too_small", f"{len(vertices)} vertices < {ctx.config.min_vertices}")


def grow_tree(ctx: SynthContext, seed_page_id: int) -> list[Vertex]:
    """A tree of at least min_depth hops grown from the seed page, or TreeRejected with the reason."""
    page = ctx.page(seed_page_id)
    if not ctx.is_usable_page(seed_page_id):
        raise TreeRejected("seed_too_short", f"page {seed_page_id} has {len(page.text)} characters")
    root = Vertex(
        index=0, page_id=page.id, url=page.url, title=page.title, descriptor=ctx.descriptor(page.id)
    )
    vertices = [root]
    if not link_options(ctx, vertices, root):
        raise TreeRejected("no_in_corpus_links", f"page {seed_page_id} links to no usable page in the corpus")
    plan_and_grow(ctx, vertices)
    check_shape(ctx, vertices)
    return vertices
