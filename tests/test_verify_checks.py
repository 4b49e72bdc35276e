"""Each check on hand-built questions that must pass and that must fail, with the reason users will read."""

from __future__ import annotations

import msgspec
import pytest
from verify_records import (
    HARD_QUESTION,
    MEMORY_QUESTION_SHORTCUT_RANK,
    MemoryIndex,
    claim,
    eiffel_tree,
    fake_llm,
    page_id,
    question,
)

from infoseek_local.errors import ConfigError
from infoseek_local.verify.context import CheckContext, VerifyConfig
from infoseek_local.verify.difficulty import check_difficulty
from infoseek_local.verify.duplicate import check_duplicates
from infoseek_local.verify.grounded import check_grounded
from infoseek_local.verify.leak import check_leak
from infoseek_local.verify.registry import resolve_checks
from infoseek_local.verify.shortcut import check_shortcut, clauses
from infoseek_local.verify.verifiability import check_verifiability


def context(**kwargs: object) -> CheckContext:
    config = kwargs.pop("config", VerifyConfig())
    trees = kwargs.pop("trees", {"t1": eiffel_tree()})
    return CheckContext(config=config, trees=trees, **kwargs)  # type: ignore[arg-type]


# ── leak ─────────────────────────────────────────────────────────────────────────────────────────────────


def test_leak_passes_a_question_that_names_no_entity() -> None:
    verdict = check_leak(question(), context())
    assert verdict.passed, verdict.reason
    assert verdict.evidence == {"names_checked": 4}


def test_leak_fails_a_question_that_names_its_answer() -> None:
    verdict = check_leak(question("Which engineer, Gustave Eiffel, built a tower?"), context())
    assert not verdict.passed
    assert verdict.reason == "question names the answer 'Gustave Eiffel'"


def test_leak_fails_a_question_that_names_an_intermediate_entity() -> None:
    verdict = check_leak(question("Whose company built the Eiffel Tower?"), context())
    assert verdict.reason == "question names the vertex 1 'Eiffel Tower'"
    assert verdict.evidence["kind"] == "vertex 1"


def test_leak_catches_a_misspelt_near_alias() -> None:
    verdict = check_leak(question("Was it Gustav Eifel who built a lattice tower?"), context())
    assert not verdict.passed
    assert verdict.evidence["match"] == "fuzzy"
    assert verdict.reason.startswith("question nearly names the answer 'Gustave Eiffel' as 'gustav eifel'")


def test_leak_catches_a_variant_spelling_but_not_a_derived_word() -> None:
    tree = eiffel_tree()
    tree.vertices[1].title = "Bosporus"
    verdict = check_leak(
        question("Which engineer built a bridge over the Bosphorus?"), context(trees={"t1": tree})
    )
    assert verdict.reason == "question nearly names the vertex 1 'Bosporus' as 'bosphorus' (similarity 0.94)"
    tree.vertices[1].title = "Continent"
    assert check_leak(
        question("Which engineer built a tower on a continental shelf?"), context(trees={"t1": tree})
    ).passed


def test_leak_catches_another_name_a_vertex_sentence_gives_it() -> None:
    tree = eiffel_tree()
    tree.vertices[1].claims.append(
        claim(
            "This entity is a landlocked country in Central Asia.",
            "Tajikistan, officially the Republic of Tajikistan and historically known as Tadzhikistan, is a "
            "landlocked country in Central Asia.",
        )
    )
    verdict = check_leak(question("Which engineer was born in Tadzhikistan?"), context(trees={"t1": tree}))
    assert verdict.reason == "question names the other name of vertex 1 'Tadzhikistan'"


def test_leak_catches_an_acronym_of_the_answer_or_of_a_tree_entity() -> None:
    verdict = check_leak(question("Which engineer, known to his staff as GE, built a tower?"), context())
    assert verdict.reason == "question names the answer 'Gustave Eiffel' by its acronym 'GE'"
    assert verdict.evidence["match"] == "acronym"
    verdict = check_leak(question("Whose company built the ET for a fair?"), context())
    assert verdict.reason == "question names the vertex 1 'Eiffel Tower' by its acronym 'ET'"
    # case-sensitive whole words only: "et" and "GETS" are no acronyms
    assert check_leak(question("Who built a tower, et cetera, that GETS visitors?"), context()).passed


def test_leak_does_not_fuzzy_match_short_names_inside_other_words() -> None:
    q = question("Which parish priest wrote novels?", answer="Paris")
    assert check_leak(q, context(trees={})).passed


# ── grounded ─────────────────────────────────────────────────────────────────────────────────────────────


def test_grounded_accepts_verbatim_masked_and_blurred_claims_without_a_judge() -> None:
    verdict = check_grounded(question(), context(index=MemoryIndex()))
    assert verdict.passed, verdict.reason
    assert verdict.reason == "all 3 claims supported (3 overlap)"


def test_grounded_rejects_a_claim_its_sentence_does_not_support() -> None:
    tree = eiffel_tree(
        claims=[
            claim("This entity was born in Berlin in 1901.", "Gustave Eiffel was a French civil engineer.")
        ]
    )
    verdict = check_grounded(question(), context(trees={"t1": tree}))
    assert not verdict.passed
    assert verdict.reason == (
        "1 of 3 claims not supported by their cited text; first: 'This entity was born in Berlin in 1901.' "
        "on 'Gustave Eiffel' (overlap 0.00 below 0.75 and no judge to ask)"
    )


def test_grounded_asks_the_judge_only_for_paraphrases() -> None:
    paraphrase = claim(
        "This entity worked as a bridge and tower builder in France.",
        "Gustave Eiffel was a French civil engineer.",
    )
    llm, backend = fake_llm({"supported": "yes"})
    verdict = check_grounded(question(), context(trees={"t1": eiffel_tree(claims=[paraphrase])}, llm=llm))
    assert verdict.passed, verdict.reason
    assert len(backend.history) == 1
    assert "<claim>This entity worked as a bridge" in backend.history[0].messages[-1].content
    assert verdict.evidence["supported_by"] == {"judge": 1, "overlap": 2}

    llm, _ = fake_llm({"supported": "no"})
    verdict = check_grounded(question(), context(trees={"t1": eiffel_tree(claims=[paraphrase])}, llm=llm))
    assert not verdict.passed
    assert verdict.reason.endswith("judge says not entailed)")


def test_grounded_judge_can_be_switched_off() -> None:
    paraphrase = claim(
        "This entity worked as a bridge and tower builder in France.",
        "Gustave Eiffel was a French civil engineer.",
    )
    llm, backend = fake_llm({"supported": "yes"})
    config = VerifyConfig(grounded_judge=False)
    verdict = check_grounded(
        question(), context(trees={"t1": eiffel_tree(claims=[paraphrase])}, llm=llm, config=config)
    )
    assert not verdict.passed
    assert verdict.reason.endswith("(overlap 0.20 below 0.75; judge switched off (grounded_judge))")
    assert backend.history == []


def test_grounded_rejects_a_cited_sentence_that_is_not_on_the_page() -> None:
    invented = claim(
        "This entity was a French civil engineer.", "Gustave Eiffel was a French civil engineer and poet."
    )
    verdict = check_grounded(
        question(), context(trees={"t1": eiffel_tree(claims=[invented])}, index=MemoryIndex())
    )
    assert not verdict.passed
    assert "is not on the page" in verdict.reason


def test_grounded_fails_when_the_tree_is_missing() -> None:
    verdict = check_grounded(question(), context(trees={}))
    assert verdict.reason == "tree 't1' is not in the run's trees/, so its claims cannot be checked"


# ── difficulty ───────────────────────────────────────────────────────────────────────────────────────────


def test_difficulty_rejects_a_question_the_closed_book_judge_answers() -> None:
    llm, backend = fake_llm({"answer": "Alexandre Dumas"}, {"answer": "Gustave Eiffel."}, {"answer": "x"})
    verdict = check_difficulty(question(), context(llm=llm, config=VerifyConfig(samples=3)))
    assert not verdict.passed
    assert verdict.reason == (
        "too easy: answered closed-book as 'Gustave Eiffel.' in sample 2 of 3 (exact match: Gustave Eiffel)"
    )
    assert verdict.evidence["answers"] == ["Alexandre Dumas", "Gustave Eiffel."]
    assert [c.params.seed for c in backend.history] == [0, 1]
    assert all(c.params.temperature > 0 for c in backend.history)


def test_difficulty_passes_when_no_sample_matches() -> None:
    llm, _ = fake_llm({"answer": "Alexandre Dumas"}, {"answer": "Paris"}, {"answer": "Louvre"})
    verdict = check_difficulty(question(), context(llm=llm, config=VerifyConfig(samples=3)))
    assert verdict.passed
    assert verdict.evidence == {"answers": ["Alexandre Dumas", "Paris", "Louvre"]}


def test_difficulty_without_a_judge_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="check 'difficulty' needs a judge model"):
        check_difficulty(question(), context())


# ── verifiability ────────────────────────────────────────────────────────────────────────────────────────


def test_verifiability_passes_when_the_judge_names_only_the_answer() -> None:
    llm, backend = fake_llm({"answers": ["Gustave Eiffel"]}, n_ctx=1024)
    verdict = check_verifiability(question(), context(llm=llm, index=MemoryIndex()))
    assert verdict.passed, verdict.reason
    prompt = backend.history[0].messages[-1].content
    assert verdict.evidence["distractor_ids"] == [2, 3, 4, 5]
    assert prompt.count("<page title=") == 6
    assert "His company designed and built the Eiffel Tower" in prompt  # gold evidence kept
    assert llm.prompt_tokens(backend.history[0].messages) + VerifyConfig().answer_tokens <= 1024


def test_verifiability_fails_when_the_answer_is_not_unique() -> None:
    llm, _ = fake_llm({"answers": ["Gustave Eiffel", "Alexandre Dumas"]})
    verdict = check_verifiability(question(), context(llm=llm, index=MemoryIndex()))
    assert not verdict.passed
    assert (
        verdict.reason
        == "answer not unique: the judge named 2 entities ['Gustave Eiffel', 'Alexandre Dumas']"
    )


def test_verifiability_fails_when_the_judge_cannot_reach_the_answer() -> None:
    llm, _ = fake_llm({"answers": ["Paris"]})
    verdict = check_verifiability(question(), context(llm=llm, index=MemoryIndex()))
    assert verdict.reason == "with the gold pages the judge answered ['Paris'], not 'Gustave Eiffel'"


# ── shortcut ─────────────────────────────────────────────────────────────────────────────────────────────


SHORTCUT_CONFIG = VerifyConfig(question_shortcut_rank=MEMORY_QUESTION_SHORTCUT_RANK)


def test_shortcut_fails_a_one_page_question_and_reports_the_rank() -> None:
    one_page = "Which French civil engineer also worked on the Statue of Liberty?"
    verdict = check_shortcut(question(one_page), context(index=MemoryIndex(), config=SHORTCUT_CONFIG))
    assert not verdict.passed
    assert verdict.evidence["question_rank"] == 1
    assert verdict.evidence["question_plain_rank"] == 1
    assert verdict.reason == (
        "one search with the question ranks the answer page 1 in the index's ranking and 1 in plain BM25 "
        "(a shortcut at rank <= 1)"
    )


def test_shortcut_fails_when_one_clause_alone_finds_the_answer_page() -> None:
    text = "Which person, a French civil engineer, had a firm that made a tower on the Champ de Mars in Paris, France?"
    verdict = check_shortcut(question(text), context(index=MemoryIndex(), config=SHORTCUT_CONFIG))
    assert not verdict.passed
    assert verdict.reason == (
        "one search with the clause 'a French civil engineer' ranks the answer page 1 in the index's ranking "
        "and 1 in plain BM25 (a shortcut at rank <= 1)"
    )
    assert verdict.evidence["question_rank"] == 2
    assert verdict.evidence["question_plain_rank"] == 2


def test_shortcut_holds_the_whole_question_to_the_top_10_by_default() -> None:
    # six pages: the whole question's searches cannot leave the answer page outside a top 10
    verdict = check_shortcut(question(), context(index=MemoryIndex()))
    assert not verdict.passed
    assert verdict.reason == (
        "one search with the question ranks the answer page 2 in the index's ranking and 2 in plain BM25 "
        "(a shortcut at rank <= 10)"
    )


def test_shortcut_passes_a_multi_page_question() -> None:
    index = MemoryIndex()
    verdict = check_shortcut(question(), context(index=index, config=SHORTCUT_CONFIG))
    assert verdict.passed, verdict.reason
    assert verdict.evidence["question_rank"] != 1
    assert verdict.evidence["question_plain_rank"] != 1
    assert all(r["rank"] != 1 and r["plain_rank"] != 1 for r in verdict.evidence["clause_ranks"])
    assert index.plain_searches[0] == HARD_QUESTION  # plain BM25 gets the raw text, stopwords kept


def test_clauses_split_on_punctuation_and_relative_words() -> None:
    assert clauses(HARD_QUESTION, 3) == [
        "Which engineer's firm produced a wrought-iron lattice structure",
        "was constructed in the 1880s as the centerpiece of a world exhibition",
    ]


# ── duplicate ────────────────────────────────────────────────────────────────────────────────────────────


def test_duplicate_drops_near_duplicates_and_answers_over_the_cap() -> None:
    questions = [
        question(HARD_QUESTION, qid="a"),
        question(HARD_QUESTION.replace("world exhibition", "world fair"), qid="b"),
        question(
            "Which writer's novels include a story of three musketeers?", qid="c", answer="Alexandre Dumas"
        ),
        question(
            "Which French author wrote about musketeers in the 1840s?", qid="d", answer="Alexandre Dumas"
        ),
    ]
    verdicts = list(check_duplicates(questions, VerifyConfig(max_per_answer=1)))
    assert [v.passed for v in verdicts] == [True, False, True, False]
    assert verdicts[1].reason.startswith("near-duplicate of question 'a' (trigram Jaccard 0.89)")
    assert verdicts[3].reason == "answer 'Alexandre Dumas' already has 1 accepted questions (the cap)"


def test_duplicate_keeps_different_questions() -> None:
    questions = [
        question(HARD_QUESTION, qid="a"),
        question("Which engineer worked on a copper statue?", qid="b"),
    ]
    assert all(v.passed for v in check_duplicates(questions, VerifyConfig()))


def test_duplicate_drops_a_question_that_opens_with_an_earlier_ones_clue() -> None:
    # three questions of one run began "A city serves as a gateway between a sea inlet and a sea.": a reader who
    # solved one had the first hops of the others
    opening = "A city serves as a gateway between a sea inlet and a sea. "
    questions = [
        question(
            opening + "A country has that inlet on its eastern border. Which city is its capital?", qid="a"
        ),
        question(
            opening + "A state has that sea on its western border. Which city is its second capital?", qid="b"
        ),
        question("A city serves as a gateway to a desert. Which country is it in?", qid="c", answer="Mali"),
    ]
    verdicts = list(check_duplicates(questions, VerifyConfig()))
    assert [v.passed for v in verdicts] == [True, False, True]
    assert verdicts[1].reason == "opens with the same clue as question 'a'"


# ── selection ────────────────────────────────────────────────────────────────────────────────────────────


def test_unknown_check_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_checks(["leak", "speling"])
    assert str(info.value) == (
        "unknown check 'speling'; valid checks: grounded, leak, fluency, difficulty, verifiability, shortcut, duplicate"
    )


def test_checks_keep_the_order_given() -> None:
    assert [s.name for s in resolve_checks(["shortcut", "leak"])] == ["shortcut", "leak"]


def test_verdicts_round_trip_through_msgpack() -> None:
    verdict = check_shortcut(question(), context(index=MemoryIndex()))
    from infoseek_local.records import Verdict

    assert msgspec.msgpack.decode(msgspec.msgpack.encode(verdict), type=Verdict) == verdict
    assert page_id("Gustave Eiffel") == 0
