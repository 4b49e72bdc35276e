"""Search results as a searcher reads them, for the guided and choice-driven trajectories.

`search_information(index, query, k)` runs one real search and renders its top k hits as `<information>` text:
one line per hit, the page title and the page sentence that shares most words with the query (the lead
sentence when none does), cut at a word boundary. The text depends only on the query and the index, so
rerunning the query reproduces it exactly (the guided checker relies on that). No LLM is involved: what a
trajectory reads is page text verbatim.

`names_in(text)` gives the capitalised names a text shows, which the choice agent offers as query parts and
answers, and `word_keys(text)` the case-folded words a searcher has seen, as the oracle keys them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..text import FUNCTION_WORDS

if TYPE_CHECKING:
    from ..index.protocol import IndexLike

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TERM = re.compile(r"\w+", re.UNICODE)
# the oracle's word shape: letters/digits joined by apostrophes or hyphens
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# a run of capitalised words, allowing short joiners inside ("Sea of Marmara", "Hagia Sophia")
_NAME = re.compile(
    r"\b[A-Z][\w'’\-]*(?:\s+(?:(?:of|the|de|da|del|la|le|von|van|al|du|des)\s+)?[A-Z][\w'’\-]*)*"
)


@dataclass(frozen=True)
class ShownResults:
    """One search as recorded: the query, the page ids of the hits in rank order, the rendered text."""

    query: str
    page_ids: list[int]
    titles: list[str]
    information: str


def word_keys(text: str) -> set[str]:
    """Case-insensitive whole words of `text`, plus the parts of hyphenated words and names without 's."""
    keys: set[str] = set()
    for word in WORD.findall(text):
        key = word.casefold().replace("’", "'")
        keys.add(key)
        keys.add(re.sub(r"'s$", "", key))
        keys.update(part for part in re.split(r"[-']", key) if part)
    return keys


def _terms(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _TERM.findall(text)) if len(w) > 2 and w not in FUNCTION_WORDS}


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for line in text.splitlines():
        sentences.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return sentences


def _cut(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars // 2 else cut).rstrip() + " ..."


def best_sentence(page_text: str, title: str, query: str, max_chars: int) -> str:
    """The page sentence sharing most content words with `query` (earliest on ties; title lines skipped)."""
    terms = _terms(query)
    candidates = [s for s in _sentences(page_text) if s != title and len(s.split()) > 3] or _sentences(
        page_text
    )
    if not candidates:
        return ""
    best = max(range(len(candidates)), key=lambda i: (len(terms & _terms(candidates[i])), -i))
    return _cut(candidates[best], max_chars)


def _clean(text: str) -> str:
    # page text is data: it may not open or close a transcript block
    return re.sub(
        r"</?\s*(think|search|information|answer|result|tool_call|tool_response)\s*>", " ", text, flags=re.I
    )


def search_information(index: IndexLike, query: str, k: int, max_chars: int = 400) -> ShownResults:
    """Search `query`, keep the top `k` hits, render one line per hit (see the module docstring)."""
    hits = index.search(query, k)[:k]
    lines = []
    for n, hit in enumerate(hits, start=1):
        sentence = best_sentence(index.page(hit.page_id).text, hit.title, query, max_chars)
        lines.append(_clean(f"[{n}] {hit.title}: {sentence}"))
    information = "\n".join(lines) if lines else "No results."
    return ShownResults(query, [h.page_id for h in hits], [h.title for h in hits], information)


_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december"}
)


def names_in(text: str) -> list[str]:
    """Capitalised names of `text` in first-seen order, each once, possessive 's dropped. Left out: function
    words ("The", "In"), one-word names of 3 letters or fewer, month names, and a lone capitalised word that
    opens a sentence ("Geopolitically, it covers ...")."""
    seen: dict[str, None] = {}
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in FUNCTION_WORDS:
            words = words[1:]
        name = re.sub(r"['’]s$", "", " ".join(words)).strip(" '’-")
        opens_sentence = not text[: match.start()].strip() or text[: match.start()].rstrip()[-1:] in '.!?:;"('
        if not name or (len(words) == 1 and (len(name) <= 3 or opens_sentence or name.lower() in _MONTHS)):
            continue
        seen.setdefault(name, None)
    return list(seen)
