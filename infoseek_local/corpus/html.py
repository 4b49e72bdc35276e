"""HTML → title, main text (resiliparse) and outgoing links (corpus/links.py), with charset detection.

Pages are untrusted: any bytes in any charset must come out as a sane str (invalid sequences replaced and
counted), and links with garbage URLs are dropped (counted) rather than failing the page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from ..records import RawLink
from .links import extract_research_links
from .titles import may_carry_site_name, site_keys, strip_site_name

MAX_TITLE_CHARS = 500
# the <html lang> attribute; a regex on the first bytes, as a DOM query costs more than the whole link scan
_HTML_LANG = re.compile(r"""<html\b[^>]*?\slang\s*=\s*["']?([A-Za-z0-9-]+)""", re.IGNORECASE)


@dataclass(slots=True)
class HtmlContent:
    title: str
    text: str
    links: list[RawLink]
    lang: str
    bad_links: int
    replaced_chars: int
    boilerplate_links: int = 0  # links inside nav/header/footer/aside, left out


def decode_html(body: bytes, charset: str | None) -> tuple[str, int]:
    """Decode with the declared charset if it works, else a detected one; returns (text, replaced chars)."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding

    encoding = (charset or "").strip().lower() or detect_encoding(body)
    try:
        text = bytes_to_str(body, encoding, errors="replace")
    except (LookupError, UnicodeError, TypeError):
        text = body.decode("utf-8", errors="replace")
    return text, text.count("\ufffd")


def extract_html(body: bytes, url: str, charset: str | None) -> HtmlContent:
    """Title, main-content text and the <a href> links (canonical absolute URL + anchor text) of a page, less
    those inside nav/header/footer/aside elements (counted as boilerplate)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    html, replaced = decode_html(body, charset)
    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, main_content=True, alt_texts=False, list_bullets=False)
    if not text.strip():  # the main-content heuristic can drop everything on very short pages
        text = extract_plain_text(tree, main_content=False, alt_texts=False, list_bullets=False)
    title = " ".join((tree.title or "").split())[:MAX_TITLE_CHARS]
    if may_carry_site_name(title, url):
        title = strip_site_name(title, site_keys(url, _declared_site_name(tree)))
    lang_match = _HTML_LANG.search(html, 0, 4096)
    lang = lang_match.group(1)[:16] if lang_match is not None else ""
    if not title and tree.body is not None:
        heading = tree.body.query_selector("h1")
        title = " ".join(heading.text.split())[:MAX_TITLE_CHARS] if heading is not None else ""
    links, bad, boilerplate = extract_research_links(html, url)
    return HtmlContent(title, text.strip(), links, lang, bad, replaced, boilerplate)


def _declared_site_name(tree: Any) -> str:
    head = tree.head
    meta = head.query_selector('meta[property="og:site_name"]') if head is not None else None
    return (meta.getattr("content") or "")[:MAX_TITLE_CHARS] if meta is not None else ""


def text_hash(text: str) -> str:
    """Key for exact-duplicate detection: whitespace- and case-insensitive."""
    normalised = " ".join(text.lower().split())
    return hashlib.blake2b(normalised.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
