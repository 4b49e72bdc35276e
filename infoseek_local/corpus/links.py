"""Outgoing links (canonical target URL + anchor text) of an HTML page, by a tokenising scan.

resiliparse 2.0.1 builds a Python wrapper per DOM element and indexes its element collections in linear time
per item, so walking 170 `<a>` elements of a 34 KB page costs ~300 ms (measured in tools/bench_ingest.py).
This scan finds the same links in ~0.2 ms: hidden regions (comments, script, style, template, textarea, title)
are blanked first, then each `<a ...href...>` runs to its `</a>` or to the next `<a>` (as browsers close it),
and anchor text is the text between, tags dropped and entities decoded. tests/test_index_links.py checks it
against resiliparse's DOM on real pages.

Links inside <nav>, <header>, <footer> and <aside> elements are site boilerplate, not research links:
`extract_research_links` leaves them out and counts them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from html import unescape

from ..records import RawLink
from .urls import canonical_url

MAX_ANCHOR_CHARS = 200
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|textarea|title)\b.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_ANCHOR_TAG = re.compile(r"<a(?:\s[^>]*)?>|</a\s*>", re.IGNORECASE)
_HREF = re.compile(r"""(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_BASE_TAG = re.compile(r"<base\s[^>]*>", re.IGNORECASE)
_BOILERPLATE_TAG = re.compile(r"<(/?)(nav|header|footer|aside)\b[^>]*>", re.IGNORECASE)


def _href_of(tag: str) -> str | None:
    match = _HREF.search(tag, 2)
    if match is None:
        return None
    return next(group for group in match.groups() if group is not None)


def extract_links(html: str, page_url: str) -> tuple[list[RawLink], int]:
    """(links in document order, number of hrefs that are not web URLs) of `html` served at `page_url`."""
    links, bad, _ = _scan_links(html, page_url, skip_boilerplate=False)
    return links, bad


def extract_research_links(html: str, page_url: str) -> tuple[list[RawLink], int, int]:
    """Like `extract_links`, without the links inside nav/header/footer/aside elements:
    (links, hrefs that are not web URLs, boilerplate links left out)."""
    return _scan_links(html, page_url, skip_boilerplate=True)


def _boilerplate_regions(html: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the outermost nav/header/footer/aside elements (an unclosed one runs
    to the end of the page)."""
    regions: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for tag in _BOILERPLATE_TAG.finditer(html):
        if not tag.group(1):
            if depth == 0:
                start = tag.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                regions.append((start, tag.end()))
    if depth > 0:
        regions.append((start, len(html)))
    return regions


def _scan_links(html: str, page_url: str, *, skip_boilerplate: bool) -> tuple[list[RawLink], int, int]:
    html = _HIDDEN.sub(" ", html)
    base = page_url
    base_tag = _BASE_TAG.search(html)
    if base_tag is not None:
        base_href = _href_of(base_tag.group())
        if base_href is not None:
            base = canonical_url(unescape(base_href), page_url) or page_url
    # first the spans (href, text start, text end), then the per-link work with a per-page cache of targets
    spans: list[tuple[str, int, int]] = []
    open_href: str | None = None
    text_start = 0
    for token in _ANCHOR_TAG.finditer(html):
        if open_href is not None:  # a closing tag, or a new <a> that implicitly closes the open one
            spans.append((open_href, text_start, token.start()))
            open_href = None
        tag = token.group()
        if tag[1] != "/":
            open_href = _href_of(tag)
            text_start = token.end()
    if open_href is not None:
        spans.append((open_href, text_start, len(html)))

    boilerplate = 0
    if skip_boilerplate and spans:
        regions = _boilerplate_regions(html)
        if regions:
            kept = [span for span in spans if not _inside(span[1], regions)]
            boilerplate, spans = len(spans) - len(kept), kept

    links: list[RawLink] = []
    bad = 0
    targets: dict[str, str | None] = {}
    for href, start, end in spans:
        if href in targets:
            target = targets[href]
        else:
            target = targets[href] = canonical_url(unescape(href) if "&" in href else href, base)
        if target is None:
            bad += 1
            continue
        text = html[start:end]
        if "<" in text:
            text = _TAG.sub("", text)
        if "&" in text:
            text = unescape(text)
        links.append(RawLink(target, " ".join(text.split())[:MAX_ANCHOR_CHARS]))  # like DOM textContent
    return links, bad, boilerplate


def _inside(position: int, regions: list[tuple[int, int]]) -> bool:
    index = bisect_right(regions, (position, 1 << 62)) - 1  # the last region starting at or before it
    return index >= 0 and regions[index][0] <= position < regions[index][1]
