"""The shortcut check's two rankings on a made-up corpus: the index's own search and plain BM25 of the raw text.

Twelve lighthouse pages and eleven miller pages bury two answer pages for the index's own ranking; what plain
BM25 still finds (stopwords, exact word forms, body text only) decides these questions.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from verify_records import PROVENANCE

from infoseek_local.corpus.warc_writer import WarcPage, write_warc
from infoseek_local.errors import ConfigError
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index
from infoseek_local.records import Question
from infoseek_local.verify.context import CheckContext, VerifyConfig, load_verify_config
from infoseek_local.verify.shortcut import check_shortcut, first_shortcut

# stopword-heavy: the index's search drops all but "end kept lamp lighthouse", which the lighthouse pages match
# better; plain BM25 keeps "who was the one that ..." and finds the keeper's page first
STOPWORDS_QUESTION = "Who was the one that was there at the end of it and kept the lamp of a lighthouse?"
# the middle clause is the painter's page almost word for word; the postcard page's title outranks it in the
# index's search, and eleven miller pages match the whole question better in both rankings
CLAUSE_QUESTION = "Which miller, who painted the blue mill beside the frozen river, sold grain to northern bakers in winter?"
HIDDEN_QUESTION = "Which lighthouse keeper kept a lamp lit until dawn?"


def bare_page(path: str, title: str, body: str) -> WarcPage:
    """A page whose title is only in <title> (no <h1>), so the extracted body does not repeat it."""
    html = (
        f"<!DOCTYPE html><html lang='en'><head><title>{escape(title)}</title></head>"
        f"<body><main><p>{escape(body)}</p></main></body></html>"
    )
    return WarcPage("http://shortcut.test/" + path, html.encode())


PAGES = [
    bare_page(
        "keeper",
        "Tomas Brenner",
        "Tomas Brenner was the one who was there at the end of it, and it was he who kept the lamp.",
    ),
    bare_page(
        "painter",
        "Hendrik Vos",
        "Hendrik Vos painted the blue mill beside the frozen river. "
        "He painted the blue mill beside the frozen river again in spring.",
    ),
    bare_page("postcard", "Painted Blue Mill Beside Frozen River", "A postcard series printed for tourists."),
    *(
        bare_page(
            f"lighthouse{i}",
            f"Lighthouse keeper {i}",
            f"Lighthouse keeper {i} kept lamp lit until dawn; end came late for lighthouse {i}.",
        )
        for i in range(12)
    ),
    *(
        bare_page(
            f"miller{i}",
            f"Miller {i}",
            f"Miller {i} sold grain to northern bakers in winter. People say he painted a blue mill beside a "
            "frozen river, and ground rye, oats and barley for the town markets every week.",
        )
        for i in range(11)
    ),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    folder = tmp_path_factory.mktemp("shortcut")
    build_index([str(write_warc(folder / "pages.warc.gz", PAGES))], folder / "index", workers=1)
    with Index.open(folder / "index") as opened:
        yield opened


def ask(index: Index, text: str, answer: str, config: VerifyConfig | None = None) -> tuple[object, ...]:
    """check_shortcut on a question whose answer page is known only by its gold URL (no tree)."""
    page = next(p for p in index.iter_pages() if p.title == answer)
    question = Question(
        id="q",
        tree_id="none",
        question=text,
        answer=answer,
        aliases=[],
        hops=1,
        vertices=2,
        gold_page_ids=[page.id],
        gold_urls=[page.url],
        provenance=PROVENANCE,
    )
    verdict = check_shortcut(question, CheckContext(config=config or VerifyConfig(), index=index))
    ranks = [(verdict.evidence["question_rank"], verdict.evidence["question_plain_rank"])]
    ranks += [(r["rank"], r["plain_rank"]) for r in verdict.evidence["clause_ranks"]]
    return verdict.passed, verdict.reason, ranks


def test_whole_question_in_the_plain_top_10_fails_although_the_own_ranking_misses_it(index: Index) -> None:
    passed, reason, ranks = ask(index, STOPWORDS_QUESTION, "Tomas Brenner")
    assert not passed
    assert (
        reason
        == "one search with the question ranks the answer page 1 in plain BM25 (a shortcut at rank <= 10)"
    )
    assert ranks == [(None, 1), (None, 1)]


def test_a_clause_at_rank_1_fails(index: Index) -> None:
    passed, reason, ranks = ask(index, CLAUSE_QUESTION, "Hendrik Vos")
    assert not passed
    assert reason == (
        "one search with the clause 'painted the blue mill beside the frozen river' ranks the answer page 1 in "
        "the index's ranking and 1 in plain BM25 (a shortcut at rank <= 1)"
    )
    assert ranks == [(None, None), (1, 1), (None, None)]  # the whole question: outside both top 10s


def test_a_question_neither_ranking_solves_passes(index: Index) -> None:
    passed, reason, ranks = ask(index, HIDDEN_QUESTION, "Tomas Brenner")
    assert passed, reason
    assert ranks == [(None, None), (None, None)]


def test_the_whole_question_and_the_clauses_have_their_own_limits() -> None:
    question = {"query": "q", "rank": 11, "plain_rank": 2, "top": None}
    clause = {"query": "c", "rank": None, "plain_rank": 2, "top": None}
    assert first_shortcut([question, clause], VerifyConfig()) is question  # plain 2 is in the top 10
    assert first_shortcut([question, clause], VerifyConfig(question_shortcut_rank=1)) is None
    assert (
        first_shortcut([question, clause], VerifyConfig(question_shortcut_rank=1, shortcut_rank=2)) is clause
    )


def test_question_shortcut_rank_deeper_than_the_search_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_verify_config(tmp_path, None, {"search_depth": 5})
    assert str(error.value) == (
        "verify config: question_shortcut_rank (10) must be <= search_depth (5), the ranks searched"
    )
