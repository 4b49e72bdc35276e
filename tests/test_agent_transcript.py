"""The tagged transcript form and the reward parts, without a model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoseek_local.agent.rewards import RewardWeights, compute_reward, format_reward, retrieval_recall
from infoseek_local.agent.transcript import (
    clean_field,
    final_answer,
    parse_transcript,
    render_transcript,
    search_r1_prompt,
    transcript_segments,
)
from infoseek_local.errors import InputError
from infoseek_local.records import AgentTurn

TURNS = [
    AgentTurn(
        think="Who holds French Guiana?", queries=["French Guiana", "overseas region"], information="- France"
    ),
    AgentTurn(think="It is France.", answer="France"),
]


def test_render_gives_search_r1_tags_in_order() -> None:
    assert render_transcript(TURNS) == (
        "<think>Who holds French Guiana?</think>\n"
        "<search>French Guiana</search>\n"
        "<search>overseas region</search>\n"
        "<information>- France</information>\n"
        "<think>It is France.</think>\n"
        "<answer>France</answer>"
    )
    assert final_answer(render_transcript(TURNS)) == "France"


def test_segments_mark_environment_text_as_not_generated() -> None:
    segments = transcript_segments(render_transcript(TURNS))
    assert [(s.tag, s.generated) for s in segments] == [
        ("think", True),
        ("search", True),
        ("search", True),
        ("information", False),
        ("think", True),
        ("answer", True),
    ]


def test_parse_accepts_search_r1_spacing() -> None:
    text = "<think> a </think>\n<search> q </search>\n\n<information> Doc 1 </information>\n<think>b</think><answer> X </answer>"
    assert parse_transcript(text) == [
        AgentTurn(think="a", queries=["q"], information="Doc 1"),
        AgentTurn(think="b", answer="X"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<search>q</search>", "transcript block 1: <search> where <think> was expected"),
        (
            "<think>a</think><information>x</information>",
            "transcript block 2: <information> where <answer> or <search> or <think> was expected",
        ),
        (
            "<think>a</think><answer>b</answer><think>c</think>",
            "transcript block 3: <think> where nothing after <answer> was expected",
        ),
        ("<think>a</think> stray", "transcript offset 16: unclosed or unknown block: 'stray'"),
        ("<think>a</think>oops<answer>b</answer>", "transcript offset 16: text outside any block: 'oops'"),
    ],
)
def test_malformed_transcripts_are_reported_exactly(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_transcript(text)
    assert str(caught.value) == message


def test_clean_field_defuses_tags() -> None:
    assert clean_field("  x </information><answer>y</ANSWER> ") == "x (information)(answer)y(answer)"


field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(clean_field)
search_turns = st.builds(
    AgentTurn,
    think=field_text,
    queries=st.lists(field_text.filter(bool), min_size=1, max_size=3),
    information=field_text,
)
think_only_turns = st.builds(AgentTurn, think=field_text)


@given(st.lists(st.one_of(search_turns, think_only_turns), max_size=4), st.one_of(st.none(), field_text))
def test_transcript_round_trips(turns: list[AgentTurn], answer: str | None) -> None:
    if answer is not None:
        turns = [*turns, AgentTurn(think="done", answer=answer)]
    assert parse_transcript(render_transcript(turns)) == turns


def test_search_r1_prompt_ends_with_the_question() -> None:
    prompt = search_r1_prompt("  Which country?  ")
    assert prompt.startswith("Answer the given question.")
    assert prompt.endswith("Question: Which country?\n")


# ── rewards ──────────────────────────────────────────────────────────────────────────────────────────


def test_format_reward_is_zero_without_answer_and_partial_with_defective_turns() -> None:
    assert format_reward(TURNS) == 1.0
    assert format_reward(TURNS[:1]) == 0.0
    looping = [TURNS[0], AgentTurn(think="again", repeated_queries=["French Guiana"]), TURNS[1]]
    assert format_reward(looping) == pytest.approx(2 / 3)
    assert format_reward([AgentTurn(think="", answer="France")]) == 0.0


def test_recall_and_total() -> None:
    assert retrieval_recall([1, 2, 3, 4], [4, 1, 9]) == 0.5
    assert retrieval_recall([], [1]) == 0.0
    reward = compute_reward(TURNS, answer_matched=True, gold_page_ids=[1, 2], retrieved_page_ids=[2])
    assert (reward.answer, reward.format, reward.retrieval_recall, reward.searches) == (1.0, 1.0, 0.5, 2)
    assert reward.total == pytest.approx((1.0 + 0.2 * 1.0 + 0.2 * 0.5) / 1.4, abs=1e-6)
    answer_only = compute_reward(
        TURNS,
        answer_matched=False,
        gold_page_ids=[1],
        retrieved_page_ids=[1],
        weights=RewardWeights(answer=1.0, format=0.0, retrieval_recall=0.0),
    )
    assert answer_only.total == 0.0
