"""Shortcut check: one search with the question, or with any one clause of it, must not find the answer page first.

This catches questions whose evidence all sits on one page: a single query then solves a "multi-hop" question.
Reports the answer page's rank for every query (None when it is not in the top `search_depth`). Queries are
searched without stopwords (see `text.search_query`).
"""

from __future__ import annotations

import re
from typing import Any

from ..records import Question, Verdict
from .context import CheckContext
from .text import content_tokens, search_query

CHECK = "shortcut"
# clause boundaries: punctuation, and relative words that start a new constraint
# ("and" is not one: "designed and built" is one constraint; ", and" already splits at the comma)
_CLAUSE_BREAK = re.compile(r"[,;:()?]|\s(?:which|that|who|whose|whom|where|when|while)\s", re.IGNORECASE)


def clauses(question: str, min_words: int) -> list[str]:
    """The question's clauses with at least `min_words` content words (the whole question excluded)."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(question)]
    seen: dict[str, None] = {}
    for part in parts:
        if len(content_tokens(part)) >= min_words and part != question.strip():
            seen.setdefault(part, None)
    return list(seen)


def answer_page_id(question: Question, ctx: CheckContext) -> int | None:
    tree = ctx.tree_of(question)
    if tree is not None and tree.vertices:
        return tree.vertices[0].page_id
    if question.gold_urls and ctx.index is not None:
        page = ctx.index.page_by_url(question.gold_urls[0])
        return page.id if page is not None else None
    return None


def shortcut_ranks(index: Any, text: str, target: int, config: Any) -> list[dict[str, Any]]:
    """The answer page's rank for one search with `text` and with each of its clauses (first: the whole text).

    Shared with the synth stage, which repairs a question before it is written (`config` needs
    `search_depth` and `min_clause_words`, as in VerifyConfig)."""
    queries = [text, *clauses(text, config.min_clause_words)]
    results = index.search_many([search_query(q) for q in queries], config.search_depth)
    ranks: list[dict[str, Any]] = []
    for query, hits in zip(queries, results, strict=True):
        rank = next((i + 1 for i, hit in enumerate(hits) if hit.page_id == target), None)
        ranks.append({"query": query, "rank": rank, "top": hits[0].title if hits else None})
    return ranks


def first_shortcut(ranks: list[dict[str, Any]], shortcut_rank: int) -> dict[str, Any] | None:
    """The first search (whole text first, then clauses) that ranks the answer page within `shortcut_rank`."""
    return next((r for r in ranks if r["rank"] is not None and r["rank"] <= shortcut_rank), None)


def check_shortcut(question: Question, ctx: CheckContext) -> Verdict:
    index = ctx.need_index(CHECK)
    config = ctx.config
    target = answer_page_id(question, ctx)
    if target is None:
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=False,
            reason="the answer page is unknown (no tree and no gold URL in the index)",
        )
    ranks = shortcut_ranks(index, question.question, target, config)
    question_rank = ranks[0]["rank"]
    evidence: dict[str, Any] = {
        "question_rank": question_rank,
        "clause_ranks": ranks[1:],
        "answer_page_id": target,
    }
    worst = first_shortcut(ranks, config.shortcut_rank)
    if worst is not None:
        which = "the question" if worst is ranks[0] else f"the clause {worst['query']!r}"
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=False,
            reason=f"one search with {which} ranks the answer page {worst['rank']}",
            evidence=evidence,
        )
    best = min((r["rank"] for r in ranks if r["rank"] is not None), default=None)
    shown = "not in the top " + str(config.search_depth) if best is None else f"best rank {best}"
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=f"answer page {shown} over {len(ranks)} searches (question rank {question_rank})",
        evidence=evidence,
    )
