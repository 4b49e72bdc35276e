"""The checks a user can pick and order (`--checks` or the verify config), and what each needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import ConfigError
from ..records import Question, Verdict
from .context import CheckContext
from .difficulty import check_difficulty
from .fluency import check_fluency
from .grounded import check_grounded
from .leak import check_leak
from .shortcut import check_shortcut
from .verifiability import check_verifiability

PerQuestionCheck = Callable[[Question, CheckContext], Verdict]


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: PerQuestionCheck | None  # None: a run-level check (duplicate), done after the per-question ones
    needs_llm: bool
    needs_index: bool
    summary: str


CHECKS: dict[str, CheckSpec] = {
    spec.name: spec
    for spec in (
        CheckSpec("grounded", check_grounded, True, False, "every claim is supported by its cited sentences"),
        CheckSpec(
            "leak", check_leak, False, False, "answer, aliases and tree entities absent from the question"
        ),
        CheckSpec(
            "fluency", check_fluency, False, False, "no template debris or verbless clause; not too long"
        ),
        CheckSpec("difficulty", check_difficulty, True, False, "closed-book judge never gets the answer"),
        CheckSpec(
            "verifiability", check_verifiability, True, True, "judge with gold pages gets the unique answer"
        ),
        CheckSpec(
            "shortcut",
            check_shortcut,
            False,
            True,
            "no single search finds the answer page (own or plain BM25; question: top 10, clause: first)",
        ),
        CheckSpec(
            "duplicate",
            None,
            False,
            False,
            "no near-duplicate question, none opening with an earlier one's clue, at most N per answer",
        ),
    )
}


def resolve_checks(names: Sequence[str]) -> list[CheckSpec]:
    """The named checks in the given order; an unknown or repeated name is a ConfigError listing valid ones."""
    cleaned = [n.strip() for n in names if n.strip()]
    if not cleaned:
        raise ConfigError(f"no checks selected; choose from {', '.join(CHECKS)}")
    unknown = [n for n in cleaned if n not in CHECKS]
    if unknown:
        raise ConfigError(f"unknown check {unknown[0]!r}; valid checks: {', '.join(CHECKS)}")
    repeated = sorted({n for n in cleaned if cleaned.count(n) > 1})
    if repeated:
        raise ConfigError(f"check {repeated[0]!r} is listed twice in --checks")
    return [CHECKS[n] for n in cleaned]
