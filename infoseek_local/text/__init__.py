"""Text rules shared by synth, verify and the agent: words, names and masking, blurring, grounding, fluency.

Everything here is deterministic code over strings; nothing imports synth, verify or agent, so imports flow one
way (those stages use this package, never each other's copies)."""

from .grounding import MIN_OVERLAP, is_verbatim, overlap, supports, token_supported, years_in
from .masking import (
    SUBJECT,
    acronyms_in,
    blur_numbers,
    demonyms_in,
    descriptor_of,
    initials,
    is_acronym_of,
    kind_from_tagline,
    longer_name_span,
    mask_names,
    mentions_name,
    names_given_in,
)
from .words import (
    BLUR_WORDS,
    FUNCTION_WORDS,
    STOPWORDS,
    content_terms,
    content_tokens,
    normalize_text,
    search_query,
    term_coverage,
    tokens,
    word_set,
)

__all__ = [
    "BLUR_WORDS",
    "FUNCTION_WORDS",
    "MIN_OVERLAP",
    "STOPWORDS",
    "SUBJECT",
    "acronyms_in",
    "blur_numbers",
    "content_terms",
    "content_tokens",
    "demonyms_in",
    "descriptor_of",
    "initials",
    "is_acronym_of",
    "is_verbatim",
    "kind_from_tagline",
    "longer_name_span",
    "mask_names",
    "mentions_name",
    "names_given_in",
    "normalize_text",
    "overlap",
    "search_query",
    "supports",
    "term_coverage",
    "token_supported",
    "tokens",
    "word_set",
    "years_in",
]
