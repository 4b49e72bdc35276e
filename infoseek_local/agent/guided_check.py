"""The rules a tree-guided trajectory must keep, checked by code on the finished trajectory.

A guided trajectory is written by code that knows the research tree, so it could cheat: type a name the
searcher cannot know yet, invent results, or use a page no search returned. `check_guided` replays it the way
a reader would and reports every break of these rules:

- `unseen_query_word`: a query word that is neither in the question nor in an earlier turn's results;
- `unseen_name`: a capitalised name in a reasoning step (or the answer) that is in neither of them;
- `results_not_reproduced`: rerunning a turn's query on the index does not give the recorded hits and text;
- `answer_page_not_retrieved`: the page of the answer (the tree's root) is in no turn's results;
- `answer_mismatch`: the final answer does not match the gold answer or an alias;
- `no_answer`: the trajectory does not end with an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..records import Question, Trajectory
from ..verify.answer_match import match_answer
from .results import WORD, names_in, search_information, word_keys

if TYPE_CHECKING:
    from ..index.protocol import IndexLike

# capitalised words the reasoning templates open sentences with: template text, not names
TEMPLATE_WORDS = frozenset(
    {"start", "search", "next", "not", "try", "that", "it", "its", "now", "found", "one", "none", "so", "the"}
)


@dataclass(frozen=True)
class Violation:
    turn: int  # 1-based
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"turn {self.turn}: {self.rule}: {self.detail}"


def _missing(word: str, known: set[str]) -> bool:
    key = word.casefold().replace("’", "'")
    if key in known or re.sub(r"'s$", "", key) in known:
        return False
    parts = [part for part in re.split(r"[-']", key) if part]
    return not (len(parts) > 1 and all(part in known for part in parts))


def _unseen_words(text: str, known: set[str]) -> list[str]:
    return [word for word in WORD.findall(text) if _missing(word, known)]


def _unseen_names(text: str, known: set[str]) -> list[str]:
    unseen: list[str] = []
    for name in names_in(text):
        words = [w for w in WORD.findall(name) if w.casefold() not in TEMPLATE_WORDS]
        missing = [w for w in words if _missing(w, known)]
        if missing:
            unseen.append(name)
    return unseen


def check_guided(
    trajectory: Trajectory,
    question: Question,
    index: IndexLike,
    *,
    top_k: int | None = None,
    max_chars: int | None = None,
) -> list[Violation]:
    """Every rule break of `trajectory` (empty when it keeps them all); see the module docstring. Results are
    rerun with `top_k` hits of `max_chars` each, by default the values its provenance records."""
    recorded = trajectory.provenance.config
    top_k = top_k or int(recorded.get("top_k", 5))
    max_chars = max_chars or int(recorded.get("guided", {}).get("result_chars", 400))
    violations: list[Violation] = []
    known = word_keys(question.question)
    retrieved: set[int] = set()
    for number, turn in enumerate(trajectory.turns, start=1):
        for name in _unseen_names(turn.think, known):
            violations.append(
                Violation(number, "unseen_name", f"reasoning names {name!r} before any result did")
            )
        if turn.answer is not None:
            for name in _unseen_names(turn.answer, known) or (
                [turn.answer] if _unseen_words(turn.answer, known) else []
            ):
                violations.append(
                    Violation(number, "unseen_name", f"answer {name!r} is in no earlier result")
                )
            continue
        for query in turn.queries:
            unseen = _unseen_words(query, known)
            if unseen:
                violations.append(
                    Violation(
                        number, "unseen_query_word", f"query {query!r} uses {unseen} before any result did"
                    )
                )
        if len(turn.queries) == 1:
            shown = search_information(index, turn.queries[0], top_k, max_chars)
            if shown.page_ids != turn.retrieved_page_ids or shown.information != turn.information:
                violations.append(
                    Violation(
                        number, "results_not_reproduced", f"query {turn.queries[0]!r} gives other results now"
                    )
                )
        else:
            violations.append(
                Violation(number, "results_not_reproduced", "a guided turn runs exactly one query")
            )
        retrieved.update(turn.retrieved_page_ids)
        known |= word_keys(turn.information)
    last = trajectory.turns[-1] if trajectory.turns else None
    if last is None or last.answer is None:
        violations.append(
            Violation(len(trajectory.turns), "no_answer", "the trajectory ends without an answer")
        )
        return violations
    root_page = question.gold_page_ids[0] if question.gold_page_ids else None
    if root_page is not None and root_page not in retrieved:
        violations.append(
            Violation(
                len(trajectory.turns), "answer_page_not_retrieved", f"page {root_page} was in no result"
            )
        )
    if not match_answer(last.answer, question.answer, question.aliases, None).matched:
        violations.append(
            Violation(len(trajectory.turns), "answer_mismatch", f"{last.answer!r} is not {question.answer!r}")
        )
    return violations
