"""Link extraction: the fast scan must find exactly the links resiliparse's DOM finds, plus edge cases."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from infoseek_local.corpus.html import decode_html, extract_html
from infoseek_local.corpus.links import extract_links
from infoseek_local.corpus.urls import canonical_url
from infoseek_local.records import RawLink

WARCS = Path(__file__).parent / "warcs"


def dom_links(html: str, page_url: str) -> tuple[list[RawLink], int]:
    """The reference: resiliparse DOM traversal of every <a href> (slow on big pages, exact)."""
    from resiliparse.parse.html import HTMLTree, traverse_dom

    tree = HTMLTree.parse(html)
    base = page_url
    if tree.head is not None:
        base_el = tree.head.query_selector("base[href]")
        if base_el is not None:
            base = canonical_url(base_el.getattr("href") or "", page_url) or page_url
    links: list[RawLink] = []
    bad = 0

    def visit(context) -> None:
        nonlocal bad
        node = context.node
        if node.tag == "a" and node.hasattr("href"):
            target = canonical_url(node.getattr("href"), base)
            if target is None:
                bad += 1
            else:
                links.append(RawLink(target, " ".join(node.text.split())[:200]))

    if tree.body is not None:
        traverse_dom(tree.body, visit, elements_only=True)
    return links, bad


def html_records(path: Path, limit: int):
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(path, "rb") as f:
        records = ArchiveIterator(f, record_types=WarcRecordType.response, auto_decode="all")
        for record in itertools.islice(records, limit):
            if record.http_content_type in ("text/html", None):
                html, _ = decode_html(record.reader.read(), record.http_charset)
                yield canonical_url(record.headers.get("WARC-Target-URI")), html


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (Path(__file__).parent.parent / "infoseek_local" / "data" / "vital10k-small.warc.gz", 400),
        (WARCS / "resiliparse__clueweb-quirk.warc.gz", 30),
        (WARCS / "warcio__example-iana.org-chunked.warc", 5),
        (WARCS / "resiliparse__clipped.warc.gz", 5),
    ],
)
def test_scan_equals_dom_on_real_pages(path, limit):
    compared = 0
    for url, html in html_records(path, limit):
        assert extract_links(html, url) == dom_links(html, url), url
        compared += 1
    assert compared > 0


@pytest.mark.parametrize(
    ("html", "expected", "bad"),
    [
        ('<a href="/x">one <b>two</b></a>', [("http://p.test/x", "one two")], 0),
        ("<a href='/y' class=c>A &amp; B</a>", [("http://p.test/y", "A & B")], 0),
        ("<A HREF=/z>up</A>", [("http://p.test/z", "up")], 0),
        ('<a href="/1">one<a href="/2">two</a>', [("http://p.test/1", "one"), ("http://p.test/2", "two")], 0),
        (
            '<!-- <a href="/hidden">h</a> --><script>"<a href=/s>"</script><a href="/v">v</a>',
            [("http://p.test/v", "v")],
            0,
        ),
        ('<a name="top">no href</a><a href="javascript:void(0)">js</a>', [], 1),
        ('<a data-href="/no" href="/yes">y</a>', [("http://p.test/yes", "y")], 0),
        ('<base href="http://other.test/dir/"><a href="rel">r</a>', [("http://other.test/dir/rel", "r")], 0),
        ('<a href="/q?a=1&amp;b=2#frag">q</a>', [("http://p.test/q?a=1&b=2", "q")], 0),
        ('<a href="/unclosed">runs to the end', [("http://p.test/unclosed", "runs to the end")], 0),
    ],
)
def test_scan_cases(html, expected, bad):
    links, bad_count = extract_links(html, "http://p.test/page")
    assert [(link.url, link.anchor) for link in links] == expected
    assert bad_count == bad
    if "<base" not in html:  # resiliparse reads <base> only from <head>; the scan takes the first anywhere
        assert (links, bad_count) == dom_links(html, "http://p.test/page")


def test_extract_html_title_text_lang():
    page = extract_html(
        b'<html lang="de"><head><title> Ein  Titel </title></head><body><p>Text hier.</p></body></html>',
        "http://p.test/",
        None,
    )
    assert (page.title, page.text, page.lang, page.links) == ("Ein Titel", "Text hier.", "de", [])
