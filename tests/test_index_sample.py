"""The bundled sample, built once: counts, the read API and the CLI commands over it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.index.reader import Index


@pytest.fixture(scope="module")
def index(sample_index):
    with Index.open(sample_index) as opened:
        yield opened


def test_sample_counts(index):
    assert index.n_pages == 400
    assert index.n_links == 3371
    assert index.manifest["counts"]["pages"] == 400
    assert index.manifest["skipped"] == {"record_warcinfo": 1}
    source = index.manifest["sources"][0]
    assert source["size"] > 0 and len(source["sha256"]) == 64


def test_search_ranks_the_page_about_the_query_first(index):
    hits = index.search("Achaemenid Empire Cyrus the Great", 5)
    assert hits[0].title == "Achaemenid Empire"
    assert hits[0].url == "https://en.wikipedia.org/wiki/Achaemenid_Empire"
    assert hits[0].score >= hits[-1].score
    assert "Cyrus" in hits[0].snippet
    assert index.page(hits[0].page_id).title == "Achaemenid Empire"


def test_search_without_terms_and_with_operators(index):
    assert index.search("", 10) == []
    assert index.search("  ?! ", 10) == []
    assert (
        index.search('title:"Rome AND (', 3)[0].title == "Rome"
    )  # syntax is searched as words, never parsed


def test_search_many_equals_search(index):
    queries = ["Yemen port", "Roman Empire", ""]
    assert index.search_many(queries, 4) == [index.search(q, 4) for q in queries]


def test_page_by_url_canonicalises(index):
    page = index.page_by_url("HTTPS://EN.wikipedia.org:443/wiki/Aden#History")
    assert page is not None and page.title == "Aden"
    assert index.page_by_url("https://en.wikipedia.org/wiki/Not_In_Corpus") is None
    assert index.page_by_url("javascript:alert(1)") is None


def test_links_and_degrees_agree(index):
    aden = index.page_by_url("https://en.wikipedia.org/wiki/Aden")
    gulf = index.page_by_url("https://en.wikipedia.org/wiki/Gulf_of_Aden")
    assert any(link.target == aden.id and link.anchor == "Aden" for link in index.out_links(gulf.id))
    assert any(link.target == gulf.id and link.anchor == "Aden" for link in index.in_links(aden.id))
    assert index.out_links(aden.id) == aden.out_links
    total_in = sum(index.in_degree(i) for i in range(index.n_pages))
    total_out = sum(len(index.out_links(i)) for i in range(index.n_pages))
    assert total_in == total_out == 3371
    assert all(link.target != aden.id for link in index.out_links(aden.id))  # no self-links


def test_iter_pages_gives_dense_ids_in_order(index):
    pages = list(index.iter_pages())
    assert [p.id for p in pages] == list(range(400))
    assert pages[17] == index.page(17)
    assert all(p.text and p.title for p in pages)
    with pytest.raises(IndexError):
        index.page(400)


def test_cli_search_info_page(sample_index):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["search", "--index", str(sample_index), "capital of Yemen", "-k", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.output.splitlines()]
    assert len(hits) == 3 and hits[0]["title"] == "Yemen"

    result = runner.invoke(cli, ["info", "--index", str(sample_index), "--json"])
    info = json.loads(result.output)
    assert (info["pages"], info["links"]) == (400, 3371)
    assert info["mean_out_degree"] == pytest.approx(8.428)
    assert info["skipped"] == {"record_warcinfo": 1}

    result = runner.invoke(cli, ["page", "--index", str(sample_index), "https://en.wikipedia.org/wiki/Aden"])
    assert result.exit_code == 0
    assert result.output.startswith("#1 Aden\nhttps://en.wikipedia.org/wiki/Aden\n")
    assert '<- #142 Gulf of Aden  [hyperlink] "Aden"' in result.output
    assert '-> #229 Middle East  [mention] "Middle East" at char 506' in result.output
    assert '[mention] "Aden"' not in result.output  # "The Aden Ridge" names a ridge, not Aden


def test_cli_page_errors_are_one_line(sample_index, capsys):
    from infoseek_local.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["page", "--index", str(sample_index), "400"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"error: page id 400 out of range: {sample_index} holds ids 0..399\n"
    with pytest.raises(SystemExit):
        main(["page", "--index", str(sample_index), "https://example.org/"])
    err = capsys.readouterr().err
    assert (
        err
        == f"error: https://example.org/: no such page in {sample_index} (URLs are compared canonicalised)\n"
    )


def test_one_index_shared_by_threads(index):
    from concurrent.futures import ThreadPoolExecutor

    ids = list(range(0, 400, 3))
    queries = [index.page(i).title for i in ids[:40]]
    serial_pages = [index.page(i).url for i in ids]
    serial_hits = index.search_many(queries, 3)
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda i: index.page(i).url, ids)) == serial_pages
        assert list(pool.map(lambda q: index.search(q, 3), queries)) == serial_hits
