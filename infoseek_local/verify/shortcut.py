"""Shortcut check: one search must not find the answer page, by the index's ranking or by plain BM25.

This catches questions whose evidence all sits on one page: a single query then solves a "multi-hop" question.
The whole question must leave the answer page outside the top `question_shortcut_rank` (10), and no single
clause may rank it within `shortcut_rank` (first). Two rankings judge this: the index's own search of the query
without stopwords (see `text.search_query`), and plain BM25 of the raw text over page bodies (stopwords kept,
no stemming), which finds pages the own ranking hides. Reports both ranks for every query (None when not in
the top `search_depth`).
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
    """The answer page's ranks for one search with `text` and with each of its clauses (first: the whole text).

    Each entry: {"query", "rank", "plain_rank", "top"}: `rank` in the index's own search of the query without
    stopwords, `plain_rank` in plain BM25 of the raw query (stopwords kept), None outside the top
    `search_depth`; `top` is the own search's first title. Shared with the synth stage, which repairs a
    question before it is written (`config` needs `search_depth` and `min_clause_words`, as in VerifyConfig)."""
    queries = [text, *clauses(text, config.min_clause_words)]
    results = index.search_many([search_query(q) for q in queries], config.search_depth)
    plain_results = index.search_plain_many(queries, config.search_depth)
    ranks: list[dict[str, Any]] = []
    for query, hits, plain_hits in zip(queries, results, plain_results, strict=True):
        ranks.append(
            {
                "query": query,
                "rank": _rank_of(target, hits),
                "plain_rank": _rank_of(target, plain_hits),
                "top": hits[0].title if hits else None,
            }
        )
    return ranks


def _rank_of(target: int, hits: list[Any]) -> int | None:
    return next((i + 1 for i, hit in enumerate(hits) if hit.page_id == target), None)


def shortcut_limit(ranks: list[dict[str, Any]], entry: dict[str, Any], config: Any) -> int:
    """The rank at or above which `entry` is a shortcut: the whole question is held to a stricter limit."""
    return config.question_shortcut_rank if entry is ranks[0] else config.shortcut_rank


def first_shortcut(ranks: list[dict[str, Any]], config: Any) -> dict[str, Any] | None:
    """The first search (whole text first, then clauses) whose own or plain ranking puts the answer page
    within its limit (`question_shortcut_rank` for the whole text, `shortcut_rank` for a clause)."""
    for entry in ranks:
        limit = shortcut_limit(ranks, entry, config)
        if any(r is not None and r <= limit for r in (entry["rank"], entry["plain_rank"])):
            return entry
    return None


def shortcut_reason(ranks: list[dict[str, Any]], found: dict[str, Any], config: Any) -> str:
    """Why `found` (from `first_shortcut`) is a shortcut: which query, and which ranking(s) found the page."""
    limit = shortcut_limit(ranks, found, config)
    which = "the question" if found is ranks[0] else f"the clause {found['query']!r}"
    by = [
        f"{rank} in {ranking}"
        for ranking, rank in (("the index's ranking", found["rank"]), ("plain BM25", found["plain_rank"]))
        if rank is not None and rank <= limit
    ]
    return f"one search with {which} ranks the answer page {' and '.join(by)} (a shortcut at rank <= {limit})"


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
    question_rank, question_plain_rank = ranks[0]["rank"], ranks[0]["plain_rank"]
    evidence: dict[str, Any] = {
        "question_rank": question_rank,
        "question_plain_rank": question_plain_rank,
        "clause_ranks": ranks[1:],
        "answer_page_id": target,
    }
    found = first_shortcut(ranks, config)
    if found is not None:
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=False,
            reason=shortcut_reason(ranks, found, config),
            evidence=evidence,
        )
    best = min((r for e in ranks for r in (e["rank"], e["plain_rank"]) if r is not None), default=None)
    shown = "not in the top " + str(config.search_depth) if best is None else f"best rank {best}"
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=(
            f"answer page {shown} over {len(ranks)} searches in 2 rankings "
            f"(question rank {question_rank}, plain {question_plain_rank})"
        ),
        evidence=evidence,
    )
