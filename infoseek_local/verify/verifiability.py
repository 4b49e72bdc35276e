"""Verifiability check: given the gold pages plus BM25 distractors, the judge must name the answer and only it.

Pages are shuffled (seeded per question) and cut to an equal share of the judge's context with `LLM.fit`. A gold
page shows the sentences its claims cite first, so cutting never drops the evidence the question rests on.
"""

from __future__ import annotations

import random
import zlib
from typing import Annotated, Any

from msgspec import Meta, Struct

from ..llm.base import GenParams
from ..records import Question, Verdict
from .answer_match import match_answer, normalize_answer
from .context import CheckContext
from .text import search_query

CHECK = "verifiability"
TEMPLATE = "judge_with_pages"
_MIN_PAGE_TOKENS = 32


class PagesAnswer(Struct, frozen=True):
    """Structured output of the judge with pages: every entity it thinks fits (ideally exactly one)."""

    answers: Annotated[list[Annotated[str, Meta(max_length=80)]], Meta(min_length=1, max_length=3)]


def _page_texts(
    question: Question, ctx: CheckContext, check: str
) -> tuple[list[tuple[int, str, str]], list[int]]:
    """(page id, title, text) of gold pages and distractors, shuffled; and the distractor ids."""
    index = ctx.need_index(check)
    cited: dict[int, list[str]] = {}
    tree = ctx.tree_of(question)
    if tree is not None:
        for vertex in tree.vertices:
            claims = [*vertex.claims, *([vertex.relation] if vertex.relation else [])]
            cited.setdefault(vertex.page_id, []).extend(s for c in claims for s in c.sentences)
    gold = list(dict.fromkeys(question.gold_page_ids))
    hits = index.search(search_query(question.question), ctx.config.distractors + len(gold))
    distractors = [h.page_id for h in hits if h.page_id not in set(gold)][: ctx.config.distractors]
    pages = []
    for page_id in gold + distractors:
        page = index.page(page_id)
        evidence = list(dict.fromkeys(cited.get(page_id, [])))
        pages.append((page_id, page.title, " ".join([*evidence, page.text]) if evidence else page.text))
    random.Random(zlib.crc32(f"{ctx.config.seed}:{question.id}".encode())).shuffle(pages)
    return pages, distractors


def check_verifiability(question: Question, ctx: CheckContext) -> Verdict:
    llm = ctx.need_llm(CHECK)
    pages, distractors = _page_texts(question, ctx, CHECK)
    # the prompt without pages, measured exactly, then an equal share of what is left for each page
    static = llm.prompt_tokens(
        llm.render(TEMPLATE, {"pages": "", "question": question.question}, PagesAnswer)
    )
    budget = llm.n_ctx - ctx.config.answer_tokens - static
    per_page = budget // max(1, len(pages))
    blocks = []
    for _, title, text in pages:
        head, tail = f'<page title="{title}">\n', "\n</page>"
        share = max(_MIN_PAGE_TOKENS, per_page - llm.count_tokens(head + tail) - 2)
        blocks.append(head + llm.fit(text, share) + tail)
    reply = llm.ask(
        TEMPLATE,
        {"pages": "\n".join(blocks), "question": question.question},
        PagesAnswer,
        stage="verify.verifiability",
        params=GenParams(temperature=0.0, max_tokens=ctx.config.answer_tokens),
    ).value
    named = list({normalize_answer(a): a for a in reply.answers if normalize_answer(a)}.values())
    judge = llm if ctx.config.llm_answer_match else None
    matches = [
        match_answer(a, question.answer, question.aliases, judge, stage="verify.answer_match") for a in named
    ]
    evidence: dict[str, Any] = {
        "answers": named,
        "gold_pages": len(question.gold_page_ids),
        "distractor_ids": distractors,
        "tokens_per_page": per_page,
    }
    if len(named) == 1 and matches[0].matched:
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=True,
            reason=f"with gold pages and {len(distractors)} distractors the judge answered {named[0]!r}",
            evidence={**evidence, "method": matches[0].method},
        )
    if not any(m.matched for m in matches):
        reason = f"with the gold pages the judge answered {named or reply.answers!r}, not {question.answer!r}"
    else:
        reason = f"answer not unique: the judge named {len(named)} entities {named!r}"
    return Verdict(question_id=question.id, check=CHECK, passed=False, reason=reason, evidence=evidence)
