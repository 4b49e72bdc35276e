"""Text helpers of the checks: word shingles and fuzzy phrase search (word rules live in `text`).

Deterministic and dependency-free (difflib from the standard library), so every check can explain itself.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from ..text.grounding import token_supported, years_in
from ..text.words import FUNCTION_WORDS, content_tokens, normalize_text, search_query, tokens

STOPWORDS = FUNCTION_WORDS
normalize_answer = normalize_text
__all__ = [
    "STOPWORDS",
    "best_fuzzy_window",
    "contains_phrase",
    "content_tokens",
    "normalize_answer",
    "search_query",
    "shingles",
    "token_supported",
    "tokens",
    "years_in",
]


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
