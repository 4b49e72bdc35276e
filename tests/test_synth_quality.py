"""Question quality on the bundled corpus: acronyms, names inside longer names, common-noun links, blurring,
clean clues, the answer's defining sentence, composed questions, one-search shortcuts and uniqueness.
Sentences are quoted verbatim from the corpus pages named."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from infoseek_local.index.reader import Index
from infoseek_local.records import Vertex
from infoseek_local.synth.compose import compose
from infoseek_local.synth.config import SynthConfig
from infoseek_local.synth.context import SynthContext
from infoseek_local.synth.options import defining_sentence, fact_options, link_options
from infoseek_local.synth.retrospection import root_rivals
from infoseek_local.text import blur_numbers, demonyms_in, is_acronym_of, mask_names
from infoseek_local.text.clues import predicate
from infoseek_local.text.fluency import fluency_problems

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


def page_vertex(
    ctx: SynthContext,
    i: int,
    title: str,
    parent: int,
    relation: str = "",
    side: str = "parent",
    facts: tuple[str, ...] = (),
) -> Vertex:
    """A vertex on a real page of the index, with the clues given."""
    from infoseek_local.records import Claim

    page = page_titled(ctx.index, title)  # type: ignore[arg-type]
    said = Claim(text=relation, sentence_ids=[1], sentences=["."], kind="relation") if relation else None
    vertex = Vertex(
        index=i,
        page_id=page.id,
        url=page.url,
        title=page.title,
        parent=parent,
        relation=said,
        descriptor=ctx.descriptor(page.id),
    )
    vertex.relation_from = side  # type: ignore[assignment]
    vertex.claims = [Claim(text=f, sentence_ids=[2], sentences=["."]) for f in facts]
    return vertex


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
        assert (anchor, sentence) not in offered


def test_every_offered_hop_is_a_clean_clue_that_reads_as_a_question(index: Index, sample_index: Path) -> None:
    ctx = context(index, sample_index)
    checked = 0
    for title in ("Nigeria", "Thailand", "Romania", "Tajikistan", "Arabian Sea", "Xinjiang"):
        vertex = root_vertex(ctx, title)
        for option in link_options(ctx, [vertex], vertex):
            clue = option.clue
            assert "this entity" not in clue and "a certain one" not in clue
            assert not mentions_any(clue, ctx.aliases(vertex.page_id)), clue
            if not option.back:  # a forward clue is said of the vertex: it reads after "Which <kind>"
                assert fluency_problems(f"Which {ctx.noun(vertex.page_id)} {clue}?") == [], clue
            assert len(clue.split()) <= 14
            checked += 1
    assert checked >= 6


def mentions_any(text: str, names: list[str]) -> bool:
    from infoseek_local.text import mentions_name

    return any(mentions_name(text, n) for n in names if len(n) >= 3)


def test_the_answers_defining_sentence_is_never_a_clue(index: Index, sample_index: Path) -> None:
    ctx = context(index, sample_index)
    offered = 0
    for title in ("Nigeria", "Tajikistan", "Arabian Sea", "Thailand", "Romania", "Xinjiang", "Mongolia"):
        root = root_vertex(ctx, title)
        defining = defining_sentence(ctx, root.page_id)
        assert defining > 0
        cited = {o.sentence.number for o in link_options(ctx, [root], root) if not o.back}
        cited |= {o.sentence.number for o in fact_options(ctx, [root], root)}
        assert defining not in cited
        offered += len(cited)
    assert offered >= 3


def test_seeds_are_sampled_with_the_test_diffusion_applies(index: Index, sample_index: Path) -> None:
    from infoseek_local.synth.diffusion import grow_tree
    from infoseek_local.synth.seeds import sample_seeds

    config = SynthConfig(index=str(sample_index), n=8, seed=3)
    seeds = sample_seeds(index, config)
    assert len(seeds) == 8
    for seed in seeds:
        ctx = context(index, sample_index)
        vertices = grow_tree(ctx, seed.page_id)  # never no_in_corpus_links, never too shallow
        assert len(vertices) >= 3


def chain(*links: tuple[str, str, str, str], facts: dict[int, list[str]] | None = None) -> list[Vertex]:
    """A chain of vertices: (title, kind, relation clue to it, "parent" | "child") from the answer down."""
    from infoseek_local.records import Claim

    vertices = []
    for i, (title, kind, relation, source) in enumerate(links):
        claim = Claim(text=relation, sentence_ids=[1], sentences=["."], kind="relation") if relation else None
        vertex = Vertex(
            index=i, page_id=i, url="", title=title, parent=i - 1, relation=claim, descriptor=kind
        )
        vertex.relation_from = source
        vertex.claims = [Claim(text=t, sentence_ids=[2], sentences=["."]) for t in (facts or {}).get(i, [])]
        vertices.append(vertex)
    return vertices


def test_a_chain_reads_as_short_sentences_from_the_deepest_entity_to_the_answer() -> None:
    vertices = chain(
        ("Amu Darya", "a river", "", "parent"),
        ("Pamir Mountains", "a mountain range", "rises in a mountain range", "parent"),
        ("Tajikistan", "a landlocked country", "is mainly situated in a mountain range", "child"),
        facts={2: ["whose capital was founded in the 20th century"]},
    )
    question = compose(vertices)
    assert question == (
        "A landlocked country's capital was founded in the 20th century. That country is mainly situated in "
        "a mountain range. Which river rises in that range?"
    )
    assert fluency_problems(question) == []


def test_a_back_link_to_the_answer_keeps_the_known_entity_as_subject_with_its_fact_as_a_relative_clause() -> (
    None
):
    vertices = chain(
        ("Nigeria", "a country", "", "parent"),
        ("Kano", "a city", "is the second largest city in a country", "child"),
        facts={1: ["is an ancient walled city"]},
    )
    assert compose(vertices) == (
        "A city that is an ancient walled city is the second largest city in a country. Which country is that?"
    )


def test_a_demonym_of_a_tree_entity_counts_as_naming_it() -> None:
    assert demonyms_in("Its people speak a Tajik dialect.", ["Tajikistan"]) == ["Tajik"]
    assert demonyms_in("Tajikistan lies in Asia.", ["Tajikistan"]) == []  # the opener is not counted
    assert demonyms_in("It borders a country.", ["Tajikistan"]) == []


@pytest.fixture(scope="module")
def fake_run_on_sample(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from infoseek_local.cli import cli

    out = tmp_path_factory.mktemp("quality") / "run"
    args = ["synth", "--index", str(sample_index), "--out", str(out), "--backend", "fake", "--n", "12"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_accepted_questions_are_short_clean_unique_and_not_found_by_one_search(
    fake_run_on_sample: Path, index: Index, sample_index: Path
) -> None:
    from infoseek_local.records import Question, Tree
    from infoseek_local.store import read_shards
    from infoseek_local.verify.context import VerifyConfig
    from infoseek_local.verify.shortcut import first_shortcut, shortcut_ranks

    trees = {t.id: t for t in read_shards(fake_run_on_sample / "trees", Tree)}
    questions = list(read_shards(fake_run_on_sample / "questions", Question))
    assert questions, "the fake backend should get a question through on the sample corpus"
    config = VerifyConfig()
    ctx = context(index, sample_index)
    for question in questions:
        tree = trees[question.tree_id]
        assert fluency_problems(question.question) == [], question.question
        assert len(question.question.split()) <= 70
        ranks = shortcut_ranks(index, question.question, tree.vertices[0].page_id, config)
        assert first_shortcut(ranks, config) is None, ranks
        assert root_rivals(ctx, tree.vertices) == 0  # exactly one page of its kind fits every clue
        assert question.oracle_solved and question.oracle_searches >= question.hops
        assert compose(tree.vertices) == question.question


def test_a_back_link_added_to_pin_the_answer_down_is_one_more_sentence_about_it() -> None:
    vertices = chain(
        ("Niger", "a landlocked country", "", "parent"),
        ("Algeria", "a country", "borders a country to the northwest", "parent"),
        facts={1: ["is the largest country in Africa by area"]},
    )
    extra = chain(("", "", "", ""), ("Niamey", "a city", "is the capital of a landlocked country", "child"))[
        1
    ]
    extra.index, extra.page_id, extra.parent = 2, 2, 0
    vertices.append(extra)
    assert compose(vertices) == (
        "A country is the largest country in Africa by area. Another landlocked country borders that country to "
        "the northwest. A city is the capital of that other country. What is that other country?"
    )  # not "Which landlocked country is that?" right after a sentence about a city


def test_an_answer_named_by_its_role_is_asked_for_by_that_role() -> None:
    vertices = chain(
        ("Khartoum", "a city", "", "parent"),
        ("Sudan", "a country", "whose capital and most populous city is one", "child"),
        facts={1: ["is the third-largest country in Africa by area"]},
    )
    assert compose(vertices) == (
        "A country is the third-largest country in Africa by area. "
        "Which city is the capital and most populous city of that country?"
    )


def test_other_names_in_a_clue_become_the_kinds_of_their_pages(index: Index, sample_index: Path) -> None:
    from infoseek_local.synth.names import blur_names

    ctx = context(index, sample_index)
    thailand = page_titled(index, "Thailand").id
    assert ctx.descriptor(page_titled(index, "Nigeria").id) == "a country"
    blurred = blur_names(
        ctx, thailand, "trades with Nigeria and the Macedonian navy across the Laccadive Sea"
    )
    # a page of the index by its kind, a name with a head noun by that noun, a people's adjective dropped
    assert blurred.clue == "trades with a country and the navy across a sea"
    assert blurred.kinds == ("a sea", "a country") and blurred.names_left == 0
    # two entities of one kind in one clue: "that country" could mean either, so there is no clue
    assert blur_names(ctx, thailand, "lies between a country and Nigeria", taken=("a country",)) is None
    # a name no page carries and no head noun explains stays, and is counted
    left = blur_names(ctx, thailand, "is twinned with Zorgvliet")
    assert left is not None and left.names_left == 1


def test_offered_clues_name_no_page_of_the_index(index: Index, sample_index: Path) -> None:
    from infoseek_local.synth.names import _NAME_SPAN

    ctx = context(index, sample_index)
    checked = 0
    for title in ("Nigeria", "Thailand", "Tajikistan", "Arabian Sea", "Xinjiang"):
        vertex = root_vertex(ctx, title)
        options = [*link_options(ctx, [vertex], vertex), *fact_options(ctx, [vertex], vertex)]
        for option in options:
            for span in _NAME_SPAN.finditer(option.clue):
                named = ctx.page_named(re.sub(r"^[Tt]he\s+", "", span.group(0)))
                assert named is None or not ctx.noun(named), (span.group(0), option.clue)
            checked += 1
    assert checked >= 10


def test_where_a_reader_starts_is_pinned_down(
    fake_run_on_sample: Path, index: Index, sample_index: Path
) -> None:
    from infoseek_local.records import Tree
    from infoseek_local.store import read_shards
    from infoseek_local.synth.retrospection import loose_vertices

    ctx = context(index, sample_index)
    accepted = [t for t in read_shards(fake_run_on_sample / "trees", Tree) if t.status == "accepted"]
    assert accepted
    for tree in accepted:
        assert loose_vertices(ctx, tree.vertices) == 0, tree.id


def test_a_possessive_clue_reads_from_the_entity_it_names() -> None:
    # the middle hop's clue "whose capital and largest city is that city" reads from the city
    vertices = chain(
        ("Czech language", "a language", "", "parent"),
        ("Czech Republic", "a country", "whose official language is one", "parent"),
        ("Prague", "a city", "whose capital and largest city is one", "parent"),
        facts={2: ["lies on a river"]},
    )
    question = compose(vertices)
    assert "That city is the capital and largest city of a country." in question, question
    assert "There is" not in question and fluency_problems(question) == []
    # and the answer asked for by such a clue: "Which state's capital is that city?"
    root_asked = chain(
        ("Bavaria", "a state", "", "parent"),
        ("Munich", "a city", "whose capital and largest city is one", "parent"),
        facts={1: ["lies on a river north of a mountain range"]},
    )
    assert compose(root_asked).endswith("Which state's capital and largest city is that city?")


def test_a_second_entity_of_one_kind_is_another_and_then_that_other_never_it_or_the_latter() -> None:
    vertices = chain(
        ("Riga", "a city", "", "parent"),
        ("Latvia", "a country", "whose capital and largest city is one", "child"),
        ("Estonia", "a country", "is bordered by a country to the south", "child"),
        ("Jaan Kross", "a writer", "is the most translated writer from a country", "child"),
        facts={1: ["has a temperate seasonal climate"]},
    )
    question = compose(vertices)
    assert question == (
        "A writer is the most translated writer from a country. That country is bordered by another country to "
        "the south. That other country has a temperate seasonal climate. Which city is the capital and largest "
        "city of that other country?"
    )


def test_a_name_given_with_its_kind_becomes_an_indefinite_kind_not_a_definite_one_never_introduced() -> None:
    clue = predicate(
        "Triton is the largest natural satellite of the planet Neptune.",
        ["Triton"],
        "moon",
        target="Neptune",
        target_kind="a planet",
    )
    assert clue == "is the largest natural satellite of a planet"
    clue = predicate(
        "Constantine founded the city of Constantinople and made it his capital.",
        ["Constantine"],
        "emperor",
        target="Constantinople",
        target_kind="a city",
    )
    assert clue is not None and clue.startswith("founded a city and")


def test_two_entities_of_one_kind_in_the_opening_sentence_are_a_country_and_another_then_the_first() -> None:
    vertices = chain(
        ("Mauritania", "a country", "", "parent"),
        ("Western Sahara", "a territory", "is bordered by a territory to the north", "parent"),
        ("Morocco", "a country", "claims a territory", "child"),
        ("Algeria", "a country", "has land borders with a country to the east", "parent"),
    )
    assert compose(vertices) == (
        "A country has land borders with another country to the east. The first country claims a territory. "
        "Which country is bordered by that territory to the north?"
    )


def test_a_kind_met_two_hops_earlier_is_another_one_too() -> None:
    vertices = chain(
        ("Nuclear power", "a power", "", "parent"),
        ("Enrico Fermi", "a physicist", "filed several patents related to the use of a power", "child"),
        ("Statistical mechanics", "a framework", "made significant contributions to a framework", "parent"),
        ("Ludwig Boltzmann", "a physicist", "was key in the creation of a framework", "child"),
    )
    assert compose(vertices) == (
        "A physicist was key in the creation of a framework. Another physicist made significant contributions to "
        "that framework. That other physicist filed several patents related to the use of a power. Which power "
        "is that?"
    )


def test_the_answer_asked_by_its_role_even_after_another_of_its_kind() -> None:
    vertices = chain(
        ("Khartoum", "a city", "", "parent"),
        ("Sudan", "a country", "whose capital and most populous city is one", "child"),
        ("Port Sudan", "a city", "is the main port of a country", "child"),
    )
    assert compose(vertices) == (
        "A city is the main port of a country. Which city is the capital and most populous city of that country?"
    )


def test_a_border_of_the_answer_is_asked_in_one_sentence() -> None:
    vertices = chain(
        ("Western Sahara", "a territory", "", "parent"),
        ("Mauritania", "a country", "has a territory on its northern and northwestern borders", "child"),
        ("Nouadhibou", "a city", "serves as the economic center of a country", "child"),
    )
    assert compose(vertices) == (
        "A city serves as the economic center of a country. Which territory is on the northern and "
        "northwestern borders of that country?"
    )


def test_seed_sampling_in_worker_processes_picks_the_same_seeds(index: Index, sample_index: Path) -> None:
    from infoseek_local.synth.seeds import sample_seeds

    config = SynthConfig(index=str(sample_index), n=6, seed=3)
    alone = sample_seeds(index, config, workers=1)
    assert len(alone) == 6
    assert sample_seeds(index, config, workers=2) == alone


def test_a_third_entity_of_one_kind_is_a_third_one_not_that_other_again() -> None:
    vertices = chain(
        ("Nairobi", "a city", "", "parent"),
        ("Kenya", "a country", "whose capital and largest city is one", "child"),
        ("Ethiopia", "a country", "has a country on its southern border", "child"),
        ("Djibouti", "a country", "has a country on its western border", "child"),
    )
    assert compose(vertices) == (
        "A country has another country on its western border. That other country has a third country on its "
        "southern border. Which city is the capital and largest city of that third country?"
    )


def test_a_border_with_another_of_its_kind_is_asked_in_one_sentence_too() -> None:
    # "That country has another country on its southern border. Which country is that?" left "that" to guess
    vertices = chain(
        ("Namibia", "a country", "", "parent"),
        ("Angola", "a country", "has a country on its southern border", "child"),
        ("Angolan Civil War", "a conflict", "was a civil war in a country", "child"),
        facts={2: ["was a power struggle between two former anti-colonial guerrilla movements"]},
    )
    assert compose(vertices) == (
        "A civil war in a country was a power struggle between two former anti-colonial guerrilla movements. "
        "Which country is on the southern border of that country?"
    )


def test_what_the_deepest_entity_is_is_said_once() -> None:
    # not "A conflict that was a power struggle ... was a civil war in a country."
    vertices = chain(
        ("Angola", "a country", "", "parent"),
        ("Angolan Civil War", "a conflict", "was a civil war in a country", "child"),
        facts={1: ["was a power struggle between two former anti-colonial guerrilla movements"]},
    )
    question = compose(vertices)
    assert question == (
        "A civil war in a country was a power struggle between two former anti-colonial guerrilla movements. "
        "Which country is that?"
    )
    assert not fluency_problems(question, 70)


def test_also_is_dropped_wherever_it_points_at_a_fact_the_question_lacks() -> None:
    sentence = "Guatemala City's metropolitan area is also the largest in Central America."
    assert (
        predicate(sentence, ["Guatemala City"], "city")
        == "whose metropolitan area is the largest in Central America"
    )


def test_a_start_in_words_many_pages_share_singles_nothing_out(index: Index, sample_index: Path) -> None:
    """The index may hold one page that "borders the countries of a country", but a reader knows many such
    regions: a start needs words few pages hold. Both vague starts were the sample corpus's own."""
    from infoseek_local.records import Claim
    from infoseek_local.synth.retrospection import specificity

    ctx = context(index, sample_index)
    vertices = chain(("Algeria", "a country", "", "parent"), ("Oran", "a city", "", "child"))

    def said(text: str) -> float:
        return specificity(ctx, vertices, [Claim(text=text, sentence_ids=[1], sentences=["."])])

    threshold = ctx.config.min_start_specificity
    assert said("borders the countries of a country") < threshold
    assert said("was a power struggle between two former anti-colonial guerrilla movements") >= threshold
    # kinds standing for names and blurring's own words count for nothing
    assert said("is dozens of kilometres north of a city") < threshold


def test_a_fact_that_finds_its_page_alone_is_offered_only_where_a_reader_starts(
    index: Index, sample_index: Path
) -> None:
    """ "That other country's geography is dominated by mountains in the west and savanna in the southeast" found
    Rwanda alone, so the hops below it were dead weight: a vertex a hop leads to gets no such fact."""
    from infoseek_local.synth.options import finds_alone

    ctx = context(index, sample_index)
    as_start = [page_vertex(ctx, 0, "Nigeria", -1), page_vertex(ctx, 1, "Alps", 0)]
    alps = as_start[1].page_id
    assert any(finds_alone(ctx, alps, o.clue) for o in fact_options(ctx, as_start, as_start[1]))
    as_hop = [*as_start, page_vertex(ctx, 2, "Amu Darya", 1)]
    assert not any(finds_alone(ctx, alps, o.clue) for o in fact_options(ctx, as_hop, as_hop[1]))


def test_hops_are_counted_along_the_shortest_way_to_the_answer() -> None:
    from infoseek_local.synth.diffusion import search_hops

    vertices = chain(
        ("Somalia", "a country", "", "parent"),
        ("Gulf of Aden", "a gulf", "has a gulf on its northern border", "parent"),
        ("Yemen", "a country", "includes a gulf to the south", "child"),
        ("Socotra", "an island", "is a part of a country", "child"),
    )
    assert search_hops(vertices) == 3
    # a back-link said on its own page, one hop from the answer: whoever finds that page is one hop away
    extra = chain(("", "", "", ""), ("Puntland", "a state", "rejects the government of a country", "child"))[
        1
    ]
    extra.index, extra.page_id, extra.parent = 4, 4, 0
    assert search_hops([*vertices, extra]) == 1


def test_a_clue_naming_two_entities_that_share_a_word_of_their_kinds_is_no_clue(
    index: Index, sample_index: Path
) -> None:
    # Aden "serves as a gateway between the Red Sea and the Arabian Sea": "that sea" after "a sea inlet and a
    # sea" could be either
    from infoseek_local.synth.names import blur_names

    ctx = context(index, sample_index)
    aden = page_titled(index, "Aden").id
    clue = "serves as a gateway between the Red Sea and the Arabian Sea"
    assert ctx.descriptor(ctx.page_named("Red Sea")) == "a sea inlet"  # type: ignore[arg-type]
    assert blur_names(ctx, aden, clue) is None
    # one of them already in the question as "a sea inlet" rules out "a sea" in the same clue too
    assert blur_names(ctx, aden, "lies on the coast of the Arabian Sea", ("a sea inlet",)) is None
    assert blur_names(ctx, aden, "lies on the coast of the Arabian Sea", ("a city",)) is not None


def test_a_dropped_peoples_adjective_leaves_the_right_article(index: Index, sample_index: Path) -> None:
    from infoseek_local.synth.names import blur_names

    ctx = context(index, sample_index)
    page = page_titled(index, "Aden").id
    blurred = blur_names(ctx, page, "was established as a French outpost in the 1880s")
    assert blurred is not None and blurred.clue == "was established as an outpost in the 1880s"
    blurred = blur_names(ctx, page, "was led by an Irish nationalist")
    assert blurred is not None and blurred.clue == "was led by a nationalist"


def test_a_border_clue_fits_a_page_that_says_the_side_in_other_words() -> None:
    # "has a country on its eastern border" came from "Somalia to the east"; another page saying "Somalia to
    # the east" or "to the southeast" fits it too (Ethiopia, Somaliland), one saying "to the west" does not
    from infoseek_local.text.directions import share_stated

    terms = ("eastern", "border")
    assert share_stated(terms, "It borders Djibouti to the northwest and Somalia to the east.") == 1
    assert share_stated(terms, "It borders Eritrea to the north and Somalia to the southeast.") == 1
    assert share_stated(terms, "It borders Somalia to the west.") < 1
    assert share_stated(("northeastern", "border"), "It borders Somalia to the southeast.") < 1


def test_hops_below_an_entity_its_own_clues_find_are_not_counted(index: Index, sample_index: Path) -> None:
    """R6: "the elements below the periodic table are dead weight" when the clues said of it find it alone."""
    from infoseek_local.synth.diffusion import found_midway, reader_hops, search_hops

    ctx = context(index, sample_index)

    gateway = ("serves as a gateway between a sea inlet and a sea and is a crucial maritime hub",)
    vertices = [
        page_vertex(ctx, 0, "Yemen", -1),
        page_vertex(ctx, 1, "Aden", 0, "whose largest city is one", "parent", gateway),
        page_vertex(ctx, 2, "Amu Darya", 1, "is near a city", "child"),
    ]
    assert search_hops(vertices) == 2
    midway = found_midway(ctx, vertices)
    assert midway is not None and midway.title == "Aden"
    assert reader_hops(ctx, vertices) == 1
    vertices[1].claims = []
    assert found_midway(ctx, vertices) is None and reader_hops(ctx, vertices) == 2


def test_an_entity_said_beside_another_of_its_kind_is_the_first_one_after() -> None:
    # "A country claims to share a border with a country through that territory. That country ..." left the
    # reader to guess which
    vertices = chain(
        ("Algeria", "a country", "", "parent"),
        ("Morocco", "a country", "has a country on its eastern border", "parent"),
        (
            "Western Sahara",
            "a territory",
            "claims to share a border with a country through a territory",
            "parent",
        ),
        facts={2: ["is the last colonial state yet to achieve independence"]},
    )
    assert compose(vertices) == (
        "A territory is the last colonial state yet to achieve independence. A country claims to share a border "
        "with a country through that territory. Which country has the first country on its eastern border?"
    )


def test_a_word_no_reader_can_picture_as_a_kind_gives_no_kind(tmp_path: Path) -> None:
    # readers could not tell "an arrangement" was the periodic table, nor "an outer shell" a planet's crust
    from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
    from infoseek_local.index.build import build_index
    from infoseek_local.llm.factory import open_llm

    pages = {
        "Periodic table": "The periodic table is an ordered arrangement of the chemical elements into rows.",
        "Crust": "The crust is the thin outer shell of a rocky planet, above its mantle and core.",
        "Argon": "Argon is a chemical element with the symbol Ar and atomic number 18.",
    }
    site = "http://kinds.test/"
    warc = write_warc(
        tmp_path / "kinds.warc.gz",
        [WarcPage(site + t.replace(" ", "-"), html_page(t, [text], [])) for t, text in pages.items()],
    )
    build_index([str(warc)], tmp_path / "index", workers=1)
    with Index.open(tmp_path / "index") as index:
        ctx = SynthContext(index, open_llm(backend="fake"), SynthConfig(index=str(tmp_path / "index")))  # type: ignore[arg-type]
        kinds = {index.page(i).title: (ctx.descriptor(i), ctx.noun(i)) for i in range(index.n_pages)}
    assert kinds["Argon"] == ("a chemical element", "element")
    assert kinds["Periodic table"][1] == "" and kinds["Crust"][1] == ""
