"""One seed in, one research tree (accepted or rejected with its reason) and at most one question out."""

from __future__ import annotations

import hashlib

from ..oracle import OracleResult, oracle_solve
from ..records import Provenance, Question, Tree, Vertex
from .context import SynthContext, TreeRejected
from .diffusion import grow_tree, reader_hops, search_hops
from .question import answer_aliases, write_question
from .retrospection import ORACLE_TRIES, retrospect
from .seeds import SeedRef


def tree_id(seed: int, ref: SeedRef) -> str:
    """Deterministic from the run seed and the seed page (or the seed text when it is not in the index)."""
    key = f"{seed}:{ref.page_id}" if ref.page_id >= 0 else f"{seed}:ref:{ref.ref}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


# rejections that another first hop cannot fix
_FINAL = frozenset({"seed_not_in_index", "seed_too_short", "no_in_corpus_links", "llm_invalid"})


def _attempt(ctx: SynthContext, seed_page_id: int, vertices: list[Vertex]) -> tuple[str, OracleResult]:
    """Grow, pin down and write one tree into `vertices`; TreeRejected when it cannot be kept."""
    vertices[:] = grow_tree(ctx, seed_page_id)
    retrospect(ctx, vertices)
    text = write_question(ctx, vertices)
    solved = oracle_solve(ctx.index, text, vertices, tries_per_vertex=ORACLE_TRIES)
    ctx.note(f"oracle: {'solved' if solved.solved else 'not solved'} in {solved.searches} searches")
    if ctx.config.require_oracle and not solved.solved:
        raise TreeRejected("oracle_unsolved", solved.reason)
    return text, solved


def _hop(vertices: list[Vertex], vertex: Vertex) -> tuple[int, int]:
    return vertices[vertex.parent].page_id, vertex.page_id


def _hop_to_avoid(vertices: list[Vertex], rejected: TreeRejected) -> tuple[int, int]:
    """Which hop the next attempt should not take. A shortcut comes from the answer's own clue, so its first
    hop; anything else (a loose start, an unsolvable or unreadable clue) mostly from the deep end, so the
    deepest hop, keeping the rest of a tree that may only need another leaf."""
    if rejected.reason == "shortcut" or len(vertices) < 3:
        return _hop(vertices, vertices[1])
    return _hop(vertices, vertices[-1])


def _best_attempt(ctx: SynthContext, seed_page_id: int, vertices: list[Vertex]) -> tuple[str, OracleResult]:
    """Up to `attempts` trees from the seed into `vertices`, each avoiding a hop an earlier one was rejected
    for (`_hop_to_avoid`; the first hop once no other leaf grows), and one more for a deeper tree when the
    first kept one is short of `target_depth`. TreeRejected with the last real reason when none is kept."""
    config = ctx.config
    earlier: TreeRejected | None = None
    earlier_vertices: list[Vertex] = []
    kept: tuple[list[Vertex], str, OracleResult] | None = None  # a shallow tree, while a deeper one is sought
    for attempt in range(1, config.attempts + 1):
        try:
            text, solved = _attempt(ctx, seed_page_id, vertices)
        except TreeRejected as rejected:
            if kept is not None:
                break  # no deeper tree: the shallow one stands
            if earlier is not None and rejected.reason in ("no_in_corpus_links", "too_shallow"):
                first = _hop(earlier_vertices, earlier_vertices[1])
                if first in ctx.avoid_hops or attempt == config.attempts:
                    vertices[:] = earlier_vertices  # the record shows the tree that reason is about
                    raise earlier from None  # no hop left that grows: the last real reason stands
                ctx.note(f"attempt {attempt}: no other way down; next attempt avoids the first hop")
                avoid = first
            elif rejected.reason in _FINAL or attempt == config.attempts or len(vertices) < 2:
                raise
            else:
                earlier, earlier_vertices = rejected, list(vertices)
                avoid = _hop_to_avoid(vertices, rejected)
                ctx.note(
                    f"attempt {attempt} rejected ({rejected}); next attempt avoids {ctx.page(avoid[1]).title}"
                )
            ctx.avoid_hops.add(avoid)
            ctx.spent.clear()
            continue
        if kept is not None and search_hops(vertices) > search_hops(kept[0]):
            return text, solved  # the deeper attempt is deeper
        if kept is not None or search_hops(vertices) >= config.target_depth or attempt == config.attempts:
            break
        # depth is what makes a question need many searches: one more attempt, with another last hop
        kept = (list(vertices), text, solved)
        ctx.note(f"attempt {attempt} kept at {search_hops(vertices)} hops; one more looks for a deeper tree")
        ctx.avoid_hops.add(_hop(vertices, vertices[-1]))
        ctx.spent.clear()
    if kept is None:
        return text, solved
    vertices[:] = kept[0]
    return kept[1], kept[2]


def synthesize_one(ctx: SynthContext, ref: SeedRef, provenance: Provenance) -> tuple[Tree, Question | None]:
    """One seed's tree (accepted or rejected with its reason) and its question, from `_best_attempt`."""
    ident = tree_id(ctx.config.seed, ref)
    vertices: list[Vertex] = []
    try:
        if ref.page_id < 0 or ref.page_id >= ctx.index.n_pages:
            raise TreeRejected("seed_not_in_index", ref.ref)
        text, solved = _best_attempt(ctx, ref.page_id, vertices)
    except TreeRejected as rejected:
        tree = Tree(
            id=f"t-{ident}",
            seed_page_id=ref.page_id,
            vertices=vertices,
            status="rejected",
            provenance=provenance,
            reject_reason=rejected.reason,
            notes=[*ctx.notes, str(rejected)],
            llm_calls=ctx.llm_calls,
            llm_tokens=ctx.llm_tokens,
            instruction_sentences=len(ctx.instruction_sentences),
        )
        return tree, None
    tree = Tree(
        id=f"t-{ident}",
        seed_page_id=ref.page_id,
        vertices=vertices,
        status="accepted",
        provenance=provenance,
        notes=list(ctx.notes),
        llm_calls=ctx.llm_calls,
        llm_tokens=ctx.llm_tokens,
        instruction_sentences=len(ctx.instruction_sentences),
    )
    root = vertices[0]
    question = Question(
        id=f"q-{ident}",
        tree_id=tree.id,
        question=text,
        answer=root.title,
        aliases=answer_aliases(ctx, root),
        hops=reader_hops(ctx, vertices),
        vertices=len(vertices),
        gold_page_ids=[v.page_id for v in vertices],
        gold_urls=[v.url for v in vertices],
        provenance=provenance,
        oracle_searches=solved.searches,
        oracle_solved=solved.solved,
    )
    return tree, question
