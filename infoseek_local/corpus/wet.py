"""A Common Crawl WET `conversion` record (a page's plain text, no HTML, no links) → title and text.

WET text has no <title>: the title is the first line when it reads like one (short, not a sentence), else the
last path segment of the URL ("/wiki/Mount_Everest" → "Mount Everest"), else the host.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from .html import MAX_TITLE_CHARS, HtmlContent, decode_html

MAX_TITLE_LINE_CHARS = 120


def extract_text_record(body: bytes, url: str, charset: str | None) -> HtmlContent:
    text, replaced = decode_html(body, charset or "utf-8")
    text = "\n".join(line.strip() for line in text.strip().splitlines())
    return HtmlContent(title_of(text, url), text, [], "", 0, replaced)


def title_of(text: str, url: str) -> str:
    first_line = " ".join(text.split("\n", 1)[0].split())
    if 0 < len(first_line) <= MAX_TITLE_LINE_CHARS and not first_line.endswith((".", "!", "?", ":", ",")):
        return first_line
    parts = urlsplit(url)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1])
    segment = segment.rsplit(".", 1)[0] if segment.endswith((".html", ".htm", ".php")) else segment
    words = " ".join(segment.replace("_", " ").replace("-", " ").split())
    return (words or parts.hostname or "")[:MAX_TITLE_CHARS]
