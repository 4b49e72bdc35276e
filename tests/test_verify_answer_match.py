"""Answer matching: normalisation, exact, alias, containment, and the LLM judge only when given."""

from __future__ import annotations

import pytest

from infoseek_local.verify.answer_match import AnswerMatch, match_answer, normalize_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Eiffel Tower", "eiffel tower"),
        ("  Zürich,  Switzerland. ", "zurich switzerland"),
        ("Gödel's theorem", "godel s theorem"),
        ("An Apple a day", "apple day"),
        ("", ""),
        ("—", ""),
    ],
)
def test_normalize_answer(text: str, expected: str) -> None:
    assert normalize_answer(text) == expected


def test_exact_match_after_normalisation() -> None:
    assert match_answer("the eiffel tower!", "Eiffel Tower", []) == AnswerMatch(True, "exact", "Eiffel Tower")


def test_alias_match_names_the_alias() -> None:
    result = match_answer("La dame de fer", "Eiffel Tower", ["La Dame de Fer", "Tour Eiffel"])
    assert result == AnswerMatch(True, "alias", "La Dame de Fer")


def test_disambiguation_suffix_is_ignored() -> None:
    assert match_answer("Mercury", "Mercury (planet)", []).matched


def test_short_prediction_containing_the_answer_as_words_matches() -> None:
    result = match_answer("It is Paris, France.", "Paris", [])
    assert result == AnswerMatch(True, "alias", "prediction contains 'Paris'")


def test_containment_needs_whole_words() -> None:
    assert not match_answer("Parisian culture", "Paris", []).matched


def test_long_prediction_mentioning_answer_in_passing_does_not_match() -> None:
    long = "I am not sure but it could be something near Paris or one of many other cities in Europe really"
    assert match_answer(long, "Paris", []) == AnswerMatch(False, "none", "no exact or alias match")


def test_sentence_mentioning_the_answer_is_not_the_answer() -> None:
    result = match_answer("enlargement of the answer to a question about France's land.", "France", [])
    assert result == AnswerMatch(False, "none", "no exact or alias match")


def test_empty_prediction_never_matches_and_never_asks_the_judge() -> None:
    judge = _ScriptedJudge(["yes"])
    assert match_answer("  ", "Paris", [], llm=judge) == AnswerMatch(False, "none", "empty prediction")
    assert judge.calls == []


class _ScriptedJudge:
    """Duck-typed stand-in for `LLM.ask` that returns scripted judgements and records the calls."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, str], str]] = []

    def ask(self, template, variables, answer_type, *, stage, params=None):  # type: ignore[no-untyped-def]
        from infoseek_local.llm.base import Completion

        self.calls.append((template, variables, stage))
        return Completion(answer_type(self.answers.pop(0)), "", 10, 2, 0.0, False)


def test_llm_judge_is_asked_only_when_rules_fail() -> None:
    judge = _ScriptedJudge(["yes", "no"])
    assert match_answer("Paris", "Paris", [], llm=judge).method == "exact"
    assert judge.calls == []
    assert match_answer("the French capital", "Paris", ["Paree"], llm=judge) == AnswerMatch(
        True, "llm", "judge said yes"
    )
    template, variables, stage = judge.calls[0]
    assert (template, stage) == ("judge_answer_match", "answer_match")
    assert variables == {"answer": "Paris", "aliases": "Paree", "predicted": "the French capital"}
    assert match_answer("London", "Paris", [], llm=judge) == AnswerMatch(False, "none", "judge said no")
