"""URL canonicalisation: one spelling per page, so links and page URLs meet in one key space.

WHATWG parsing (ada-url) lower-cases scheme and host, drops default ports, resolves dot segments and
percent-encodes what needs it. On top of that we drop the fragment (same document), an empty query, and
anything that is not http(s). `canonical_url(canonical_url(u)) == canonical_url(u)` holds (property-tested).
"""

from __future__ import annotations

import ada_url

MAX_URL_CHARS = 4096
_WEB_SCHEMES = ("http:", "https:")
# characters a URL can never carry raw; their presence means garbage (e.g. an unescaped snippet of markup)
_FORBIDDEN = frozenset('\x00<>"`')


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The canonical absolute form of `url` (resolved against `base`), or None when it is not a web URL."""
    url = url.strip(" \t\r\n\f<>")  # wget writes <uri>; attributes carry stray whitespace
    if not url or len(url) > MAX_URL_CHARS or any(c in _FORBIDDEN for c in url):
        return None
    try:
        href = ada_url.join_url(base, url) if base else ada_url.URL(url).href
        parsed = ada_url.URL(href)
    except ValueError:
        return None
    if parsed.protocol not in _WEB_SCHEMES or not parsed.hostname:
        return None
    if parsed.hash:
        parsed.hash = ""
    if parsed.search == "?" or href.endswith("?"):
        parsed.search = ""
    result = parsed.href
    if result.endswith("#"):
        result = result[:-1]
    if result.endswith("?"):
        result = result[:-1]
    return result


def surt_key(url: str) -> str:
    """Sort-friendly SURT form of a canonical URL (host labels reversed): `com,example)/path?q`."""
    parsed = ada_url.URL(url)
    host = parsed.hostname.removeprefix("www.")
    labels = host.split(".") if not host.startswith("[") else [host]
    port = f":{parsed.port}" if parsed.port else ""
    return f"{','.join(reversed(labels))}{port}){parsed.pathname}{parsed.search}"
