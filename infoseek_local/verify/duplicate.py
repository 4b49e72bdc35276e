"""Duplicate check, over a whole run: near-duplicate question texts, questions that open with the same clue, and
too many questions per answer.

Runs after the per-question checks, over the questions that passed them, in run order (shard name, then position):
the first of a near-duplicate group is kept. Similarity is the exact Jaccard of word-trigram sets, found through
an inverted index of trigrams so that only questions sharing one are compared. Two questions that open with the
same sentence start from the same entity by the same clue: whoever solves one has the first hops of the other.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from ..records import Question, Verdict
from .answer_match import normalize_answer
from .context import VerifyConfig
from .text import shingles

CHECK = "duplicate"


def check_duplicates(questions: Iterable[Question], config: VerifyConfig) -> Iterator[Verdict]:
    """One verdict per question, in the order given; earlier questions win."""
    kept_shingles: list[set[tuple[str, ...]]] = []
    kept_ids: list[str] = []
    by_shingle: dict[tuple[str, ...], list[int]] = defaultdict(list)
    per_answer: Counter[str] = Counter()
    openings: dict[str, str] = {}  # first sentence (normalised) -> the question kept with it
    for question in questions:
        grams = shingles(question.question)
        shared: Counter[int] = Counter(k for g in grams for k in by_shingle.get(g, ()))
        best, best_id = 0.0, ""
        for k, common in shared.items():
            jaccard = common / (len(grams) + len(kept_shingles[k]) - common)
            if jaccard > best:
                best, best_id = jaccard, kept_ids[k]
        answer = normalize_answer(question.answer)
        if best >= config.max_jaccard:
            yield Verdict(
                question_id=question.id,
                check=CHECK,
                passed=False,
                reason=f"near-duplicate of question {best_id!r} (trigram Jaccard {best:.2f})",
                evidence={"duplicate_of": best_id, "jaccard": round(best, 3)},
            )
            continue
        opening = _opening(question.question)
        if opening in openings:
            yield Verdict(
                question_id=question.id,
                check=CHECK,
                passed=False,
                reason=f"opens with the same clue as question {openings[opening]!r}",
                evidence={"duplicate_of": openings[opening], "opening": opening},
            )
            continue
        if per_answer[answer] >= config.max_per_answer:
            yield Verdict(
                question_id=question.id,
                check=CHECK,
                passed=False,
                reason=f"answer {question.answer!r} already has {config.max_per_answer} accepted questions (the cap)",
                evidence={"answer": question.answer, "cap": config.max_per_answer},
            )
            continue
        per_answer[answer] += 1
        openings.setdefault(opening, question.id)
        for g in grams:
            by_shingle[g].append(len(kept_ids))
        kept_shingles.append(grams)
        kept_ids.append(question.id)
        yield Verdict(
            question_id=question.id,
            check=CHECK,
            passed=True,
            reason=f"most similar earlier question: {best_id or 'none'} (Jaccard {best:.2f})",
            evidence={"nearest": best_id, "jaccard": round(best, 3), "answer_rank": per_answer[answer]},
        )


def _opening(question: str) -> str:
    """The question's first sentence, lower case, single-spaced (a one-sentence question is its own opening)."""
    first = re.split(r"(?<=[.?!])\s+(?=[A-Z])", question.strip(), maxsplit=1)[0]
    return " ".join(first.lower().split())
