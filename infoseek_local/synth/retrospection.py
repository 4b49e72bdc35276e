"""Retrospection: make each vertex's constraints admit its entity and only it, with no single giveaway.

Per vertex, leaves first:
(a) a constraint whose own BM25 search ranks the vertex's page first, clearly ahead of the second page
    (score ratio >= `reveal_margin`), is too revealing: it is
    blurred one step at a time (figures and dates to periods, names to kinds, first clause only) and
    dropped when still revealing (a relation that stays revealing rejects the tree: it is the tree's edge);
(b) the BM25 top-N for all its constraints together are the candidates; one fits when code finds the
    constraints' key words in its page (and its links to the vertex's children) *and* the judge (LLM, yes/no)
    agrees. If another entity fits, a constraint is added (widen) while the budget lasts, else the tree is
    rejected as underdetermined.
"""

from __future__ import annotations

from collections.abc import Callable

from ..records import Claim, Vertex
from .claims import is_grounded
from .context import FitAnswer, SynthContext, TreeRejected
from .diffusion import check_shape, depth_of, remove_subtree, widen
from .masking import (
    SUBJECT,
    blur_names,
    blur_numbers,
    content_terms,
    distinctive_terms,
    mask_names,
    mentions_name,
    shorten,
    term_coverage,
)

JUDGE_PAGE_CHARS = 1200
MIN_CLAIM_TERMS = 2
MAX_CLAIMS_AFTER_REPAIR = 2  # more clues on one vertex make an unreadable question


def constraints_of(vertices: list[Vertex], vertex: Vertex) -> list[Claim]:
    """What pins a vertex down: its own claims and the relation claims (from its page) to its children."""
    relations = [c.relation for c in vertices if c.parent == vertex.index and c.relation is not None]
    return [*vertex.claims, *relations]


def mask_other_entities(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """A claim may mention another vertex of the tree by name: replace it with that vertex's kind."""
    for vertex in vertices:
        for claim in constraints_of(vertices, vertex):
            for other in vertices:
                if other.page_id != vertex.page_id:
                    claim.text = mask_names(claim.text, ctx.aliases(other.page_id), other.descriptor)


def _query(text: str) -> str:
    return text.replace(SUBJECT, " ").replace(SUBJECT.capitalize(), " ")


def is_revealing(ctx: SynthContext, vertex: Vertex, text: str) -> bool:
    """A search with the claim (its whole text, or just its names and figures) puts the vertex's page first,
    ahead of the next page by `reveal_margin`."""
    queries = [q for q in (_query(text), distinctive_terms(text)) if q.strip()]
    for hits in ctx.index.search_many(queries, 2):
        first = bool(hits) and hits[0].page_id == vertex.page_id
        if first and (len(hits) == 1 or hits[0].score >= ctx.config.reveal_margin * hits[1].score):
            return True
    return False


def _drop(ctx: SynthContext, vertex: Vertex, claim: Claim) -> None:
    ctx.spent.setdefault(vertex.page_id, set()).update(claim.sentence_ids)
    ctx.note(f"dropped revealing claim of vertex {vertex.index + 1}: {claim.text}")


def blur_steps(ctx: SynthContext, vertex: Vertex) -> list[Callable[[str], str]]:
    kinds = {link.anchor: ctx.descriptor(link.target) for link in ctx.index.out_links(vertex.page_id)}
    return [blur_numbers, lambda text: blur_names(text, kinds), shorten]


def blur_until_hidden(ctx: SynthContext, vertex: Vertex, claim: Claim, keep: str = "") -> bool:
    """Blur `claim` in place until its own search no longer finds the vertex; False if it cannot be hidden.

    `keep` (a child's kind in a relation claim) must survive every step, or that step is skipped."""
    if not is_revealing(ctx, vertex, claim.text):
        return True
    original = claim.text
    for step in blur_steps(ctx, vertex):
        blurred = step(claim.text)
        if (
            blurred == claim.text
            or (keep and keep not in blurred)
            or len(content_terms(blurred)) < MIN_CLAIM_TERMS
        ):
            continue
        claim.text = blurred
        claim.blurred_from = original
        if not is_revealing(ctx, vertex, claim.text):
            return True
    return False


def hide_revealing(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> None:
    kept = []
    for claim in vertex.claims:
        if blur_until_hidden(ctx, vertex, claim):
            kept.append(claim)
        else:
            _drop(ctx, vertex, claim)
    vertex.claims = kept
    for child in [c for c in vertices if c.parent == vertex.index and c.relation is not None]:
        assert child.relation is not None
        if not blur_until_hidden(ctx, vertex, child.relation, keep=child.descriptor):
            # the link sentence alone finds the parent: that branch would be a shortcut, so cut it
            ctx.spent.setdefault(vertex.page_id, set()).update(child.relation.sentence_ids)
            ctx.note(f"cut branch {child.title}: its relation reveals vertex {vertex.index + 1}")
            remove_subtree(vertices, child)


def code_fits(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, page_id: int) -> bool:
    """Whether page `page_id` could be the vertex's entity as far as words and links tell."""
    page = ctx.page(page_id)
    threshold = ctx.config.fit_coverage
    for claim in vertex.claims:
        if term_coverage(content_terms(claim.text), page.text) < threshold:
            return False
    targets = {link.target for link in ctx.index.out_links(page_id)}
    for child in vertices:
        if child.parent != vertex.index or child.relation is None:
            continue
        linked = child.page_id in targets or any(
            mentions_name(page.text, n) for n in ctx.aliases(child.page_id)
        )
        if not linked or term_coverage(content_terms(child.relation.text), page.text) < threshold / 2:
            return False
    return True


def find_rival(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> int | None:
    """Another page that fits every constraint of the vertex (code and judge agree), or None."""
    constraints = constraints_of(vertices, vertex)
    query = _query(" ".join(c.text for c in constraints))
    listing = "\n".join(f"- {c.text}" for c in constraints)
    for hit in ctx.index.search(query, ctx.config.candidates):
        if hit.page_id == vertex.page_id or not code_fits(ctx, vertices, vertex, hit.page_id):
            continue
        page = ctx.page(hit.page_id)
        answer = ctx.ask(
            "judge_candidate",
            {"constraints": listing, "title": page.title, "page": page.text[:JUDGE_PAGE_CHARS]},
            FitAnswer,
            stage="retrospection",
            fit_var="page",  # a long page is cut to what fits the context
        )
        if answer.fits == "yes":
            return hit.page_id
    return None


def retrospect(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Blur, check and repair every vertex; leaves first. Raises TreeRejected when a vertex stays ambiguous."""
    mask_other_entities(ctx, vertices)
    budget = ctx.config.widen_budget
    for vertex in sorted(vertices, key=lambda v: (-depth_of(vertices, v), v.index)):
        if vertex not in vertices:
            continue  # cut with a branch above it
        hide_revealing(ctx, vertices, vertex)
        try:
            budget = pin_down(ctx, vertices, vertex, budget)
        except TreeRejected:
            if vertex.parent < 0 or not _can_cut(ctx, vertices, vertex):
                raise
            # a branch that cannot be pinned down is cut when the tree stays deep and large enough without it
            ctx.note(f"cut branch {vertex.title}: underdetermined")
            remove_subtree(vertices, vertex)
    check_shape(ctx, vertices)
    check_grounding(ctx, vertices)


def pin_down(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, budget: int) -> int:
    """Add clues to `vertex` until no other candidate fits; returns the widen budget left."""
    while True:
        rival = None if not constraints_of(vertices, vertex) else find_rival(ctx, vertices, vertex)
        if constraints_of(vertices, vertex) and rival is None:
            return budget
        if budget == 0:
            what = "no constraint left" if rival is None else f"page {rival} fits too"
            raise TreeRejected("underdetermined", f"vertex {vertex.index + 1} ({vertex.title}): {what}")
        if len(vertex.claims) >= MAX_CLAIMS_AFTER_REPAIR or not widen(
            ctx, vertices, vertex, stage="retrospection"
        ):
            raise TreeRejected(
                "underdetermined", f"vertex {vertex.index + 1} ({vertex.title}): no clue left to add"
            )
        budget -= 1
        new_claim = vertex.claims[-1]
        mask_other_entities(ctx, vertices)
        if not blur_until_hidden(ctx, vertex, new_claim):
            _drop(ctx, vertex, vertex.claims.pop())


def _can_cut(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex) -> bool:
    remaining = [v for v in vertices if v is not vertex and not _below(vertices, v, vertex)]
    deepest = max(depth_of(vertices, v) for v in remaining)
    return deepest >= ctx.config.min_depth and len(remaining) >= ctx.config.min_vertices


def _below(vertices: list[Vertex], v: Vertex, top: Vertex) -> bool:
    while v.parent >= 0:
        v = vertices[v.parent]
        if v is top:
            return True
    return False


def check_grounding(ctx: SynthContext, vertices: list[Vertex]) -> None:
    """Mark every claim grounded by code; an ungrounded claim rejects the tree (it would be a wrong record)."""
    tree_kinds = {w for v in vertices for w in content_terms(v.descriptor)}

    def kinds(page_id: int) -> set[str]:
        # blurring may put the kind of any entity the page links to in place of its name
        linked = (content_terms(ctx.descriptor(link.target)) for link in ctx.index.out_links(page_id))
        return tree_kinds.union(*linked)

    for vertex in vertices:
        for claim in vertex.claims:
            claim.grounded = is_grounded(claim, ctx.sentences(vertex.page_id), kinds(vertex.page_id))
            if not claim.grounded:
                raise TreeRejected("ungrounded", f"vertex {vertex.index + 1}: {claim.text}")
        if vertex.relation is not None:
            parent = vertices[vertex.parent]
            vertex.relation.grounded = is_grounded(
                vertex.relation, ctx.sentences(parent.page_id), kinds(parent.page_id)
            )
            if not vertex.relation.grounded:
                raise TreeRejected(
                    "ungrounded", f"relation of vertex {vertex.index + 1}: {vertex.relation.text}"
                )
