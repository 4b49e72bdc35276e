"""`Index.search_plain`: plain BM25 over page bodies (lower-cased, split, stopwords kept, no stemming)."""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

import pytest

from infoseek_local.corpus.warc_writer import WarcPage, write_warc
from infoseek_local.errors import IndexMismatchError
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index


def bare_page(path: str, title: str, body: str, links: tuple[tuple[str, str], ...] = ()) -> WarcPage:
    """A page whose title is only in <title> (no <h1>), so the extracted body does not repeat it."""
    items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
    html = (
        f"<!DOCTYPE html><html lang='en'><head><title>{escape(title)}</title></head>"
        f"<body><main><p>{escape(body)}</p></main><ul>{items}</ul></body></html>"
    )
    return WarcPage("http://plain.test/" + path, html.encode())


PAGES = [
    bare_page("harbour", "Quiet Harbour", "It was the one of the best of them all, and it was there."),
    bare_page("zebras", "Zebras", "Zebras graze on the savanna grass."),
    # its title says "zeppelin" and its in-link's anchor "dock"; its body says neither
    bare_page("hangar", "Zeppelin Hangar", "A large shed for airships near a lake."),
    bare_page("airfield", "Airfield", "Planes land here.", (("/hangar", "airship dock"),)),
]


def build(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    build_index([str(write_warc(folder / "plain.warc.gz", PAGES))], folder / "index", workers=1)
    return folder / "index"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    with Index.open(build(tmp_path_factory.mktemp("plain"))) as opened:
        yield opened  # type: ignore[misc]


def titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.title for hit in hits]


def test_plain_search_finds_a_page_by_its_stopwords(index: Index) -> None:
    hits = index.search_plain("It was the one of the best of them all", k=10)
    assert titles(hits) == ["Quiet Harbour", "Zebras"]  # the Zebras page shares only "the"
    assert hits[0].snippet == "" and hits[0].url == "http://plain.test/harbour"
    assert hits[0].score > hits[1].score > 0
    assert titles(index.search_plain("it was the one", k=1)) == ["Quiet Harbour"]


def test_plain_search_ranks_by_the_body_only(index: Index) -> None:
    assert titles(index.search("zeppelin")) == ["Zeppelin Hangar"]  # by its title
    assert titles(index.search("dock")) == ["Zeppelin Hangar"]  # by the anchor text of its in-link
    assert index.search_plain("zeppelin") == [] and index.search_plain("dock") == []
    assert titles(index.search_plain("airships")) == ["Zeppelin Hangar"]


def test_plain_search_does_not_stem(index: Index) -> None:
    assert titles(index.search("zebra")) == ["Zebras"]
    assert index.search_plain("zebra") == []
    assert titles(index.search_plain("ZEBRAS")) == ["Zebras"]


def test_plain_search_takes_user_text_as_words_not_query_syntax(index: Index) -> None:
    assert index.search_plain("") == [] and index.search_plain("?!, --") == []
    # no field, operator or quote syntax: "AND" is the word "and" (in the harbour page's body)
    assert titles(index.search_plain('title:airships AND "airships')) == ["Zeppelin Hangar", "Quiet Harbour"]
    assert index.search_plain("airships", k=0) == []
    assert [titles(hits) for hits in index.search_plain_many(["airships", "planes", "nothing"], 5)] == [
        ["Zeppelin Hangar"],
        ["Airfield"],
        [],
    ]


def rewrite_without_plain_field(index_dir: Path) -> None:
    """Rewrite the index's tantivy directory with the schema builds used before the `plain` field."""
    import tantivy

    generation = json.loads((index_dir / "manifest.json").read_text())["generation"]
    tantivy_dir = index_dir / generation / "tantivy"
    with Index.open(index_dir) as index:
        pages = list(index.iter_pages())
    shutil.rmtree(tantivy_dir)
    tantivy_dir.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("url", stored=True, tokenizer_name="default")
    builder.add_text_field("url_key", stored=False, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("anchors", stored=False, tokenizer_name="en_stem")
    writer = tantivy.Index(builder.build(), path=str(tantivy_dir)).writer(heap_size=15_000_000, num_threads=1)
    for page in pages:
        doc = tantivy.Document(url=page.url, url_key=page.url, title=page.title, body=page.text, anchors="")
        doc.add_unsigned("id", page.id)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()


def test_an_index_without_the_plain_field_searches_but_refuses_plain_search(tmp_path: Path) -> None:
    path = build(tmp_path)
    rewrite_without_plain_field(path)
    with Index.open(path) as index:
        assert titles(index.search("airships")) == ["Zeppelin Hangar"]
        with pytest.raises(IndexMismatchError) as error:
            index.search_plain("airships")
    assert str(error.value) == (
        f"{path}: built before plain BM25 search existed; rebuild it with "
        "`infoseek-local index WARC... --out NEW_DIR`"
    )
