"""Every vendored odd WARC/ARC file from public test suites, through `index`: pages kept and skips by reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoseek_local.errors import InputError
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index

WARCS = Path(__file__).parent / "warcs"

# file -> (pages, skipped by reason, reader that produced the records)
EXPECTED = {
    "resiliparse__clipped.warc.gz": (1, {"truncated_file": 1}, "fastwarc"),
    "resiliparse__clueweb-quirk.warc.gz": (29, {"record_warcinfo": 1}, "fastwarc"),
    "warcio__example-bad-non-chunked.warc.gz": (
        1,
        {"record_request": 2, "record_revisit": 1, "record_warcinfo": 2},
        "fastwarc",
    ),
    "warcio__example-bad.warc.gz.bad": (
        1,
        {"http_status_not_200": 1, "record_request": 2, "record_revisit": 1, "record_warcinfo": 1},
        "fastwarc",
    ),
    "warcio__example-iana.org-chunked.warc": (1, {"record_request": 1, "record_warcinfo": 1}, "fastwarc"),
    "warcio__example-resource.warc.gz": (1, {"record_warcinfo": 2}, "fastwarc"),
    "warcio__example-space-in-url.arc": (1, {"record_warcinfo": 1}, "warcio"),
    "warcio__example-trunc.warc": (1, {"record_request": 1, "record_warcinfo": 2}, "fastwarc+warcio"),
    "warcio__example-wget-bad-target-uri.warc.gz": (
        1,
        {"not_html": 2, "record_metadata": 1, "record_request": 1, "record_warcinfo": 1},
        "fastwarc",
    ),
    "warcio__example-wrong-chunks.warc.gz": (1, {"record_request": 1}, "fastwarc"),
    "warcio__example.arc": (1, {"record_warcinfo": 1}, "warcio"),
    "warcio__example.arc.gz": (1, {"record_warcinfo": 1}, "warcio"),
    "warcio__example.warc": (1, {"record_request": 2, "record_revisit": 1, "record_warcinfo": 2}, "fastwarc"),
    "warcio__example.warc.gz": (
        1,
        {"record_request": 2, "record_revisit": 1, "record_warcinfo": 2},
        "fastwarc",
    ),
}

NO_PAGES = {
    "warcio__bad.arc": "{'record_warcinfo': 1, 'no_http_headers': 2, 'http_status_not_200': 1}",
    "warcio__example-digest.warc": "{'record_request': 4}",
    "warcio__example-space-in-target-uri.warc.gz": "{'record_warcinfo': 1, 'not_html': 1}",
    "warcio__post-test.warc.gz": "{'not_html': 3, 'record_request': 3}",
}


def test_every_vendored_file_is_covered():
    vendored = {p.name for p in WARCS.iterdir() if p.name != "README.md"}
    assert vendored == set(EXPECTED) | set(NO_PAGES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_odd_file_indexes(name, tmp_path):
    pages, skipped, reader = EXPECTED[name]
    manifest = build_index([str(WARCS / name)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == pages
    assert manifest["skipped"] == skipped
    assert manifest["sources"][0]["reader"] == reader
    with Index.open(tmp_path / "ix") as index:
        assert all(page.text for page in index.iter_pages())


@pytest.mark.parametrize("name", sorted(NO_PAGES))
def test_file_without_html_pages_is_a_clear_error(name, tmp_path):
    with pytest.raises(InputError) as error:
        build_index([str(WARCS / name)], tmp_path / "ix", workers=1)
    assert str(error.value) == f"no HTML page with text in 1 input file(s) (skipped: {NO_PAGES[name]})"


def test_clueweb_lf_only_headers_and_euc_jp_are_decoded(tmp_path):
    build_index([str(WARCS / "resiliparse__clueweb-quirk.warc.gz")], tmp_path / "ix", workers=1)
    with Index.open(tmp_path / "ix") as index:
        first = index.page(0)
        assert first.url == "http://www.uraharajuku.st/shopdetail/001005000005/019/000/order/"
        assert first.title.startswith("ブラウニー ブリーフケース")
        assert "\ufffd" not in first.text
        assert index.search("HEADPORTER", 3)


def test_whole_folder_dedups_urls_across_files(tmp_path):
    manifest = build_index([str(WARCS)], tmp_path / "ix", workers=1)
    # every warcio example page is http://example.com/ (or a variant): one page survives per canonical URL
    with Index.open(tmp_path / "ix") as index:
        urls = [page.url for page in index.iter_pages()]
    assert len(urls) == len(set(urls)) == manifest["counts"]["pages"]
    assert manifest["skipped"]["duplicate_url"] >= 8
    assert len(manifest["sources"]) == 17  # the folder search skips the .warc.gz.bad file
