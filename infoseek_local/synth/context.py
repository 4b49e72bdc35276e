"""What one tree's synthesis works with: the index, the LLM, the config, caches of pages, and LLM cost counts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal, Protocol, TypeVar

import msgspec

from ..errors import LLMError
from ..index.protocol import IndexLike
from ..llm.base import Completion, GenParams
from ..records import OutLink, Page
from ..text.masking import descriptor_of, is_acronym_of, kind_from_tagline, names_given_in
from ..text.words import search_query, word_set
from .config import SynthConfig
from .sentences import Sentence, split_sentences

T = TypeVar("T")

DESCRIPTOR_SENTENCES = 4
NAMED_PAGE_POOL = 3  # hits a name's search looks through for the page titled so
TAGLINE_LINES = 3  # a short description line comes right after the title, if at all
# kinds that alone say nothing a reader can picture ("a body", "a system"; "a writing system" is fine): such
# pages make no vertex
VAGUE_NOUNS = frozenset(
    [
        "body",
        "series",
        "term",
        "type",
        "form",
        "mode",
        "part",
        "set",
        "member",
        "element",
        "number",
        "collection",
        "entity",
        "thing",
        "concept",
        "one",
        "way",
        "means",
        "kind",
        "sort",
        "system",
        "range",
        "group",
        "field",
        "area",
        "class",
        "list",
        "style",
    ]
)
# nouns that say how a thing relates to another, not what it is ("a portion" of a province, "a study" of
# shapes, "a heat retention"): never a kind, however many words come before them
RELATIONAL_NOUNS = word_set(
    """portion retention decomposition cradle study branch analogy motif property feature description aspect
    piece storage act son daughter wife husband water use variety expansion without muscular edible
    treasure designation example instance term first second third fourth fifth sixth seventh eighth ninth
    tenth emergence division point break interplay interaction relationship combination return transition
    grouping shift change arm arrangement shell power"""
)  # readers could not picture "an arrangement" (the periodic table), "an outer shell" (a crust), "a power"
ROLE_KINDS = {"capital": "a city", "metropolis": "a city"}
SIZE_WORDS = word_set("large small major minor big great vast long short wide broad")
# the links a tree may follow: hyperlinks first, then pages that name another page in their text (a dump of
# plain text, such as Common Crawl's WET files, has only those)
LINK_KINDS = ("hyperlink", "mention")
HUB_QUANTILE = 0.98  # pages linked from more pages than 98% of the corpus are hubs, not research hops
LIST_PAGE = re.compile(
    r"^(?:list|lists|index|outline|timeline|glossary|category|portal)\s+of\b", re.IGNORECASE
)


class Asker(Protocol):
    """The part of `llm.client.LLM` synthesis uses."""

    def ask(
        self,
        template: str,
        variables: dict[str, str],
        answer_type: type[T] | None,
        *,
        stage: str,
        params: GenParams | None = None,
        fit_var: str | None = None,
    ) -> Completion[T]: ...


class TreeRejected(Exception):
    """Control flow: this tree cannot be finished; `reason` is the counted reject reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@cache
def choice_type(values: tuple[int, ...]) -> type:
    """A Struct whose only field `choice` must be one of `values` (a JSON-schema enum the grammar enforces)."""
    return msgspec.defstruct("Choice", [("choice", Literal.__getitem__(values))], kw_only=True)


@lru_cache(maxsize=8)
def in_degree_quantile(index: IndexLike, quantile: float) -> int:
    """The in-degree at `quantile` of the corpus (hubs lie above it); computed once per open index."""
    import numpy as np

    degrees = np.asarray(index.in_degrees(LINK_KINDS))
    return int(np.quantile(degrees, quantile)) if len(degrees) else 0


def _plural(noun: str) -> bool:
    return (
        noun.endswith("s")
        and not noun.endswith(("ss", "us", "is", "as", "os"))
        and noun not in ("species", "series", "lens", "news", "corps")
    )


def _is_kind(kind: str) -> bool:
    """A kind a reader can picture: not "an entity", not a relational noun, not a vague one alone."""
    words = kind.split()
    if not kind or kind == "an entity" or words[-1] in RELATIONAL_NOUNS or _plural(words[-1]):
        return False  # "a members" (of a people) names no one thing
    # "a system" and "a large system" are vague; "a writing system" is a kind
    return not (words[-1] in VAGUE_NOUNS and all(w in SIZE_WORDS for w in words[1:-1]))


RARE_SHARE = 10_000  # a word on one page in this many is as rare as words get


@dataclass
class SynthContext:
    index: IndexLike
    llm: Asker
    config: SynthConfig
    llm_calls: int = 0
    llm_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    spent: dict[int, set[int]] = field(default_factory=dict)  # page id -> sentence numbers dropped as claims
    avoid_hops: set[tuple[int, int]] = field(default_factory=set)  # (from, to) pages an earlier attempt took
    _pages: dict[int, Page] = field(default_factory=dict)
    _sentences: dict[int, list[Sentence]] = field(default_factory=dict)
    _aliases: dict[int, list[str]] = field(default_factory=dict)
    _descriptors: dict[int, str] = field(default_factory=dict)
    _named: dict[str, int | None] = field(default_factory=dict)
    reveals: dict[tuple[int, str, int], int | None] = field(default_factory=dict)  # options.reveal_rank's
    instruction_sentences: set[tuple[int, int]] = field(default_factory=set)  # (page, sentence) kept out
    answer_sets: dict[tuple[object, ...], set[int] | None] = field(default_factory=dict)  # retrospection's
    _rarities: dict[str, float] = field(default_factory=dict)

    def page(self, page_id: int) -> Page:
        if page_id not in self._pages:
            self._pages[page_id] = self.index.page(page_id)
        return self._pages[page_id]

    def sentences(self, page_id: int) -> list[Sentence]:
        if page_id not in self._sentences:
            self._sentences[page_id] = split_sentences(self.page(page_id).text)
        return self._sentences[page_id]

    def rarity(self, word: str) -> float:
        """How rare a word is, 0 (on every page) to 1 (on one page in `RARE_SHARE`): by the share of pages that
        hold it, so one threshold means the same on a dump of ten thousand pages and of millions. A smaller
        index cannot show a share that small: there, one page of all is as rare as words get."""
        if word not in self._rarities:
            pages = self.index.n_pages
            share = (self.index.doc_freq(word) + 1) / (pages + 1)
            scale = math.log(min(pages + 1, RARE_SHARE))
            self._rarities[word] = min(1.0, math.log(1 / share) / scale) if scale > 0 else 0.0
        return self._rarities[word]

    def descriptor(self, page_id: int) -> str:
        # a short description line ("Family of beetles") names the kind best, where a page has one; else the
        # first sentence that says what the entity is ("X is a Y")
        if page_id not in self._descriptors:
            title = self.page(page_id).title
            opening = self.sentences(page_id)[:DESCRIPTOR_SENTENCES]
            tagged = (kind_from_tagline(title, s.text) for s in opening[:TAGLINE_LINES])
            kinds = (descriptor_of(title, s.text) for s in opening)
            found = next((k for k in tagged if _is_kind(k)), "") or next(
                (k for k in kinds if _is_kind(k)), ""
            )
            # "capital" is a role, not a kind: "Which capital is the capital of ...?" says it twice
            found = ROLE_KINDS.get(found.split()[-1], found) if found else ""
            self._descriptors[page_id] = found or "an entity"
        return self._descriptors[page_id]

    def hub_in_degree(self) -> int:
        """In-degree above which a page is a hub (the corpus's `HUB_QUANTILE`)."""
        return in_degree_quantile(self.index, HUB_QUANTILE)

    def noun(self, page_id: int) -> str:
        """The head noun of the entity's kind ("country" for "a landlocked country"); "" when unknown."""
        kind = self.descriptor(page_id)
        if not _is_kind(kind):
            return ""  # "a system", "a range": a kind no reader can picture
        noun = kind.split()[-1]
        return noun if re.fullmatch(r"[a-z]+", noun) and not noun.endswith("ly") else ""  # not "highly"

    def is_plural(self, page_id: int) -> bool:
        """Whether the title reads as a plural ("Rocky Mountains", "Great Lakes"): its verbs need care."""
        last = re.sub(r"\s*\([^)]*\)\s*$", "", self.page(page_id).title).split()[-1:] or [""]
        word = last[0]
        return word[:1].isupper() and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "os"))

    def own_names(self, page_id: int) -> list[str]:
        """Names the page gives its entity: its title, the title without a parenthetical, names its opening
        sentences give ("officially the Republic of X", "also known as Y", "(ABC)")."""
        title = self.page(page_id).title.strip()
        names = [title, re.sub(r"\s*\([^)]*\)\s*$", "", title).strip()]
        for sentence in self.sentences(page_id)[:DESCRIPTOR_SENTENCES]:
            names += names_given_in(sentence.text, names[:2])
        return names

    def aliases(self, page_id: int) -> list[str]:
        """Names to hide and look for: `own_names` and in-link anchor texts (accepted answers are fewer: see
        index/aliases.py)."""
        if page_id not in self._aliases:
            names = self.own_names(page_id)
            for link in self.in_links(page_id):
                anchor = " ".join(link.anchor.split())
                if 3 <= len(anchor) <= 80:
                    names.append(anchor)
            seen: dict[str, str] = {}
            for name in names:
                seen.setdefault(name.lower(), name)
            self._aliases[page_id] = list(seen.values())
        return self._aliases[page_id]

    def out_links(self, page_id: int) -> list[OutLink]:
        return self.index.out_links(page_id, LINK_KINDS)

    def in_links(self, page_id: int) -> list[OutLink]:
        return self.index.in_links(page_id, LINK_KINDS)

    def in_degree(self, page_id: int) -> int:
        return self.index.in_degree(page_id, LINK_KINDS)

    def page_named(self, name: str) -> int | None:
        """The page whose title (without a parenthetical) is `name`, any case; None when no page is."""
        key = name.lower()
        if key not in self._named:
            hits = self.index.search(search_query(name), NAMED_PAGE_POOL) if key else []
            self._named[key] = next(
                (h.page_id for h in hits if re.sub(r"\s*\([^)]*\)\s*$", "", h.title).lower() == key), None
            )
        return self._named[key]

    def page_acronym(self, acronym: str) -> int | None:
        """The page whose title the acronym abbreviates ("EU": European Union), among the acronym's hits."""
        key = "acronym:" + acronym
        if key not in self._named:
            hits = self.index.search(acronym, NAMED_PAGE_POOL)
            self._named[key] = next((h.page_id for h in hits if is_acronym_of(acronym, h.title)), None)
        return self._named[key]

    def is_usable_page(self, page_id: int) -> bool:
        page = self.page(page_id)
        return len(page.text) >= self.config.min_page_chars and not LIST_PAGE.match(page.title)

    def ask(
        self,
        template: str,
        variables: dict[str, str],
        answer_type: type[T],
        *,
        stage: str,
        fit_var: str | None = None,
    ) -> T:
        params = GenParams(
            temperature=self.config.temperature,
            max_tokens=self.config.answer_max_tokens,
            seed=self.config.seed,
        )
        try:
            completion = self.llm.ask(
                template, variables, answer_type, stage=stage, params=params, fit_var=fit_var
            )
        except LLMError as exc:
            raise TreeRejected("llm_invalid", f"{stage}: {exc}") from exc
        self.llm_calls += 1
        self.llm_tokens += completion.prompt_tokens + completion.completion_tokens
        return completion.value

    def note(self, text: str) -> None:
        self.notes.append(text)


def as_dict(value: Any) -> dict[str, Any]:
    return msgspec.to_builtins(value)
