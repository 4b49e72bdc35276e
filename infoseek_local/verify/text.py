"""Text helpers the checks share: content tokens, word shingles and fuzzy phrase search.

Deterministic and dependency-free (difflib from the standard library), so every check can explain itself.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..synth.masking import BLUR_WORDS, FUNCTION_WORDS
from .answer_match import normalize_answer

STOPWORDS = FUNCTION_WORDS
_DECADE = re.compile(r"^(\d{2,3})0s$")
_ORDINAL_CENTURY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_YEARS = re.compile(r"\b(\d{3,4})\b")


def tokens(text: str) -> list[str]:
    """Normalised word tokens (lower case, accents folded, punctuation and articles dropped)."""
    return normalize_answer(text).split()


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning: not stopwords, and a digit or at least 2 letters."""
    return [t for t in tokens(text) if t not in STOPWORDS and (len(t) >= 2 or t.isdigit())]


def token_supported(token: str, evidence_tokens: set[str], evidence_years: set[int]) -> bool:
    """A claim token counts as supported by evidence on a whole-word or 5-letter-stem hit, or as a blurred date."""
    if token in evidence_tokens:
        return True
    if token in BLUR_WORDS:
        return True
    if len(token) >= 5 and any(e.startswith(token[:5]) for e in evidence_tokens if len(e) >= 5):
        return True
    decade = _DECADE.match(token)
    if decade:  # "1950s" blurred from a year 1950-1959
        base = int(decade.group(1)) * 10
        return any(base <= y < base + 10 for y in evidence_years)
    century = _ORDINAL_CENTURY.match(token)
    if century:  # "20th" (century) blurred from a year 1900-1999
        start = (int(century.group(1)) - 1) * 100
        return token in evidence_tokens or any(start <= y < start + 100 for y in evidence_years)
    return False


def years_in(text: str) -> set[int]:
    return {int(y) for y in _YEARS.findall(text)}


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    """Word n-grams of the normalised text (the whole text as one shingle when it is shorter than `size`)."""
    words = tokens(text)
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def contains_phrase(haystack_tokens: list[str], phrase_tokens: list[str]) -> bool:
    """Whether the phrase occurs as consecutive whole tokens."""
    n = len(phrase_tokens)
    if n == 0:
        return False
    return any(haystack_tokens[i : i + n] == phrase_tokens for i in range(len(haystack_tokens) - n + 1))


def best_fuzzy_window(haystack_tokens: list[str], phrase_tokens: list[str]) -> tuple[float, str]:
    """The most similar run of haystack tokens (length n-1..n+1) to the phrase: (ratio, matched text).

    Ratio is difflib's on the joined strings, so near-spellings ("eifel tower") and reordered words
    (compared as sorted token sets, "tower eiffel") both score high.
    """
    phrase = " ".join(phrase_tokens)
    phrase_sorted = " ".join(sorted(phrase_tokens))
    best = (0.0, "")
    n = len(phrase_tokens)
    for size in {max(1, n - 1), n, n + 1}:
        for i in range(len(haystack_tokens) - size + 1):
            window = haystack_tokens[i : i + size]
            text = " ".join(window)
            if text.startswith(phrase) or phrase.startswith(text):
                continue  # a derived word ("continent" in "continental") is not a near-spelling of the name
            ratio = max(
                SequenceMatcher(None, phrase, text).ratio(),
                SequenceMatcher(None, phrase_sorted, " ".join(sorted(window))).ratio(),
            )
            if ratio > best[0]:
                best = (ratio, text)
    return best


_QUERY_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


def search_query(text: str) -> str:
    """The words a searcher would type: the text's words in their original spelling, stopwords dropped.

    BM25 over titles and anchors rewards "of the" in titles such as "Republic of the Congo" as much as a rare
    content word, so questions are searched without their function words.
    """
    return " ".join(w for w in _QUERY_WORD.findall(text) if w.lower() not in STOPWORDS)
