"""The embedded SmolLM2-135M through llama.cpp: schema-valid answers, prefix reuse, replay, grammar errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import msgspec
import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.errors import LLMError
from infoseek_local.llm.base import GenParams, Message
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.llamacpp import grammar_for_schema

pytestmark = pytest.mark.integration


class Pick(msgspec.Struct, tag="pick"):
    index: Annotated[int, msgspec.Meta(ge=0, le=3)]


class Stop(msgspec.Struct, tag="stop"):
    reason: Annotated[str, msgspec.Meta(max_length=30)]


class Plan(msgspec.Struct):
    colour: Literal["red", "green", "blue"]
    step: Pick | Stop


class Coded(msgspec.Struct):
    code: Annotated[str, msgspec.Meta(pattern="[A-Z]{3}")]


def test_structured_answers_decode_with_the_real_model(tmp_path: Path) -> None:
    llm = open_llm(run_dir=tmp_path, n_ctx=1024)
    params = GenParams(max_tokens=64)
    answer = llm.ask("doctor", {"note": "Three blue boxes."}, Plan, stage="test", params=params)
    assert isinstance(answer.value, Plan)
    assert answer.completion_tokens <= 64 * (answer.retries + 1)
    replayer = open_llm(run_dir=tmp_path, n_ctx=1024)
    generated: list[int] = []  # a replay answers from the run's cache: the model never runs
    real_generate = replayer.backend.generate
    replayer.backend.generate = lambda *args: generated.append(1) or real_generate(*args)  # type: ignore[method-assign]
    replay = replayer.ask("doctor", {"note": "Three blue boxes."}, Plan, stage="test", params=params)
    assert replay.cache_hit and replay.value == answer.value
    assert generated == []
    assert (replayer.stats.calls, replayer.stats.cache_hits) == (1, 1)


def test_second_call_reuses_the_shared_prompt_prefix() -> None:
    llm = open_llm(n_ctx=1024, cache=False)
    system = Message("system", "You label notes. " + "Be brief and exact. " * 40)
    params = GenParams(max_tokens=8)
    llm.backend.generate([system, Message("user", "first note")], None, params)
    second = llm.backend.generate([system, Message("user", "second note")], None, params)
    assert second.reused_prompt_tokens > 150


def test_schema_without_a_grammar_is_a_clear_error() -> None:
    llm = open_llm(n_ctx=512, cache=False)
    with pytest.raises(
        LLMError, match=r"cannot be expressed as a llama.cpp grammar .*Pattern must start with"
    ):
        llm.ask("doctor", {"note": "x"}, Coded, stage="test")
    assert "root ::=" in grammar_for_schema(json.dumps({"type": "object", "properties": {}}))


def test_doctor_runs_one_structured_call() -> None:
    result = CliRunner().invoke(cli, ["doctor", "--json", "--n-ctx", "1024"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["backend"] == "llamacpp" and report["n_ctx"] == 1024
    assert report["model"] == "SmolLM2-135M-Instruct.Q4_1.gguf" and len(report["model_sha256"]) == 64
    assert report["structured_call"]["answer"]["colour"] in {"red", "green", "blue"}
    assert report["speed"]["prompt_tps"] > 0 and report["speed"]["generation_tps"] > 0
