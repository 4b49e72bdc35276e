"""What one tree's synthesis works with: the index, the LLM, the config, caches of pages, and LLM cost counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, Protocol, TypeVar

import msgspec

from ..errors import LLMError
from ..index.protocol import IndexLike
from ..llm.base import Completion, GenParams
from ..records import Page
from .config import SynthConfig
from .masking import descriptor_of, is_acronym_of
from .sentences import Sentence, split_sentences

T = TypeVar("T")

DESCRIPTOR_SENTENCES = 4
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


@cache
def move_type(actions: tuple[str, ...], vertices: tuple[int, ...]) -> type:
    return msgspec.defstruct(
        "Move",
        [("action", Literal.__getitem__(actions)), ("vertex", Literal.__getitem__(vertices))],
        kw_only=True,
    )


class FitAnswer(msgspec.Struct, kw_only=True):
    fits: Literal["yes", "no"]


_GIVEN_NAME = re.compile(
    r"\b(?:officially(?: known as)?|also (?:known as|called)|formerly(?: known as)?|(?:commonly|historically) known as|"
    r"^[^,]{1,60}, or)\s+"
    r"(?:the\s+)?((?:[A-Z][\w'’.-]*)(?:\s+(?:of|the|and|de|[A-Z][\w'’.-]*))*)"
)
_ABBREVIATION = re.compile(r"\(([A-Z][A-Z.]{1,7})\)")


def names_given_in(sentence: str, subject_names: Sequence[str] = ()) -> list[str]:
    """Other names a sentence gives its subject: official names, "also known as", and abbreviations of the
    subject's names. "(PRC)" after "People's Republic of China" in a sentence about Xinjiang names China, not
    the subject, so an abbreviation counts only when it abbreviates `subject_names` or a name given here."""
    given = [m.group(1).strip() for m in _GIVEN_NAME.finditer(sentence)]
    given = [re.sub(r"\s+(?:of|the|and|de)$", "", n) for n in given if len(n) >= 2]
    own = [*subject_names, *given]
    abbreviations = [
        m.group(1)
        for m in _ABBREVIATION.finditer(sentence)
        if any(is_acronym_of(m.group(1), name) for name in own)
    ]
    return given + abbreviations


@dataclass
class SynthContext:
    index: IndexLike
    llm: Asker
    config: SynthConfig
    llm_calls: int = 0
    llm_tokens: int = 0
    notes: list[str] = field(default_factory=list)
    spent: dict[int, set[int]] = field(default_factory=dict)  # page id -> sentence numbers dropped as claims
    _pages: dict[int, Page] = field(default_factory=dict)
    _sentences: dict[int, list[Sentence]] = field(default_factory=dict)
    _aliases: dict[int, list[str]] = field(default_factory=dict)
    _descriptors: dict[int, str] = field(default_factory=dict)

    def page(self, page_id: int) -> Page:
        if page_id not in self._pages:
            self._pages[page_id] = self.index.page(page_id)
        return self._pages[page_id]

    def sentences(self, page_id: int) -> list[Sentence]:
        if page_id not in self._sentences:
            self._sentences[page_id] = split_sentences(self.page(page_id).text)
        return self._sentences[page_id]

    def descriptor(self, page_id: int) -> str:
        # the first sentence that says what the entity is ("X is a Y"), skipping headings and taglines
        if page_id not in self._descriptors:
            title = self.page(page_id).title
            kinds = (descriptor_of(title, s.text) for s in self.sentences(page_id)[:DESCRIPTOR_SENTENCES])
            self._descriptors[page_id] = next((k for k in kinds if k != "an entity"), "an entity")
        return self._descriptors[page_id]

    def aliases(self, page_id: int) -> list[str]:
        """Names of the page's entity: its title, the title without a parenthetical, names its opening
        sentences give ("officially the Republic of X", "also known as Y", "(ABC)"), in-link anchor texts."""
        if page_id not in self._aliases:
            title = self.page(page_id).title.strip()
            names = [title, re.sub(r"\s*\([^)]*\)\s*$", "", title).strip()]
            for sentence in self.sentences(page_id)[:DESCRIPTOR_SENTENCES]:
                names += names_given_in(sentence.text, names[:2])
            for link in self.index.in_links(page_id):
                anchor = " ".join(link.anchor.split())
                if 3 <= len(anchor) <= 80:
                    names.append(anchor)
            seen: dict[str, str] = {}
            for name in names:
                seen.setdefault(name.lower(), name)
            self._aliases[page_id] = list(seen.values())
        return self._aliases[page_id]

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
