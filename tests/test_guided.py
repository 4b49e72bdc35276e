"""Tree-guided trajectories on a tiny real index: the rules they keep, the checker that enforces them, drops
counted by reason, `sample --mode guided` and its resume."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from guided_chain import QUESTION, build_chain_index, chain_question, chain_tree, write_run

from infoseek_local.agent.guided import GuidedConfig, build_guided
from infoseek_local.agent.guided_check import check_guided
from infoseek_local.agent.results import search_information
from infoseek_local.agent.sampling import read_trajectories
from infoseek_local.agent.transcript import parse_transcript
from infoseek_local.cli import cli
from infoseek_local.index.reader import Index
from infoseek_local.records import Trajectory
from infoseek_local.store import done_shards

WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@pytest.fixture(scope="module")
def chain_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_chain_index(tmp_path_factory.mktemp("guided"))


@pytest.fixture()
def chain_index(chain_index_dir: Path) -> Iterator[Index]:
    with Index.open(chain_index_dir) as index:
        yield index


def keys(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def guided(index: Index) -> Trajectory:
    tree = chain_tree(index)
    outcome = build_guided(chain_question(tree), tree, index, GuidedConfig())
    assert outcome.trajectory is not None, outcome.reason
    return outcome.trajectory


def with_turn(trajectory: Trajectory, number: int, **changes: object) -> Trajectory:
    turns = list(trajectory.turns)
    turns[number] = msgspec.structs.replace(turns[number], **changes)
    return msgspec.structs.replace(trajectory, turns=turns)


def test_guided_trajectory_solves_bottom_up_with_only_seen_words(chain_index: Index) -> None:
    trajectory = guided(chain_index)
    assert trajectory.origin == "guided" and trajectory.correct and trajectory.final_answer == "Valdria"
    assert trajectory.prompt_tokens == trajectory.completion_tokens == 0  # no LLM
    assert [t.queries for t in trajectory.turns[:-1]] == [
        ["first climbed 1953 mountain range"],
        ["Mount Ferrow rises mountain range"],
        ["Ostra River crossed"],
    ]
    # an independent replay: every query word was in the question or an earlier result, every result reproduces
    seen = keys(QUESTION)
    for turn in trajectory.turns[:-1]:
        [query] = turn.queries
        assert keys(query) <= seen, query
        again = search_information(chain_index, query, 5, 400)
        assert (again.page_ids, again.information) == (turn.retrieved_page_ids, turn.information)
        seen |= keys(turn.information)
    assert keys(trajectory.final_answer) <= seen
    assert set(trajectory.retrieved_page_ids) >= set(chain_question(chain_tree(chain_index)).gold_page_ids)
    assert parse_transcript(trajectory.transcript)[-1].answer == "Valdria"
    assert check_guided(trajectory, chain_question(chain_tree(chain_index)), chain_index) == []


def test_checker_catches_a_name_not_yet_seen_in_a_query(chain_index: Index) -> None:
    trajectory = guided(chain_index)
    question = chain_question(chain_tree(chain_index))
    # "Ostra" is first shown by the second search's results: typing it in the first query is cheating
    cheating = with_turn(trajectory, 0, queries=["Ostra first climbed 1953 mountain range"])
    violations = check_guided(cheating, question, chain_index)
    assert [(v.turn, v.rule) for v in violations][:1] == [(1, "unseen_query_word")]
    assert "['Ostra']" in violations[0].detail


def test_checker_catches_an_unseen_name_in_reasoning_and_answer(chain_index: Index) -> None:
    trajectory = guided(chain_index)
    question = chain_question(chain_tree(chain_index))
    early = with_turn(trajectory, 0, think="Start from Valdria and work down.")
    assert [(v.turn, v.rule) for v in check_guided(early, question, chain_index)] == [(1, "unseen_name")]
    # an answer no result named, although it is the gold one: the searcher could not have known it
    blind = msgspec.structs.replace(trajectory, turns=[trajectory.turns[0], trajectory.turns[-1]])
    rules = {v.rule for v in check_guided(blind, question, chain_index)}
    assert "unseen_name" in rules and "answer_page_not_retrieved" in rules


def test_checker_catches_results_that_the_index_does_not_return(chain_index: Index) -> None:
    trajectory = guided(chain_index)
    question = chain_question(chain_tree(chain_index))
    invented = with_turn(
        trajectory, 1, information=trajectory.turns[1].information + "\n[3] Valdria: a country."
    )
    assert [(v.turn, v.rule) for v in check_guided(invented, question, chain_index)] == [
        (2, "results_not_reproduced")
    ]
    reordered = with_turn(trajectory, 2, retrieved_page_ids=trajectory.turns[2].retrieved_page_ids[::-1])
    assert [v.rule for v in check_guided(reordered, question, chain_index)] == ["results_not_reproduced"]


def test_checker_catches_a_wrong_final_answer(chain_index: Index) -> None:
    trajectory = guided(chain_index)
    question = chain_question(chain_tree(chain_index))
    wrong = with_turn(trajectory, len(trajectory.turns) - 1, answer="Ostra River")
    assert [v.rule for v in check_guided(wrong, question, chain_index)] == ["answer_mismatch"]


def test_questions_without_a_valid_path_are_dropped_with_a_reason(chain_index: Index) -> None:
    tree = chain_tree(chain_index)
    question = chain_question(tree)
    assert build_guided(question, None, chain_index, GuidedConfig()).reason == "tree_missing"
    # the river vertex points at a page no clue of it finds: the oracle gives up after its bounded tries
    broken = chain_tree(chain_index, river_page="Baking")
    outcome = build_guided(chain_question(broken), broken, chain_index, GuidedConfig(tries_per_vertex=2))
    assert outcome.trajectory is None and outcome.reason == "oracle_page_not_found"
    # a gold answer the root page does not carry: dropped by the answer rule, never kept as correct
    renamed = msgspec.structs.replace(question, answer="Ostra River")
    assert build_guided(renamed, tree, chain_index, GuidedConfig()).reason == "rule_answer_mismatch"


def test_cli_guided_mode_writes_trajectories_counts_drops_and_resumes(
    chain_index_dir: Path, tmp_path: Path
) -> None:
    with Index.open(chain_index_dir) as index:
        tree = chain_tree(index)
        orphan = msgspec.structs.replace(chain_question(tree, "q-orphan"), tree_id="t-missing")
        run = write_run(tmp_path / "run", chain_index_dir, [chain_question(tree), orphan], [tree])
    args = ["sample", str(run), "--mode", "guided"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{run}: 1 trajectories for 2 questions, 1 kept" in result.output
    assert "guided: 1 of 2 questions have a trajectory; dropped: tree_missing=1" in result.output
    [trajectory] = list(read_trajectories(run))
    assert (trajectory.id, trajectory.origin, trajectory.correct) == ("q-chain-guided", "guided", True)
    assert not (run / "llm_calls").exists()  # guided mode never opens a model

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "resumed: 1 shards were already done" in again.output
    assert [t.id for t in read_trajectories(run)] == ["q-chain-guided"]
    assert done_shards(run / "trajectories") == ["part-00000"]
