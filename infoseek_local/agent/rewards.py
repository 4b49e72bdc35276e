"""The reward of a trajectory, split into parts a trainer can reweigh.

- **format** (0..1): 0 when the trajectory ended without an answer (turn limit, token budget or context full);
  otherwise the fraction of well-formed turns. A turn is well-formed when it has a non-empty think and either a
  non-empty answer or at least one query that was actually run (a turn whose queries all repeat earlier ones,
  or a search with no query, is not). So an agent that answers after looping gets partial credit.
- **answer** (0 or 1): the final answer matches the gold answer or an alias (`verify.answer_match`).
- **retrieval_recall** (0..1): share of the tree's gold pages that appeared in the agent's search results;
  0 when the question lists no gold pages.
- **total**: weighted mean of the three with `RewardWeights` (default answer 1, format 0.2, recall 0.2), so it
  stays in 0..1 and is dominated by the answer, as in Search-R1's exact-match reward.
- **searches**: queries actually run (repeats excluded).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from msgspec import Struct

from ..records import AgentTurn, Reward


class RewardWeights(Struct, frozen=True, kw_only=True):
    answer: float = 1.0
    format: float = 0.2
    retrieval_recall: float = 0.2


def turn_well_formed(turn: AgentTurn) -> bool:
    if not turn.think.strip():
        return False
    if turn.answer is not None:
        return bool(turn.answer.strip())
    return any(q.strip() for q in turn.queries)


def format_reward(turns: Sequence[AgentTurn]) -> float:
    if not turns or turns[-1].answer is None or not turns[-1].answer.strip():
        return 0.0
    return sum(turn_well_formed(t) for t in turns) / len(turns)


def retrieval_recall(gold_page_ids: Iterable[int], retrieved_page_ids: Iterable[int]) -> float:
    gold = set(gold_page_ids)
    if not gold:
        return 0.0
    return len(gold & set(retrieved_page_ids)) / len(gold)


def compute_reward(
    turns: Sequence[AgentTurn],
    *,
    answer_matched: bool,
    gold_page_ids: Iterable[int],
    retrieved_page_ids: Iterable[int],
    weights: RewardWeights | None = None,
) -> Reward:
    weights = weights or RewardWeights()
    fmt = format_reward(turns)
    answer = 1.0 if answer_matched else 0.0
    recall = retrieval_recall(gold_page_ids, retrieved_page_ids)
    weight_sum = weights.answer + weights.format + weights.retrieval_recall
    total = (
        (weights.answer * answer + weights.format * fmt + weights.retrieval_recall * recall) / weight_sum
        if weight_sum > 0
        else 0.0
    )
    searches = sum(len(t.queries) for t in turns if t.answer is None)
    return Reward(
        format=round(fmt, 6),
        answer=answer,
        retrieval_recall=round(recall, 6),
        total=round(total, 6),
        searches=searches,
    )
