"""The oracle searcher on a tiny real index: a chain country -> river -> mountain range, resolved bottom-up."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index
from infoseek_local.oracle import OracleResult, _assert_fair, oracle_solve
from infoseek_local.records import Claim, Provenance, Question, Vertex
from infoseek_local.store import ShardWriter, mark_done, shard_path

SITE = "http://oracle.test/"
# title -> (paragraphs, linked titles); A (Valdria) links B (Ostra River), which links C (Mount Ferrow)
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "Valdria": (
        ["Valdria is a small country crossed by the Ostra River.", "Valdria exports copper and timber."],
        ["Ostra River"],
    ),
    "Ostra River": (
        [
            "The Ostra River is a river that rises in Mount Ferrow.",
            "The Ostra River flows through marshland before reaching the sea.",
        ],
        ["Mount Ferrow"],
    ),
    "Mount Ferrow": (
        ["Mount Ferrow is a mountain range in the north.", "Mount Ferrow was first climbed in 1953."],
        [],
    ),
    # decoys that share some of the clue words
    "Glass Sea": (["The Glass Sea is a sea where a river of meltwater ends in marshland."], []),
    "Copper Trade": (["Copper and timber were traded by every country of the region."], []),
    "Baking": (["Bread is baked from flour, water and yeast."], []),
}

QUESTION = (
    "Which country, crossed by a river that rises in a mountain range first climbed in 1953 and flows "
    "through marshland before reaching the sea, exports copper and timber?"
)
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def url_of(title: str) -> str:
    return SITE + title.lower().replace(" ", "-")


@pytest.fixture(scope="module")
def chain_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    folder = tmp_path_factory.mktemp("oracle")
    pages = [
        WarcPage(url_of(title), html_page(title, paragraphs, [(url_of(t), t) for t in links]))
        for title, (paragraphs, links) in PAGES.items()
    ]
    build_index([str(write_warc(folder / "chain.warc.gz", pages))], folder / "index", workers=1)
    with Index.open(folder / "index") as index:
        yield index


def claim(text: str, kind: str = "attribute") -> Claim:
    return Claim(text=text, sentence_ids=[1], sentences=[text], kind=kind, grounded=True)


def chain_vertices(index: Index, *, river_page: str = "Ostra River") -> list[Vertex]:
    def vertex(position: int, title: str, page_title: str, parent: int, **fields: object) -> Vertex:
        page = index.page_by_url(url_of(page_title))
        assert page is not None
        return Vertex(index=position, page_id=page.id, url=page.url, title=title, parent=parent, **fields)

    return [
        vertex(
            0, "Valdria", "Valdria", -1, claims=[claim("exports copper and timber")], descriptor="a country"
        ),
        vertex(
            1,
            "Ostra River",
            river_page,
            0,
            relation=claim("is crossed by a river", "relation"),
            claims=[claim("flows through marshland before reaching the sea")],
            descriptor="a river",
        ),
        vertex(
            2,
            "Mount Ferrow",
            "Mount Ferrow",
            1,
            relation=claim("rises in a mountain range", "relation"),
            claims=[claim("was first climbed in 1953")],
            descriptor="a mountain range",
        ),
    ]


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
