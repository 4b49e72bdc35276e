"""URL canonicalisation: one spelling per page, so links and page URLs meet in one key space.

WHATWG parsing (ada-url) lower-cases scheme and host, drops default ports, resolves dot segments and
percent-encodes what needs it. On top of that we drop the fragment (same document), an empty query, and
anything that is not http(s). `canonical_url(canonical_url(u)) == canonical_url(u)` holds (property-tested).

Most links on real pages are already canonical absolute URLs or root-relative paths; those take a regex fast
path that is property-tested to give exactly what the WHATWG parser gives (a page has ~170 links, and the
parser call costs ~10 µs each through the binding).
"""

from __future__ import annotations

import re

import ada_url

MAX_URL_CHARS = 4096
# characters a URL can never carry raw; their presence means garbage (e.g. an unescaped snippet of markup)
_FORBIDDEN = re.compile(r'[\x00<>"`]')
# strings the WHATWG parser would return unchanged: lower-case http(s), plain host, no port, a path without
# dot segments or characters it would escape, an optional non-empty query without ' (escaped in queries)
_PATH = r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*"
_QUERY = r"(?:\?[A-Za-z0-9._~!$&()*+,;=:@%/?-]+)?"
_CANONICAL_ABSOLUTE = re.compile(rf"https?://(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*{_PATH}{_QUERY}")
_CANONICAL_ROOTED = re.compile(rf"(?!//){_PATH}{_QUERY}")
_DOT_SEGMENT = re.compile(r"/(?:\.|%2e)", re.IGNORECASE)
_ORIGIN = re.compile(r"https?://[^/]+")


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical absolute form of `url` (resolved against canonical `base`), or None if not a web URL."""
    stripped = url.strip(" \t\r\n\f<>").partition("#")[0]  # wget writes <uri>; '#' always starts the fragment
    if stripped and len(stripped) <= MAX_URL_CHARS and not _FORBIDDEN.search(stripped):
        fast = _fast_path(stripped, base)
        if fast is not None:
            return fast
    return slow_canonical_url(url, base)


def _fast_path(url: str, base: str | None) -> str | None:
    if _DOT_SEGMENT.search(url):
        return None
    if _CANONICAL_ABSOLUTE.fullmatch(url):
        return url
    if base is not None and _CANONICAL_ROOTED.fullmatch(url):
        origin = _ORIGIN.match(base)
        if origin is not None and _CANONICAL_ABSOLUTE.fullmatch(origin.group() + "/"):
            return origin.group() + url
    return None


def slow_canonical_url(url: str, base: str | None = None) -> str | None:
    """`canonical_url` without the fast path (the reference the fast path is tested against)."""
    url = url.strip(" \t\r\n\f<>").partition("#")[0]
    if not url or len(url) > MAX_URL_CHARS or _FORBIDDEN.search(url):
        return None
    try:
        href = ada_url.join_url(base, url) if base else ada_url.URL(url).href
    except ValueError:
        return None
    if not href.startswith(("http://", "https://")):
        return None
    return href[:-1] if href.find("?") == len(href) - 1 else href  # only an empty query goes


def surt_key(url: str) -> str:
    """Sort-friendly SURT form of a canonical URL (host labels reversed): `com,example)/path?q`."""
    parsed = ada_url.URL(url)
    host = parsed.hostname.removeprefix("www.")
    labels = host.split(".") if not host.startswith("[") else [host]
    port = f":{parsed.port}" if parsed.port else ""
    return f"{','.join(reversed(labels))}{port}){parsed.pathname}{parsed.search}"
