"""Rule-based text handling of synthesis: sentences, masking, kinds, blurring, grounding."""

from __future__ import annotations

from infoseek_local.records import Claim
from infoseek_local.synth.claims import is_grounded
from infoseek_local.synth.sentences import split_sentences
from infoseek_local.text import (
    blur_numbers,
    descriptor_of,
    kind_from_tagline,
    mask_names,
)

ADEN = (
    "Aden\n\nTemporary capital of Yemen\n\nAden is an ancient port city on the north coast of the Gulf of Aden, "
    "and has been the de facto capital of Yemen since 2014. It is approximately 170 km (110 mi) east of the "
    "Bab-el-Mandeb strait. J. R. R. Tolkien did not live there, e.g. in 1950."
)


def test_sentences_are_numbered_split_at_paragraphs_and_keep_initials_and_abbreviations() -> None:
    sentences = split_sentences(ADEN)
    assert [s.text for s in sentences] == [
        "Aden",
        "Temporary capital of Yemen",
        "Aden is an ancient port city on the north coast of the Gulf of Aden, and has been the de facto capital "
        "of Yemen since 2014.",
        "It is approximately 170 km (110 mi) east of the Bab-el-Mandeb strait.",
        "J. R. R. Tolkien did not live there, e.g. in 1950.",
    ]
    assert [s.number for s in sentences] == [1, 2, 3, 4, 5]
    assert all(ADEN[s.start : s.end] == s.text for s in sentences)


def test_masking_replaces_names_with_article_and_gives_pronoun_sentences_a_subject() -> None:
    assert (
        mask_names("The Great Lakes drain into the sea.", ["Great Lakes"])
        == "This entity drain into the sea."
    )
    assert mask_names("It lies east of the strait.", ["Aden"]) == "This entity lies east of the strait."
    assert mask_names("Its capital is Aden.", ["Yemen"]) == "This entity's capital is Aden."
    assert mask_names("Yemen borders Oman.", ["Oman"], "a country") == "Yemen borders a country."


def test_descriptor_is_a_short_nameless_kind() -> None:
    assert descriptor_of("Aden", "Aden is an ancient port city in the southern part of Arabia.") == (
        "an ancient port city"
    )
    assert descriptor_of("Russia", "Russia is the largest country in the world.") == "a country"
    assert descriptor_of("Somalia", "Somalia is the easternmost country in Africa.") == "a country"
    assert descriptor_of("X", "No copula here.") == "an entity"


def test_blurring_turns_figures_into_periods_and_names_into_kinds() -> None:
    assert blur_numbers("It was founded in 550 BC and rebuilt in 1952 (briefly).") == (
        "It was founded in the 6th century BC and rebuilt in the 1950s."
    )
    assert (
        blur_numbers("It has 3 ports and 1,564,116 residents.")
        == "It has 3 ports and over a million residents."
    )
    assert blur_numbers("It was completed in AD 537.") == "It was completed in the 6th century."


def test_a_short_description_line_gives_the_kind_without_names_ranks_or_plurals() -> None:
    assert kind_from_tagline("Coccinellidae", "Family of beetles") == "a family"
    assert kind_from_tagline("Egyptian hieroglyphs", "Ancient Egyptian writing system") == "a writing system"
    assert kind_from_tagline("Pacific Ocean", "Largest ocean on Earth") == "an ocean"
    assert kind_from_tagline("Horus", "Egyptian war and sky deity") == "a sky deity"
    assert kind_from_tagline("Hegel", "German philosopher (1770–1831)") == "a philosopher"
    assert kind_from_tagline("Lighthouse", "Structure designed to emit light") == "a structure"
    assert kind_from_tagline("Arab Spring", "2010s protests and revolutions in the Arab world") == ""
    assert kind_from_tagline("Aden", "Aden is an ancient port city.") == ""  # a sentence, not a tagline


def test_grounding_rejects_a_claim_that_adds_words_or_misquotes_its_sentence() -> None:
    sentences = split_sentences(ADEN)
    cited = sentences[3].text
    good = Claim(
        text="This entity is approximately dozens of km east of a certain one strait.",
        sentence_ids=[4],
        sentences=[cited],
    )
    assert is_grounded(good, sentences, set())
    invented = Claim(text="This entity is a famous volcano.", sentence_ids=[4], sentences=[cited])
    assert not is_grounded(invented, sentences, set())
    wrong_number = Claim(text="This entity lies east of the strait.", sentence_ids=[3], sentences=[cited])
    assert not is_grounded(wrong_number, sentences, set())


def test_other_names_come_from_official_names_aliases_and_abbreviations() -> None:
    from infoseek_local.text import names_given_in

    assert names_given_in(
        "Ethiopia, officially the Federal Democratic Republic of Ethiopia (FDRE), is a country."
    ) == [
        "Federal Democratic Republic of Ethiopia",
        "FDRE",
    ]
    assert names_given_in("Russia, or the Russian Federation, is a country.") == ["Russian Federation"]
    assert names_given_in("It trades tea or Coffee with France.") == []
    # an abbreviation of another entity is not a name of the subject
    xinjiang = (
        "Xinjiang, officially the Xinjiang Uygur Autonomous Region (XUAR), is an autonomous region of the "
        "People's Republic of China (PRC), located in the northwest of the country."
    )
    assert names_given_in(xinjiang, ["Xinjiang"]) == ["Xinjiang Uygur Autonomous Region", "XUAR"]
    assert names_given_in("Mainland Southeast Asia (MSEA) is a region.", ["Mainland Southeast Asia"]) == [
        "MSEA"
    ]


def test_a_figure_just_over_a_power_of_ten_is_not_blurred_to_many_of_it() -> None:
    from infoseek_local.text import blur_numbers

    # a reader took "hundreds of thousands of km2" for Eritrea's 117,600 km2 as false
    assert blur_numbers("It has an area of 117,600 km2.") == "It has an area of over a hundred thousand km2."
    assert blur_numbers("It has 15 million people.") == "It has over ten million people."
    from infoseek_local.text.grounding import supports

    assert supports("has over ten million people", "It has 15 million people.")  # synth and verify agree
    assert blur_numbers("It covers 923,769 square kilometres.") == (
        "It covers hundreds of thousands of square kilometres."
    )
