"""Answer matching, shared by the verify checks and by the agent's rewards: one implementation.

Order: normalised exact match with the answer, then with an alias (or a short prediction that contains a whole
answer/alias as words), then — only when an LLM is given — a judge that answers a structured yes/no.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from msgspec import Struct

from ..index.aliases import usable_aliases
from ..llm.base import GenParams
from ..text.words import normalize_text

if TYPE_CHECKING:
    from ..llm.client import LLM

ANSWER_MATCH_TEMPLATE = "judge_answer_match"
# containment only when the prediction is the answer plus a few words ("it is Paris, France"): a sentence
# that mentions the answer in passing ("an enlargement of France's land") is not an answer
MAX_EXTRA_WORDS = 3

_PARENTHETICAL = re.compile(r"\s*\([^()]*\)\s*$")


class AnswerMatch(Struct, frozen=True):
    """Whether a predicted answer names the gold answer, how that was decided, and on what."""

    matched: bool
    method: Literal["exact", "alias", "llm", "none"]
    detail: str = ""


class AnswerJudgement(Struct, frozen=True):
    """Structured output of the answer-match judge."""

    same_entity: Literal["yes", "no"]


def normalize_answer(text: str) -> str:
    """Lower case, accents folded, punctuation and English articles dropped, whitespace collapsed."""
    return normalize_text(text)


def answer_variants(answer: str, aliases: Sequence[str]) -> list[tuple[str, str]]:
    """(normalised form, original) for the answer and every alias, also without a trailing "(disambiguation)".

    Wikipedia-style titles such as "Mercury (planet)" are answered as "Mercury"; the first entry is the answer.
    """
    seen: set[str] = set()
    variants: list[tuple[str, str]] = []
    for original in [answer, *usable_aliases(aliases)]:  # an instruction-like "alias" is never an answer
        for form in (original, _PARENTHETICAL.sub("", original)):
            normalised = normalize_answer(form)
            if normalised and normalised not in seen:
                seen.add(normalised)
                variants.append((normalised, original))
    return variants


def _contains_words(haystack: str, needle: str) -> bool:
    return f" {needle} " in f" {haystack} "


def match_answer(
    predicted: str,
    answer: str,
    aliases: Sequence[str],
    llm: LLM | None = None,
    *,
    stage: str = "answer_match",
) -> AnswerMatch:
    """Decide whether `predicted` names `answer` (or one of its `aliases`)."""
    normalised = normalize_answer(predicted)
    if not normalised:
        return AnswerMatch(False, "none", "empty prediction")
    variants = answer_variants(answer, aliases)
    for form, original in variants:
        if normalised == form:
            if original == answer:
                return AnswerMatch(True, "exact", answer)
            return AnswerMatch(True, "alias", original)
    predicted_words = len(normalised.split())
    for form, original in variants:
        if predicted_words - len(form.split()) <= MAX_EXTRA_WORDS and _contains_words(normalised, form):
            return AnswerMatch(True, "alias", f"prediction contains {original!r}")
    if llm is None:
        return AnswerMatch(False, "none", "no exact or alias match")
    completion = llm.ask(
        ANSWER_MATCH_TEMPLATE,
        {
            "answer": answer,
            "aliases": "; ".join(aliases) if aliases else "(none)",
            "predicted": predicted,
        },
        AnswerJudgement,
        stage=stage,
        params=GenParams(temperature=0.0, max_tokens=16),
    )
    same = completion.value.same_entity == "yes"
    return AnswerMatch(same, "llm" if same else "none", f"judge said {completion.value.same_entity}")
