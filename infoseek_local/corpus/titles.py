"""Page titles without the site's name: "Romeo and Juliet - Wikipedia" on en.wikipedia.org → "Romeo and Juliet".

A <title> often carries the site's name after (or before) a separator, and a title is what an answer and a
search hit are named by. The part is cut only when it names the site itself: one of the host's labels
("Wikipedia" for en.wikipedia.org, "Stack Overflow" for stackoverflow.com), optionally followed by "Wiki", or the
name the page declares in og:site_name. A title whose parts are all real ("Crosby, Stills, Nash & Young",
"AC/DC - Back in Black" on another site) stays whole, nothing is cut down to an empty title, and a site's
front page keeps its title.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

# the separators mention links (index/mentions.py) also read a title's site suffix by
TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ")
_MIN_SITE_KEY_CHARS = 3  # "en", "co", "uk" name no site
_NOT_SITE_NAMES = frozenset({"www", "com", "org", "net", "edu", "gov"})  # "com" of "bbc.com.au"
_MAX_CUTS = 3  # "Saga Fjell | Fictopedia Wiki | Fandom" on fictopedia.fandom.com takes two


def title_key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "Stack Overflow" and "stackoverflow" agree."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).lower()


def site_keys(url: str, declared_name: str = "") -> frozenset[str]:
    """The `title_key`s that name the site of `url`: its host's labels less the top-level domain and generic
    ones, and the page's declared site name."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    labels = host.split(".")[:-1]  # the top-level domain names no site
    keys = {title_key(label) for label in labels}
    keys.add(title_key(declared_name))
    return frozenset(k for k in keys if len(k) >= _MIN_SITE_KEY_CHARS and k not in _NOT_SITE_NAMES)


def may_carry_site_name(title: str, url: str) -> bool:
    """Whether to look for the site's name in `title` (only then is the page's declared site name worth
    reading): it has a separator, and the page is not the site's front page, which is named by its site
    ("Stack Overflow - Where Developers Learn" stays whole)."""
    if not any(separator in title for separator in TITLE_SEPARATORS):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.path.strip("/") != "" or parts.query != ""


def strip_site_name(title: str, keys: frozenset[str]) -> str:
    """`title` less a leading or trailing part that names the site (see the module docstring)."""
    for _ in range(_MAX_CUTS):
        cut = _cut_once(title, keys)
        if cut == title:
            break
        title = cut
    return title


def _cut_once(title: str, keys: frozenset[str]) -> str:
    for separator in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        # "Wikipedia, the free encyclopedia": a trailing site name may carry a tagline after a comma
        if found and _names_site(tail.split(",", 1)[0], keys) and title_key(head):
            return head.strip()
        head, found, tail = title.partition(separator)
        if found and _names_site(head, keys) and title_key(tail):
            return tail.strip()
    return title


def _names_site(part: str, keys: frozenset[str]) -> bool:
    key = title_key(part)
    return key in keys or (key.endswith("wiki") and key.removesuffix("wiki") in keys)
