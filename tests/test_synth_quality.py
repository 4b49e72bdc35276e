"""Question quality defects seen on the bundled corpus: acronyms, names inside longer names, common-noun links,
blurring artefacts, one-search shortcuts. Sentences are quoted verbatim from the corpus pages named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infoseek_local.index.reader import Index
from infoseek_local.records import Vertex
from infoseek_local.synth.claims import attribute_claim
from infoseek_local.synth.config import SynthConfig
from infoseek_local.synth.context import SynthContext, TreeRejected
from infoseek_local.synth.diffusion import deepen, link_options, name_mention, used_sentences
from infoseek_local.synth.masking import blur_numbers, is_acronym_of, mask_names
from infoseek_local.synth.question import shortcut_found, template_question, write_question

MSEA = "MSEA borders East Asia to the north, South Asia to the west, and Maritime Southeast Asia to the south and east."
THAILAND = (
    "Its maritime boundaries include the Gulf of Thailand and the Andaman Sea and shares maritime borders with "
    "Vietnam, Indonesia, and India."
)
NEW_CALEDONIA = (
    "Located 16,100\xa0km (10,000\xa0mi) from Metropolitan France, it forms a sui generis collectivity of the French "
    "Republic, having a unique legal status enshrined in a dedicated chapter of the French Constitution."
)
ROMANIA = "Romania is a country in Central and Southeastern Europe."
NIGERIA_AREA = "It covers an area of 923,769 square kilometres (356,669\xa0mi2)."
ASIA_SHARE = "Its 4.7\xa0billion people constitute roughly 60% of the world's population."
NIGERIA_PEOPLE = (
    "With a population of more than 242 million, it is the most populous country in Africa, and the world's "
    "sixth-most populous country."
)


def dangling_capital_before(text: str, placeholder: str) -> bool:
    """A capitalised word right before (or "X of" before) the placeholder: a fragment of a longer name."""
    return bool(re.search(r"\b[A-Z][a-z]+(?: of)? " + re.escape(placeholder), text))


def test_an_acronym_of_the_entity_is_masked_like_its_name() -> None:
    assert is_acronym_of("MSEA", "Mainland Southeast Asia")  # the page defines it; initials alone give MSA
    assert is_acronym_of("MSA", "Mainland Southeast Asia")
    assert not is_acronym_of("UN", "Ural Mountains")
    assert mask_names(MSEA, ["Mainland Southeast Asia"]) == (
        "This entity borders East Asia to the north, South Asia to the west, and Maritime Southeast Asia to the "
        "south and east."
    )
    # case-sensitive: a lower-case word is no acronym
    assert mask_names("The usa of it.", ["United States of America"]) == "The usa of it."


def test_a_name_inside_a_longer_name_goes_with_the_whole_name() -> None:
    masked = mask_names(THAILAND, ["Thailand", "Kingdom of Thailand"])
    assert masked.startswith("This entity's maritime boundaries include a gulf and the Andaman Sea")
    assert "Gulf of" not in masked and "Thailand" not in masked
    masked = mask_names(NEW_CALEDONIA, ["France"], "a country")
    assert masked.startswith("Located 16,100\xa0km (10,000\xa0mi) from a country, it forms")
    assert not dangling_capital_before(masked, "a country")
    assert mask_names(ROMANIA, ["Europe"], "a continent") == "Romania is a country in a continent."
    # the entity's own name inside another name is not the entity
    assert mask_names("It borders Guinea-Bissau to the northwest.", ["Guinea"]) == (
        "This entity borders a certain one to the northwest."
    )


def test_blurring_gives_grammatical_orders_of_magnitude_and_shares() -> None:
    assert blur_numbers(NIGERIA_AREA) == "It covers an area of hundreds of thousands of square kilometres."
    assert blur_numbers(ASIA_SHARE) == "Its several billion people constitute most of the world's population."
    assert blur_numbers(NIGERIA_PEOPLE).startswith("With a population of hundreds of millions, it is")
    assert (
        blur_numbers("It holds roughly 45% of the world's population.")
        == "It holds much of the world's population."
    )
    assert blur_numbers("It covers about 17% of Earth's surface.") == "It covers some of Earth's surface."
    for text in (NIGERIA_AREA, ASIA_SHARE, NIGERIA_PEOPLE):
        assert not re.search(
            r"\bof%|\bof,|(?:about|roughly|more than) (?:dozens|hundreds|thousands)", blur_numbers(text)
        )


# ── on the sample index ───────────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def index(sample_index: Path) -> Iterator[Index]:
    with Index.open(sample_index) as opened:
        yield opened


def context(index: Index, sample_index: Path) -> SynthContext:
    from infoseek_local.llm.factory import open_llm

    return SynthContext(index, open_llm(backend="fake"), SynthConfig(index=str(sample_index)))  # type: ignore[arg-type]


def page_titled(index: Index, title: str):  # type: ignore[no-untyped-def]
    return next(p for p in index.iter_pages() if p.title == title)


def root_vertex(ctx: SynthContext, title: str) -> Vertex:
    page = page_titled(ctx.index, title)  # type: ignore[arg-type]
    return Vertex(
        index=0, page_id=page.id, url=page.url, title=page.title, descriptor=ctx.descriptor(page.id)
    )


def test_a_common_word_link_is_not_offered_for_deepening(index: Index, sample_index: Path) -> None:
    ctx = context(index, sample_index)
    nigeria = root_vertex(ctx, "Nigeria")
    # the rebuilt links hold "square" -> Square (from "923,769 square kilometres")
    assert ("square", "Square") in [
        (link.anchor, index.page(link.target).title) for link in index.out_links(nigeria.page_id)
    ]
    assert name_mention(ctx.sentences(nigeria.page_id), "square") is None
    offered = {index.page(o.link.target).title for o in link_options(ctx, [nigeria], nigeria)}
    assert offered and "Square" not in offered


def test_a_link_mentioned_only_inside_a_longer_name_is_not_offered(index: Index, sample_index: Path) -> None:
    ctx = context(index, sample_index)
    for title, anchor, sentence in (
        ("Romania", "Europe", ROMANIA),
        ("New Caledonia", "France", NEW_CALEDONIA),
    ):
        vertex = root_vertex(ctx, title)
        links = [(link.anchor, index.page(link.target).title) for link in index.out_links(vertex.page_id)]
        assert (
            anchor,
            anchor,
        ) in links  # rebuilt from the mention inside "Southeastern Europe" / "Metropolitan France"
        offered = [(o.link.anchor, o.sentence.text) for o in link_options(ctx, [vertex], vertex)]
        assert offered and (anchor, sentence) not in offered
        assert name_mention([s for s in ctx.sentences(vertex.page_id) if s.text == sentence], anchor) is None


def test_the_finished_question_is_repaired_until_no_single_search_finds_the_answer(
    index: Index, sample_index: Path
) -> None:
    ctx = context(index, sample_index)
    lebanon = root_vertex(ctx, "Lebanon")
    vertices = [lebanon]
    child = deepen(ctx, vertices, lebanon)
    deepen(ctx, vertices, child)
    used = used_sentences(vertices, lebanon.page_id)
    # a root clue that lets one search (the whole question or one clause) find the answer page: the defect
    # ("an area of 10,452 square kilometres")
    for sentence in ctx.sentences(lebanon.page_id)[2:]:
        lebanon.claims = [attribute_claim(ctx, lebanon, sentence)]
        if sentence.number not in used and shortcut_found(ctx, vertices, template_question(vertices)):
            break
    else:
        pytest.fail("no sentence of the Lebanon page makes a shortcut question any more")
    before = lebanon.claims[0].text
    try:
        question = write_question(ctx, vertices)
    except TreeRejected as rejected:
        assert rejected.reason == "shortcut"
        return
    assert shortcut_found(ctx, vertices, question) is None
    assert before not in question  # blurred or dropped
    assert all(c.grounded for v in vertices for c in v.claims)
    assert any(note.startswith("shortcut:") for note in ctx.notes)


def test_nested_questions_read_as_relative_clauses_not_is_such_that() -> None:
    from infoseek_local.synth.question import clause, relative

    assert clause("This entity's maritime boundaries include a gulf.") == (
        "whose",
        "maritime boundaries include a gulf",
    )
    assert clause("With a population of hundreds of millions, this entity is the most populous country.") == (
        "vp",
        "is the most populous country, with a population of hundreds of millions",
    )
    assert clause("Situated on a river, ... at the head of a gulf.") == (
        "vp",
        "is situated on a river, ... at the head of a gulf",
    )
    assert clause("The five lakes are Superior, Michigan, Huron, Erie, and Ontario.") == (
        "which",
        "the five lakes are Superior, Michigan, Huron, Erie, and Ontario",
    )
    parts = [
        ("which", "the capital is a certain one"),
        ("vp", "borders a country"),
        ("whose", "area is small"),
    ]
    assert (
        relative(parts)
        == "that borders a country, for which the capital is a certain one, and whose area is small"
    )


def test_kinds_keep_the_head_noun() -> None:
    from infoseek_local.synth.masking import descriptor_of

    # first sentences of the Uzbekistan, Pacific Ocean, Africa and European Union pages
    assert (
        descriptor_of(
            "Uzbekistan",
            "Uzbekistan, officially the Republic of Uzbekistan, is a sovereign, doubly landlocked country located in "
            "Central Asia.",
        )
        == "a landlocked country"
    )
    assert (
        descriptor_of(
            "Pacific Ocean", "The Pacific Ocean is the largest and deepest of Earth's five oceanic divisions."
        )
        == "an oceanic division"
    )
    assert (
        descriptor_of(
            "Africa", "Africa is the world's second-largest and second-most populous continent after Asia."
        )
        == "a populous continent"
    )
    assert (
        descriptor_of(
            "European Union",
            "The European Union (EU) is a political and economic union of 27 member states that are located primarily "
            "in Europe.",
        )
        != "a political"
    )


def test_a_long_question_is_cut_to_length_clue_by_clue(index: Index, sample_index: Path) -> None:
    import msgspec

    from infoseek_local.synth.question import fit_length

    ctx = context(index, sample_index)
    jamaica = root_vertex(ctx, "Jamaica")
    vertices = [jamaica]
    child = deepen(ctx, vertices, jamaica)
    deepen(ctx, vertices, child)
    sentence = next(
        s for s in ctx.sentences(jamaica.page_id) if s.text.startswith("It is the third-largest island")
    )
    jamaica.claims = [attribute_claim(ctx, jamaica, sentence)]
    texts = {id(c): c.text for v in vertices for c in [*v.claims, v.relation] if c is not None}
    full = len(template_question(vertices).split())
    ctx.config = msgspec.structs.replace(ctx.config, max_question_words=full - 3)
    question = fit_length(ctx, vertices)
    assert len(question.split()) <= full - 3 and question == template_question(vertices)
    cut = [c for v in vertices for c in [*v.claims, v.relation] if c is not None and c.text != texts[id(c)]]
    assert cut, "a clue was cut to its first clause"
    for claim in cut:  # the first clause of what it said, nothing new
        assert texts[id(claim)].startswith(claim.text.rstrip(".")) and claim.blurred_from
    ctx.config = msgspec.structs.replace(ctx.config, max_question_words=5)
    with pytest.raises(TreeRejected, match="too_long"):
        fit_length(ctx, vertices)


def test_a_kind_after_the_and_a_modifier_loses_its_article_and_plural_names_agree() -> None:
    from infoseek_local.synth.question import clause

    # Arabian Sea page: "It is a region of sea in the northern Indian Ocean, ..."
    assert mask_names(
        "It is a region of sea in the northern Indian Ocean.", ["Indian Ocean"], "an oceanic division"
    ) == ("It is a region of sea in the northern oceanic division.")
    assert mask_names("The capital is Lagos.", ["Lagos"], "a city") == "The capital is a city."
    # Ural Mountains: "The Ural Mountains ... are a mountain range"
    assert clause("This entity are a mountain range in a country.") == (
        "vp",
        "is a mountain range in a country",
    )
