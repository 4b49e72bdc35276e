"""Grounding: how much of a claim its cited text supports. One rule for synth (before a claim is kept) and
for verify's grounded check, so the two cannot disagree."""

from __future__ import annotations

import re

from .words import BLUR_WORDS, content_tokens, normalize_text, tokens

MIN_OVERLAP = 0.75  # share of a claim's content tokens its cited sentences must support
_DECADE = re.compile(r"^(\d{2,3})0s$")
_ORDINAL_CENTURY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)$")
_YEARS = re.compile(r"\b(\d{3,4})\b")
_SIDE_ADJECTIVE = re.compile(r"^((?:north|south)?(?:east|west)|north|south)ern$")


def token_supported(token: str, evidence_tokens: set[str], evidence_years: set[int]) -> bool:
    """A claim token counts as supported by evidence on a whole-word or 5-letter-stem hit, or as a blurred date."""
    if token in evidence_tokens:
        return True
    if token in BLUR_WORDS:
        return True
    if len(token) >= 5 and any(e.startswith(token[:5]) for e in evidence_tokens if len(e) >= 5):
        return True
    side = _SIDE_ADJECTIVE.match(token)  # "northwestern border" said of "to the northwest"
    if side and side.group(1) in evidence_tokens:
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


def overlap(claim_text: str, evidence: str, allowed: frozenset[str] = frozenset()) -> float:
    """Share of the claim's content tokens the evidence supports (whole word, stem or blurred date).

    `allowed` holds words synth may put in place of a name (the tree's entity kinds, "a city").
    """
    claim_tokens = content_tokens(claim_text)
    if not claim_tokens:
        return 0.0
    evidence_tokens = set(tokens(evidence)) | allowed
    years = years_in(evidence)
    return sum(token_supported(t, evidence_tokens, years) for t in claim_tokens) / len(claim_tokens)


def is_verbatim(claim_text: str, evidence: str) -> bool:
    normalised = normalize_text(claim_text)
    return bool(normalised) and normalised in normalize_text(evidence)


def supports(
    claim_text: str, evidence: str, allowed: frozenset[str] = frozenset(), min_overlap: float = MIN_OVERLAP
) -> bool:
    """Whether the evidence supports the claim by code: verbatim, or enough of its content words."""
    return is_verbatim(claim_text, evidence) or overlap(claim_text, evidence, allowed) >= min_overlap
