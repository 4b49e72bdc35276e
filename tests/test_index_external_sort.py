"""The merge's external sort (keys spooled to disk, sorted bucket by bucket) gives the index an in-memory sort
gives: run with buckets of a few keys, so every bucket path is taken on a small corpus."""

from __future__ import annotations

from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.index import graph as graph_module
from infoseek_local.index import mentions as mentions_module
from infoseek_local.index import spool as spool_module
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index

BOTH = ("hyperlink", "mention")


def snapshot(path) -> tuple:
    with Index.open(path) as index:
        pages = [(p.id, p.url, p.title) for p in index.iter_pages()]
        links = [
            [(link.target, link.anchor, link.kind, link.offset) for link in index.out_links(p[0], BOTH)]
            for p in pages
        ]
        in_links = [[link.target for link in index.in_links(p[0], BOTH)] for p in pages]
        return pages, links, in_links, index.manifest["counts"], index.manifest["skipped"]


def test_tiny_sort_buckets_give_the_same_index(tmp_path, sample_warc, sample_index, monkeypatch):
    # duplicates by URL and by text, so first-wins is exercised across buckets
    extra = write_warc(
        tmp_path / "dups.warc.gz",
        [
            WarcPage("https://en.wikipedia.org/wiki/Aden", html_page("Aden again", ["Another text."])),
            WarcPage("http://copy.test/x", html_page("Copy", ["Same text."])),
            WarcPage("http://copy.test/y", html_page("Copy", ["Same text."])),
        ],
    )
    normal = tmp_path / "normal"
    build_index([str(sample_warc), str(extra)], normal, workers=1)
    monkeypatch.setattr(spool_module, "BUCKET_KEYS", 7)
    monkeypatch.setattr(spool_module, "BLOCK", 5)
    monkeypatch.setattr(graph_module, "EDGE_BLOCK", 7)
    monkeypatch.setattr(mentions_module, "BLOCK_PAIRS", 5)
    tiny = tmp_path / "tiny"
    build_index([str(sample_warc), str(extra)], tiny, workers=1)
    expected, got = snapshot(normal), snapshot(tiny)
    assert got == expected
    assert got[4]["duplicate_url"] == 1 and got[4]["duplicate_text"] == 1
    assert len(got[0]) == 401
    assert snapshot(sample_index)[1] == got[1][:400]  # the extra pages add no link to the sample's pages
