"""Fluency: code-only lint of a question for the debris masking, blurring and templating leave behind.

`fluency_problems` returns one short human-readable string per problem ("placeholder 'a certain one'",
"doubled word 'and and'", "61 words > 60"); an empty list means the question reads as fluent English as far as
these rules can tell. Every rule is a plain pattern or word list, tuned on debris measured in synth output and
on questions a careful human writes, and prefers missing a clumsy question to rejecting a good one.
"""

from __future__ import annotations

import itertools
import re

from .words import VOWEL_SOUND

WORD_LIMIT = 100

# a whitespace-delimited token with at least one letter or digit ("7,000" and "wrought-iron" are one word)
_WORD_TOKEN = re.compile(r"\S*[^\W_]\S*")


def word_count(question: str) -> int:
    return len(_WORD_TOKEN.findall(question))


def _words(*lists: str) -> frozenset[str]:
    return frozenset(word for text in lists for word in text.split())


# ── word lists ────────────────────────────────────────────────────────────────────────────────────────────

# auxiliaries and irregular past forms: a verb wherever they stand; regular past forms are caught by their
# "-ed" ending instead
_VERBS = _words(
    """is are was were be been being am has have had having do does did done can could will would shall should
    may might must""",
    """arose arisen ate beat became become began begun bore borne born bought brought built came caught chose
    chosen drew drawn drove driven fell fallen felt fled flew flown fought found gave given got gotten grew
    grown held hid hidden hung kept knew known laid lain led lost made meant met paid ran rang rose risen said
    sang sank sat saw seen sent shot showed shown sold sought spoke spoken spent sprang stood stole struck sung
    sunk swam taught thought threw thrown told took taken tore understood went won wore woven wrote written""",
)
# third-person forms of the verbs questions use most; many are also plural nouns ("its borders"), so they count
# as verbs only where a verb can stand (see _NO_VERB_AFTER)
_THIRD_PERSON = _words(
    """adjoins attracts bears becomes begins belongs borders carries comes comprises connects consists
    contains covers crosses depicts describes divides drains empties encloses enters extends faces features
    feeds flows follows forms gives goes governs grows hosts houses includes joins lies links lives makes
    marks means meets names occupies operates overlooks owns passes plays produces ranks reaches receives
    refers remains rises rules runs separates serves shares shows sits spans stands stretches supports
    surrounds takes tells honours honors uses wins writes"""
)


def _base_form(third_person: str) -> str:
    if third_person.endswith("ies"):
        return third_person[:-3] + "y"  # empties -> empty
    if third_person.endswith(("sses", "shes", "ches", "xes", "zes", "oes")):
        return third_person[:-2]  # crosses -> cross, goes -> go
    return third_person[:-1]


# base forms, a verb after a plural subject ("its novels include", "rivers that flow")
_BASE_FORMS = frozenset(_base_form(w) for w in _THIRD_PERSON)
# "-ed" words that are not verbs ("one hundred"; "a sacred site" is caught by the determiner rule below)
_ED_NON_VERBS = _words("hundred red bed seed speed breed shed sled steed weed creed shred kindred")
# words after which an "-ed" or "-s" word is an adjective or a plural noun ("a landlocked country", "its
# borders", "of flowering plants"); not "that" or "one", which head a relative clause as often ("that
# premiered", "one founded in")
_NO_VERB_AFTER = _words(
    """a an the its their his her this these those each every some any no many several most few other such
    both all of in on at to for from by with into onto over under about after before between during through
    within across against among around near per via two three four five six seven eight nine ten""",
)
# after these, an "-s" word is a verb, not a plural ("that drains", "it rises", "also hosts"), and a base form
# too ("they lie")
_SUBJECT_CUES = _words(
    "that which who it he she they also still now only mainly largely partly mostly then later once today often"
)
# the plurals blurring puts in place of figures ("dozens of", "hundreds of thousands of"): never verbs
_COUNT_PLURALS = _words("dozens hundreds thousands millions billions trillions tens scores")
_RELATIVE_WORDS = _words("that which whose who whom where")
_CONNECTIVES = _RELATIVE_WORDS | _words("and or but")
# what may follow "of it", "at it" ...: a verb (the object is a clause) or a function word ("named for it in")
_AFTER_IT_WORDS = _words(
    """a an the and or but of in on at to for from by with as into onto over under about after before between
    during through while since until upon within across against among around near than that which who whose
    where when not also still once now then later first only mainly largely partly mostly today"""
)
_AFTER_IT = _VERBS | _THIRD_PERSON | _AFTER_IT_WORDS
_NUMBER_WORDS = _words(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety several"""
)
_ARTICLES = _words("a an the")
# words that open an English sentence or clause and so, capitalised after a lower-case word, mark a sentence
# pasted into the middle of the question ("for which Towards the end ...", "and The country", "that In 1990")
_OPENERS = _words(
    """The A An In On At During After Before Towards Toward Although While However It Its This These Those
    They He She His Her There For With By From As Since When Despite Following Because Unlike Upon Until"""
)
# words after which a capital "A" is a misplaced article ("and A river"), not a label ("vitamin A")
_BEFORE_ARTICLE_A = _words(
    """and or but of in on at to for from by with as that which who whose where when than into onto over
    under about after before during through while since until upon within is was are were"""
)

# ── patterns ──────────────────────────────────────────────────────────────────────────────────────────────

_CERTAIN_ONE = re.compile(r"\b(?:an?\s+)?certain\s+ones?\b", re.IGNORECASE)
_ENTITY = re.compile(
    r"\b(?:(?:this|that|the|an|a|which|such an?|each|any|every|one|some)\s+)?entit(?:y|ies)(?:['’]s)?\b",
    re.IGNORECASE,
)
_WHICH_ENTITY_OPENING = re.compile(r"Which entity\b")
# "the states of a state", "the province of a province", "another country and that country", "its capital is
# a capital": two names of
# one kind masked side by side, which no reader can tell apart
_SAME_KIND_TWICE = re.compile(
    r"\b([a-z]{3,}?)(?:e?s)?\s+of\s+(?:a|an|another|that)\s+\1\b|"
    r"\banother\s+([a-z]+)\s+(?:and|or)\s+(?:a|an|that)\s+\2\b"
    r"|\b(?:a|an)\s+([a-z]+)\s+in\s+that\s+\3\b"
    r"|\b([a-z]{3,})\s+(?:is|was)\s+(?:a|an)\s+\4\b"
)
# a place word or a name left before an article: "in central a country", "of modern-day a state", "the Indus a
# river" (a name cut in two by a kind)
_WORD_BEFORE_ARTICLE = re.compile(
    r"\b(?:central|northern|southern|eastern|western|modern-day|present-day|mainland|metropolitan|"
    r"continental|insular|peninsular|greater|lesser|upper|lower)\s+(?:and\s+)?(?:a|an|that)\s"
    r"|(?<=[a-z] )[A-Z][a-z]+\s+(?:a|an)\s+[a-z]+"
    r"|\bof\s+(?:a|an)\s+[a-z]+\s+[a-z]+s\s+[A-Z]"
)


def misplaced_kind(text: str) -> bool:
    """Whether a kind that stands for a name sits where no noun phrase can: beside another of its own kind or
    after a place word or a name. Synth's clue check uses it too, so a clue it keeps passes this lint."""
    return bool(_SAME_KIND_TWICE.search(text) or _WORD_BEFORE_ARTICLE.search(text))


# "whose capital is one." / "is one and ...": a name replaced by "one" that nothing later refers to
_DANGLING_ONE = re.compile(r"\b(?:is|was|are|were)\s+one(?=\s*(?:[.,;?]|and\b|but\b))")
# "better known as it or simply ...": a masked name replaced by the pronoun
_NAME_AS_IT = re.compile(r"\b(?:known as|referred to as|called|named)\s+it\b(?=\s*(?:[,;?)]|or\b|and\b|$))")
_PREPOSITION_IT = re.compile(
    r"\b(?:of|at|in|on|to|from|by|with|for|after|into|near|over|under|about|around|through|across|along)"
    r"\s+it\s+([a-z]+)\b"
)
_PREPOSITIONS = frozenset(
    ["on", "in", "at", "of", "to", "from", "by", "with", "into", "onto", "near", "under", "over"]
)
_TRAILING_PUNCTUATION = ",;:.?!)\"'”’"
_ARTICLE_BEFORE_PLURAL = re.compile(
    r"\b(?:a|an)\s+(?:" + "|".join(sorted(_COUNT_PLURALS)) + r"|several)\b", re.IGNORECASE
)
_GLUED_FIGURE = re.compile(r"\b[A-Za-z]{2,}[.,]\d")
_POSSESSIVE_ARTICLE = re.compile(
    r"\b(?!(?:it|that|what|who|there|here|he|she)['’]s\b)[A-Za-z]+['’]s\s+(?:a|an|the)\b", re.IGNORECASE
)
_ELLIPSIS = re.compile(r"\.\.\.|…")
# lower case only: "vitamin A?" ends a question well
_CUT_ENDING = re.compile(r"(?:,|\b(and|or|of|the|a|an))\s*\??\s*$")
# a parenthesis is read as clauses of its own, the text around it as if it were not there
_INNERMOST_PARENTHESIS = re.compile(r"\(([^()]*)\)")
# clause boundaries: semicolons; a comma only before "and"/"or"/"but" (a plain comma sets off
# an appositive, a fronted phrase or a list item: fluent English with no verb of its own); before a relative
# word, which stays with its clause. "that" after a preposition is a demonstrative ("in that year"): no split.
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|(?<=,)\s+(?=(?:and|or|but)\b)|\s+(?=(?:which|whose|who|whom|where)\b)"
    r"|(?<!\bin)(?<!\bof)(?<!\bat)(?<!\bon)(?<!\bby)(?<!\bto)(?<!\bfor)(?<!\bfrom)(?<!\bwith)(?<!\bduring)"
    r"(?<!\bafter)(?<!\bbefore)\s+(?=that\b)"
)
_CLAUSE_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_MIN_CLAUSE_WORDS = 3


# ── rules ─────────────────────────────────────────────────────────────────────────────────────────────────


def _placeholders(question: str) -> list[str]:
    found = [f"placeholder {m.group(0).lower()!r}" for m in _CERTAIN_ONE.finditer(question)]
    for match in _ENTITY.finditer(question):
        # "Which entity ...?" is the template's opening, the one place the word reads as intended
        if match.start() == 0 and _WHICH_ENTITY_OPENING.match(question):
            continue
        found.append(f"placeholder {match.group(0).lower()!r}")
    found += [f"pronoun used as a name {m.group(0)!r}" for m in _NAME_AS_IT.finditer(question)]
    found += [f"placeholder {m.group(0)!r}" for m in _DANGLING_ONE.finditer(question)]
    found += [f"one kind for two names {m.group(0)!r}" for m in _SAME_KIND_TWICE.finditer(question)]
    found += [
        f"word left before an article {m.group(0).strip()!r}" for m in _WORD_BEFORE_ARTICLE.finditer(question)
    ]
    for match in _PREPOSITION_IT.finditer(question):
        follower = match.group(1)
        # "of it tree": a masked name left "it" before its head noun; "for it is" / "of it derives" are clauses
        if follower not in _AFTER_IT and not follower.endswith(("s", "ed")):
            found.append(f"pronoun before a noun {match.group(0)!r}")
    return found


_VOWEL_SOUND = re.compile(VOWEL_SOUND)


def _word_pairs(question: str) -> list[str]:
    found = []
    tokens = question.split()
    for first, raw_second in itertools.pairwise(tokens):
        second = raw_second.rstrip(_TRAILING_PUNCTUATION)
        # a pair is two bare words in a row; punctuation between them ("Paris, the") is a boundary
        if not (first.isalnum() and second.isalnum()):
            continue
        pair, lowered = f"{first} {second}", (first.lower(), second.lower())
        if lowered[0] == lowered[1]:
            # "which had had" is English; any other word twice in a row is a join gone wrong
            if lowered[0] != "had":
                found.append(f"doubled word {pair!r}")
        elif lowered[0] in _ARTICLES and lowered[1] in _ARTICLES:
            found.append(f"clashing articles {pair!r}")
        elif lowered[0] in _NUMBER_WORDS and lowered[1] in _ARTICLES:
            found.append(f"article after a number {pair!r}")
        elif lowered[0] in ("a", "an") and lowered[1] in _PREPOSITIONS:
            found.append(f"article before a preposition {pair!r}")  # "is an on the north coast"
        elif first == "a" and _VOWEL_SOUND.match(lowered[1]):
            found.append(f"'a' before a vowel {pair!r}")  # "a French outpost" without "French"
    found += [f"article before a plural {m.group(0)!r}" for m in _ARTICLE_BEFORE_PLURAL.finditer(question)]
    found += [f"word glued to a figure {m.group(0)!r}" for m in _GLUED_FIGURE.finditer(question)]
    found += [f"possessive before an article {m.group(0)!r}" for m in _POSSESSIVE_ARTICLE.finditer(question)]
    return found


def _mid_sentence_openers(question: str) -> list[str]:
    """A capitalised opener after a lower-case word (no '.', '?', ':' between) and before a lower-case word or a
    figure: a sentence pasted mid-question. Followed by a capitalised word it is taken as the start of a name or
    title ("in The Hague", "wrote In Search of Lost Time") and not flagged; "the The" is a doubled word."""
    tokens = question.split()
    found = []
    for index in range(1, len(tokens)):
        word = tokens[index].strip("\"'“”‘’,;")
        previous = tokens[index - 1]
        if word not in _OPENERS or not previous[-1:].isalpha() or not previous[:1].islower():
            continue
        # "vitamin A", "hepatitis A": a lone letter is a label unless a function word precedes it
        if word == "A" and previous.lower() not in _BEFORE_ARTICLE_A:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if following[:1].isupper():
            continue
        found.append(f"sentence opener mid-question '{previous} {word}'")
    return found


def _parentheses(question: str) -> list[str]:
    depth, groups, nested, unbalanced = 0, 0, False, False
    for char in question:
        if char == "(":
            nested |= depth > 0
            groups += depth == 0
            depth += 1
        elif char == ")":
            if depth == 0:
                unbalanced = True
            else:
                depth -= 1
    found = ["unbalanced parentheses"] if unbalanced or depth else []
    if nested:
        found.append("nested parentheses")
    if groups > 1:
        found.append(f"{groups} parenthesised groups")
    return found


def _is_verb_like(word: str, previous: str) -> bool:
    lowered, before = word.lower(), previous.lower()
    if lowered in _VERBS:
        return True
    if not word[:1].islower() or before in _NO_VERB_AFTER:
        return False
    if lowered in _THIRD_PERSON:
        return True
    if lowered in _BASE_FORMS:
        # after a plural noun or a pronoun: "its novels include", "they lie"; not "a border" or "the rise of"
        return before in _SUBJECT_CUES or _is_plural(before)
    if lowered.endswith("ed") and len(lowered) >= 4:
        return lowered not in _ED_NON_VERBS
    if _is_plural(lowered) and lowered not in _COUNT_PLURALS:
        return before in _SUBJECT_CUES  # an unlisted verb: "that drains", not "flowering plants"
    return False


def _is_plural(word: str) -> bool:
    return word[:1].islower() and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "’s"))


def _verb_count(clause: str) -> int:
    words = _CLAUSE_WORD.findall(clause)
    return sum(_is_verb_like(w, words[i - 1] if i else "") for i, w in enumerate(words))


def _content_words(clause: str) -> list[str]:
    words = _CLAUSE_WORD.findall(clause)
    while words and words[0].lower() in _CONNECTIVES:
        words = words[1:]
    return words


def _verbless_clauses(question: str) -> list[str]:
    """Clauses of 3+ words with no verb-like word ("that the capital of a country"). A clause is excused when its
    verb plainly comes later: it ends at a comma before a relative aside ("Which genus of plants, whose name
    honours a botanist, is ..."), or the next clause is relative and holds two verbs (its own and the resumed
    one: "where the river that rises in the Alps ends"); an "and"/"or" clause after a comma-separated list is
    that list's last item."""
    found = []
    for text in _parenthesis_free_texts(question.strip().rstrip("?")):
        clauses = [c for c in _CLAUSE_BREAK.split(text) if c.strip()]
        for index, clause in enumerate(clauses):
            words = _content_words(clause)
            if len(words) < _MIN_CLAUSE_WORDS or _verb_count(clause):
                continue
            following = clauses[index + 1] if index + 1 < len(clauses) else ""
            continues_after_aside = clause.rstrip().endswith(",") or (
                following.split(" ", 1)[0].lower() in _RELATIVE_WORDS and _verb_count(following) >= 2
            )
            # "borders France, Spain, and the Bay of Biscay": the last item of a list, not a clause
            previous = clauses[index - 1].rstrip().rstrip(",") if index else ""
            ends_a_list = clause.split(" ", 1)[0] in ("and", "or") and "," in previous
            if not (continues_after_aside or ends_a_list):
                found.append(f"clause without a verb {' '.join(words)!r}")
    return found


def _parenthesis_free_texts(text: str) -> list[str]:
    """The text with every parenthesis taken out, then each parenthesis's own text, innermost first."""
    inner = []
    while match := _INNERMOST_PARENTHESIS.search(text):
        inner.append(match.group(1))
        text = text[: match.start()] + " " + text[match.end() :]
    unpaired_removed = text.replace("(", " ").replace(")", " ")
    return [" ".join(t.split()) for t in [unpaired_removed, *inner]]


def fluency_problems(question: str, max_words: int = WORD_LIMIT) -> list[str]:
    """One short description per problem found in `question`; empty when it reads as fluent."""
    text = " ".join(question.split())
    problems = _placeholders(text) + _word_pairs(text) + _mid_sentence_openers(text)
    if _ELLIPSIS.search(text):
        problems.append("ellipsis '...'")
    problems += _parentheses(text)
    words = word_count(text)
    if words > max_words:
        problems.append(f"{words} words > {max_words}")
    cut = _CUT_ENDING.search(text)
    if cut:
        problems.append(f"ends mid-list or mid-phrase at {(cut.group(1) or ',')!r}")
    problems += _verbless_clauses(text)
    return list(dict.fromkeys(problems))  # one line per distinct problem, in order found
