"""One seed in, one research tree (accepted or rejected with its reason) and at most one question out."""

from __future__ import annotations

import hashlib

from ..records import Provenance, Question, Tree
from .context import SynthContext, TreeRejected
from .diffusion import grow_tree, tree_depth
from .question import answer_aliases, write_question
from .retrospection import retrospect
from .seeds import SeedRef


def tree_id(seed: int, ref: SeedRef) -> str:
    """Deterministic from the run seed and the seed page (or the seed text when it is not in the index)."""
    key = f"{seed}:{ref.page_id}" if ref.page_id >= 0 else f"{seed}:ref:{ref.ref}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def synthesize_one(ctx: SynthContext, ref: SeedRef, provenance: Provenance) -> tuple[Tree, Question | None]:
    ident = tree_id(ctx.config.seed, ref)
    vertices = []
    try:
        if ref.page_id < 0 or ref.page_id >= ctx.index.n_pages:
            raise TreeRejected("seed_not_in_index", ref.ref)
        vertices = grow_tree(ctx, ref.page_id)
        retrospect(ctx, vertices)
        text = write_question(ctx, vertices)
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
    )
    root = vertices[0]
    question = Question(
        id=f"q-{ident}",
        tree_id=tree.id,
        question=text,
        answer=root.title,
        aliases=answer_aliases(ctx, root),
        hops=tree_depth(vertices),
        vertices=len(vertices),
        gold_page_ids=[v.page_id for v in vertices],
        gold_urls=[v.url for v in vertices],
        provenance=provenance,
    )
    return tree, question
