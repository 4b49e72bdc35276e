"""From search hits to the `<information>` an agent reads: passages, a refiner call, and a grounding check.

The refiner (a short schema-constrained LLM call, template `agent_refine`) condenses the top results into the
facts that matter for the question; when none of its facts survive, the lead sentence of each result is used. Page text reaches it only inside `<result>` data blocks. Code then keeps a
fact only when most of its content words occur in the text the refiner was shown, so a refiner that invents
facts cannot feed them to the agent; dropped facts are counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from msgspec import Meta, Struct

from ..llm.base import GenParams
from ..records import SearchHit
from ..text import FUNCTION_WORDS, overlap
from ..text.instructions import redact_instructions

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM

REFINE_TEMPLATE = "agent_refine"
MAX_FACTS = 4
FACT_CHARS = 160
# a fact is grounded when at least this share of its content words appear in the shown results
GROUNDED_SHARE = 0.6

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class RefinedFacts(Struct, kw_only=True):
    # shown to the model as a JSON schema: no docstring
    facts: Annotated[
        list[Annotated[str, Meta(max_length=FACT_CHARS)]], Meta(min_length=1, max_length=MAX_FACTS)
    ]


@dataclass(frozen=True)
class Passage:
    page_id: int
    title: str
    text: str


@dataclass
class Refinement:
    information: str
    page_ids: list[int]
    dropped_facts: int
    prompt_tokens: int
    completion_tokens: int


def content_words(text: str) -> list[str]:
    # the shared content-word rule (text package), kept as a list with repeats for passage scoring
    return [
        w
        for w in (m.group(0).lower() for m in _WORD.finditer(text))
        if len(w) > 2 and w not in FUNCTION_WORDS
    ]


def merge_hits(hit_lists: Sequence[Sequence[SearchHit]], limit: int) -> list[SearchHit]:
    """Round-robin over the queries' rankings, each page once, at most `limit` hits."""
    merged: list[SearchHit] = []
    seen: set[int] = set()
    depth = max((len(hits) for hits in hit_lists), default=0)
    for rank in range(depth):
        for hits in hit_lists:
            if rank < len(hits) and hits[rank].page_id not in seen:
                seen.add(hits[rank].page_id)
                merged.append(hits[rank])
                if len(merged) >= limit:
                    return merged
    return merged


def best_passage(text: str, query_terms: set[str], max_chars: int) -> str:
    """The sentences of `text` that share most terms with the queries, kept in page order, within `max_chars`.

    The lead sentence is always a candidate: on encyclopedic pages it names and defines the entity.
    """
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    if not sentences:
        return ""
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (-(len(query_terms & set(content_words(sentences[i]))) + (0.5 if i == 0 else 0.0)), i),
    )
    chosen: list[int] = []
    used = 0
    for i in scored:
        if used + len(sentences[i]) > max_chars and chosen:
            continue
        chosen.append(i)
        used += len(sentences[i]) + 1
        if used >= max_chars:
            break
    return " ".join(sentences[i] for i in sorted(chosen))[:max_chars]


def build_passages(
    index: IndexLike, llm: LLM, hits: Sequence[SearchHit], queries: Sequence[str], snippet_tokens: int
) -> list[Passage]:
    terms = {w for q in queries for w in content_words(q)}
    passages = []
    for hit in hits:
        text = index.page(hit.page_id).text
        # ~4 characters a token for the first cut, then the model's own tokenizer decides
        passage = best_passage(text, terms, snippet_tokens * 6) or hit.snippet
        passages.append(Passage(hit.page_id, hit.title, llm.fit(passage, snippet_tokens)))
    return passages


def results_block(passages: Sequence[Passage]) -> str:
    return "\n".join(
        f'<result n="{n}" title="{_attr(p.title)}">{_data(p.text)}</result>'
        for n, p in enumerate(passages, start=1)
    )


def _attr(text: str) -> str:
    return text.replace('"', "'").replace("<", "(").replace(">", ")")


def _data(text: str) -> str:
    # a page cannot close its own data block
    return re.sub(r"</?\s*result\b[^>]*>", " ", redact_instructions(text), flags=re.IGNORECASE)


def lead_sentence(text: str, max_chars: int) -> str:
    """The first sentence of a passage (after any title/description lines), cut to `max_chars`."""
    body = [line for line in text.splitlines() if line.strip()]
    prose = next((line for line in body if _SENTENCE_END.search(line) or line.rstrip().endswith(".")), "")
    sentence = _SENTENCE_END.split(prose or " ".join(body), maxsplit=1)[0].strip()
    return sentence if len(sentence) <= max_chars else sentence[:max_chars].rsplit(" ", 1)[0] + " ..."


def grounded(fact: str, source_text: str) -> bool:
    """The shared grounding rule (`text.grounding.overlap`): most of the fact's words are in what was shown."""
    return overlap(fact, source_text) >= GROUNDED_SHARE


def refine(
    llm: LLM,
    question: str,
    queries: Sequence[str],
    passages: Sequence[Passage],
    *,
    max_tokens: int,
    seed: int,
) -> Refinement:
    """Condense `passages` into grounded facts for `question`, then add the titles of the results shown."""
    if not passages:
        return Refinement("No results.", [], 0, 0, 0)
    completion = llm.ask(
        REFINE_TEMPLATE,
        {"question": question, "queries": " | ".join(queries), "results": results_block(passages)},
        RefinedFacts,
        stage="sample_refine",
        params=GenParams(temperature=0.0, max_tokens=max_tokens, seed=seed),
    )
    source_text = " ".join(f"{p.title} {p.text}" for p in passages)
    facts: list[str] = []
    dropped = 0
    for fact in completion.value.facts:
        fact = " ".join(fact.split())
        if fact and fact not in facts and grounded(fact, source_text):
            facts.append(fact)
        else:
            dropped += 1
    # tiny models often return nothing usable: then the lead sentence of each result stands in, which is
    # page text verbatim (extractive), so still nothing unsupported reaches the agent
    lines = [f"- {fact}" for fact in facts] or [
        f"- {p.title}: {lead_sentence(p.text, FACT_CHARS)}" for p in passages
    ]
    lines.append("Sources: " + "; ".join(p.title for p in passages))
    return Refinement(
        "\n".join(lines),
        [p.page_id for p in passages],
        dropped,
        completion.prompt_tokens,
        completion.completion_tokens,
    )


def unrefined(passages: Sequence[Passage]) -> Refinement:
    """The information of a turn whose refiner call failed: only the titles of the results shown."""
    titles = "; ".join(p.title for p in passages) or "none"
    return Refinement(
        f"(results could not be condensed)\nSources: {titles}", [p.page_id for p in passages], 0, 0, 0
    )
