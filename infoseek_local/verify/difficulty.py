"""Difficulty check (closed-book): the judge answers without any pages, several times; one hit rejects.

Samples use temperature > 0 and distinct seeds, so they differ and are each cached on their own.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from ..llm.base import GenParams
from ..records import Question, Verdict
from .answer_match import match_answer
from .context import CheckContext

CHECK = "difficulty"
TEMPLATE = "judge_closed_book"


class ClosedBookAnswer(Struct, frozen=True):
    """Structured output of the closed-book judge: one short entity name."""

    answer: Annotated[str, Meta(max_length=80)]


def check_difficulty(question: Question, ctx: CheckContext) -> Verdict:
    llm = ctx.need_llm(CHECK)
    config = ctx.config
    judge = llm if config.llm_answer_match else None
    answers: list[str] = []
    for sample in range(config.samples):
        params = GenParams(temperature=config.temperature, max_tokens=48, seed=config.seed + sample)
        predicted = llm.ask(
            TEMPLATE,
            {"question": question.question},
            ClosedBookAnswer,
            stage="verify.difficulty",
            params=params,
        ).value.answer
        answers.append(predicted)
        match = match_answer(predicted, question.answer, question.aliases, judge, stage="verify.answer_match")
        if match.matched:
            return Verdict(
                question_id=question.id,
                check=CHECK,
                passed=False,
                reason=(
                    f"too easy: answered closed-book as {predicted!r} in sample {sample + 1} of "
                    f"{config.samples} ({match.method} match: {match.detail})"
                ),
                evidence={
                    "answers": answers,
                    "matched_sample": sample,
                    "method": match.method,
                    "detail": match.detail,
                },
            )
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=f"no closed-book answer in {config.samples} samples matched",
        evidence={"answers": answers},
    )
