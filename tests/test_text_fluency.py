"""The fluency lint: questions a careful human writes pass; debris measured in synth output fails, named."""

from __future__ import annotations

import pytest

from infoseek_local.text.fluency import WORD_LIMIT, fluency_problems, word_count

GOOD_QUESTIONS = [
    # from the brief
    "Which river rises in a mountain range whose highest peak is over 7,000 metres, and crosses a country whose "
    "capital was founded in the 19th century?",
    "Which city lies on a river that flows into an inland sea, and was the capital of an empire that fell in the "
    "15th century?",
    "Which country borders a landlocked country that was part of the Soviet Union until the 1990s?",
    "Which genus of flowering plants is named after a botanist who was born in a city on the Baltic coast?",
    "Which mountain range contains a peak that was first climbed in the 1950s by an expedition led by a "
    "mountaineer?",
    # appositives, fronted phrases and lists between plain commas have no verb of their own
    "Which composer, born in a port city in the 1820s, wrote an opera that premiered in a theatre which burned "
    "down in the 19th century?",
    "Which lake, the largest in a Central Asian country, lies at an altitude of over 1,000 metres?",
    "Which river flows through Afghanistan, Tajikistan, Turkmenistan and Uzbekistan?",
    "Which country borders France, Spain, and the Bay of Biscay?",
    # the main verb after a relative aside, or after a nested relative clause
    "Which genus of flowering plants, whose name honours a botanist, is native to Chile?",
    "Which river, which rises in the Alps, empties into a sea that borders three countries?",
    "Which city is the capital of the country where the river that flows through the Alps rises?",
    "Who wrote the novel on which a film that won an award in the 1990s was based?",
    # plural subjects, demonstrative "that", one parenthesis, names and titles that start with an opener
    "Which writer's novels include a story of three musketeers?",
    "Which author wrote In Search of Lost Time in that same decade?",
    "Which engineer, a French national, built a tower in The Hague?",
    "Which island nation in the Indian Ocean gained independence from a European power in the 1960s?",
    "Which football club plays its home games in a stadium that hosted a World Cup final?",
    "In which country is the volcano that erupted in 1815 located?",
    "Which river crosses a country (one that was part of an empire) and flows into a sea?",
    "Which vitamin deficiency is called vitamin A deficiency?",
    "Which city, once the seat of a medieval kingdom, is home to a cathedral where several kings were crowned?",
    "Which entity borders a landlocked country whose capital lies on a river?",
    "Which city was a one-time capital of a European union of a useful kind?",
]


@pytest.mark.parametrize("question", GOOD_QUESTIONS)
def test_a_fluent_question_has_no_problem(question: str) -> None:
    assert fluency_problems(question) == []


@pytest.mark.parametrize(
    ("question", "problem"),
    [
        ("Which river rises in a certain one?", "placeholder 'a certain one'"),
        # "established as a French outpost" with its people's adjective dropped
        ("Which city was established as a outpost in the 1880s?", "'a' before a vowel 'a outpost'"),
        (
            "Which country borders dozens of countries including three an entity?",
            "article after a number 'three an'",
        ),
        ("Which country borders dozens of countries including three an entity?", "placeholder 'an entity'"),
        (
            "Which is the religion for which the country's a major theological movement?",
            'possessive before an article "country\'s a"',
        ),
        (
            "Which is the religion for which the country's a major theological movement?",
            'clause without a verb "the country\'s a major theological movement"',
        ),
        (
            "Which style flourished in a period for which Towards the end of the Renaissance painters moved?",
            "sentence opener mid-question 'which Towards'",
        ),
        (
            "Which painter was Alessandro di a certain one di a certain one, better known as it or simply a "
            "certain one?",
            "placeholder 'a certain one'",
        ),
        (
            "Which painter was Alessandro di a certain one di a certain one, better known as it or simply a "
            "certain one?",
            "pronoun used as a name 'known as it'",
        ),
        ("Which island has a dozens.6-kilometre coastline?", "article before a plural 'a dozens'"),
        ("Which island has a dozens.6-kilometre coastline?", "word glued to a figure 'dozens.6'"),
        ("Which village lies at the foot of it tree?", "pronoun before a noun 'of it tree'"),
        ("Which river flows north and and west?", "doubled word 'and and'"),
        ("Which city lies on the The river?", "doubled word 'the The'"),
        ("Which city lies on a the river?", "clashing articles 'a the'"),
        ("Which river flows into a sea that ... borders a country?", "ellipsis '...'"),
        ("Which river flows into a sea that … borders a country?", "ellipsis '...'"),
        ("Which is the entity whose capital lies on a river?", "placeholder 'the entity'"),
        ("Which river crosses this entity?", "placeholder 'this entity'"),
        (
            "Which country that is a city and The country lies on a river?",
            "sentence opener mid-question 'and The'",
        ),
        ("Which war ended in a treaty that In 1990 was signed?", "sentence opener mid-question 'that In'"),
        ("Which country borders 16 countries of Benin,?", "ends mid-list or mid-phrase at ','"),
        ("Which country borders France and?", "ends mid-list or mid-phrase at 'and'"),
        ("Which country borders France, Spain or?", "ends mid-list or mid-phrase at 'or'"),
        ("Which city is the capital of?", "ends mid-list or mid-phrase at 'of'"),
        (
            "Which city lies on a river that the capital of a country?",
            "clause without a verb 'the capital of a country'",
        ),
        (
            "Which city is in a country, and the capital of a country?",
            "clause without a verb 'the capital of a country'",
        ),
        (
            "Which city lies on a river, and the borders of a landlocked country?",
            "clause without a verb 'the borders of a landlocked country'",
        ),
        (
            "Which mountain range in a country on a continent?",
            "clause without a verb 'mountain range in a country on a continent'",
        ),
    ],
)
def test_debris_is_named(question: str, problem: str) -> None:
    assert problem in fluency_problems(question)


def test_nested_parentheses_from_the_template() -> None:
    question = "Which entity borders a country (one that is a country (one that borders a sea))?"
    assert fluency_problems(question) == ["nested parentheses"]


def test_more_than_one_parenthesised_group() -> None:
    question = "Which lake lies in a country (one that borders France) and near a city (one that is old)?"
    assert fluency_problems(question) == ["2 parenthesised groups"]


@pytest.mark.parametrize(
    "question",
    [
        "Which lake lies in a country (one that borders France?",
        "Which lake lies in a country one that borders France)?",
        "Which lake lies in a country) (one that borders France?",
    ],
)
def test_unbalanced_parentheses(question: str) -> None:
    assert "unbalanced parentheses" in fluency_problems(question)


def test_one_question_can_have_several_problems_each_named_once() -> None:
    question = "Which painter was known as a certain one and and a certain one ...?"
    assert fluency_problems(question) == [
        "placeholder 'a certain one'",
        "doubled word 'and and'",
        "ellipsis '...'",
    ]


def test_word_limit() -> None:
    clause = "that borders a country "
    question = "Which river flows through a country " + clause * 11 + "?"
    assert word_count(question) == 6 + 4 * 11
    assert fluency_problems(question) == []
    assert fluency_problems(question, max_words=49) == ["50 words > 49"]
    assert fluency_problems(question, max_words=50) == []
    long_question = "Which river flows through a country " + clause * 24 + "?"
    assert word_count(long_question) == 102 > WORD_LIMIT
    assert fluency_problems(long_question) == ["102 words > 100"]


def test_word_count_counts_figures_and_hyphenated_words_once() -> None:
    assert word_count("Which wrought-iron tower is over 7,000 metres ( tall ) ?") == 8
    assert word_count("") == 0
