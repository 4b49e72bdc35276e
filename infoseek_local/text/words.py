"""Words: the one set of rules synth, verify and the agent share for what a word is and which words count.

Stopwords, the words blurring may introduce, normalised tokens, content words, the share of a claim's words a
text supports, and the words a searcher would type. Deterministic and dependency-free.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# words that carry no content, shared with verify's overlap checks
FUNCTION_WORDS = word_set(
    """a an the and or but of in on at to for from by with as is are was were be been being this that these
    those it its their there here which who whom whose what when where why how not no nor so than then
    also only into onto over under about after before between during through while since until upon within
    without across against among around per via has have had having do does did can could may might must
    shall should will would one such other another some any each many much more most several entity
    certain s"""
)
# masking also passes over naming words ("known as", "called") and placeholders' filler
STOPWORDS = FUNCTION_WORDS | word_set("it's ones thing called known named")


# words blurring may introduce that are not in the cited sentence; the grounded checks of synth and verify
# both accept them
BLUR_WORDS = word_set(
    "century centuries ten tens thousand thousands hundred hundreds dozens several million millions billion billions "
    "trillion certain "
    "entity bc bce ad ce"
)


# the start of a word that takes "an": a vowel sound ("an outpost"), not "a European", "a one-time" nor any "u"
# ("a unit", "a ubiquitous"), which English reads both ways
VOWEL_SOUND = r"(?!eu|one|once)[aeio]"


def content_terms(text: str) -> list[str]:
    """Distinct lower-case content words (3+ letters, no stopwords), in order."""
    seen: dict[str, None] = {}
    for token in re.findall(r"[A-Za-z][A-Za-z'’]+", text):
        word = re.sub(r"['’]s$", "", token.lower()).strip("'’-")
        if len(word) >= 3 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


def term_coverage(terms: list[str], page_text: str) -> float:
    """Share of `terms` found in `page_text` (prefix match of 5 letters, so plurals and tenses count)."""
    if not terms:
        return 0.0
    haystack = _haystack(page_text)
    found = sum(1 for t in terms if (" " + t[:5]) in haystack)
    return found / len(terms)


@lru_cache(maxsize=1 << 16)
def _haystack(text: str) -> str:
    # retrospection tests the same sentences against many clues: normalise each once
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "‘’“”–—«»·"})


def normalize_text(text: str) -> str:
    """Lower case, accents folded, punctuation and articles dropped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = folded.translate(_PUNCTUATION)
    folded = _ARTICLES.sub(" ", folded)
    return " ".join(folded.split())


def tokens(text: str) -> list[str]:
    """Normalised word tokens (lower case, accents folded, punctuation and articles dropped)."""
    return normalize_text(text).split()


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning: not function words, and a digit or at least 2 letters."""
    return [t for t in tokens(text) if t not in FUNCTION_WORDS and (len(t) >= 2 or t.isdigit())]


_QUERY_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def search_query(text: str) -> str:
    """The words a searcher would type: the text's words in their original spelling, function words dropped.

    BM25 over titles and anchors rewards "of the" in titles such as "Republic of the Congo" as much as a rare
    content word, so questions are searched without their function words.
    """
    return " ".join(w for w in _QUERY_WORD.findall(text) if w.lower() not in FUNCTION_WORDS)
