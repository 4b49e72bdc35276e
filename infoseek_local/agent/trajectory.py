"""A trajectory's record: its final answer matched against the gold answer, its reward, and its transcript.
One place for every kind of trajectory (the free agent, the choice agent and the tree-guided path), so they
are scored and recorded alike."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..records import AgentTurn, Provenance, Question, Trajectory
from ..verify.answer_match import match_answer
from .rewards import RewardWeights, compute_reward
from .transcript import render_transcript

if TYPE_CHECKING:
    from ..llm.client import LLM


def scored_trajectory(
    question: Question,
    turns: list[AgentTurn],
    *,
    trajectory_id: str,
    sample_index: int,
    final_answer: str,
    end_reason: str,
    retrieved: list[int],
    started: float,
    provenance: Provenance,
    origin: str,
    judge: LLM | None = None,
    weights: RewardWeights | None = None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
) -> Trajectory:
    """The record of a finished trajectory; `judge` (an LLM) decides answers code cannot match."""
    outcome = match_answer(final_answer, question.answer, question.aliases, judge, stage="sample_judge")
    reward = compute_reward(
        turns,
        answer_matched=outcome.matched,
        gold_page_ids=question.gold_page_ids,
        retrieved_page_ids=retrieved,
        weights=weights,
    )
    return Trajectory(
        id=trajectory_id,
        question_id=question.id,
        sample_index=sample_index,
        turns=turns,
        transcript=render_transcript(turns),
        final_answer=final_answer,
        correct=outcome.matched,
        reward=reward,
        searches=reward.searches,
        retrieved_page_ids=retrieved,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        seconds=round(time.perf_counter() - started, 4),
        provenance=provenance,
        end_reason=end_reason,
        repeated_queries=sum(len(t.repeated_queries) for t in turns),
        answer_match=outcome.method,
        origin=origin,
    )
