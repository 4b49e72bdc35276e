"""Claims made from a page's own sentences, and the code check that a claim is grounded in what it cites."""

from __future__ import annotations

import re

from ..records import Claim, Vertex
from .context import SynthContext
from .masking import BLUR_WORDS, SUBJECT, clip_after, content_terms, mask_names, shorten
from .sentences import Sentence

_CHILD_MARK = "\x00child\x00"
_MARK_WITH_DETERMINER = re.compile(
    r"(\b(?:its|their|his|her|our|this|that|these|those|whose)\s+)?" + _CHILD_MARK
)
CLAIM_WORDS = 16  # longer sentences are cut to the clause that matters, so questions stay readable


def attribute_claim(ctx: SynthContext, vertex: Vertex, sentence: Sentence) -> Claim:
    """A fact about `vertex` from one sentence of its own page, its names masked."""
    text = shorten(mask_names(sentence.text, ctx.aliases(vertex.page_id)), max_words=CLAIM_WORDS)
    return Claim(text=text, sentence_ids=[sentence.number], sentences=[sentence.text], kind="attribute")


def relation_claim(
    ctx: SynthContext, parent: Vertex, child_page_id: int, anchor: str, sentence: Sentence
) -> Claim:
    """The parent page's sentence that links to the child: the child's name becomes its kind ("a country")."""
    child_names = [anchor, *ctx.aliases(child_page_id)]
    text = mask_names(sentence.text, child_names, _CHILD_MARK)
    text = mask_names(text, ctx.aliases(parent.page_id))
    text = clip_after(text, _CHILD_MARK, CLAIM_WORDS)
    text = _put_kind(text, ctx.descriptor(child_page_id))
    if text.startswith(ctx.descriptor(child_page_id)):
        text = text[:1].upper() + text[1:]
    return Claim(text=text, sentence_ids=[sentence.number], sentences=[sentence.text], kind="relation")


def _put_kind(text: str, kind: str) -> str:
    """The child's first mention becomes its kind ("a country"; "its country" after a determiner), later
    mentions "it"."""
    bare = bare_kind(kind)
    seen = False

    def put(match: re.Match[str]) -> str:
        nonlocal seen
        determiner = match.group(1) or ""
        word = (bare if determiner else kind) if not seen else (bare if determiner else "it")
        seen = True
        return determiner + word

    return _MARK_WITH_DETERMINER.sub(put, text)


def bare_kind(kind: str) -> str:
    """ "a country" -> "country"."""
    return kind.split(" ", 1)[1] if kind.startswith(("a ", "an ")) else kind


def is_grounded(claim: Claim, page_sentences: list[Sentence], allowed_extra: set[str]) -> bool:
    """Every cited sentence is verbatim that numbered sentence of the page, and every content word of the
    claim comes from the cited sentences, from a masked entity's kind, or from blurring."""
    by_number = {s.number: s.text for s in page_sentences}
    if not claim.sentence_ids or len(claim.sentence_ids) != len(claim.sentences):
        return False
    if any(by_number.get(n) != text for n, text in zip(claim.sentence_ids, claim.sentences, strict=True)):
        return False
    source = set(content_terms(" ".join(claim.sentences)))
    for term in content_terms(claim.text):
        if term in source or term in allowed_extra or term in BLUR_WORDS:
            continue
        if re.fullmatch(r"\d+(st|nd|rd|th|s)", term):
            continue
        return False
    return True


def clause_subject_rest(text: str) -> str | None:
    """ "This entity is X." -> "is X"; None when the claim does not open with the entity as subject."""
    prefix = SUBJECT[:1].upper() + SUBJECT[1:] + " "
    if text.startswith(prefix):
        return text[len(prefix) :].rstrip(" .")
    return None
