"""Compass directions in clues: "eastern" is stated by "to the east", and, as readers take it, by "to the
southeast". Rival pages phrase a border as the page a clue came from did ("Somalia to the east"), not as the
clue's one-way rewrite ("has a country on its eastern border"), so a word-prefix match missed them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .words import term_coverage

_COMPASS = re.compile(r"^(north|south)?(east|west)?(?:ern|erly)?$")


def _compass(word: str) -> frozenset[str] | None:
    """The compass points a direction word names ("southeastern" -> south, east); None for other words."""
    found = _COMPASS.match(word.lower())
    if found is None or not (found[1] or found[2]):
        return None
    return frozenset(p for p in (found[1], found[2]) if p)


def _compatible(said: frozenset[str], stated: frozenset[str]) -> bool:
    """ "eastern" fits "to the east", and a page's "to the southeast" fits a clue's "east" (and the reverse):
    readers take a neighbour to the southeast as one to the east, so a page saying so is another that fits."""
    return said == stated or (len(said) == 1 and said < stated) or (len(stated) == 1 and stated < said)


def share_stated(terms: Sequence[str], text: str) -> float:
    """`term_coverage`, with a direction word found wherever the text names a compatible direction."""
    directions = [(t, _compass(t)) for t in terms]
    if not any(points for _, points in directions):
        return term_coverage(list(terms), text)
    stated = [p for w in re.findall(r"[a-z]+", text.lower()) if (p := _compass(w)) is not None]
    found = sum(
        any(_compatible(points, s) for s in stated) if points else term_coverage([term], text) == 1
        for term, points in directions
    )
    return found / len(directions)
