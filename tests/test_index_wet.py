"""Common Crawl WET files (plain-text `conversion` records): indexed by record type, with mention links as
their only links and titles from the first line or the URL. The fixture is made from the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType

from infoseek_local.corpus.html import extract_html
from infoseek_local.corpus.warc_writer import WarcPage, write_warc
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index

PAGES = 60


@pytest.fixture(scope="module")
def wet_pages(sample_warc) -> list[tuple[str, str, str]]:
    """(url, title, text) of the first pages of the bundled sample."""
    pages = []
    with open(sample_warc, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response, auto_decode="all"):
            url = record.headers.get("WARC-Target-URI")
            content = extract_html(record.reader.read(), url, "utf-8")
            pages.append((url, content.title, content.text))
            if len(pages) == PAGES:
                break
    return pages


def write_wet(path: Path, records: list[tuple[str, str]]) -> Path:
    return write_warc(
        path,
        [
            WarcPage(url, text.encode(), content_type="text/plain", record_type="conversion")
            for url, text in records
        ],
    )


def test_a_wet_file_is_indexed_by_record_type_with_mention_links_only(tmp_path, wet_pages):
    wet = write_wet(
        tmp_path / "segment.warc.gz", [(url, text) for url, _, text in wet_pages]
    )  # not named .wet
    manifest = build_index([str(wet)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["text_records"] == PAGES
    with Index.open(tmp_path / "ix") as index:
        assert index.n_pages == PAGES
        assert index.n_links == 0
        assert index.n_mention_links > PAGES  # the sample's pages name each other
        assert [page.title for page in index.iter_pages()] == [title for _, title, _ in wet_pages]
        first = index.page(0)
        assert first.text == wet_pages[0][2]
        for page in index.iter_pages():
            for link in index.out_links(page.id, ("mention",)):
                assert page.text[link.offset :].startswith(link.anchor)
        assert index.search("capital of Yemen", 3)[0].title == "Aden"


def test_wet_titles_come_from_the_url_when_the_first_line_is_a_sentence(tmp_path):
    write_wet(
        tmp_path / "x.wet.gz",
        [
            ("https://a.test/wiki/Mount_Kenya", "Mount Kenya is the highest mountain in Kenya.\nIt is old."),
            ("https://a.test/kenya", "Kenya\nKenya is a country in East Africa, home of Mount Kenya."),
        ],
    )
    build_index([str(tmp_path)], tmp_path / "ix", workers=1)  # a folder: .wet.gz files are found
    with Index.open(tmp_path / "ix") as index:
        assert [page.title for page in index.iter_pages()] == ["Mount Kenya", "Kenya"]
        kenya = index.out_links(1, ("mention",))
        assert [(link.target, link.anchor) for link in kenya] == [(0, "Mount Kenya")]


def test_wet_and_warc_pages_link_each_other_in_one_index(tmp_path, wet_pages, sample_warc):
    """A WET record of a page the WARC also holds is a duplicate URL: the WARC's copy (first added) wins."""
    wet = write_wet(tmp_path / "seg.warc.wet.gz", [(url, text) for url, _, text in wet_pages[:5]])
    manifest = build_index([str(sample_warc), str(wet)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == 400
    assert manifest["skipped"]["duplicate_url"] == 5
