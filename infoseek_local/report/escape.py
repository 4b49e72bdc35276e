"""Page text is written by strangers: every string goes through `esc`, every link through `safe_href`."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# C0 controls (but tab and newline), DEL and C1 controls: not allowed in HTML text, and they can hide text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def esc(text: object) -> str:
    """`text` as HTML/SVG text or attribute value: markup escaped, quotes escaped, control characters dropped."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis (before escaping, so no entity is cut in half)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def safe_href(url: str) -> str | None:
    """The URL as an escaped href when it is plain http(s); None otherwise (javascript:, data:, garbage)."""
    url = _CONTROL.sub("", url).strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return esc(url) if scheme in ("http", "https") else None
