"""Checks against the real index of the bundled sample: Amu Darya (answer) rising north of the Hindu Kush."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from verify_records import PROVENANCE, claim, fake_llm

from infoseek_local.index.reader import Index
from infoseek_local.records import Question, Tree, Vertex
from infoseek_local.verify.context import CheckContext, VerifyConfig
from infoseek_local.verify.grounded import check_grounded
from infoseek_local.verify.shortcut import check_shortcut
from infoseek_local.verify.verifiability import check_verifiability

ONE_PAGE = "Which river, historically known as the Oxus, flows through Afghanistan, Tajikistan, Turkmenistan and Uzbekistan?"
# the index's own ranking misses the river for this question; plain BM25 ranks it 5th
TWO_PAGES = (
    "Which waterway rises north of a mountain range that stretches between central Afghanistan and northern "
    "Pakistan, and once emptied into a shrinking inland lake?"
)
HIDDEN = "Which waterway begins north of a mountain range stretching from central Afghanistan into northwestern Pakistan?"


@pytest.fixture(scope="module")
def index(sample_index: Path) -> Iterator[Index]:
    with Index.open(sample_index) as opened:
        yield opened


def amu_darya(index: Index, text: str) -> tuple[Question, Tree]:
    river = next(p for p in index.iter_pages() if p.title == "Amu Darya")
    range_ = next(p for p in index.iter_pages() if p.title == "Hindu Kush")
    tree = Tree(
        id="amu",
        seed_page_id=river.id,
        status="accepted",
        provenance=PROVENANCE,
        vertices=[
            Vertex(index=0, page_id=river.id, url=river.url, title=river.title, descriptor="a major river"),
            Vertex(
                index=1,
                page_id=range_.id,
                url=range_.url,
                title=range_.title,
                parent=0,
                descriptor="a mountain range",
                relation=claim(
                    "Rising in the Pamir Mountains, north of a mountain range, this entity is formed by a confluence.",
                    "Rising in the Pamir Mountains, north of the Hindu Kush, the Amu Darya is formed by the confluence "
                    "of the Vakhsh and Panj rivers, in the Tigrovaya Balka Nature Reserve on the border between "
                    "Afghanistan and Tajikistan, and flows from there north-westwards into the southern remnants of "
                    "the Aral Sea.",
                ),
                claims=[
                    claim(
                        "It stretches from central and eastern Afghanistan into northwestern Pakistan.",
                        "It stretches from central and eastern Afghanistan into northwestern Pakistan and far "
                        "southeastern Tajikistan.",
                    )
                ],
            ),
        ],
    )
    question = Question(
        id="q",
        tree_id="amu",
        question=text,
        answer="Amu Darya",
        aliases=["Oxus"],
        hops=1,
        vertices=2,
        gold_page_ids=[river.id, range_.id],
        gold_urls=[river.url, range_.url],
        provenance=PROVENANCE,
    )
    return question, tree


def test_shortcut_on_the_sample_index(index: Index) -> None:
    question, tree = amu_darya(index, ONE_PAGE)
    ctx = CheckContext(config=VerifyConfig(), trees={"amu": tree}, index=index)
    verdict = check_shortcut(question, ctx)
    assert not verdict.passed
    assert verdict.reason == (
        "one search with the question ranks the answer page 1 in the index's ranking and 1 in plain BM25 "
        "(a shortcut at rank <= 10)"
    )
    assert [(r["query"], r["rank"], r["plain_rank"]) for r in verdict.evidence["clause_ranks"]] == [
        ("historically known as the Oxus", 1, 1)
    ]


def test_shortcut_reports_the_rank_of_each_ranking_that_finds_the_answer(index: Index) -> None:
    question, tree = amu_darya(index, TWO_PAGES)
    verdict = check_shortcut(question, CheckContext(config=VerifyConfig(), trees={"amu": tree}, index=index))
    assert not verdict.passed
    assert verdict.reason == (
        "one search with the question ranks the answer page 5 in the index's ranking and 5 in plain BM25 "
        "(a shortcut at rank <= 10)"
    )
    assert (verdict.evidence["question_rank"], verdict.evidence["question_plain_rank"]) == (5, 5)


def test_shortcut_passes_a_question_neither_ranking_solves(index: Index) -> None:
    question, tree = amu_darya(index, HIDDEN)
    verdict = check_shortcut(question, CheckContext(config=VerifyConfig(), trees={"amu": tree}, index=index))
    assert verdict.passed, verdict.reason
    assert (
        verdict.reason
        == "answer page not in the top 10 over 2 searches in 2 rankings (question rank None, plain None)"
    )


def test_grounded_on_real_pages(index: Index) -> None:
    question, tree = amu_darya(index, TWO_PAGES)
    verdict = check_grounded(question, CheckContext(config=VerifyConfig(), trees={"amu": tree}, index=index))
    assert verdict.passed, verdict.reason
    tree.vertices[1].claims[0].sentences = ["It stretches from Afghanistan into India."]
    verdict = check_grounded(question, CheckContext(config=VerifyConfig(), trees={"amu": tree}, index=index))
    assert not verdict.passed
    assert "cited sentence 'It stretches from Afghanistan into India.' is not on the page" in verdict.reason


def test_verifiability_prompt_fits_and_keeps_the_evidence(index: Index) -> None:
    question, tree = amu_darya(index, TWO_PAGES)
    llm, backend = fake_llm({"answers": ["the Amu Darya"]})
    ctx = CheckContext(config=VerifyConfig(distractors=4), trees={"amu": tree}, index=index, llm=llm)
    verdict = check_verifiability(question, ctx)
    assert verdict.passed, verdict.reason
    distractors = verdict.evidence["distractor_ids"]
    assert len(distractors) == 4 and not set(distractors) & set(question.gold_page_ids)
    prompt = backend.history[0].messages[-1].content
    assert prompt.count("<page title=") == 6
    assert "north of the Hindu Kush, the Amu Darya is formed by the confluence" in prompt
    assert llm.prompt_tokens(backend.history[0].messages) + VerifyConfig().answer_tokens <= llm.n_ctx
