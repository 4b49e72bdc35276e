"""Claims: a clue and the one sentence it was cut from, and the code check that the clue is grounded in it.

Grounding is the shared rule of the text package (`text.grounding.supports`), the same one verify's grounded
check applies, so synth never keeps a claim verify would reject.
"""

from __future__ import annotations

from ..records import Claim
from ..text import content_tokens, supports
from .sentences import Sentence

# words a clue may hold that its sentence does not: the kinds that replace names, and "one" for a kind
# already named ("whose capital is one")
PLACEHOLDER_WORDS = frozenset({"one"})


def relation_claim(sentence: Sentence, clue: str, name_kinds: tuple[str, ...] = ()) -> Claim:
    """The parent page's sentence that links to the child, as a clue about the parent."""
    return _claim(sentence, clue, "relation", name_kinds)


def fact_claim(sentence: Sentence, clue: str, name_kinds: tuple[str, ...] = ()) -> Claim:
    """A fact about a vertex from one sentence of its own page."""
    return _claim(sentence, clue, "attribute", name_kinds)


def _claim(sentence: Sentence, clue: str, kind: str, name_kinds: tuple[str, ...]) -> Claim:
    return Claim(
        text=clue,
        sentence_ids=[sentence.number],
        sentences=[sentence.text],
        kind=kind,
        name_kinds=list(name_kinds),
    )


def kind_words(kinds: list[str]) -> frozenset[str]:
    return frozenset(t for kind in kinds for t in content_tokens(kind)) | PLACEHOLDER_WORDS


def is_grounded(claim: Claim, page_sentences: list[Sentence], allowed: frozenset[str]) -> bool:
    """Every cited sentence is verbatim that numbered sentence of the page, and the clue is supported by the
    cited sentences (masked names may become any of `allowed`: the tree's kinds)."""
    by_number = {s.number: s.text for s in page_sentences}
    if not claim.sentence_ids or len(claim.sentence_ids) != len(claim.sentences):
        return False
    if any(by_number.get(n) != text for n, text in zip(claim.sentence_ids, claim.sentences, strict=True)):
        return False
    return supports(claim.text, " ".join(claim.sentences), allowed | kind_words(claim.name_kinds))
