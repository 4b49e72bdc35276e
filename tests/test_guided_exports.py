"""Exports carry both kinds of trajectories with their origin, and load back with `datasets`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest
from click.testing import CliRunner
from guided_chain import build_chain_index, chain_question, chain_tree, write_run

from infoseek_local.agent.sampling import SampleConfig, sample_run
from infoseek_local.cli import cli
from infoseek_local.index.reader import Index
from infoseek_local.llm.base import Message
from infoseek_local.llm.factory import open_llm


def longest_search_then_gold(messages: list[Message], schema: dict[str, Any] | None) -> Any:
    labelled = (schema or {})["properties"]["choice"]["enum"]
    gold = [label for label in labelled if label.endswith("answer: Valdria")]
    return {
        "choice": gold[0] if gold else max(labelled, key=lambda label: (") search: " in label, len(label)))
    }


@pytest.fixture(scope="module")
def sampled_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    index_dir = build_chain_index(folder)
    with Index.open(index_dir) as index:
        tree = chain_tree(index)
        run = write_run(folder / "run", index_dir, [chain_question(tree)], [tree])
    llm = open_llm(backend="fake", fake_responder=longest_search_then_gold)
    summary = sample_run(run, SampleConfig(samples=1), index_path=index_dir, llm=llm)
    assert (summary.trajectories, summary.correct) == (2, 2)
    return run


def export(run: Path, fmt: str, out: Path) -> Path:
    result = CliRunner().invoke(cli, ["export", str(run), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_sft_rows_carry_their_origin(sampled_run: Path, tmp_path: Path) -> None:
    rows = datasets.load_dataset(str(export(sampled_run, "sft", tmp_path / "sft")), split="train")
    assert sorted(zip(rows["id"], rows["origin"], strict=True)) == [
        ("q-chain-guided", "guided"),
        ("q-chain-s00", "agent"),
    ]
    guided = rows[rows["origin"].index("guided")]
    assert guided["messages"][-1]["role"] == "assistant"
    assert guided["messages"][-1]["content"].endswith("<answer>Valdria</answer>")


def test_rl_rows_count_solved_trajectories_by_origin(sampled_run: Path, tmp_path: Path) -> None:
    [row] = datasets.load_dataset(str(export(sampled_run, "rl", tmp_path / "rl")), split="train")
    extra = row["extra_info"]
    assert (extra["sampled"], extra["solved"], extra["solved_guided"], extra["solved_agent"]) == (2, 2, 1, 1)


def test_tools_export_has_verls_multi_turn_search_layout(sampled_run: Path, tmp_path: Path) -> None:
    out = export(sampled_run, "tools", tmp_path / "tools")
    rows = datasets.load_dataset(str(out), split="train")
    assert sorted(rows["origin"]) == ["agent", "guided"]
    row = rows[rows["origin"].index("guided")]
    assert row["data_source"] == "infoseek_local" and row["reward_model"]["ground_truth"] == {
        "target": ["Valdria"]
    }
    extra = row["extra_info"]
    assert extra["need_tools_kwargs"] is True and extra["origin"] == "guided"
    assert extra["tools_kwargs"]["search"]["create_kwargs"]["ground_truth"] == {"target": ["Valdria"]}
    assert (
        extra["tools_kwargs"]["search"]["create_kwargs"]["question"]
        == row["prompt"][1]["content"].split("Question: ")[1]
    )
    # the system message declares the search tool, taking a list of queries, as verl's search tool does
    system = row["prompt"][0]["content"]
    tool = json.loads(system.split("<tools>\n", 1)[1].split("\n</tools>", 1)[0])
    assert tool["function"]["name"] == "search"
    assert tool["function"]["parameters"]["required"] == ["query_list"]
    messages = row["messages"]
    assert messages[:2] == row["prompt"]
    roles = [m["role"] for m in messages[2:]]
    assert roles == ["assistant", "tool"] * 3 + ["assistant"]
    call = json.loads(messages[2]["content"].split("<tool_call>\n", 1)[1].split("\n</tool_call>", 1)[0])
    assert call == {"name": "search", "arguments": {"query_list": ["first climbed 1953 mountain range"]}}
    assert messages[3]["content"].startswith("[1] Mount Ferrow:")
    assert messages[-1]["content"].endswith("<answer>Valdria</answer>")
