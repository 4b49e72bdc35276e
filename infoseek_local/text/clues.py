"""Clues: the short span of a sentence that says something about its subject, as a relative clause.

A question is only as readable as its clues. A clue is not a whole masked sentence but the predicate the
sentence states of the page's entity, cut to the clause that matters:

    "It is bordered by Chad to the north, Sudan to the northeast, ..."   (target: Sudan, kind "a country")
        -> "is bordered by a country to the northeast"
    "Its capital and largest city is Bangui, which sits on ..."          (target: Bangui, kind "a city")
        -> "whose capital and largest city is one"

`predicate` returns None when the sentence does not have the entity as its subject or the clause cannot be cut
cleanly: a clean clue or none at all, never a garbled one. Rules only (no parser), so the result is
deterministic and checkable; the cited sentence stays with the claim for grounding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from .fluency import misplaced_kind
from .masking import blur_numbers, longer_name_span
from .patterns import compiled
from .words import FUNCTION_WORDS, word_set

MAX_CLUE_WORDS = 14
MAX_LIST_LEAD_WORDS = 4
MIN_CLUE_WORDS = 3

_PARENTHETICAL = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_PRONOUN = re.compile(r"^(?:It|They|He|She)\b\s*")
_POSSESSIVE = re.compile(r"^(?:Its|Their|His|Her)\s+")
# an opening phrase before the subject ("In 1990, it ...", "During its existence, the empire ...")
_OPENER = re.compile(r"^[A-Z][^,;:]{0,100},\s+")
_ADVERBS = word_set(
    """also now later still then originally once formerly mainly primarily currently largely first often
    usually generally widely traditionally historically officially today commonly subsequently eventually"""
)
VERBS = word_set(
    """is are was were has have had became becomes become remains remained lies lay lie rises rose rise
    flows flowed flow borders bordered border contains contained includes included covers covered forms
    formed spans spanned stretches stretched extends extended consists consisted serves served hosts hosted
    holds held houses housed runs ran sits sat stands stood ranks ranked won wins led leads made makes
    began begins grew grows saw sees gave gives took takes wrote writes founded built became comprises
    comprised occupies occupied drains drained reaches reached produces produced played plays remains
    belongs belonged originated originates lived lives died spoke speaks shares shared joined joins left
    received receives ruled rules reigned reigns fought fights developed develops discovered invented
    established establishes emerged emerges separates separated connects connected crosses crossed
    surrounds surrounded divides divided marks marked encompasses encompassed features featured
    may can could might must should would will"""
)
_NOT_VERBS = word_set(
    """its this his has as is us thus was gas bus plus famous various numerous previous serious less
    across perhaps always sometimes nevertheless species series news means"""
)
# where the clause about the entity ends
_CLAUSE_END = re.compile(r",\s(?!\d)|[;:]|\s[–—-]\s|\.\s*$|\.(?=\s)")  # ", 1921" is a date, not a clause
_SINGULAR = {"are": "is", "were": "was", "have": "has"}
# a clause that cannot stand on its own: a name cut out of a compound ("south-a country"), a sentence break or
# an abbreviation inside, or a word that points at other text ("the latter")
_JUNK = re.compile(
    r"\w[-–—](?:a|an|the|that|one|another)\b|\.\s|[A-Z]\.$|\bthe (?:latter|former)\b|\bsuch\b|\bminus\b|"
    # a modifier left before a kind that replaced a name ("modern a state", "a semi-nomadic a country"), or an
    # adjective left at the end when its noun was cut ("is the main governmental")
    r"\b(?:a|an|the|modern|present-day|ancient|historic)\s+(?:[a-z-]+\s+)?(?:a|an)\s|"
    r"\bopposite\s+(?:a|an|the)\s+[a-z]+$|"  # "borders opposite a country": opposite across what?
    # a kind put inside a phrase: "the world's largest an industrial facility", "a river rivers", "with
    # directly with", "a country–Congo"
    r"\b[a-z]+est\s+(?:a|an)\s|\b([a-z]{3,}) \1s\b|\b(with|of|in|on|to|by|from)\s+[a-z]+ly\s+\2\b|"
    r"\b(?:a|an)\s+[a-z]+[–—-][A-Z]|"
    r"\b(?:the|a|an|main|major|chief)\s+[a-z-]+(?:al|ic|ive|ous|ful|ary|ian)$|"
    r"\b(?:known|referred to|called|named|nicknamed|dubbed)\s+as\s+(?:a|an|the|one)\b|"
    # a time clause whose time was cut ("was when a dictator ...")
    r"^(?:is|was|are|were)\s+(?:when|while|where)\b|"
    r"\b(?:of|in|on|at|to|with|from|by|into) (?:near|across|of|in|on|at|to|with|from|by|into)\b|"
    # blurring that left a figure's "of" with nothing after it ("between dozens of and tens of millions")
    r"\bof(?:\s+(?:and|or|to)\b|\s*[,;])"
)
# "located in ...", "bordered by ..." straight after the subject is a reduced clause: the verb is missing
_BARE_PARTICIPLE = re.compile(
    r"(?:\w+ly\s+)?(?:located|situated|based|bounded|bordered|named|known|found|considered|regarded|called|"
    r"reckoned|described|centred|centered|headquartered|accepted|believed|thought|said|held|seen)\b"
)
_INCLUDING = re.compile(r"\bincluding\b[^,;]*$")
# -ed forms in VERBS that are past tenses after an appositive more often than participles
_FINITE_ED = word_set("had became remained ranked lived died ruled reigned fought served played")
_LIST_LEAD = re.compile(
    r"\b(?:by|to|with|of|in|from|include|includes|included|as|among|into|across)\s+(?:the\s+)?$"
)
_DETERMINED = re.compile(r"\b(its|their|his|her|whose)\s+$")
_ARTICLE_BEFORE = re.compile(r"(?:\b(?:the|a|an)\s+)$", re.IGNORECASE)
_COMPASS_BEFORE = re.compile(r"\b(?:north|south|east|west|central)\w*\s+$")
_DANGLING_END = re.compile(
    r"\b(?:\w+ing|of|by|to|in|at|on|with|from|for|and|or|the|a|an|its|their|his|her|as|than|that|which)$|"
    r"\b(?:bounded|bordered|flanked) (?:on|to) the \w+$"  # "is bounded on the northeast" (by what?)
)


def is_verb(word: str) -> bool:
    """A word that can open a predicate: a known verb, or a lower-case -ed / -s form that is not a noun we
    know of. Heuristic, used only where a verb is expected (right after the subject)."""
    lower = word.lower()
    if lower in VERBS:
        return True
    if not word[:1].islower() or lower in _NOT_VERBS or len(lower) < 4:
        return False
    return lower.endswith(("ed", "es")) or (lower.endswith("s") and not lower.endswith(("ss", "us", "is")))


_DIRECTION = r"(?:north|south|east|west|northeast|northwest|southeast|southwest)(?:ern)?"
# "shares a subregion with a country to the west", "has a coastline along an inlet in the southwest", "opens to
# a sea in the southeast": a direction after an entity the clause reaches through a preposition reads as that
# entity's side and as the subject's (readers took both)
_TWO_WAY_DIRECTION = re.compile(
    r"\b(?:with|along|to|into|from|of|between|and|near|on|across)\s+(?:a|an|another)\s+(?:[a-z-]+\s+){0,2}?"
    r"[a-z-]+\s+(?:to|in|on)\s+the\s+" + _DIRECTION + r"(?:\s+(?:part|side|coast))?$"
)


def reads_two_ways(clause: str) -> bool:
    """Whether a closing direction could belong to either entity of the clause (see `_TWO_WAY_DIRECTION`)."""
    return bool(_TWO_WAY_DIRECTION.search(clause))


def is_clean(clause: str) -> bool:
    """No debris a rewrite left behind (see `_JUNK`, and the kinds misplaced that the fluency lint flags in
    whole questions): also checked after other names are masked."""
    return not _JUNK.search(clause) and not misplaced_kind(clause) and not _ANAPHORIC.search(clause)


# "to receive the award", "the city's main port": a definite noun that points back at a sentence the question
# does not give (the page said which award just before)
_ANAPHORIC = re.compile(
    r"\bthe\s+(?:award|prize|country|city|town|state|company|book|novel|film|album|song|team|club|war|battle|"
    r"group|band|party|region|game|series|show|building|church|empire|kingdom|dynasty|river|island|lake|"
    r"mountain|work|play|painting|ship|language|university|school|movement|treaty|event|site)(?:['’]s)?"
    r"(?!\s+(?:of|between|that|which|who|where|whose|known|called|named)\b)"
    r"(?=\s*(?:[,.;:)]|$|\s+[a-z]))"
)


def strip_parentheticals(text: str) -> str:
    while True:
        stripped = _PARENTHETICAL.sub("", text)
        if stripped == text:
            return re.sub(r"\s+([,.;:])", r"\1", stripped)
        text = stripped


@lru_cache(maxsize=1 << 14)
def _fold(text: str) -> str:
    """Lower case with accents dropped, one character for one (so offsets stay valid): "Krishnā" ~ "krishna"."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower() for c in text)


def _name_forms(name: str) -> list[str]:
    """A name as a sentence may open with it: as is, plural ("Gecko" -> "Geckos") or singular ("Bagpipes" ->
    "bagpipe"), folded."""
    folded = _fold(name.strip())
    forms = [folded, folded + "s", folded + "es"]
    if folded.endswith("s") and len(folded) > 4:
        forms.append(folded[:-1])
    return forms


def _open_subject(text: str, names: Sequence[str], noun: str) -> tuple[str, str] | None:
    """("vp" | "whose", the rest) when `text` opens with its entity as subject, else None."""
    folded = _fold(text)
    lead = re.match(r"(?:the|a|an|this)\s+", folded)
    start = lead.end() if lead else 0
    forms = sorted({f for n in names if len(n) >= 2 for f in _name_forms(n)}, key=len, reverse=True)
    if noun:
        forms.append(_fold(noun))
    for name in names[:1]:
        # a person's fuller name ("Wassily Wassilyevich Kandinsky" for "Wassily Kandinsky") or surname alone
        parts = _fold(name).split()
        if len(parts) >= 2 and parts[-1][:1].isalpha():
            fuller = compiled(
                re.escape(parts[0]) + r"(?:\s+\S+){0,3}?\s+" + re.escape(parts[-1]) + r"\b"
            ).match(folded)
            if fuller and not lead:
                forms.insert(0, folded[: fuller.end()])
            forms.append(parts[-1])
    for form in forms:
        end = start + len(form)
        if folded.startswith(form, start) and not re.match(r"[\w-]", folded[end : end + 1]):
            rest = text[end:]
            if re.match(r"['’]s\s", rest):
                return "whose", rest[3:].lstrip()
            return "vp", rest
    possessive = _POSSESSIVE.match(text)
    if possessive:
        return "whose", text[possessive.end() :]
    pronoun = _PRONOUN.match(text)
    return ("vp", text[pronoun.end() :]) if pronoun else None


def split_subject(sentence: str, names: Sequence[str], noun: str) -> tuple[str, str] | None:
    """("vp" | "whose", the rest) when the sentence has its entity as subject: one of its `names` ("The Rocky
    Mountains ...", "Geckos are ..."), a pronoun ("It ..."), "The <noun>" ("The river ...") or a possessive
    ("Its capital ...", "Mongolia's capital ..."), maybe after an opening phrase ("In 1990, it ..."). An
    appositive after the subject is skipped."""
    text = strip_parentheticals(sentence.strip())
    found = _open_subject(text, names, noun)
    if found is None:
        opener = _OPENER.match(text)
        after = text[opener.end() :] if opener else ""
        found = _open_subject(after[:1].upper() + after[1:], names, noun) if after else None
    if found is None:
        return None
    how, rest = found
    rest = rest.lstrip()
    if rest.startswith(","):
        rest = _skip_appositive(rest)
        if rest is None:
            return None
    return how, rest


def _skip_appositive(rest: str) -> str | None:
    """ ", officially the Republic of X, is ..." -> "is ..."; None when no verb follows a closing comma."""
    for match in re.finditer(r",\s+", rest[1:]):
        after = rest[1 + match.end() :]
        first = after.split(" ", 1)[0]
        # the main verb, not a participle that is part of the appositive ("X, bounded on the west by Y, is")
        if (first in VERBS and not (first.endswith("ed") and first not in _FINITE_ED)) or first in _ADVERBS:
            return after
        if len(rest[: 1 + match.start()].split()) > 16:
            break
    return None


def _opens_with_verb(words: list[str], *, strict: bool = False) -> bool:
    """Whether the words open with a verb (after adverbs); `strict` takes only known verbs and -ed forms,
    where a plural noun ("parts of ...") could pass for a verb."""
    for word in words[:3]:
        if word in _ADVERBS:
            continue
        if strict:
            return word in VERBS or (word[:1].islower() and word.endswith("ed"))
        return is_verb(word)
    return False


def _has_verb(words: list[str]) -> bool:
    return any(is_verb(w) for w in words[:6])


def _cut_clause(text: str, after: int = 0) -> str:
    """The text up to the first clause end at or after character `after`."""
    end = _CLAUSE_END.search(text, after)
    return text[: end.start()] if end else text


def predicate(
    sentence: str,
    names: Sequence[str],
    noun: str = "",
    *,
    target: str = "",
    target_kind: str = "",
    plural: bool = False,
) -> str | None:
    """The clue a sentence states of its subject, as a relative clause ("is bordered by a country to the
    north", "whose capital is one"); with `target`, the clause that mentions `target`, which becomes
    `target_kind`. None when the sentence is not about the subject or no clean clause can be cut."""
    split = split_subject(" ".join(sentence.split()), names, noun)
    if split is None:
        return None
    how, rest = split
    words = rest.split()
    if (
        not words
        or (how == "vp" and not _opens_with_verb(words))
        or (how == "whose" and not _has_verb(words))
    ):
        return None
    if plural and how == "vp" and not _plural_verb_fixable(words):
        return None  # "The Rockies stretch ..." would read "Which range stretch ..."
    if target:
        clause = _target_clause(rest, target)
        if clause is None:
            return None
        clause = _put_kind(clause, target, target_kind)
        if not clause:
            return None
    else:
        cut = _cut_clause(rest)
        if _continues_list(rest, len(cut)):
            return None  # "relates pressure, density and temperature" cut to "relates pressure"
        clause = _shorter(cut)
    clause = blur_numbers(clause.strip().rstrip(" ,.;:"))
    # "is also the official language", "whose metropolitan area is also the largest": "also" points at a fact
    # the question does not give
    clause = re.sub(r"\balso\s+", "", clause)
    clause = re.sub(r"^(are|were|have)\b", lambda m: _SINGULAR[m.group(1)], clause)
    # a plural subject read as one entity: "are all native to" -> "is native to", "are some of the" -> "is one of"
    clause = re.sub(r"^(is|was|has)\s+all\s+", r"\1 ", clause)
    clause = re.sub(r"^(is|was)\s+some\s+of\b", r"\1 one of", clause)
    n_words = len(clause.split())
    if not MIN_CLUE_WORDS - (how == "whose") <= n_words <= MAX_CLUE_WORDS or clause.count('"') % 2:
        return None
    if how == "whose" and (not _has_verb(clause.split()) or is_verb(clause.split()[0])):
        return None  # cut before its verb ("whose fast tempos"), or no noun after "whose" ("whose is")
    if not is_clean(clause) or _BARE_PARTICIPLE.match(clause) or _DANGLING_END.search(clause):
        return None  # debris, a reduced clause, or one cut mid-phrase ("an empire consisting", "located at")
    return ("whose " + clause) if how == "whose" else clause


_COORDINATED = re.compile(
    r"\s+(?:and|but|while|whereas)\s+(?=(?:\w+ly\s+)?[a-z]+(?:ed|s)?\b)|\s+(?:which|who)\s+"
)


_SIDE = r"(?:north|south|east|west|northeast|northwest|southeast|southwest|north-east|north-west|south-east|south-west)"
_SIDES = _SIDE + r"(?:\s+and\s+" + _SIDE + r")?"
_BORDERS_TO = re.compile(
    r"^(?:is\s+bordered\s+(?:(?:to|in|on)\s+the\s+(?P<side1>"
    + _SIDES
    + r")\s+)?by|borders|(?:has|shares)\s+(?:a\s+)?(?:land\s+|maritime\s+)?borders?\s+with"
    r"|(?P<neighbour>neighbou?rs))\s+"
    r"(?P<what>(?:a|an|the|that|one|another)\s+[a-z][a-z -]*?)(?:\s+(?:to|in|on)\s+the\s+(?P<side2>"
    + _SIDES
    + r"))?$"
)


def border_sides(clause: str) -> str:
    """ "borders a country to the north" -> "has a country on its northern border": readers took the first
    as "lies north of a country", the reverse of what the page says."""
    found = _BORDERS_TO.match(clause)
    if found is None:
        return clause
    side = found["side1"] or found["side2"]
    if side is None or (found["side1"] and found["side2"]):
        return clause
    if found["neighbour"]:
        return f"has {found['what']} as its neighbour to the {side}"
    sides = [f"{one.replace('-', '')}ern" for one in side.split(" and ")]
    border = "border" if len(sides) == 1 else "borders"
    return f"has {found['what']} on its {' and '.join(sides)} {border}"


def _shorter(clause: str) -> str:
    """A clause over the limit cut at a second verb phrase ("won two civil wars and was instrumental in ...")
    or a relative clause, when what is left still says something (MIN_CLUE_WORDS)."""
    if len(clause.split()) <= MAX_CLUE_WORDS:
        return clause
    for match in _COORDINATED.finditer(clause):
        head = clause[: match.start()]
        after = clause[match.end() :].split()
        coordinated_verb = match.group(0).strip() in ("which", "who") or _opens_with_verb(after, strict=True)
        if coordinated_verb and MIN_CLUE_WORDS + 1 <= len(head.split()) <= MAX_CLUE_WORDS:
            return head
    return clause


def _plural_verb_fixable(words: list[str]) -> bool:
    first = next((w for w in words[:3] if w not in _ADVERBS), "")
    return first in _SINGULAR or first in {"was", "had"} or first.endswith("ed")


def _mention(text: str, target: str) -> re.Match[str] | None:
    """The target named on its own: not inside a longer name ("South Sudan"), a compound ("north-central
    Nigeria") or a noun phrase it only modifies ("the Artemis program")."""
    for match in compiled(r"(?<![\w-])" + re.escape(target) + r"(?![\w-])").finditer(text):
        if longer_name_span(text, match.start(), match.end()) != (match.start(), match.end()):
            continue
        following = re.match(r"\s+([a-z]+)\b", text[match.end() :])
        if following and not (following.group(1) in FUNCTION_WORDS or is_verb(following.group(1))):
            continue
        return match
    return None


def _target_clause(rest: str, target: str) -> str | None:
    """The part of `rest` (a predicate) that holds the target: the opening clause when the target is in it;
    for a list ("bordered by A to the north, B to the east, and C ..."), the verb with the target's item; for
    a later clause that says its own thing of the subject (", and is home to B"), that clause."""
    found = _mention(rest, target)
    if found is None or ":" in rest[: found.start()] or _INCLUDING.search(rest[: found.start()]):
        return None  # an item of a list after a colon or "including": no relation of its own
    if _NAME_AND.search(rest[: found.start()]) and _SHARED_TAIL.match(rest, found.end()):
        return None  # "Lithuania and Latvia to the northwest": the direction belongs to both
    first_end = _CLAUSE_END.search(rest)
    if first_end is None or first_end.start() >= found.end():
        clause = _cut_clause(rest, found.end())
        # an item with words of its own ("Chad to the north, Sudan to the northeast") is a relation of its own,
        # unless the list is of its own last words ("in fluid dynamics that relates pressure, speed and height")
        own_words = rest[found.end() : len(clause)].strip()
        if (not own_words and _continues_list(rest, len(clause))) or _LOWER_LIST.match(rest, len(clause)):
            # "is subdivided into A, B and C": A alone would read as the whole; "claims sovereignty over A, B
            # and C", "changed hands under A, B, C": A is one of several that fit
            return None
        return clause
    if _RELATIVE_BEFORE.search(rest[: found.start()]):
        return None  # the target is said of another noun ("founded a dynasty, which ruled A and B")
    return _list_item_clause(rest, found, target)


def _list_item_clause(rest: str, found: re.Match[str], target: str) -> str | None:
    """For a list ("bordered by A to the north, B to the east, and C ..."), the verb with the target's item;
    for a later clause that says its own thing of the subject (", and is home to B"), that clause."""
    items = re.split(r",\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+(?=[A-Z])", _cut_list_end(rest, found.end()))
    at = next((i for i, item in enumerate(items) if _mention(item, target)), None)
    if at is None:
        return None
    holding = items[at]
    if _NAME_AND.search(rest[: found.start()]) and " " in holding.strip():
        return None  # "Lithuania and Latvia to the northwest": the direction belongs to both
    words = holding.removeprefix("and ").split()
    if words and re.fullmatch(r"[a-z]+ing", words[0]):
        return None  # a participle clause ("..., starting with A"), not an item of a list of names
    if _opens_with_verb(words, strict=True):
        # its own clause about the subject only when coordinated with "and" (", and is home to ..."), not
        # a clause whose subject is the name before it ("its centre, Novi Sad, is the largest city in ...")
        at = rest.find(holding)
        return holding if re.search(r"\band\s*$", rest[:at]) else None
    if _has_verb(words):
        return None
    head = items[0]
    first_name = re.search(r"(?<=\s)[A-Z]", head)
    if first_name is None:
        return None
    lead = head[: first_name.start()]
    if re.search(r"['’]s\b|\s(?:with|of|from|between)\s", head[first_name.start() :]):
        return (
            None  # the first item is a phrase about a name ("A's northern border with B, C ..."), not a name
        )
    if re.match(r"(?:to|in|on|at|from|by|with)\b", holding):
        # "bordered to the north by A, to the east by B": the item brings its own preposition; keep the verb
        verbs = re.match(r"(?:(?:\w+ly|also|is|was|are|were|has|have|had|been)\s+)*[a-z]+\s+", head)
        if verbs is None or not (_SIDE_BY.match(head[verbs.end() :]) and _SIDE_BY.match(holding)):
            return None  # "is an ancient port city ..., on the coast of B": the item goes with the noun
        return (verbs.group(0) + holding) if _opens_with_verb(verbs.group(0).split()) else None
    lead_words = lead.split()
    # the verb and its preposition only ("bordered by"): a longer lead belongs to the first item ("stretched
    # from the outer fringes of the Indus basin"), and the target's item would inherit it
    if len(lead_words) > MAX_LIST_LEAD_WORDS:
        return None
    if not (_LIST_LEAD.search(lead) or (len(lead_words) <= 3 and _opens_with_verb(lead_words))):
        return None  # not a list of names after a verb and preposition
    return re.sub(r"\bthe\s+$", "", lead) + holding


def _cut_list_end(text: str, after: int) -> str:
    end = _LIST_END.search(text, after)
    return text[: end.start()] if end else text


_SIDE_BY = re.compile(r"(?:to|in|on)\s+the\s+[a-z-]+(?:\s+and\s+[a-z-]+)?\s+by\b")  # "to the north by"
_SHARED_TAIL = re.compile(r"\s+(?:to|on|in|at)\s+the\b")
_NAME_AND = re.compile(r"[A-Z][\w'’.-]*\s+and\s+(?:the\s+)?$")
_RELATIVE_BEFORE = re.compile(r",\s+(?:which|who|whom|whose|where|when)\b")
_LIST_GOES_ON = re.compile(r"\s*,\s+(?:the\s+)?[A-Z]")
# ", density and temperature", ", the Greco-Bactrian Kingdom, the Parthians and ...": more items of a list
_LIST_ITEMS = re.compile(
    r"\s*,\s+(?:[\w'’-]+\s+){0,4}?[\w'’-]+(?:\s*,\s+(?:[\w'’-]+\s+){0,4}?[\w'’-]+)*,?\s+(?:and|or)\s"
)


# ", speed and height" (not an apposition: ", a country in East Africa, and ...")
_LOWER_LIST = re.compile(r"(?=\s*,\s+(?!(?:a|an|the|its|their)\b)[a-z])" + _LIST_ITEMS.pattern)


def _continues_list(text: str, at: int) -> bool:
    """Whether the text goes on, after a clause cut at `at`, with more items of a list the clause began."""
    return bool(_LIST_GOES_ON.match(text, at) or _LIST_ITEMS.match(text, at))


_LIST_END = re.compile(r";|\.\s|\.$|,\s+(?:which|who|where|while|although|but)\b")


# "the city of X", "the island of X": X is the city itself, not something the city holds
_APPOSITIVE_OF = re.compile(
    r"(\bthe\s+(?:[a-z-]+\s+){0,2}(?:city|town|village|island|islands|state|province|kingdom|county|port|"
    r"region|district|republic|empire|emirate|sultanate|duchy|principality|municipality|borough|isle|"
    r"peninsula|prefecture|territory|commune))\s+of\s+$"
)


def _indefinite_tail(text: str) -> str:
    """The noun phrase that ends `text` made indefinite when it opens with "the": "on the island" -> "on an
    island"."""
    found = re.search(r"\bthe\s+((?:[A-Za-z-]+\s+){0,2}[a-z-]+)$", text)
    if found is None:
        return text
    # a people's adjective goes with the name ("the Japanese island of Honshu" -> "an island")
    words = " ".join(w for w in found.group(1).split() if not w[:1].isupper())
    article = "an" if words[:1] in "aeiou" else "a"
    return text[: found.start()] + f"{article} {words}"


def _put_kind(clause: str, target: str, kind: str) -> str:
    """The target's mention becomes its kind: "a country"; "one" when the clause already names that kind
    ("whose capital city is one"); the bare noun after a determiner ("its river")."""
    found = _mention(clause, target)
    if found is None:
        return clause
    before, after = clause[: found.start()], clause[found.end() :]
    if re.search(r"[\"“‘]\s*$", before):
        return ""  # a quoted name ("coined the term 'Verschränkung'") is a word, not an entity of a kind
    noun = kind.split()[-1] if kind else ""
    determiner = _DETERMINED.search(before)
    if determiner:
        words = kind.split(" ", 1)[1] if kind.startswith(("a ", "an ")) else kind
        return before + words + after
    before = _COMPASS_BEFORE.sub("", _ARTICLE_BEFORE.sub("", before))  # "northeastern a country" reads badly
    if noun and compiled(r"\s+" + re.escape(noun) + r"\b").match(after):
        # "the Baroque style" -> "a style", not "a style style"
        return before + kind.rsplit(" ", 1)[0] + after
    if noun and compiled(r"\b" + re.escape(noun) + r"\s+$").search(before):
        # "his treatise The Prince" -> "his treatise": the noun names it; "the planet Neptune" -> "a planet",
        # since "the planet" would point at one the reader was never shown
        return _indefinite_tail(before.rstrip()) + after
    if noun and compiled(r"\b" + re.escape(noun) + r"\s+of\s+$").search(before):
        return (
            _indefinite_tail(re.sub(r"\s+of\s+$", "", before)) + after
        )  # "the island of Timor" -> "an island"
    appositive = _APPOSITIVE_OF.search(before)
    if (
        appositive
    ):  # "founded the city of Constantinople" -> "founded a city": the name is that city (its kind)
        return before[: appositive.start()] + (kind or _indefinite_tail(appositive.group(1))) + after
    if noun and compiled(r"\b" + re.escape(noun) + r"\b").search(before):
        # "whose capital is Bangui" -> "whose capital is one"; anywhere else "one" reads as debris
        return before + "one" + after if re.search(r"\b(?:is|was)\s+$", before) else ""
    return before + (kind or "one") + after
