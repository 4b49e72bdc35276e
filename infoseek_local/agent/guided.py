"""Tree-guided trajectories: the solving path of a question, written by code from its research tree.

The oracle (`oracle.oracle_solve`) follows the tree bottom-up with real searches, typing only words the question
and earlier results show, and trying up to `tries_per_vertex` queries built from one clue. Here each of its
searches becomes a turn: a reasoning step from a template filled from the tree, the query, and the top `top_k`
results exactly as `results.search_information` renders them (rerunning the query reproduces them). A vertex
counts as found only when its page is in that turn's results; the last turn answers with the root page's title
as the results showed it.

What the oracle may know and the transcript does not show (a word it read on a page whose sentence the
rendered results cut) is caught before the trajectory is kept: such a query is retried with only the words the
transcript has shown; when that search misses the page, the trajectory is dropped. Every kept trajectory passes
`guided_check.check_guided` (no name before it is seen, results reproduce, answer page retrieved, answer
matches gold); any other outcome is a drop with a counted reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
from msgspec import Struct

from .. import __version__
from ..oracle import oracle_solve
from ..records import AgentTurn, Provenance, Question, Trajectory, Tree, Vertex
from .guided_check import check_guided
from .results import WORD, ShownResults, search_information, word_keys
from .trajectory import scored_trajectory
from .transcript import clean_field

if TYPE_CHECKING:
    from ..index.protocol import IndexLike

GUIDED_ID_SUFFIX = "guided"


class GuidedConfig(Struct, frozen=True, kw_only=True):
    top_k: int = 5  # results shown per search (and the oracle's "found" cut-off)
    tries_per_vertex: int = 3  # queries from one clue before the trajectory is dropped
    result_chars: int = 400  # characters of the best sentence shown per result
    wide_top_k: int = 10  # a second try with more results a search when `top_k` finds no path


@dataclass(frozen=True)
class GuidedOutcome:
    """A kept trajectory, or None and the reason it was dropped."""

    trajectory: Trajectory | None
    reason: str = ""


def _kind(vertex: Vertex, known: set[str]) -> str:
    """The vertex's kind ("a church") without its article, when every word of it has been seen; else "entity"."""
    words = vertex.descriptor.split()
    if words and words[0].lower() in {"a", "an", "the"}:
        words = words[1:]
    if words and all(w.casefold() in known for w in WORD.findall(" ".join(words))):
        return " ".join(words)
    return "entity"


def _think(vertex: Vertex, tree: Tree, found_titles: dict[int, str], retry: bool, known: set[str]) -> str:
    kind = _kind(vertex, known)
    if retry:
        return f"Not among those results; try other words of the same clue about the {kind}."
    children = [
        found_titles[v.index] for v in tree.vertices if v.parent == vertex.index and v.index in found_titles
    ]
    if not children:
        return f"Start from the innermost clue: search the words the question gives for the {kind}."
    named = " and ".join(children)
    return f"Found {named}. Next, the {kind} the question links to it: search with what the results said."


def _searchable(query: str, known: set[str]) -> str:
    """`query` with only the words the transcript has shown (question and rendered results)."""
    return " ".join(word for word in WORD.findall(query) if word.casefold().replace("’", "'") in known)


def build_guided(
    question: Question, tree: Tree | None, index: IndexLike, config: GuidedConfig
) -> GuidedOutcome:
    """The guided trajectory of `question`, or the reason there is none (see the module docstring).

    Tried with `top_k` results a search, then with `wide_top_k` when that fails (a longer but valid path)."""
    started = time.perf_counter()
    if tree is None:
        return GuidedOutcome(None, "tree_missing")
    if not tree.vertices:
        return GuidedOutcome(None, "tree_empty")
    outcome = GuidedOutcome(None, "not_tried")
    for k in dict.fromkeys((config.top_k, max(config.top_k, config.wide_top_k))):
        outcome = _build_with_k(question, tree, index, config, k, started)
        if outcome.trajectory is not None:
            break
    return outcome


def _build_with_k(
    question: Question, tree: Tree, index: IndexLike, config: GuidedConfig, k: int, started: float
) -> GuidedOutcome:
    oracle = oracle_solve(
        index, question.question, tree.vertices, k=k, tries_per_vertex=config.tries_per_vertex
    )
    if not oracle.solved:
        return GuidedOutcome(None, "oracle_" + _reason_key(oracle.reason))
    by_index = {vertex.index: vertex for vertex in tree.vertices}
    known = word_keys(question.question)
    turns: list[AgentTurn] = []
    found_titles: dict[int, str] = {}
    tries: dict[int, int] = {}

    def search(vertex: Vertex, think: str, query: str) -> bool:
        nonlocal known
        shown = search_information(index, query, k, config.result_chars)
        turns.append(_turn(think, shown))
        tries[vertex.index] = tries.get(vertex.index, 0) + 1
        known |= word_keys(shown.information)
        if vertex.page_id in shown.page_ids:
            found_titles[vertex.index] = shown.titles[shown.page_ids.index(vertex.page_id)]
            return True
        return False

    for step in oracle.steps:
        vertex = by_index[step.vertex]
        if vertex.index in found_titles:
            continue
        query = _searchable(step.query, known)
        if query == " ".join(WORD.findall(step.query)):  # every word already shown
            search(vertex, _think(vertex, tree, found_titles, vertex.index in tries, known), query)
            continue
        if step.rank is None:
            continue  # a miss that needed words the transcript has not shown: not worth a turn
        # the oracle read words the rendered results cut: search with what was shown, then with the name read
        children = [
            found_titles[v.index]
            for v in tree.vertices
            if v.parent == vertex.index and v.index in found_titles
        ]
        attempts = [_join(*children, query)]
        for attempt in attempts:
            if tries.get(vertex.index, 0) >= config.tries_per_vertex:
                break
            think = _think(vertex, tree, found_titles, vertex.index in tries, known)
            if attempt is not attempts[0]:
                think = f"The results name {vertex.title}; search it with the words of the clue."
            if search(vertex, think, attempt):
                break
            if _seen(vertex.title, known) and len(attempts) < 2:
                attempts.append(_join(vertex.title, query))
        if vertex.index not in found_titles:
            return GuidedOutcome(None, "page_not_in_results")
    root = tree.vertices[0]
    if root.index not in found_titles:
        return GuidedOutcome(None, "page_not_in_results")
    answer = found_titles[root.index]
    kind = _kind(root, known)
    turns.append(
        AgentTurn(
            think=f"{answer} is in the results and fits the last clue: it is the {kind} asked for.",
            answer=answer,
        )
    )
    trajectory = _trajectory(question, turns, answer, config, k, started)
    violations = check_guided(trajectory, question, index, top_k=k, max_chars=config.result_chars)
    if violations:
        return GuidedOutcome(None, "rule_" + violations[0].rule)
    return GuidedOutcome(trajectory)


def _join(*parts: str) -> str:
    """Query words once each, first spelling kept."""
    seen: dict[str, str] = {}
    for word in WORD.findall(" ".join(parts)):
        seen.setdefault(word.casefold(), word)
    return " ".join(seen.values())


def _seen(name: str, known: set[str]) -> bool:
    words = WORD.findall(name)
    return bool(words) and all(w.casefold().replace("’", "'") in known for w in words)


def _reason_key(reason: str) -> str:
    if "not found in the top" in reason:
        return "page_not_found"
    if "no clue words" in reason:
        return "no_clue_words"
    if "cycle" in reason:
        return "malformed_tree"
    return "unsolved"


def _turn(think: str, shown: ShownResults) -> AgentTurn:
    return AgentTurn(
        think=clean_field(think),
        queries=[shown.query],
        information=clean_field(shown.information),
        retrieved_page_ids=list(shown.page_ids),
    )


def _trajectory(
    question: Question, turns: list[AgentTurn], answer: str, config: GuidedConfig, k: int, started: float
) -> Trajectory:
    retrieved: list[int] = []
    for turn in turns:
        retrieved.extend(p for p in turn.retrieved_page_ids if p not in retrieved)
    return scored_trajectory(
        question,
        turns,
        trajectory_id=f"{question.id}-{GUIDED_ID_SUFFIX}",
        sample_index=0,
        final_answer=answer,
        end_reason="answer",
        retrieved=retrieved,
        started=started,
        provenance=Provenance(
            tool_version=__version__, config={"guided": msgspec.to_builtins(config), "top_k": k}
        ),
        origin="guided",
    )
