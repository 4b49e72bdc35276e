"""The questions the report draws as cards: a seeded sample of the accepted ones, each with its tree, its
verdicts in check order and how the sampled trajectories did on it.

The pool is the questions verify accepted when verify has finished and accepted any, else every question
synth wrote (each card then says how far verify got with it). Beyond the limit, the sample is the questions
whose ids hash lowest: a uniform sample that picks the same seeds in every run made with the same synth seed
(ids derive from the seed and the seed page), so runs of two models can be compared card by card.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records import Question, Tree, Verdict
from ..store import is_done, read_shards
from .figures import ACCEPTED, FINALIZE, QUESTIONS, TREES, VERDICTS, verify_check_order

_SHOWN_EVIDENCE = ("answers", "question_rank", "question_plain_rank", "duplicate_of", "jaccard", "error")


@dataclass
class Card:
    question: Question
    tree: Tree | None
    verdicts: list[Verdict] = field(default_factory=list)
    samples: int = 0  # trajectories sampled for this question
    correct: int = 0


@dataclass
class CardSample:
    cards: list[Card]
    pool: str  # which questions the sample was drawn from, in words
    pool_size: int


def _pool(run_dir: Path) -> tuple[Path, str]:
    accepted = run_dir / ACCEPTED
    if is_done(run_dir / VERDICTS, FINALIZE) and any(read_shards(accepted, Question)):
        return accepted, "questions verify accepted"
    return run_dir / QUESTIONS, "questions synth wrote"


def sample_cards(run_dir: Path, limit: int) -> CardSample:
    """Up to `limit` cards in run order; from a larger pool, the `limit` questions of lowest `sample_key`."""
    from ..agent.sampling import read_trajectories
    from ..verify.pipeline import read_verdicts

    directory, pool = _pool(run_dir)
    ids = [q.id for q in read_shards(directory, Question)]
    pool_size = len(ids)
    if len(ids) > limit:
        ids = heapq.nsmallest(limit, ids, key=sample_key)
    wanted = set(ids)
    questions = [q for q in read_shards(directory, Question) if q.id in wanted]
    tree_ids = {q.tree_id for q in questions}
    trees = {t.id: t for t in read_shards(run_dir / TREES, Tree) if t.id in tree_ids} if questions else {}
    cards = {q.id: Card(question=q, tree=trees.get(q.tree_id)) for q in questions}
    if cards:
        for verdict in read_verdicts(run_dir):
            if verdict.question_id in cards:
                cards[verdict.question_id].verdicts.append(verdict)
        outcomes: Counter[tuple[str, bool]] = Counter(
            (t.question_id, t.correct) for t in read_trajectories(run_dir) if t.question_id in cards
        )
        order = verify_check_order(run_dir)
        for card in cards.values():
            card.verdicts.sort(key=lambda v: order.index(v.check) if v.check in order else len(order))
            card.correct = outcomes[(card.question.id, True)]
            card.samples = card.correct + outcomes[(card.question.id, False)]
    return CardSample(cards=list(cards.values()), pool=pool, pool_size=pool_size)


def sample_key(question_id: str) -> str:
    return hashlib.sha1(question_id.encode("utf-8")).hexdigest()


def verdict_headline(card: Card, verify_finished: bool) -> str:
    failed = [v for v in card.verdicts if not v.passed]
    if failed:
        return f"rejected by {failed[0].check}"
    if not card.verdicts:
        return "not verified"
    return "accepted" if verify_finished else "passed the checks run so far"


def evidence_note(evidence: dict[str, Any]) -> str:
    """The few evidence fields a reader needs beyond the reason (judge answers, ranks, the duplicate)."""
    shown = [f"{key}={evidence[key]!r}" for key in _SHOWN_EVIDENCE if key in evidence]
    if evidence.get("failures"):
        shown.append(f"unsupported claims={len(evidence['failures'])}")
    return "; ".join(shown)
