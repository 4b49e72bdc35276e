"""Mention links: a second link kind found in page text, kept beside hyperlinks, through `index`, `info`,
`page` and the graph API; updated both ways when WARCs are added; case and ambiguity rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.errors import IndexMismatchError
from infoseek_local.index.build import IndexConfig, build_index
from infoseek_local.index.reader import Index
from infoseek_local.records import OutLink, Vertex

BOTH = ("hyperlink", "mention")


def page(url: str, title: str, *paragraphs: str, links: tuple[tuple[str, str], ...] = ()) -> WarcPage:
    return WarcPage(url, html_page(title, paragraphs, links))


def ids_by_title(index: Index) -> dict[str, int]:
    return {p.title: p.id for p in index.iter_pages()}


def mentions_of(index: Index, title: str) -> dict[str, OutLink]:
    ids = ids_by_title(index)
    return {index.page(link.target).title: link for link in index.out_links(ids[title], ("mention",))}


@pytest.fixture(scope="module")
def small_web(tmp_path_factory) -> Path:
    """Pages that name each other in text; one hyperlink."""
    folder = tmp_path_factory.mktemp("web")
    pages = [
        page(
            "http://w.test/everest",
            "Mount Everest",
            "Mount Everest is the highest mountain above sea level, in the Himalayas of Nepal.",
            "Climbers from Nepal and from Tibet reach it; the Himalayas hold many peaks.",
            links=(("/nepal", "Nepal"),),
        ),
        page(
            "http://w.test/nepal",
            "Nepal",
            "Nepal is a landlocked country in South Asia, home of Mount Everest.",
        ),
        page("http://w.test/himalayas", "Himalayas", "The Himalayas are a mountain range in Asia."),
        page(
            "http://w.test/asia", "Asia", "Asia is the largest continent; South Asia is one of its regions."
        ),
        page("http://w.test/south-asia", "South Asia", "South Asia is the southern region of Asia."),
        page("http://w.test/iron", "Iron", "Iron is a chemical element. Most iron is used in steel."),
        page(
            "http://w.test/steel",
            "Steel",
            "Steel is an alloy of iron and carbon. Iron ore is mined first.",
            "The Age of Iron followed bronze.",
        ),
    ]
    warc = write_warc(folder / "web.warc.gz", pages)
    out = folder / "ix"
    build_index([str(warc)], out, workers=1)
    return out


def test_mentions_are_whole_words_longest_first_once_per_target_with_offsets(small_web):
    with Index.open(small_web) as index:
        everest = mentions_of(index, "Mount Everest")
        assert set(everest) == {"Himalayas", "Nepal"}  # no self-link; Tibet is no page
        text = index.page(ids_by_title(index)["Mount Everest"]).text
        nepal = everest["Nepal"]
        assert nepal.kind == "mention" and nepal.anchor == "Nepal"
        assert text[nepal.offset : nepal.offset + len("Nepal")] == "Nepal"
        assert text.index("Nepal") == nepal.offset  # the first mention
        # "South Asia" wins over "Asia" inside it; Asia is not mentioned elsewhere on the Nepal page
        assert set(mentions_of(index, "Nepal")) == {"South Asia", "Mount Everest"}
        # each target once: South Asia names Asia once more after its own title
        assert set(mentions_of(index, "South Asia")) == {"Asia"}


def test_a_common_word_name_links_only_when_capitalised_mid_sentence(small_web):
    with Index.open(small_web) as index:
        steel = mentions_of(index, "Steel")
        # "iron" (lower case) and "Iron ore" (sentence start) are not mentions; "the Age of Iron" is
        assert steel["Iron"].anchor == "Iron"
        text = index.page(ids_by_title(index)["Steel"]).text
        assert text[steel["Iron"].offset - 7 : steel["Iron"].offset] == "Age of "
        assert mentions_of(index, "Iron") == {}  # "Steel" is not named on the Iron page ("steel")


def test_a_name_inside_a_longer_name_is_no_mention(tmp_path):
    warc = write_warc(
        tmp_path / "names.warc.gz",
        [
            page("http://n.test/sea", "Sea", "A sea is a large body of salt water."),
            page("http://n.test/guinea", "Guinea", "Guinea is a country in West Africa."),
            page("http://n.test/russia", "Russia", "Russia is a country."),
            page("http://n.test/kp", "Kamchatka Peninsula", "Kamchatka Peninsula is a peninsula."),
            page(
                "http://n.test/pacific",
                "Pacific",
                "It reaches the Tasman Sea, New Guinea and Russia's Kamchatka Peninsula; Indo-Guinea is no place.",
                "The Sea of Okhotsk is cold.",
                "In Guinea, rain falls.",
            ),
        ],
    )
    build_index([str(warc)], tmp_path / "ix", workers=1)
    with Index.open(tmp_path / "ix") as index:
        found = {title: link.anchor for title, link in mentions_of(index, "Pacific").items()}
        assert found == {"Russia": "Russia", "Kamchatka Peninsula": "Kamchatka Peninsula", "Guinea": "Guinea"}
        text = index.page(ids_by_title(index)["Pacific"]).text
        assert text[mentions_of(index, "Pacific")["Guinea"].offset - 3 :].startswith("In Guinea")


def test_graph_api_gives_either_kind_or_both_hyperlinks_first(small_web):
    with Index.open(small_web) as index:
        ids = ids_by_title(index)
        everest = ids["Mount Everest"]
        hyper = index.out_links(everest)
        assert [(index.page(link.target).title, link.kind) for link in hyper] == [("Nepal", "hyperlink")]
        both = index.out_links(everest, BOTH)
        assert [(index.page(link.target).title, link.kind) for link in both] == [
            ("Nepal", "hyperlink"),
            ("Himalayas", "mention"),
        ]
        back = index.in_links(ids["Himalayas"], ("mention",))
        assert {index.page(link.target).title for link in back} == {"Mount Everest"}
        assert index.in_degree(ids["Nepal"], BOTH) == 1  # hyperlinked and mentioned by Everest: once
        assert int(index.out_degrees(BOTH)[everest]) == 2
        with pytest.raises(ValueError, match="unknown link kind"):
            index.out_links(everest, ("mentions",))


def test_info_and_page_report_the_kinds_apart(small_web):
    runner = CliRunner()
    result = runner.invoke(cli, ["info", "--index", str(small_web), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    with Index.open(small_web) as index:
        assert summary["links"] == index.n_links == 1
        assert summary["mention_links"] == index.n_mention_links > 0
    assert summary["mention_links_also_hyperlinked"] == 1
    text = runner.invoke(cli, ["info", "--index", str(small_web)]).output
    assert "hyperlinks 1 in-corpus" in text
    assert f"mentions   {summary['mention_links']} mention links" in text

    shown = runner.invoke(cli, ["page", "--index", str(small_web), "http://w.test/everest"]).output
    assert '[hyperlink] "Nepal"' in shown
    assert '[mention] "Himalayas" at char' in shown
    data = json.loads(runner.invoke(cli, ["page", "--index", str(small_web), "--json", "0"]).output)
    assert {(link["kind"], link["anchor"]) for link in data["out_links"]} >= {
        ("hyperlink", "Nepal"),
        ("mention", "Himalayas"),
    }


def test_adding_a_warc_updates_mentions_in_both_directions(tmp_path):
    first = write_warc(
        tmp_path / "a.warc.gz",
        [
            page("http://a.test/volcano", "Hekla", "Hekla is a volcano in Iceland, near Selfoss."),
            page("http://a.test/iceland", "Iceland", "Iceland is an island country."),
        ],
    )
    second = write_warc(
        tmp_path / "b.warc.gz",
        [page("http://b.test/selfoss", "Selfoss", "Selfoss is a town in Iceland, west of Hekla.")],
    )
    out = tmp_path / "ix"
    build_index([str(first)], out, workers=1)
    with Index.open(out) as index:
        assert set(mentions_of(index, "Hekla")) == {"Iceland"}
    build_index([str(second)], out, workers=1)
    with Index.open(out) as index:
        assert set(mentions_of(index, "Hekla")) == {"Iceland", "Selfoss"}  # an old page names the new one
        assert set(mentions_of(index, "Selfoss")) == {"Iceland", "Hekla"}  # the new page names old ones
        assert ids_by_title(index)["Hekla"] == 0  # old pages keep their ids


def test_a_name_shared_by_two_sites_links_to_the_mentioning_pages_own_site(tmp_path):
    warc = write_warc(
        tmp_path / "two.warc.gz",
        [
            page("http://one.test/a", "Alpha Centauri", "Alpha Centauri is near Proxima."),
            page("http://one.test/p", "Proxima", "Proxima is a star."),
            page("http://two.test/p", "Proxima", "Proxima is a shop."),
            page("http://three.test/x", "Travel", "We went past Proxima on the way."),
        ],
    )
    build_index([str(warc)], tmp_path / "ix", workers=1)
    with Index.open(tmp_path / "ix") as index:
        alpha = mentions_of(index, "Alpha Centauri")["Proxima"]
        assert index.page(alpha.target).url == "http://one.test/p"
        assert mentions_of(index, "Travel") == {}  # neither Proxima is on three.test: ambiguous, no link
        assert index.manifest["counts"]["ambiguous_mentions"] == 1


def test_no_mention_links_option_and_a_changed_option_is_refused(tmp_path, sample_warc):
    out = tmp_path / "ix"
    build_index([str(sample_warc)], out, workers=1, config=IndexConfig(mention_links=False))
    with Index.open(out) as index:
        assert index.n_mention_links == 0 and index.n_links == 3371
        assert index.out_links(0, BOTH) == index.out_links(0)
    with pytest.raises(IndexMismatchError, match="mention_links"):
        build_index([str(sample_warc)], out, workers=1)


def test_sample_mentions_find_most_of_the_corpus_title_links(sample_index):
    """The sample's hyperlinks were made from title mentions (its SOURCE.md): the linker finds most again."""
    with Index.open(sample_index) as index:
        found = index.manifest["counts"]["mention_links_also_hyperlinked"]
        assert (
            found / index.n_links > 0.75
        )  # the rest: everyday words, parts of longer names ("Republic of Chad")
        assert index.n_mention_links > found  # and adds some


def test_tree_vertices_record_their_edge_kind_and_old_trees_still_read():
    import msgspec

    old = msgspec.msgpack.encode({"index": 1, "page_id": 3, "url": "u", "title": "t", "parent": 0})
    vertex = msgspec.msgpack.decode(old, type=Vertex)
    assert vertex.edge_kind == "hyperlink"
    mention = Vertex(index=1, page_id=3, url="u", title="t", parent=0, edge_kind="mention")
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(mention), type=Vertex).edge_kind == "mention"
    link = msgspec.msgpack.decode(msgspec.msgpack.encode([4, "Nepal"]), type=OutLink)
    assert (link.kind, link.offset) == ("hyperlink", -1)
