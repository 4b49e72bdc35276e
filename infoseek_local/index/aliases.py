"""Which names of a page are accepted answers: its own names, and link anchors only when many sites agree.

An answer alias counts as a correct answer in rewards and verify, so it must be a name of the entity, not
whatever another page wrote in a link: anchors are evidence, not names. Accepted are the page's own names
(title, title without a parenthetical, names its opening gives itself: "officially X", "also known as Y"; the
caller supplies them) and an in-link anchor text only when pages on at least `MIN_ANCHOR_SITES` different
hosts use it, and it is short and shaped like a name. Nothing instruction-like is accepted from any source.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from ..text.instructions import looks_like_instruction

MIN_ANCHOR_SITES = 3
MAX_ALIAS_WORDS = 6
MAX_ALIAS_CHARS = 60
MAX_IN_LINKS_READ = 200  # a long-tail answer has few; a hub's first ones say enough
# lower-case words a name may hold ("Republic of the Congo", "Leonardo da Vinci")
_NAME_CONNECTORS = frozenset(
    str.split(
        "of the and de la le les du des da di del della van von der den y e en al el bin ibn upon on in for a"
    )
)


def is_usable_alias(name: str) -> bool:
    """Short enough to be a name and not instruction-like: the test every accepted alias passes."""
    words = name.split()
    return (
        1 <= len(words) <= MAX_ALIAS_WORDS
        and len(name) <= MAX_ALIAS_CHARS
        and not looks_like_instruction(name)
    )


def usable_aliases(aliases: Iterable[str]) -> list[str]:
    """The aliases of a question that may count as correct answers (records made before this policy may hold
    anchor texts of any kind)."""
    return [alias for alias in aliases if is_usable_alias(alias)]


def looks_like_a_name(text: str) -> bool:
    """Capitalised words (or figures), with only the lower-case connectors names use."""
    words = text.split()
    if not words or not (words[0][:1].isupper() or words[0][:1].isdigit()):
        return False
    return all(w[:1].isupper() or not w[:1].isalpha() or w.lower() in _NAME_CONNECTORS for w in words)


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def agreed_anchors(index: Any, page_id: int, *, min_sites: int = MIN_ANCHOR_SITES) -> list[str]:
    """In-link anchor texts of `page_id` that pages on `min_sites` or more hosts use and that look like names."""
    sites: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for link in index.in_links(page_id)[:MAX_IN_LINKS_READ]:
        anchor = " ".join(link.anchor.split())
        if not (is_usable_alias(anchor) and looks_like_a_name(anchor)):
            continue
        key = anchor.lower()
        spelling.setdefault(key, anchor)
        sites.setdefault(key, set()).add(_site(index.page(link.target).url))
    return [spelling[key] for key, hosts in sites.items() if len(hosts) >= min_sites]


def accepted_aliases(index: Any, page_id: int, own_names: Sequence[str], *, exclude: str = "") -> list[str]:
    """The page's own names and its agreed anchors, usable ones only, first spelling of each, `exclude` (the
    answer itself) left out."""
    seen: dict[str, str] = {exclude.lower(): exclude} if exclude else {}
    for name in [*own_names, *agreed_anchors(index, page_id)]:
        name = " ".join(name.split())
        if name and is_usable_alias(name):
            seen.setdefault(name.lower(), name)
    return [name for key, name in seen.items() if not (exclude and key == exclude.lower())]
