"""A search agent a small model can drive: code proposes the moves, the model picks one.

Each turn code lists lettered options and the model returns one of them through an enum-constrained schema
(always valid, even from a 135M model):
- searches: the next clause of the question (its content words, deepest clue first), alone or joined with a
  name the last results showed (once all are searched: the last clause again with such a name, to reach the
  page of the name just read);
- answers (once every clause has been searched, and on the last turn): the names and titles the results showed,
  without those the question or the last query already held (the answer is the entity just read about); names
  are ranked by the clue words around them (`ranked_names`) and titles of the asked kind come first.
Options are shown in a seeded random order, so a small model's bias for a position does not choose for it.
With `own_words` (for a bigger model) there are two more options, a query or an answer in the model's own words.
Results are page sentences verbatim (`results.search_information`); no refiner call. The reasoning line of a
turn is written by code from the move chosen, so it names nothing the results have not shown. The last turn
offers answers only. Rejection sampling keeps the trajectories whose answer matches, as for the free agent.
"""

from __future__ import annotations

import random
import re
import time
from itertools import zip_longest
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from ..errors import LLMError
from ..llm.base import GenParams
from ..records import AgentTurn, Question, Trajectory
from ..text import search_query
from .results import names_in, search_information, word_keys
from .rewards import RewardWeights
from .trajectory import scored_trajectory
from .transcript import clean_field

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM

CHOOSE_TEMPLATE = "agent_choose"
SEARCH_PREFIX = "search: "
ANSWER_PREFIX = "answer: "
OWN_SEARCH = "search: (my own words)"
OWN_ANSWER = "answer: (my own words)"
OWN_CHARS = 60
RESULTS_TOKENS = 700
NEAR_CHARS = 40  # characters either side of a name read as its context
_SENTENCE = re.compile(r"[^.?!]+[.?!]?")


class ChoiceConfig(Struct, frozen=True, kw_only=True):
    max_turns: int = 6
    top_k: int = 3  # hits per search
    result_chars: int = 240  # characters of the best sentence shown per hit
    min_searches: int = 2  # queries before answers are offered (questions have 2+ hops)
    max_options: int = 3  # of each kind (searches, answers)
    own_words: bool = False  # also offer a query or answer in the model's own words
    step_max_tokens: int = 64
    llm_judge: bool = False
    weights: RewardWeights = RewardWeights()


def question_clauses(question: str) -> list[str]:
    """The question's sentences as queries (content words), each with at least two words."""
    clauses: list[str] = []
    for sentence in _SENTENCE.findall(question):
        words = search_query(sentence)
        if len(words.split()) >= 2 and words not in clauses:
            clauses.append(words)
    return clauses


def _join(*parts: str) -> str:
    seen: dict[str, str] = {}
    for word in " ".join(parts).split():
        seen.setdefault(word.casefold(), word)
    return " ".join(seen.values())


class _State:
    def __init__(self, question: str) -> None:
        self.question = question
        self.clauses = question_clauses(question)
        self.next_clause = 0
        self.searched: set[str] = set()
        self.last_names: list[str] = []  # names of the latest results, in reading order
        self.all_names: list[str] = []  # every name seen, newest results first
        self.last_query = ""
        self.last_hits: list[tuple[str, str]] = []  # (title, sentence shown) of the latest results
        self.turns: list[AgentTurn] = []
        self.retrieved: list[int] = []
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.question_keys = word_keys(question)


def _fresh_names(names: list[str], state: _State) -> list[str]:
    """Names the question does not already hold."""
    return [n for n in names if not word_keys(n) <= state.question_keys]


def search_options(state: _State, limit: int) -> list[tuple[str, str, int]]:
    """(query, name used or "", clause position) for each proposed search, best first: the next clause with
    each of the top names the last results showed, then the next clause alone; once every clause has been
    searched, the last clause with those names (to reach the page of a name just read). Few options on
    purpose: a small model picks well only among a few good ones."""
    names = _fresh_names(state.last_names, state)[:2]
    position = state.next_clause
    if position < len(state.clauses):
        options = [(_join(name, state.clauses[position]), name, position) for name in names]
        options.append((state.clauses[position], "", position))
    elif state.clauses:
        options = [(_join(name, state.clauses[-1]), name, len(state.clauses) - 1) for name in names]
    else:
        options = []
    unique: list[tuple[str, str, int]] = []
    for query, name, spot in options:
        key = query.casefold()
        if key not in state.searched and key not in {q.casefold() for q, _, _ in unique}:
            unique.append((query, name, spot))
    return unique[:limit]


_ASKED_KIND = re.compile(r"\bWhich ((?:[a-z]+ ){0,2}?[a-z]+) (?:is|was|are|were|serves|has|had|does|did)\b")


def asked_kind(question: str) -> str:
    """The head noun of what the question asks for ("Which river is that?" -> "river"), or ""."""
    match = _ASKED_KIND.search(question)
    return match.group(1).split()[-1] if match else ""


def answer_options(state: _State, limit: int) -> list[str]:
    """Names the results showed, newest first, without those the question or the last query hold; titles of
    hits whose sentence names the asked kind ("Period before the First Dynasty" for "Which period") first."""
    last_query_keys = word_keys(state.last_query)
    ranked = [n for n in _fresh_names(state.last_names, state) if not word_keys(n) <= last_query_keys]
    kind = asked_kind(state.question)
    typed = [
        title
        for title, sentence in state.last_hits
        if kind and re.search(rf"\b{re.escape(kind)}s?\b", sentence, re.IGNORECASE)
    ]
    ranked = _fresh_names(typed, state) + ranked + _fresh_names(state.all_names, state)
    return list(dict.fromkeys(ranked))[:limit]


def ranked_names(titles: list[str], information: str, query: str) -> list[str]:
    """Names of one search's results, most promising first. Questions are made by masking a name in a page
    sentence ("the western half of Sichuan" -> "the western half of a province"), so the name a clue points to
    sits next to the clue's words: names a hit's sentence mentions are ranked by the query words around them
    (then by the hit's overlap with the query, then by place), and alternate with the hits' titles (the entity
    the clue describes, which the next clause may describe further), best-matching hit first."""
    query_words = {w.casefold() for w in query.split()}
    hits = []
    for rank, (title, line) in enumerate(zip(titles, information.splitlines(), strict=False)):
        sentence = line.split(": ", 1)[-1]
        hits.append((-len(query_words & _word_set(sentence)), rank, title, sentence))
    hits.sort()
    scored: list[tuple[int, int, int, str]] = []
    for order, (_, _, title, sentence) in enumerate(hits):
        for name in names_in(sentence):
            if word_keys(name) <= word_keys(title):
                continue
            at = sentence.find(name)
            end = at + len(name)
            around = _word_set(
                sentence[max(0, at - NEAR_CHARS) : at] + " " + sentence[end : end + NEAR_CHARS]
            )
            scored.append((-len(query_words & (around - _word_set(name))), order, at, name))
    mentioned = [name for *_, name in sorted(scored)]
    ordered_titles = [title for _, _, title, _ in hits]
    alternating = [name for pair in zip_longest(mentioned, ordered_titles) for name in pair if name]
    return list(dict.fromkeys(alternating))


def _word_set(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"\w+", text)}


class ChoiceAgent:
    """Runs choice-driven trajectories; holds the index, the LLM and the config, nothing per question."""

    def __init__(self, index: IndexLike, llm: LLM, config: ChoiceConfig | None = None) -> None:
        self.index = index
        self.llm = llm
        self.config = config or ChoiceConfig()

    def solve(self, question: Question, *, sample_index: int, seed: int, temperature: float) -> Trajectory:
        started = time.perf_counter()
        config = self.config
        state = _State(question.question)
        params = GenParams(temperature=temperature, max_tokens=config.step_max_tokens, seed=seed)
        end_reason = "turn_limit"
        for turn_number in range(1, config.max_turns + 1):
            last_turn = turn_number == config.max_turns
            searches = search_options(state, config.max_options) if not last_turn else []
            # answers once every clause has been searched (the question walks to its answer clause by clause)
            ready = len(state.searched) >= config.min_searches and state.next_clause >= len(state.clauses)
            answers = answer_options(state, config.max_options) if ready or last_turn else []
            if last_turn and not answers:
                end_reason = "no_candidates"
                break
            try:
                pick, own = self._pick(state, searches, answers, turn_number, params)
            except LLMError:
                end_reason = "llm_error"
                break
            if pick.startswith(ANSWER_PREFIX):
                answer = own if pick == OWN_ANSWER else pick[len(ANSWER_PREFIX) :]
                if answer:
                    state.turns.append(
                        AgentTurn(
                            think=f"The results point to {answer} as the answer.", answer=clean_field(answer)
                        )
                    )
                    end_reason = "answer"
                    break
                continue
            if pick == OWN_SEARCH:
                query, name, spot = own, "", state.next_clause
            else:
                query, name, spot = next(o for o in searches if SEARCH_PREFIX + o[0] == pick)
            if not query:
                continue
            self._search(state, query, name, spot)
        return self._trajectory(question, state, end_reason, started, sample_index, seed, temperature)

    # ── pieces ──────────────────────────────────────────────────────────────────────────────────────────

    def _pick(
        self,
        state: _State,
        searches: list[tuple[str, str, int]],
        answers: list[str],
        turn_number: int,
        params: GenParams,
    ) -> tuple[str, str]:
        options = [ANSWER_PREFIX + a for a in answers] + [SEARCH_PREFIX + q for q, _, _ in searches]
        if self.config.own_words:
            options += [OWN_ANSWER] * bool(answers) + [OWN_SEARCH] * bool(searches)
        if not options:
            options = [OWN_SEARCH]
        # shown in a seeded random order: the embedded 135M model picks by position (measured: the third
        # option in 8 of 13 picks), so a fixed order would let position, not the model, choose
        random.Random(f"{params.seed}:{turn_number}").shuffle(options)
        # lettered, so that the schema's enum (which JSON schema writers sort) keeps the order shown
        labelled = {f"{chr(ord('a') + n)}) {option}": option for n, option in enumerate(options)}
        fields: list[tuple[str, Any]] = [("choice", Literal[tuple(labelled)])]  # type: ignore[misc]
        if self.config.own_words:
            fields.append(("own_words", Annotated[str, Meta(max_length=OWN_CHARS)]))
        answer_type = msgspec.defstruct("Choice", fields, kw_only=True)
        left = self.config.max_turns - turn_number
        instruction = (
            "Last turn: pick an answer." if left == 0 else f"Turns left after this one: {left}. Pick one."
        )
        results = "\n".join(t.information for t in state.turns[-2:] if t.information) or "(nothing yet)"
        variables = {
            "question": state.question,
            "results": self.llm.fit(results, RESULTS_TOKENS),
            "options": "\n".join(labelled),
            "instruction": instruction,
        }
        completion = self.llm.ask(
            CHOOSE_TEMPLATE, variables, answer_type, stage="sample_choose", params=params
        )
        state.prompt_tokens += completion.prompt_tokens
        state.completion_tokens += completion.completion_tokens
        own = clean_field(" ".join(getattr(completion.value, "own_words", "").split()))
        return labelled[completion.value.choice], own

    def _search(self, state: _State, query: str, name: str, spot: int) -> None:
        shown = search_information(self.index, query, self.config.top_k, self.config.result_chars)
        think = (
            f"The results mention {name}; search it with the words of the next clue."
            if name
            else "Search the words of a clue from the question."
        )
        state.turns.append(
            AgentTurn(
                think=think,
                queries=[clean_field(query)],
                information=clean_field(shown.information),
                retrieved_page_ids=list(shown.page_ids),
            )
        )
        state.searched.add(query.casefold())
        state.last_query = query
        state.next_clause = max(state.next_clause, spot + 1)
        state.last_names = ranked_names(shown.titles, shown.information, query)
        state.last_hits = [
            (title, line.split(": ", 1)[-1])
            for title, line in zip(shown.titles, shown.information.splitlines(), strict=False)
        ]
        state.all_names = list(dict.fromkeys(state.last_names + state.all_names))
        state.retrieved.extend(p for p in shown.page_ids if p not in state.retrieved)

    def _trajectory(
        self,
        question: Question,
        state: _State,
        end_reason: str,
        started: float,
        sample_index: int,
        seed: int,
        temperature: float,
    ) -> Trajectory:
        turns = state.turns
        config_view = {
            "choice": msgspec.to_builtins(self.config),
            "temperature": temperature,
            "sample_index": sample_index,
        }
        return scored_trajectory(
            question,
            turns,
            trajectory_id=f"{question.id}-s{sample_index:02d}",
            sample_index=sample_index,
            final_answer=(turns[-1].answer or "") if end_reason == "answer" else "",
            end_reason=end_reason,
            retrieved=state.retrieved,
            started=started,
            provenance=self.llm.provenance(seed, config_view, templates=(CHOOSE_TEMPLATE,)),
            origin="agent",
            judge=self.llm if self.config.llm_judge else None,
            weights=self.config.weights,
            prompt_tokens=state.prompt_tokens,
            completion_tokens=state.completion_tokens,
        )
