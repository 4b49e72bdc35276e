"""Other names in a clue: every name a searcher could type or recall becomes what it names.

A clue keeps the wording of its sentence, and the names in that sentence are the keys a reader recalls from
memory or types into a search box ("west of the Pamir Mountains", "breeds from Alaska and Newfoundland"). So
each capitalised name in a clue becomes a kind, the way the tree's own entities do:
- a name the page links to, or that is the title of a page of the index, becomes that page's kind ("a state");
- a name with a geographic head noun and no page becomes that noun ("the Laccadive Sea" -> "a sea");
- other names stay, and are counted, so that the options that keep fewest are preferred.
A clue that would hold two entities of one kind ("borders a country and a country") is dropped: no reader
could tell which one "that country" means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import mask_names
from ..text.patterns import compiled
from ..text.words import VOWEL_SOUND
from .context import SynthContext

_CONNECTOR = r"(?:of|the|de|du|del|da|la|le|von|van|al|upon|on)"
_NAME_SPAN = re.compile(
    r"(?<![\w'’-])(?:[Tt]he\s+)?[A-Z][\w'’.-]*[\w'’]?(?:\s+(?:" + _CONNECTOR + r"\s+){0,2}[A-Z][\w'’-]*)*"
)
_RIVER_FIRST = re.compile(r"(?<![\w'’-])(?:[Tt]he\s+)?[Rr]iver\s+[A-Z][\w'’-]+")
# a name whose last word says what it is, when no page of the index carries it
_HEAD_KINDS = {
    "sea": "a sea",
    "ocean": "an ocean",
    "river": "a river",
    "lake": "a lake",
    "gulf": "a gulf",
    "bay": "a bay",
    "strait": "a strait",
    "straits": "a strait",
    "channel": "a channel",
    "mountains": "a mountain range",
    "mountain": "a mountain",
    "range": "a mountain range",
    "mount": "a mountain",
    "island": "an island",
    "islands": "an archipelago",
    "desert": "a desert",
    "plateau": "a plateau",
    "valley": "a valley",
    "peninsula": "a peninsula",
    "basin": "a basin",
    "canal": "a canal",
    "province": "a province",
    "county": "a county",
    "city": "a city",
    "empire": "an empire",
    "kingdom": "a kingdom",
    "dynasty": "a dynasty",
    "university": "a university",
    "church": "a church",
    "shelf": "an ice shelf",
    "glacier": "a glacier",
    "falls": "a waterfall",
    "region": "a region",
    "belt": "a region",
    "cape": "a cape",
    "isle": "an island",
    "republic": "a republic",
}
_FIRST_HEADS = frozenset(
    {"gulf", "bay", "strait", "straits", "sea", "lake", "mount", "isle", "cape", "university", "kingdom"}
    | {"republic", "empire", "river"}
)
_NOT_NAMES = frozenset({"I", "A", "An", "The"})
# a people or place adjective before a common noun ("the Macedonian general"): dropped, it names a place
_DEMONYM = re.compile(
    r"(?<![\w'’-])(?:[A-Z][a-z]+(?:an|ese|ish|ic|i|ine|eek)|French|Dutch|Swiss|Thai|Welsh|[A-Z][a-z]+-[A-Z][a-z]+)"
    r"\s+(?=[a-z]+\b)"
)
_AFTER_NAME = re.compile(
    r"(?:of|in|on|at|to|by|for|from|with|through|and|or|the|a|an|is|was|are|were|who|which|that|as|had|has)\b"
)
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")


@dataclass(frozen=True)
class Blurred:
    clue: str
    kinds: tuple[str, ...]  # kinds put in place of names
    names_left: int  # capitalised names no kind was found for


def blur_names(ctx: SynthContext, page_id: int, clue: str, taken: tuple[str, ...] = ()) -> Blurred | None:
    """The clue (cut from a sentence of `page_id`) with its other names as kinds; `taken`: kinds the clue
    already uses for entities a question refers back to. None when two names would read as one kind."""
    kinds: list[str] = []
    left = 0
    anchors = {link.anchor.strip().lower(): link.target for link in ctx.out_links(page_id)}
    clue = _RIVER_FIRST.sub("a river", clue)  # "the river Isar"
    for found in _DEMONYM.finditer(clue):
        noun = re.match(r"[a-z]+", clue[found.end() :])
        if noun and ctx.page_named(f"{found.group(0).strip()} {noun.group(0)}") is not None:
            return None  # "Gothic architecture" is a name, not an adjective: dropping "Gothic" leaves a false clue
    clue = _DEMONYM.sub(_drop_demonym, clue)
    # "a French outpost" -> "an outpost", "an Irish nationalist leader" -> "a nationalist leader"
    clue = _A_BEFORE_VOWEL.sub(r"\1an \2", _AN_BEFORE_CONSONANT.sub(r"\1a \2", clue))
    # longest first, then in text order: the same clue gives the same result in every process
    spans = sorted(
        {m.group(0): m.start() for m in _NAME_SPAN.finditer(clue)}.items(), key=lambda s: (-len(s[0]), s[1])
    )
    for span, _ in spans:
        name = re.sub(r"^[Tt]he\s+", "", span).strip(" .")
        if name in _NOT_NAMES or not name or not compiled(r"\b" + re.escape(name)).search(clue):
            continue
        if " " not in name and compiled(r"\b" + re.escape(name.lower()) + r"\b").search(
            ctx.page(page_id).text
        ):
            continue  # a common word capitalised in a title ("served as Law and Justice minister")
        kind = _kind_of(ctx, name, anchors)
        if kind is None:
            left += 1
            continue
        if compiled(r"\b" + re.escape(name) + r"['’]").search(clue):
            return None  # "Dickens's novels" would read "a journalist novels"
        if any(_share_a_word(kind, other) for other in (*taken, *kinds)):
            # two entities of one kind in one clue: "that country" could mean either, and "that sea" either of
            # "a sea inlet and a sea"
            return None
        # "the Nobel Prize" -> "an award": "the award" would point at one the reader was never shown
        masked = re.sub(r"(?<![\w-])[Tt]he\s+" + re.escape(name) + r"(?![\w-])", kind, clue, count=1)
        masked = masked if masked != clue else mask_names(clue, [name], kind)
        if masked != clue:
            clue = masked
            kinds.append(kind)
    return Blurred(clue, tuple(kinds), left)


def _share_a_word(kind: str, other: str) -> bool:
    return bool(set(kind.split()[1:]) & set(other.split()[1:]))


def _drop_demonym(match: re.Match[str]) -> str:
    """ "" for an adjective alone before its noun; the words kept when they are part of a longer name ("Genghis
    Khan through ...") or not followed by a noun."""
    before = match.string[: match.start()].rstrip()
    follows_name = bool(before) and before.split()[-1][:1].isupper()
    if follows_name or _AFTER_NAME.match(match.string, match.end()):
        return match.group(0)
    return ""


_AN_BEFORE_CONSONANT = re.compile(r"(^|\s)an\s+((?!hour|honou?r|honest|heir)[b-df-hj-np-tv-z])")
_A_BEFORE_VOWEL = re.compile(r"(^|\s)a\s+(" + VOWEL_SOUND + ")")


def _kind_of(ctx: SynthContext, name: str, anchors: dict[str, int]) -> str | None:
    target = anchors.get(name.lower())
    if target is None:
        target = ctx.page_acronym(name) if _ACRONYM.match(name) else ctx.page_named(name)
    if target is not None and ctx.noun(target):
        return ctx.descriptor(target)
    words = name.split()
    if len(words) >= 2 and words[-1].lower() in _HEAD_KINDS:
        return _HEAD_KINDS[words[-1].lower()]
    # "Gulf of Tadjoura", "Lake Victoria", "Mount Kenya": the first word says what it is
    if len(words) >= 2 and words[0].lower() in _FIRST_HEADS:
        return _HEAD_KINDS[words[0].lower()]
    return None
