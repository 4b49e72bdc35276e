"""Masking and blurring of claim text, by rules (no model): what keeps a question from naming its entities.

- `mask_names` replaces an entity's title and aliases with a placeholder ("this entity").
- `descriptor_of` turns a page's first sentence "X is a Y ..." into a short kind ("a Y") used in place of a
  child entity's name inside its parent's relation claim.
- `blur_numbers` turns exact figures and dates into ranges and periods.
- `content_terms` are the words code uses to check that a candidate page fits a claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .patterns import compiled
from .words import STOPWORDS, word_set

SUBJECT = "this entity"


_PARENTHETICAL = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_YEAR_RANGE = re.compile(r"\b(\d{3,4})\s*[–-]\s*(\d{2,4})\b")
_ERA_YEAR = re.compile(r"\b(\d{1,4})\s*(BC|BCE|AD|CE)\b")
_ERA_FIRST = re.compile(r"\b(AD|CE)\s+(\d{1,4})\b")
_DAY_MONTH = re.compile(
    r"\b(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?:\s+\d{1,2})?,?\s+(\d{3,4})\b"
)
_YEAR = re.compile(r"\b(1\d{3}|2[01]\d{2})\b")
_AFTER_YEAR = re.compile(r"\bafter\s+(?:the\s+year\s+)?(1\d{3}|2[01]\d{2})\b(?![–-])")
_BEFORE_YEAR = re.compile(r"\b(before|until|till|by)\s+(?:the\s+year\s+)?(1\d{3}|2[01]\d{2})\b(?![–-])")
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|thousand|trillion|hundred))?\b(?![-\w])")
_RANKING = re.compile(r"^(?:\w+est|\w*most|least|first|second|third|\w+-\w+est|\w+-most|only|main)$")
_ERAS = frozenset({"BC", "BCE", "AD", "CE"})
_COPULA = re.compile(r"\b(?:is|was|are|were)\s+((?:an?|the)\s+[^;:()]+)", re.IGNORECASE)
_NP_STOP = re.compile(
    r"\s+(?:in|on|at|of|from|by|with|that|which|who|whose|where|and|or|for|to|since|located|founded|"
    r"known|based|between|during|as|after|before|than|throughout|spoken|within|along|across|near)\b.*$"
)


_ACRONYM = re.compile(r"(?<![\w.])(?:(?:[A-Z]\.){2,8}|[A-Z]{2,8}(?!\w|\.\w))")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’]*")
_ACRONYM_FILLERS = word_set("of the and de du del la le von van al for in on")


def is_acronym_of(abbreviation: str, name: str) -> bool:
    """Whether an all-capitals word abbreviates a name of 2+ capitalised words: every capitalised word gives
    its initial and maybe up to 2 more of its letters in order ("MSEA": Mainland SouthEast Asia), fillers
    ("of", "the") give their initial or nothing ("BoA", "UK" for United Kingdom)."""
    letters = abbreviation.replace(".", "").upper()
    words = _NAME_WORD.findall(name)
    if sum(1 for w in words if w[0].isupper()) < 2 or not 2 <= len(letters) <= 8:
        return False

    def match(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(letters)
        word = words[j]
        if word.lower() in _ACRONYM_FILLERS and match(i, j + 1):
            return True
        if i == len(letters) or letters[i] != word[0].upper():
            return False
        rest = word[1:].upper()
        if match(i + 1, j + 1):
            return True
        # up to two more letters from inside the word, in order
        for k, a in enumerate(rest):
            if i + 1 < len(letters) and a == letters[i + 1]:
                if match(i + 2, j + 1):
                    return True
                for b in rest[k + 1 :]:
                    if i + 2 < len(letters) and b == letters[i + 2] and match(i + 3, j + 1):
                        return True
        return False

    return letters not in _ERAS and match(0, 0)


def initials(name: str) -> str:
    """ "Mainland Southeast Asia" -> "MSA" (capitalised words only); "" for a one-word name."""
    capitals = [w[0] for w in _NAME_WORD.findall(name) if w[0].isupper()]
    return "".join(capitals) if len(capitals) >= 2 else ""


def acronyms_in(text: str, names: list[str]) -> list[str]:
    """All-capitals words of `text` (case-sensitive, whole words) that abbreviate one of `names`."""
    found: dict[str, None] = {}
    for match in _ACRONYM.finditer(text):
        if any(is_acronym_of(match.group(0), name) for name in names):
            found.setdefault(match.group(0), None)
    return list(found)


def mask_names(text: str, names: list[str], placeholder: str = SUBJECT, *, standalone: bool = False) -> str:
    """Replace whole-word mentions of any name (longest first, any case) and of its acronyms ("MSEA",
    case-sensitive) with the placeholder.

    A mention inside a longer name ("France" in "Metropolitan France", "Thailand" in "the Gulf of Thailand")
    names another entity: the whole longer name goes, as its head noun when it has one ("a gulf"), else as
    the placeholder (a kind), or "a certain one" for the entity itself; no capitalised fragment is left.
    With `standalone`, such longer names are left alone instead (only `mentions_name` still uses that)."""
    out = text
    names = [n.strip() for n in names if len(n.strip()) >= 2]
    for name in sorted(set(names), key=len, reverse=True):
        # "the Great Lakes" -> "this entity", not "the this entity"
        # plurals too: "Lakes" names the entity "Lake"
        pattern = r"(?<![\w])(?:(?:the|a|an)\s+)?(" + re.escape(name) + r")(?:s|es)?(?![\w])"
        out = _replace_mentions(out, compiled(pattern, re.IGNORECASE), placeholder, standalone)
    for acronym in acronyms_in(out, names):
        out = re.sub(r"(?<![\w.])(?:the\s+)?" + re.escape(acronym) + r"(?![\w])", placeholder, out)
    if placeholder.startswith(("a ", "an ")):  # "its a country" -> "its country"
        kind = placeholder.split(" ", 1)[1]
        out = re.sub(_DETERMINER + re.escape(placeholder) + r"\b", lambda m: m.group(1) + kind, out)
        # "the northern a sea", "the similarly defined a region" -> "the northern sea"
        out = re.sub(_THE_MODIFIERS + re.escape(placeholder) + r"\b", lambda m: m.group(1) + kind, out)
    return _subject_first(out, placeholder)


_DETERMINER = r"\b((?:its|their|his|her|our|this|that|these|those|whose)\s+)"
_THE_MODIFIERS = r"\b([Tt]he\s+(?:[a-z-]+(?:ern|ly|ed|al|ic|ian|ese)\s+){1,3})"
# nouns that head a longer name and say what it is ("the Gulf of Thailand" is a gulf)
_HEAD_NOUNS = word_set(
    """gulf bay sea ocean river lake strait channel basin peninsula island islands mountains range desert
    plateau valley canal coast republic kingdom empire province sound bight cape delta lowlands highlands"""
)
_NOT_NAME_WORDS = word_set("both all most many some although however today while whereas")
_LEFT_NAME_WORD = re.compile(r"(?<![\w'’])([A-Z][\w'’]*)(?:[ -]|\s+(?:of(?:\s+the)?|de|du|del)\s+)$")
_RIGHT_NAME_WORD = re.compile(r"(?:[ -]|\s+(?:of(?:\s+the)?|de|du|del)\s+)([A-Z][\w'’]*)")
_COMPASS = r"(?:(?:North|South)(?:east|west)?|East|West|Central|Middle)(?:ern)?"
_COMPASS_WORD = re.compile(_COMPASS + r"\b")
_LEFT_COMPASS_LIST = re.compile(r"(?<![\w'’])(" + _COMPASS + r")(?:,\s+and\s+|,\s+|\s+and\s+)$")


def longer_name_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The capitalised phrase around text[start:end] ("Metropolitan France", "Gulf of Thailand",
    "Guinea-Bissau"); (start, end) when the mention stands alone."""
    while True:
        before = text[max(0, start - 60) : start]
        left = _LEFT_NAME_WORD.search(before)
        if not left and _COMPASS_WORD.match(text, start):  # "Central and Southeastern Europe"
            left = _LEFT_COMPASS_LIST.search(before)
        if not left or not _name_word(left.group(1)):
            break
        start -= len(left.group(0))
    while (right := _RIGHT_NAME_WORD.match(text[end : end + 60])) and _name_word(right.group(1)):
        end += len(right.group(0))
    return start, end


def _name_word(word: str) -> bool:
    # sentence openers and function words ("In Asia", "The Gulf", "Both Israel") are not part of a name
    return word.lower() not in STOPWORDS and word.lower() not in _NOT_NAME_WORDS


def _replace_mentions(text: str, pattern: re.Pattern[str], placeholder: str, standalone: bool) -> str:
    pieces: list[str] = []
    done = 0
    for match in pattern.finditer(text):
        if match.start() < done:
            continue  # inside a longer name already replaced
        start, end = longer_name_span(text, match.start(1), match.end(1))
        if (start, end) == (match.start(1), match.end(1)):
            pieces += [text[done : match.start()], placeholder]
            done = match.end()
        elif not standalone:
            article = re.search(r"(?<![\w])(?:the|a|an)\s+$", text[max(0, start - 5) : start], re.IGNORECASE)
            start -= len(article.group(0)) if article else 0
            pieces += [text[done:start], _longer_name_kind(text[start:end], placeholder)]
            done = end
    return "".join(pieces) + text[done:]


def _longer_name_kind(phrase: str, placeholder: str) -> str:
    heads = [w.lower() for w in _NAME_WORD.findall(phrase) if w.lower() in _HEAD_NOUNS]
    if heads:
        return ("an " if heads[0][0] in "aeiou" else "a ") + heads[0]
    return "a certain one" if placeholder == SUBJECT else placeholder


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    return longer_name_span(text, start, end) != (start, end)


_MASKED_APPOSITIVE = re.compile(
    r",?\s*(?:officially|also (?:known as|called)|formerly(?: known as)?|commonly known as|or)\s+(?:the\s+)?"
    r"this entity(?:\s*\(this entity\))?(?=[,.;])|\s*\(this entity\)",
    re.IGNORECASE,
)


_OPENING_APPOSITIVE = (
    r"(?:,\s+|\s+(?=or\s))(?:and\s+)?(?:officially|formally|also (?:known as|called|referred to as)|formerly(?: known as)?|"
    r"historically known as|commonly known as|or(?: simply)?)\s+[^,;.]{1,80},\s+"
)


def _subject_first(text: str, placeholder: str) -> str:
    """A sentence about the entity that opens with a pronoun gets the placeholder as its subject; a masked
    other name of it ("X, officially the Republic of X (RX), is") says nothing and goes, and so does any
    other name right after the opening placeholder ("X, formally a republic, is", "X, or simply Y, was")."""
    opening = compiled(r"^((?:the\s+)?" + re.escape(placeholder) + r")" + _OPENING_APPOSITIVE, re.IGNORECASE)
    removed = False
    while opening.match(text):
        text, removed = opening.sub(r"\1, ", text, count=1), True
    if removed:
        text = re.sub(r"^((?:the\s+)?" + re.escape(placeholder) + r"),\s+", r"\1 ", text, flags=re.IGNORECASE)
    if placeholder == SUBJECT:
        text = re.sub(r"^(this entity),\s+", r"\1 ", _MASKED_APPOSITIVE.sub("", text), flags=re.IGNORECASE)
        text = re.sub(r"^(?:It|They)\s+", SUBJECT + " ", text)
        text = re.sub(r"^(?:Its|Their)\s+", SUBJECT + "'s ", text)
    if text.startswith(placeholder):
        text = placeholder[:1].upper() + text[1:]
    return text


def mentions_name(text: str, name: str, *, standalone: bool = False) -> bool:
    name = name.strip()
    if len(name) < 2:
        return False
    for match in _name_pattern(name).finditer(text):
        if not (standalone and _inside_longer_name(text, match.start(), match.end())):
            return True
    return False


@lru_cache(maxsize=1 << 14)
def _name_pattern(name: str) -> re.Pattern[str]:
    # the same names are looked for in thousands of sentences: compile each once
    return re.compile(r"(?<![\w])" + re.escape(name) + r"(?:s|es)?(?![\w])", re.IGNORECASE)


_ADJECTIVE = re.compile(
    r"^(?:\w+-\w+(?:ing|ed|al|ic|est)|\w+(?:ous|ive|ign|ese|ed|ical|ional|ental|inal|ian|est)|native|autonomous|"
    r"ancient|medieval|former|modern|early|late|major|minor|large|small|old|new|historical|prehistoric|"
    r"\w+ary|widespread|formal|religious|political|artistic|cultural|natural|social)$"
)
# "a sovereign, doubly landlocked country", "a political and economic union": adjectives before the noun
_ADJECTIVE_LIST = re.compile(r"\b([a-z][\w-]*)(?:,\s+|\s+and\s+)(?=[a-z])")
_OF_PLURAL = re.compile(r"\bof\s+(?:the\s+)?(?:[\w-]+'s?\s+)?(?:\w+\s+)?((?:[a-z]+\s+)?[a-z]+s)\b")


def descriptor_of(title: str, first_sentence: str) -> str:
    """A short kind for an entity from "X is a Y ...": "a Y" with names removed; "an entity" when unclear.

    The head noun is kept ("a sovereign, doubly landlocked country" -> "a landlocked country", "the
    largest and deepest of Earth's five oceanic divisions" -> "an oceanic division")."""
    match = _COPULA.search(first_sentence)
    if not match:
        return "an entity"
    phrase = _PARENTHETICAL.sub("", match.group(1))
    phrase = _ADJECTIVE_LIST.sub(lambda m: "" if _ADJECTIVE.match(m.group(1)) else m.group(0), phrase)
    phrase = phrase.split(",")[0]
    one_of = _OF_PLURAL.search(phrase)
    phrase = _NP_STOP.sub("", phrase).strip().rstrip(".")
    tokens = [t for t in phrase.split() if not t[:1].isupper() and not t[:1].isdigit() and "'" not in t]
    # "the largest country" -> "a country": ranks and superlatives would single the entity out
    tokens = [t for i, t in enumerate(tokens) if i == 0 or not (_RANKING.match(t) or t.endswith("ly"))]
    # stop at a participle ("a landmass comprising ...") and keep the article plus three words at most
    cut = next((i for i, t in enumerate(tokens) if i > 1 and t.endswith("ing") and "-" not in t), len(tokens))
    tokens = tokens[:cut]
    while len(tokens) > 1 and (tokens[-1].endswith("ed") or _ADJECTIVE.match(tokens[-1])):
        tokens.pop()  # the noun was a name or was cut ("a self-governing British Overseas Territory")
    if len(tokens) < 2 and one_of:  # "the largest of the world's five oceans" -> "an ocean"
        tokens = [tokens[0] if tokens else "a", *one_of.group(1).split()]
        tokens[-1] = re.sub(r"(?<=[^s])s$", "", tokens[-1])
    tokens = tokens[:1] + tokens[1:][-3:]
    generic = _HEAD_NOUNS | {"language", "people"}
    # a title's last word is its head noun ("Stanford University" is a university), not a name
    head = re.sub(r"\s*\([^)]*\)\s*$", "", title).split()[-1:] or [""]
    if len(tokens) < 2 or any(
        mentions_name(" ".join(tokens), part)
        for part in title.split()
        if len(part) > 3 and part.lower() not in generic and part != head[0]
    ):
        return "an entity"
    if tokens[0].lower() in ("the", "a", "an"):
        tokens[0] = "an" if tokens[1][:1].lower() in "aeiou" else "a"
    return " ".join(tokens)


# a hedge before a figure ("about 900,000") is dropped with the figure: "about hundreds of thousands" is no
# English, and the blurred phrase is vague already
_HEDGE = r"(?:(?:roughly|about|approximately|around|nearly|almost|some|over|more than|less than|up to|just over)\s+)?"
_PERCENT = re.compile(r"\b" + _HEDGE + r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b|percent\b)", re.IGNORECASE)
_HEDGED_NUMBER = re.compile(r"\b" + _HEDGE + _NUMBER.pattern[2:], re.IGNORECASE)
_DATE_PREPOSITION = re.compile(r"\bon\s+(?=the \d+0s\b|the \d+(?:st|nd|rd|th) century\b)")


def blur_numbers(text: str) -> str:
    """Exact dates and figures become periods and orders of magnitude ("about 900,000 square kilometres" ->
    "hundreds of thousands of square kilometres", "roughly 60% of" -> "most of"); parentheticals go."""
    out = _PARENTHETICAL.sub("", text)
    out = _YEAR_RANGE.sub(lambda m: _period(int(m.group(1))), out)
    out = _ERA_YEAR.sub(lambda m: _century(int(m.group(1))) + " " + m.group(2), out)
    out = _ERA_FIRST.sub(lambda m: _century(int(m.group(2))), out)  # "AD 537" -> "the 6th century"
    out = _DAY_MONTH.sub(lambda m: _period(int(m.group(1))), out)
    # "before 1959" is true of the whole 1950s only as "before the end of the 1950s"
    out = _BEFORE_YEAR.sub(lambda m: f"{m.group(1)} the end of {_period(int(m.group(2)))}", out)
    out = _AFTER_YEAR.sub(lambda m: f"since {_period(int(m.group(1)))}", out)  # "after 1912" is in the 1910s
    out = _YEAR.sub(lambda m: _period(int(m.group(1))), out)
    out = _DATE_PREPOSITION.sub("in ", out)  # "held on 5 May 2023" -> "held in the 2020s"
    out = _PERCENT.sub(lambda m: _share(float(m.group(1))), out)
    out = _HEDGED_NUMBER.sub(_magnitude_in_place, out)
    return re.sub(r"\s{2,}", " ", out).strip()


def _share(percent: float) -> str:
    # function words only, so the blurred claim keeps its overlap with the cited sentence
    return "some" if percent < 40 else "much" if percent < 55 else "most"


def _period(year: int) -> str:
    return f"the {year // 10 * 10}s" if year >= 1800 else _century(year)


def _century(year: int) -> str:
    century = year // 100 + 1
    suffix = "th" if 10 <= century % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(century % 10, "th")
    return f"the {century}{suffix} century"


def _magnitude_in_place(match: re.Match[str]) -> str:
    words = _magnitude(match.group(0))
    # "a population of 242 million," -> "hundreds of millions", not "hundreds of millions of,"
    if words.endswith(" of") and not re.match(r"\s+[A-Za-z]", match.string[match.end() :]):
        words = words[: -len(" of")]
    return words


_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def _magnitude(number: str) -> str:
    hedge = re.match(_HEDGE, number, re.IGNORECASE)
    figure = number[hedge.end() :] if hedge else number
    parts = figure.split()
    digits = parts[0].replace(",", "")
    try:
        value = float(digits) * _SCALES.get(parts[-1].lower(), 1) if len(parts) > 1 else float(digits)
    except ValueError:
        return number
    if value < 20:
        return number  # small counts ("3 sons") are rarely what gives an entity away
    for limit, words in (
        (10**2, "dozens of"),
        (2 * 10**2, "over a hundred"),  # 187 km is not "hundreds of" km to a reader
        (10**3, "hundreds of"),
        (2 * 10**3, "over a thousand"),
        (10**4, "thousands of"),
        (2 * 10**4, "over ten thousand"),
        (10**5, "tens of thousands of"),
        (
            2 * 10**5,
            "over a hundred thousand",
        ),  # a reader took 117,600 km2 for "hundreds of thousands" as false
        (10**6, "hundreds of thousands of"),
        (2 * 10**6, "over a million"),
        (10**7, "several million"),
        (2 * 10**7, "over ten million"),
        (10**8, "tens of millions of"),
        (2 * 10**8, "over a hundred million"),
        (10**9, "hundreds of millions of"),
        (10**10, "several billion"),
    ):
        if value < limit:
            return words
    return "tens of billions of"


_GIVEN_NAME = re.compile(
    r"\b(?:officially(?: known as)?|also (?:known as|called)|formerly(?: known as)?|(?:commonly|historically) known as|"
    r"^[^,]{1,60}, or)\s+"
    r"(?:the\s+)?((?:[A-Z][\w'’.-]*)(?:\s+(?:of|the|and|de|[A-Z][\w'’.-]*))*)"
)
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z.]{1,7})\)")


def names_given_in(sentence: str, subject_names: Sequence[str] = ()) -> list[str]:
    """Other names a sentence gives its subject: official names, "also known as", and abbreviations of the
    subject's names. "(PRC)" after "People's Republic of China" in a sentence about Xinjiang names China, not
    the subject, so an abbreviation counts only when it abbreviates `subject_names` or a name given here."""
    given = [m.group(1).strip() for m in _GIVEN_NAME.finditer(sentence)]
    given = [re.sub(r"\s+(?:of|the|and|de)$", "", n) for n in given if len(n) >= 2]
    own = [*subject_names, *given]
    abbreviations = [
        m.group(1)
        for m in _ABBREVIATION.finditer(sentence)
        if any(is_acronym_of(m.group(1), name) for name in own)
    ]
    return given + abbreviations


_CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]{4,}")
DEMONYM_PREFIX = 5


def demonyms_in(text: str, names: Sequence[str]) -> list[str]:
    """Capitalised words of `text` that share their first 5 letters with a word of one of `names`: demonyms
    and other derived names ("Tajik" for Tajikistan, "Mediterranean" in another name for the Mediterranean
    Sea). The first word of the text (a sentence opener) is not counted."""
    stems = {w.lower()[:DEMONYM_PREFIX] for n in names for w in _CAPITALISED_WORD.findall(n)}
    found: dict[str, None] = {}
    for match in _CAPITALISED_WORD.finditer(text):
        if match.start() > 0 and match.group(0).lower()[:DEMONYM_PREFIX] in stems:
            found.setdefault(match.group(0), None)
    return list(found)


_TAGLINE_STOP = re.compile(
    r"\s+(?:of|in|on|at|from|for|to|by|with|without|within|who|that|which|where|whose|since|between|"
    r"\w+ed(?=\s+(?:in|on|at|by|from|to|as|for|with|into|near|under|after|over|around|during)\b|$)|"
    r"made|built|born|spoken|known|written|used|found|\w+ing\s+(?:in|from|on|at|to))\b.*$|\s*[(,;:].*$"
)
_TAGLINE_WORD = re.compile(r"^[a-z][a-z-]*$")
MAX_TAGLINE_WORDS = 8


def kind_from_tagline(title: str, line: str) -> str:
    """A kind from a page's short description line ("Family of beetles" -> "a family", "Ancient Egyptian
    writing system" -> "a writing system", "Largest ocean on Earth" -> "an ocean"); "" when the line is not
    one (a sentence, or no plain noun left once names and ranks are gone)."""
    line = line.strip()
    if not line or line.endswith((".", "!", "?")) or len(line.split()) > MAX_TAGLINE_WORDS or line == title:
        return ""
    head = _TAGLINE_STOP.sub("", line)
    words = head.split()
    if len(words) == 1 and not words[0].isupper():
        # "Country in ..." opens with a capital; in "Florentine statesman" the capital is a name
        words[0] = words[0][:1].lower() + words[0][1:]
    plain = [w for w in words if _TAGLINE_WORD.match(w) and not _RANKING.match(w)]
    # the last plain words, after any name or figure ("Ancient Egyptian writing system" -> "writing system")
    tail: list[str] = []
    for word in reversed(words):
        if word not in plain or word in ("and", "or"):
            break
        tail.insert(0, word)
    tail = tail[-2:]
    while tail and (_ADJECTIVE.match(tail[0]) or tail[0].endswith("ly")) and len(tail) > 1:
        tail.pop(0)
    if not tail or _ADJECTIVE.match(tail[-1]) or tail[-1].endswith("wide") or re.search(r"[^s]s$", tail[-1]):
        return ""  # no noun, or a plural ("protests and revolutions"): the first sentence says it better
    head = re.sub(r"\s*\([^)]*\)\s*$", "", title).split()[-1:] or [""]
    if any(mentions_name(" ".join(tail), p) for p in title.split() if len(p) > 3 and p != head[0]):
        return ""
    article = "an" if tail[0][0] in "aeiou" else "a"
    return f"{article} {' '.join(tail)}"
