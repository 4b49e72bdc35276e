"""Diffusion: grow a research tree from a seed page, hop by hop, down a chain of real links.

Depth is what makes a question need many searches, and a chain reads as a walk ("A city is ... That city lies
in a range ... Which river rises in that range?"), so the tree grows as a chain: code deepens the last vertex
until `target_depth`, and the browser (LLM) picks which hop to follow among options that are each a clean clue
by construction (`options.link_options`: the page's links and the pages that link to it). A hop whose page
leads nowhere is undone and the next option tried. Facts are added later, by retrospection, only where the
answer is not yet pinned down.
"""

from __future__ import annotations

from ..records import Vertex
from .claims import relation_claim
from .context import SynthContext, TreeRejected, choice_type
from .options import LinkOption, finds_alone, link_options

MAX_OPTION_CHARS = 200  # one offered clue, so a long one cannot crowd out the others


def depth_of(vertices: list[Vertex], vertex: Vertex) -> int:
    depth = 0
    while vertex.parent >= 0:
        vertex = vertices[vertex.parent]
        depth += 1
    return depth


def tree_depth(vertices: list[Vertex]) -> int:
    return max(depth_of(vertices, v) for v in vertices)


def search_hops(vertices: list[Vertex]) -> int:
    """The hops a reader searches: from the nearest place a reader can start, since one short way to the answer
    is all a reader needs (a back-link said on its own page one hop from the answer makes the question one
    hop, however deep the rest). A leaf named only by its kind in its parent's clue ("A country includes a
    gulf to the south") is no start: the first search finds the parent, one hop less."""
    starts = [
        depth_of(vertices, v) - (v.relation_from == "parent" and not v.claims)
        for v in vertices[1:]
        if not any(c.parent == v.index for c in vertices)
    ]
    return min(starts, default=0)


def _short(text: str) -> str:
    return text if len(text) <= MAX_OPTION_CHARS else text[: MAX_OPTION_CHARS - 3] + "..."


def choose_link(ctx: SynthContext, vertex: Vertex, options: list[LinkOption], stage: str = "browser") -> int:
    """The browser's pick among link options (index into `options`)."""
    if len(options) == 1:
        return 0
    listing = "\n".join(f"[{i}] {o.link.anchor}: one that {_short(o.clue)}" for i, o in enumerate(options, 1))
    answer = ctx.ask(
        "browser_link",
        {"title": vertex.title, "links": listing},
        choice_type(tuple(range(1, len(options) + 1))),
        stage=stage,
    )
    return answer.choice - 1


def add_child(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, option: LinkOption) -> Vertex:
    target = ctx.page(option.link.target)
    child = Vertex(
        index=len(vertices),
        page_id=target.id,
        url=target.url,
        title=target.title,
        parent=vertex.index,
        relation=relation_claim(option.sentence, option.clue, option.name_kinds),
        descriptor=ctx.descriptor(target.id),
        relation_from="child" if option.back else "parent",
        edge_kind=option.link.kind,
    )
    vertices.append(child)
    return child


DEEPEN_LOOKAHEAD = 2  # hops looked ahead for a way to `min_depth` searched hops


def can_deepen(ctx: SynthContext, vertices: list[Vertex], tail: Vertex, lookahead: int) -> bool:
    """Whether the chain (ending at `tail`) has, or can grow within `lookahead` more hops to, `min_depth` hops
    a reader must search. One test for diffusion and for seed sampling, so a sampled seed grows deep enough."""
    if search_hops(vertices) >= ctx.config.min_depth:
        return True
    if lookahead == 0:
        return False
    for option in link_options(ctx, vertices, tail):
        child = add_child(ctx, vertices, tail, option)
        try:
            if can_deepen(ctx, vertices, child, lookahead - 1):
                return True
        finally:
            vertices.pop()
    return False


def grow_chain(ctx: SynthContext, vertices: list[Vertex], target_depth: int) -> None:
    """Deepen the last vertex until `target_depth`; a hop that leads nowhere before `min_depth` is undone and
    another option of the same vertex tried."""
    config = ctx.config
    while search_hops(vertices) < target_depth and len(vertices) < config.max_vertices:
        tail = vertices[-1]
        options = link_options(ctx, vertices, tail)
        if not options:
            return
        picked = choose_link(ctx, tail, options)
        order = [picked] + [i for i in range(len(options)) if i != picked]
        for attempt, i in enumerate(order):
            child = add_child(ctx, vertices, tail, options[i])
            if can_deepen(ctx, vertices, child, DEEPEN_LOOKAHEAD):
                break
            vertices.pop()  # a dead end before the tree is deep enough: try the next option
            ctx.note(f"dead end at {child.title}: no usable link; option {attempt + 2} next")
        else:
            return


def found_midway(ctx: SynthContext, vertices: list[Vertex]) -> Vertex | None:
    """The vertex nearest the answer, with hops below it, that the clues said of it find alone (its facts and
    the clues of its edges, in one search): "that other element is in group 18 of an arrangement ... the
    actinide series of that arrangement" finds the periodic table, so the elements below it are dead weight."""
    found = None
    for vertex in vertices[1:]:
        below = [v.relation.text for v in vertices if v.parent == vertex.index and v.relation is not None]
        if not below:
            continue
        clues = [c.text for c in vertex.claims] + below
        if vertex.relation is not None:
            clues.append(vertex.relation.text)
        if finds_alone(ctx, vertex.page_id, " ".join(clues)) and (
            found is None or depth_of(vertices, vertex) < depth_of(vertices, found)
        ):
            found = vertex
    return found


def reader_hops(ctx: SynthContext, vertices: list[Vertex]) -> int:
    """`search_hops`, counting only to a vertex that its own clues find (`found_midway`)."""
    hops = search_hops(vertices)
    midway = found_midway(ctx, vertices)
    return hops if midway is None else min(hops, depth_of(vertices, midway))


def check_shape(ctx: SynthContext, vertices: list[Vertex]) -> None:
    if search_hops(vertices) < ctx.config.min_depth:  # a one-search question is no research question
        raise TreeRejected("too_shallow", f"{search_hops(vertices)} hops < {ctx.config.min_depth}")
    if len(vertices) < ctx.config.min_vertices:
        raise TreeRejected("too_small", f"{len(vertices)} vertices < {ctx.config.min_vertices}")


def grow_tree(ctx: SynthContext, seed_page_id: int) -> list[Vertex]:
    """A chain of at least min_depth hops grown from the seed page, or TreeRejected with the reason."""
    page = ctx.page(seed_page_id)
    if not ctx.is_usable_page(seed_page_id):
        raise TreeRejected("seed_too_short", f"page {seed_page_id} has {len(page.text)} characters")
    root = Vertex(
        index=0, page_id=page.id, url=page.url, title=page.title, descriptor=ctx.descriptor(page.id)
    )
    vertices = [root]
    if not link_options(ctx, vertices, root, limit=1):
        raise TreeRejected("no_in_corpus_links", f"page {seed_page_id} has no link that makes a clean clue")
    grow_chain(ctx, vertices, ctx.config.target_depth)
    check_shape(ctx, vertices)
    return vertices
