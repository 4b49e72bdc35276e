"""The choice-driven agent (`sample --mode agent`): code proposes queries and answers, the model picks one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from guided_chain import build_chain_index, chain_question, chain_tree, write_run

from infoseek_local.agent.choice import OWN_SEARCH, ChoiceAgent, ChoiceConfig, question_clauses
from infoseek_local.agent.sampling import SampleConfig, read_trajectories, sample_run
from infoseek_local.cli import cli
from infoseek_local.index.reader import Index
from infoseek_local.llm.base import Message
from infoseek_local.llm.factory import open_llm


@pytest.fixture(scope="module")
def chain_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_chain_index(tmp_path_factory.mktemp("choice"))


@pytest.fixture()
def chain_index(chain_index_dir: Path) -> Iterator[Index]:
    with Index.open(chain_index_dir) as index:
        yield index


def picker(offered: list[list[str]], answer: str = "Valdria") -> Any:
    """Answers `answer` once it is offered, else takes the longest search (a name the results showed with the
    next clause); records the options of each call."""

    def respond(messages: list[Message], schema: dict[str, Any] | None) -> Any:
        labelled = (schema or {})["properties"]["choice"]["enum"]
        assert all(
            line in messages[-1].content for line in labelled
        )  # the prompt lists what the schema allows
        options = [label.split(") ", 1)[1] for label in labelled]
        offered.append(options)
        wanted = f"answer: {answer}"
        if wanted in options:
            return {"choice": labelled[options.index(wanted)]}
        return {"choice": max(labelled, key=lambda label: (") search: " in label, len(label)))}

    return respond


def never_right(messages: list[Message], schema: dict[str, Any] | None) -> Any:
    """Searches while it can, then gives any answer but the gold one."""
    labelled = (schema or {})["properties"]["choice"]["enum"]
    searches = [label for label in labelled if ") search: " in label]
    wrong = [label for label in labelled if ") answer: " in label and not label.endswith("Valdria")]
    return {"choice": (searches or wrong or labelled)[0]}


def test_the_model_only_picks_and_the_options_walk_the_question_clause_by_clause(
    chain_index: Index,
) -> None:
    offered: list[list[str]] = []
    agent = ChoiceAgent(chain_index, open_llm(backend="fake", fake_responder=picker(offered)))
    question = chain_question(chain_tree(chain_index))
    trajectory = agent.solve(question, sample_index=0, seed=1, temperature=0.7)

    assert (trajectory.correct, trajectory.final_answer, trajectory.origin) == (True, "Valdria", "agent")
    queries = [t.queries[0] for t in trajectory.turns if t.queries]
    assert queries[0] == question_clauses(question.question)[0] == "mountain range first climbed 1953"
    assert queries[1].startswith("Mount Ferrow ")  # a name the first results showed, with the next clause
    # every query run and the answer were options the model was offered in that turn
    for turn, options in zip(trajectory.turns, offered, strict=True):
        chosen = f"answer: {turn.answer}" if turn.answer is not None else f"search: {turn.queries[0]}"
        assert chosen in options
    # no answer is offered before every clause has been searched
    assert all(not o.startswith("answer: ") for options in offered[:3] for o in options)
    assert trajectory.prompt_tokens > 0 and "agent_choose@1" in trajectory.provenance.template_version


def test_the_answer_is_always_a_name_the_results_showed(chain_index: Index) -> None:
    agent = ChoiceAgent(chain_index, open_llm(backend="fake"), ChoiceConfig(max_turns=4))
    question = chain_question(chain_tree(chain_index))
    for sample in range(6):  # the fake model picks at random among the options
        trajectory = agent.solve(question, sample_index=sample, seed=sample, temperature=0.7)
        shown = "\n".join(t.information for t in trajectory.turns)
        assert trajectory.end_reason in {"answer", "no_candidates"}
        if trajectory.end_reason == "answer":
            assert trajectory.final_answer and trajectory.final_answer in shown


def test_own_words_let_a_bigger_model_write_its_query(chain_index: Index) -> None:
    def respond(messages: list[Message], schema: dict[str, Any] | None) -> Any:
        labelled = (schema or {})["properties"]["choice"]["enum"]
        own_search = [label for label in labelled if label.endswith(OWN_SEARCH)]
        if own_search and "<results>\n(nothing yet)" in messages[-1].content:
            return {"choice": own_search[0], "own_words": "copper timber country"}
        answers = [label for label in labelled if ") answer: " in label]
        return {"choice": answers[0] if answers else labelled[0], "own_words": ""}

    config = ChoiceConfig(own_words=True, max_turns=2)
    agent = ChoiceAgent(chain_index, open_llm(backend="fake", fake_responder=respond), config)
    trajectory = agent.solve(chain_question(chain_tree(chain_index)), sample_index=0, seed=0, temperature=0.7)
    assert trajectory.turns[0].queries == ["copper timber country"]
    assert trajectory.turns[-1].answer is not None


def test_default_sample_writes_guided_and_agent_trajectories_and_keeps_correct_ones(
    chain_index_dir: Path, tmp_path: Path
) -> None:
    with Index.open(chain_index_dir) as index:
        tree = chain_tree(index)
        run = write_run(tmp_path / "run", chain_index_dir, [chain_question(tree)], [tree])
    offered: list[list[str]] = []
    llm = open_llm(backend="fake", fake_responder=picker(offered))
    summary = sample_run(run, SampleConfig(samples=2), index_path=chain_index_dir, llm=llm)
    assert (summary.trajectories, summary.correct, summary.guided) == (3, 3, 1)
    trajectories = sorted(read_trajectories(run), key=lambda t: t.id)
    assert [(t.id, t.origin) for t in trajectories] == [
        ("q-chain-guided", "guided"),
        ("q-chain-s00", "agent"),
        ("q-chain-s01", "agent"),
    ]
    # a model that never answers right: its samples are written but not kept; the guided one still is
    wrong = tmp_path / "wrong"
    with Index.open(chain_index_dir) as index:
        write_run(wrong, chain_index_dir, [chain_question(tree)], [tree])
    llm = open_llm(backend="fake", fake_responder=never_right)
    summary = sample_run(wrong, SampleConfig(samples=2), index_path=chain_index_dir, llm=llm)
    kept = list(read_trajectories(wrong, kept_only=True))
    assert summary.trajectories == 3 and [t.origin for t in kept] == ["guided"]

    result = CliRunner().invoke(cli, ["stats", str(wrong)])
    assert result.exit_code == 0, result.output
    assert "agent: 0 kept of 2" in result.output and "guided: 1 kept of 1" in result.output


def test_a_run_killed_mid_shard_resumes_without_loss_or_duplicates(
    chain_index_dir: Path, tmp_path: Path
) -> None:
    with Index.open(chain_index_dir) as index:
        tree = chain_tree(index)
        questions = [chain_question(tree, "q-a"), chain_question(tree, "q-b")]
        run = write_run(tmp_path / "run", chain_index_dir, questions, [tree])
    config = SampleConfig(samples=1, questions_per_shard=1)
    calls: list[int] = []
    choose = picker([])

    def dies_in_second_shard(messages: list[Message], schema: dict[str, Any] | None) -> Any:
        calls.append(1)
        if len(calls) == 6:  # the first question takes 4 calls: this one is in the second shard
            raise RuntimeError("killed")
        return choose(messages, schema)

    with pytest.raises(RuntimeError, match="killed"):
        llm = open_llm(backend="fake", fake_responder=dies_in_second_shard)
        sample_run(run, config, index_path=chain_index_dir, llm=llm)
    assert [t.id for t in read_trajectories(run)] == ["q-a-guided", "q-a-s00"]

    summary = sample_run(
        run, config, index_path=chain_index_dir, llm=open_llm(backend="fake", fake_responder=choose)
    )
    assert (summary.shards_skipped, summary.shards_done, summary.guided) == (1, 1, 2)  # totals of all shards
    assert sorted(t.id for t in read_trajectories(run)) == ["q-a-guided", "q-a-s00", "q-b-guided", "q-b-s00"]
