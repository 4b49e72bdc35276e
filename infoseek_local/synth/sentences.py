"""Numbered sentences of a page's text: the unit a claim cites and code checks.

Splitting is rule-based and deterministic (no model): a sentence ends at `.`, `!` or `?` followed by
whitespace and an upper-case letter, digit or quote, unless the word before the dot is a known abbreviation
or a single capital initial ("J. R. R. Tolkien"). Sentence numbers start at 1, as shown to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    str.split(
        "mr mrs ms dr prof st jr sr vs etc e.g i.e c ca approx no vol fig inc ltd co corp gen gov col lt sgt "
        "mt ft jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k b.c a.d"
    )
)
_BOUNDARY = re.compile(r"([.!?][\"')\]]?)\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, as cited
    text: str
    start: int  # character offsets into the page text
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Split page text into numbered sentences; paragraph breaks always end a sentence."""
    sentences: list[Sentence] = []
    offset = 0
    for paragraph in re.split(r"(\n\s*\n|\n)", text):
        if paragraph.strip() and not paragraph.isspace():
            for start, end in _split_paragraph(paragraph):
                piece = paragraph[start:end].strip()
                if piece:
                    lead = len(paragraph[start:end]) - len(paragraph[start:end].lstrip())
                    s = offset + start + lead
                    sentences.append(Sentence(len(sentences) + 1, piece, s, s + len(piece)))
        offset += len(paragraph)
    return sentences


def _split_paragraph(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : match.start() + 1]
        last_word = before.rstrip(".!?\"')]").split()[-1:] or [""]
        word = last_word[0].lower()
        attached = paragraph[match.start() - 1 : match.start()].isalnum()  # "ft." yes, "(2,648 ft)." no
        if (
            match.group(1).startswith(".")
            and attached
            and (
                word in _ABBREVIATIONS
                or (len(word) == 1 and word.isalpha())
                or re.fullmatch(r"(\w\.)+\w?", word)
            )
        ):
            continue
        spans.append((start, match.end(1)))
        start = match.end()
    spans.append((start, len(paragraph)))
    return spans


def words(text: str) -> list[str]:
    """Word tokens as they appear (no case change); used for term checks and masking."""
    return _WORD.findall(text)
