"""The fake backend: schema-valid, deterministic answers, a scripted queue, a responder and a call history."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoseek_local.errors import LLMError
from infoseek_local.llm.base import Message
from infoseek_local.llm.factory import open_llm


class Link(msgspec.Struct, tag="link"):
    index: Annotated[int, msgspec.Meta(ge=3, le=7)]


class Stop(msgspec.Struct, tag="stop"):
    reason: Annotated[str, msgspec.Meta(max_length=12)]


class Inner(msgspec.Struct):
    words: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=5)]], msgspec.Meta(min_length=2, max_length=4)
    ]
    flag: bool


class Plan(msgspec.Struct):
    action: Literal["deepen", "widen", "stop"]
    step: Link | Stop
    inner: Inner
    score: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
    note: str | None = None


def test_default_answers_are_valid_for_nested_schemas_and_tagged_unions() -> None:
    llm = open_llm(backend="fake")
    seen_kinds = set()
    for i in range(40):
        answer = llm.ask("doctor", {"note": f"note {i}"}, Plan, stage="test")
        value = answer.value
        assert isinstance(value, Plan)  # decoding validated every constraint
        seen_kinds.add(type(value.step).__name__)
        assert 2 <= len(value.inner.words) <= 4
    assert seen_kinds == {"Link", "Stop"}
    assert llm.stats.retries == 0


def test_default_answers_depend_on_prompt_and_seed_only() -> None:
    first = open_llm(backend="fake", seed=1).ask("doctor", {"note": "a"}, Plan, stage="t").value
    again = open_llm(backend="fake", seed=1).ask("doctor", {"note": "a"}, Plan, stage="t").value
    assert first == again
    others = {
        msgspec.json.encode(
            open_llm(backend="fake", seed=s).ask("doctor", {"note": "a"}, Plan, stage="t").value
        )
        for s in range(2, 8)
    }
    assert len(others) > 1


def test_enqueued_answers_come_first_in_order_and_history_records_calls() -> None:
    llm = open_llm(backend="fake")
    llm.backend.enqueue(Link(index=5), {"type": "stop", "reason": "done"})
    first = llm.ask("doctor", {"note": "x"}, Link | Stop, stage="t")
    second = llm.ask("doctor", {"note": "x"}, Link | Stop, stage="t")
    assert first.value == Link(index=5)
    assert second.value == Stop(reason="done")
    assert len(llm.backend.history) == 2
    call = llm.backend.history[0]
    assert call.messages[-1] == Message("user", "<data>\nx\n</data>")
    assert call.json_schema is not None and "anyOf" in call.json_schema
    assert call.text == '{"type":"link","index":5}'


def test_responder_sees_messages_and_schema() -> None:
    seen = []

    def responder(messages: list[Message], schema: dict | None) -> dict:
        seen.append(schema["required"])
        return {"colour": "blue", "count": len(messages)}

    class Answer(msgspec.Struct):
        colour: Literal["red", "blue"]
        count: int

    llm = open_llm(backend="fake", fake_responder=responder)
    assert llm.ask("doctor", {"note": "x"}, Answer, stage="t").value == Answer("blue", 2)
    assert seen == [["colour", "count"]]


def test_enqueued_exception_is_raised_and_logged_as_failure() -> None:
    llm = open_llm(backend="fake")
    llm.backend.enqueue(LLMError("endpoint down"))
    with pytest.raises(LLMError, match="endpoint down"):
        llm.ask("doctor", {"note": "x"}, None, stage="t")
    assert llm.stats.failures == 1


def test_free_text_answers_are_short_strings() -> None:
    answer = open_llm(backend="fake").ask("doctor", {"note": "x"}, None, stage="t")
    assert isinstance(answer.value, str) and 0 < len(answer.value.split()) <= 8


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(-50, 50),
    span=st.integers(0, 20),
    max_chars=st.integers(1, 40),
    min_items=st.integers(0, 3),
    extra_items=st.integers(0, 3),
    choices=st.lists(st.text("abcxyz", min_size=1, max_size=4), min_size=1, max_size=4, unique=True),
    seed=st.integers(0, 1000),
)
def test_default_answers_respect_random_bounds(
    low: int, span: int, max_chars: int, min_items: int, extra_items: int, choices: list[str], seed: int
) -> None:
    item = Annotated[str, msgspec.Meta(max_length=max_chars)]
    answer_type = msgspec.defstruct(
        "Random",
        [
            ("number", Annotated[int, msgspec.Meta(ge=low, le=low + span)]),
            (
                "items",
                Annotated[list[item], msgspec.Meta(min_length=min_items, max_length=min_items + extra_items)],
            ),
            ("choice", Literal[tuple(choices)]),
        ],
    )
    llm = open_llm(backend="fake", seed=seed)
    value = llm.ask("doctor", {"note": "x"}, answer_type, stage="t").value  # decoding checks every bound
    assert low <= value.number <= low + span
    assert value.choice in choices
