"""The LLM client: templates, bounded retries, lenient decoding, token budgets, the call cache and the call log."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import msgspec
import pytest

from infoseek_local.errors import LLMError
from infoseek_local.llm.accounting import read_call_log
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.schema import answer_schema, schema_text
from infoseek_local.llm.templates import load_template
from infoseek_local.store import SHARD_SUFFIX


class Choice(msgspec.Struct):
    colour: Literal["red", "green", "blue"]
    count: Annotated[int, msgspec.Meta(ge=0, le=9)]


def write_template(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.txt"
    path.write_text(text)
    load_template.cache_clear()
    return path


# ── templates ────────────────────────────────────────────────────────────────────────────────────────────


def test_template_renders_sections_in_order_with_schema_after_static_text() -> None:
    llm = open_llm(backend="fake")
    messages = llm.render("doctor", {"note": "two {red} boxes"}, Choice)
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].content.startswith("You check that a language model works.")
    assert messages[0].content.endswith("matches this JSON schema:\n" + schema_text(Choice))
    assert answer_schema(Choice)["properties"]["colour"] == {"enum": ["blue", "green", "red"]}
    assert messages[1].content == "<data>\ntwo {red} boxes\n</data>"  # variable text is never re-formatted
    assert llm.template_version("doctor") == "doctor@1"


def test_template_variable_errors_name_the_file_and_variables(tmp_path: Path) -> None:
    path = write_template(tmp_path, "pick", "# version: 3\n[system]\nPick {{one}}.\n[user]\n{page} {query}\n")
    llm = open_llm(backend="fake")
    llm.prompts_dir = tmp_path
    with pytest.raises(LLMError) as missing:
        llm.ask("pick", {"page": "p"}, None, stage="t")
    assert str(missing.value) == f"{path}: variables ['query'] not given; pass them to ask()"
    with pytest.raises(LLMError) as extra:
        llm.ask("pick", {"page": "p", "query": "q", "typo": "x"}, None, stage="t")
    assert str(extra.value) == f"{path}: variables ['typo'] are not used by the template"
    assert llm.ask("pick", {"page": "p", "query": "q"}, None, stage="t").value
    assert llm.backend.history[0].messages[0].content == "Pick {one}."
    assert llm.template_version("pick") == "pick@3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[system]\nx\n[user]\ny\n", ":1: first line must be '# version: N'"),
        (
            "# version: 1\n[system]\nonly system\n",
            ": needs sections [system] and [user], the last one being [user]",
        ),
        ("# version: 1\n[user]\n{a.b}\n", ": [user] placeholder {a.b} must be a plain name"),
        ("# version: 1\n[user]\n{unclosed\n", ": [user] section: expected '}' before end of string"),
    ],
)
def test_malformed_templates_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = write_template(tmp_path, "bad", text)
    with pytest.raises(LLMError) as error:
        load_template("bad", tmp_path)
    assert str(error.value).startswith(f"{path}{message}")


def test_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(LLMError, match=r"prompt template 'nosuch' not found"):
        open_llm(backend="fake").ask("nosuch", {}, None, stage="t")


# ── retries and decoding ─────────────────────────────────────────────────────────────────────────────────


def test_invalid_answers_are_retried_with_a_new_seed_then_accepted() -> None:
    llm = open_llm(backend="fake", max_retries=2)
    llm.backend.enqueue("not json", {"colour": "purple", "count": 1}, {"colour": "red", "count": 4})
    answer = llm.ask("doctor", {"note": "x"}, Choice, stage="t")
    assert answer.value == Choice("red", 4)
    assert answer.retries == 2
    seeds = [call.params.seed for call in llm.backend.history]
    temperatures = [call.params.temperature for call in llm.backend.history]
    assert seeds == [0, 1, 2] and temperatures == [0.0, 0.5, 0.5]
    assert llm.stats.retries == 2 and llm.stats.failures == 0


def test_retries_are_bounded_and_the_error_says_why(tmp_path: Path) -> None:
    llm = open_llm(backend="fake", max_retries=1, run_dir=tmp_path)
    llm.backend.enqueue("nope", {"colour": "red", "count": 12}, {"colour": "red", "count": 1})
    with pytest.raises(LLMError) as error:
        llm.ask("doctor", {"note": "x"}, Choice, stage="planner")
    assert str(error.value) == (
        "template doctor@1: model fake gave no valid Choice in 2 attempts; last problem: "
        'Expected `int` <= 9 - at `$.count`; last answer: \'{"colour":"red","count":12}\''
    )
    assert llm.backend.queued == 1  # a third attempt was never made
    llm.close()
    (record,) = list(read_call_log(tmp_path))
    assert (record.stage, record.ok, record.retries, record.template) == ("planner", False, 1, "doctor@1")


def test_raw_control_characters_in_strings_are_repaired_and_counted() -> None:
    class Note(msgspec.Struct):
        text: str

    llm = open_llm(backend="fake")
    llm.backend.enqueue('{"text": "line one\nline\ttwo"}')
    answer = llm.ask("doctor", {"note": "x"}, Note, stage="t")
    assert answer.value == Note("line one\nline\ttwo")
    assert answer.retries == 0 and llm.stats.repairs == 1


def test_check_rejections_are_retried() -> None:
    llm = open_llm(backend="fake")
    llm.backend.enqueue(Choice("red", 8), Choice("red", 2))
    answer = llm.ask(
        "doctor", {"note": "x"}, Choice, stage="t", check=lambda v: "too many" if v.count > 5 else None
    )
    assert answer.value == Choice("red", 2) and answer.retries == 1


class Node(msgspec.Struct):
    name: str
    children: list[Node]


def test_recursive_answer_type_is_a_clear_error() -> None:
    with pytest.raises(LLMError, match=r"recursive type Node cannot be expressed as a grammar"):
        open_llm(backend="fake").ask("doctor", {"note": "x"}, Node, stage="t")


# ── token budgets ────────────────────────────────────────────────────────────────────────────────────────


def test_fit_cuts_at_a_word_boundary_within_the_budget() -> None:
    llm = open_llm(backend="fake")  # fake tokens: 4 bytes each
    text = "alpha beta gamma delta epsilon zeta eta theta"
    cut = llm.fit(text, 5)
    assert cut == "alpha beta gamma"
    assert llm.count_tokens(cut) <= 5
    assert llm.fit(text, 100) == text
    assert llm.fit(text, 0) == ""


def test_fit_var_cuts_page_text_so_the_prompt_fits() -> None:
    llm = open_llm(backend="fake", n_ctx=512)
    page = "word " * 5000
    answer = llm.ask("doctor", {"note": page}, Choice, stage="t", fit_var="note")
    sent = llm.backend.history[0].messages
    assert llm.prompt_tokens(sent) + 256 <= 512
    assert answer.prompt_tokens > 150  # most of the budget was used, not thrown away


def test_prompt_that_cannot_fit_is_a_clear_error() -> None:
    llm = open_llm(backend="fake", n_ctx=256)
    with pytest.raises(
        LLMError, match=r"exceeds the context of 256; cut page text \(fit_var=\) or raise --n-ctx"
    ):
        llm.ask("doctor", {"note": "word " * 2000}, Choice, stage="t")
    with pytest.raises(LLMError, match=r"leaves no room for note in a context of 256"):
        llm.ask("doctor", {"note": "word " * 2000}, Choice, stage="t", fit_var="note")
    assert llm.backend.history == []


# ── cache, call log, provenance ──────────────────────────────────────────────────────────────────────────


def test_rerun_replays_from_the_run_cache_without_calling_the_backend(tmp_path: Path) -> None:
    first = open_llm(backend="fake", run_dir=tmp_path)
    first.backend.enqueue("garbage", Choice("blue", 3))
    original = first.ask("doctor", {"note": "x"}, Choice, stage="t")
    # no close(): every entry is flushed when written, as if the process had been killed here

    rerun = open_llm(backend="fake", run_dir=tmp_path)
    replay = rerun.ask("doctor", {"note": "x"}, Choice, stage="t")
    assert replay.value == original.value == Choice("blue", 3)
    assert replay.cache_hit and replay.retries == 1
    assert rerun.backend.history == []
    changed = rerun.ask("doctor", {"note": "y"}, Choice, stage="t")
    assert not changed.cache_hit and len(rerun.backend.history) == 1
    first.close()
    rerun.close()
    records = list(read_call_log(tmp_path))
    assert [r.cache_hit for r in records] == [False, True, False]


def test_torn_cache_tail_is_dropped_and_earlier_entries_still_replay(tmp_path: Path) -> None:
    llm = open_llm(backend="fake", run_dir=tmp_path)
    llm.ask("doctor", {"note": "one"}, Choice, stage="t")
    llm.ask("doctor", {"note": "two"}, Choice, stage="t")
    llm.close()
    (shard,) = (tmp_path / "llm_cache").glob(f"*{SHARD_SUFFIX}")
    with open(shard, "r+b") as f:
        f.truncate(os.path.getsize(shard) - 3)
    rerun = open_llm(backend="fake", run_dir=tmp_path)
    assert rerun.cache.torn_shards == 1
    assert rerun.ask("doctor", {"note": "one"}, Choice, stage="t").cache_hit
    assert not rerun.ask("doctor", {"note": "two"}, Choice, stage="t").cache_hit


def test_cache_key_includes_seed_and_params(tmp_path: Path) -> None:
    from infoseek_local.llm.base import GenParams

    llm = open_llm(backend="fake", run_dir=tmp_path)
    llm.ask("doctor", {"note": "x"}, Choice, stage="t")
    assert llm.ask("doctor", {"note": "x"}, Choice, stage="t").cache_hit
    assert not llm.ask("doctor", {"note": "x"}, Choice, stage="t", params=GenParams(seed=9)).cache_hit
    assert not llm.ask("doctor", {"note": "x"}, Choice, stage="t", params=GenParams(max_tokens=99)).cache_hit


def test_provenance_names_model_and_templates_used() -> None:
    llm = open_llm(backend="fake", seed=4)
    llm.ask("doctor", {"note": "x"}, Choice, stage="t")
    provenance = llm.provenance(4, {"hops": 2})
    assert (provenance.model, provenance.model_sha256) == ("fake", "fake-backend-seed-4")
    assert provenance.template_version == "doctor@1"
    assert provenance.config == {"hops": 2} and provenance.seed == 4
