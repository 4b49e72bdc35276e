"""The oracle searcher on a tiny real index: a chain country -> river -> mountain range, resolved bottom-up."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from guided_chain import build_chain_index, chain_tree

from infoseek_local.cli import cli
from infoseek_local.index.reader import Index
from infoseek_local.oracle import OracleResult, _assert_fair, oracle_solve
from infoseek_local.records import Provenance, Question, Vertex
from infoseek_local.store import ShardWriter, mark_done, shard_path

QUESTION = (
    "Which country, crossed by a river that rises in a mountain range first climbed in 1953 and flows "
    "through marshland before reaching the sea, exports copper and timber?"
)
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@pytest.fixture(scope="module")
def chain_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    # Valdria links the Ostra River, which links Mount Ferrow; decoy pages share some of the clue words
    with Index.open(build_chain_index(tmp_path_factory.mktemp("oracle"))) as index:
        yield index


def chain_vertices(index: Index, *, river_page: str = "Ostra River") -> list[Vertex]:
    return chain_tree(index, river_page=river_page).vertices


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def assert_queries_use_only_seen_words(result: OracleResult, vertices: list[Vertex]) -> None:
    seen = words(QUESTION)
    for step in result.steps:
        assert words(step.query) <= seen, step.query
        if step.rank is not None:  # from now on the searcher has seen this page's title
            seen |= words(vertices[step.vertex].title)


def test_the_chain_is_solved_bottom_up_with_one_search_per_vertex(chain_index: Index) -> None:
    vertices = chain_vertices(chain_index)
    result = oracle_solve(chain_index, QUESTION, vertices)
    assert result.solved and result.reason == ""
    assert result.searches == 3
    assert [step.vertex for step in result.steps] == [2, 1, 0]
    assert [step.rank for step in result.steps] == [1, 2, 2]  # the child's own page outranks its parent
    # the leaf is searched by its attribute clue and kind; the others by the resolved child's title and relation
    assert [step.query for step in result.steps] == [
        "first climbed 1953 mountain range",
        "Mount Ferrow rises mountain range",
        "Ostra River crossed",  # "river" once: the title has it
    ]
    assert_queries_use_only_seen_words(result, vertices)
    assert oracle_solve(chain_index, QUESTION, vertices) == result  # deterministic


def test_with_k_1_the_oracle_falls_back_to_the_other_query_variants(chain_index: Index) -> None:
    vertices = chain_vertices(chain_index)
    result = oracle_solve(chain_index, QUESTION, vertices, k=1)
    assert [(step.vertex, step.query, step.rank) for step in result.steps] == [
        (2, "first climbed 1953 mountain range", 1),
        (1, "Mount Ferrow rises mountain range", None),  # Mount Ferrow's own page is first
        (1, "Mount Ferrow flows marshland reaching sea river", 1),
        (0, "Ostra River crossed", None),  # the river's own page is first
        (0, "Ostra River exports copper timber country", 1),
    ]
    assert (result.solved, result.searches) == (True, 5)
    assert_queries_use_only_seen_words(result, vertices)


def test_a_vertex_that_never_ranks_stops_the_oracle_and_is_named(chain_index: Index) -> None:
    # the river vertex points at a page none of its clues match, so every query for it misses
    vertices = chain_vertices(chain_index, river_page="Baking")
    result = oracle_solve(chain_index, QUESTION, vertices)
    assert not result.solved
    assert result.reason == "vertex 1 not found in the top 10 after 3 searches"
    assert result.searches == 1 + 3  # the mountain range's one search, then the river's three tries
    assert [(s.vertex, s.rank is None) for s in result.steps] == [(2, False), (1, True), (1, True), (1, True)]
    assert_queries_use_only_seen_words(result, vertices)

    fewer = oracle_solve(chain_index, QUESTION, vertices, tries_per_vertex=2)
    assert (fewer.solved, fewer.searches) == (False, 1 + 2)
    assert fewer.reason == "vertex 1 not found in the top 10 after 2 searches"


def test_a_vertex_with_no_clue_words_in_the_question_is_not_searched(chain_index: Index) -> None:
    vertices = chain_vertices(chain_index)
    result = oracle_solve(chain_index, "Which country exports copper?", vertices)
    assert (result.solved, result.searches) == (False, 0)
    assert result.reason == "vertex 2 has no clue words in the question to search with"


def test_a_query_with_an_unseen_word_is_refused() -> None:
    _assert_fair("Mount Ferrow rises", {"mount", "ferrow", "rises"})
    with pytest.raises(AssertionError, match="Valdria"):
        _assert_fair("rises Valdria", {"rises"})


# ── stats ────────────────────────────────────────────────────────────────────────────────────────────────


def question(number: int, searches: int = -1, solved: bool = False) -> Question:
    return Question(
        id=f"q{number}",
        tree_id=f"t{number}",
        question="Which country exports copper?",
        answer="Valdria",
        aliases=[],
        hops=2,
        vertices=3,
        gold_page_ids=[0, 1, 2],
        gold_urls=[],
        provenance=Provenance(tool_version="test"),
        oracle_searches=searches,
        oracle_solved=solved,
    )


def write_questions(run: Path, questions: list[Question]) -> None:
    with ShardWriter(shard_path(run / "questions", "synth-00000")) as writer:
        writer.write_all(questions)
    mark_done(run / "questions", "synth-00000")


def test_stats_reports_the_oracle_figures_of_measured_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    # q0 was never measured and does not count; of the rest two of three are solved, in 3 and 5 searches
    write_questions(run, [question(0), question(1, 3, True), question(2, 5, True), question(3, 2, False)])
    expected = "3 measured, 66.7% solved; searches when solved: mean 4.0, median 4.0"

    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    text = CliRunner().invoke(cli, ["stats", str(run)], catch_exceptions=False)
    assert text.exit_code == 0, text.output
    [line] = [line for line in text.output.splitlines() if "oracle searches" in line]
    assert expected in line

    as_json = CliRunner().invoke(cli, ["stats", str(run), "--json"], catch_exceptions=False)
    assert json.loads(as_json.output)["questions"]["oracle searches"] == expected


def test_stats_leaves_the_oracle_line_out_when_nothing_was_measured(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_questions(run, [question(0), question(1)])
    as_json = CliRunner().invoke(cli, ["stats", str(run), "--json"], catch_exceptions=False)
    assert "oracle searches" not in json.loads(as_json.output)["questions"]


def test_questions_written_before_the_oracle_fields_read_as_not_measured() -> None:
    older = msgspec.to_builtins(question(0, 4, True))
    del older["oracle_searches"], older["oracle_solved"]
    decoded = msgspec.msgpack.decode(msgspec.msgpack.encode(older), type=Question)
    assert (decoded.oracle_searches, decoded.oracle_solved) == (-1, False)
