"""The search agent: a multi-turn loop of schema-constrained steps over the local index.

Each turn is one LLM call (template `agent_step`) returning an `AgentStep`: a short think, an action
("search" or "answer"), up to three queries and an answer. Until `min_searches` queries have run, the step
is a `SearchStep` instead (no answer possible: the questions are built to need search, and tiny models
otherwise answer blind). A search runs all new queries as one `Index.search_many` call; the refiner
(`refine.py`) condenses the merged top results into grounded facts, which become the turn's `<information>`. The loop ends on an answer, on the turn limit, or when the token budget or
the context window is spent.

Loop guard: queries are normalised (case, punctuation, spacing); one already searched in this trajectory is not
re-run but recorded in `AgentTurn.repeated_queries`. A turn with no new query gets a nudge in the next prompt;
after `max_loop_turns` such turns the next step is forced to answer. The last allowed turn is forced to answer
too (`force_final_answer`, on by default), with the answer-only `FinalStep` schema, so a trajectory cut by the
turn limit still ends with an answer; one cut by the token budget or context window has none (format reward 0).
A search that finds nothing also gets a nudge (plain words), and snake_case queries are split into words.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from msgspec import Meta, Struct

from ..errors import ConfigError, LLMError
from ..llm.base import GenParams
from ..records import AgentTurn, Provenance, Question, Trajectory
from ..verify.answer_match import ANSWER_MATCH_TEMPLATE
from .refine import REFINE_TEMPLATE, Refinement, build_passages, merge_hits, refine, unrefined
from .rewards import RewardWeights
from .trajectory import scored_trajectory
from .transcript import clean_field

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM

STEP_TEMPLATE = "agent_step"
THINK_CHARS = 160
QUERY_CHARS = 60
ANSWER_CHARS = 60
MAX_QUERIES = 3
MIN_HISTORY_TOKENS = 60

Think = Annotated[str, Meta(max_length=THINK_CHARS)]
Query = Annotated[str, Meta(min_length=2, max_length=QUERY_CHARS)]
AnswerText = Annotated[str, Meta(max_length=ANSWER_CHARS)]


# The answer types below are shown to the model as JSON schemas, docstrings and descriptions included, and
# the 135M model copies such text into its answers: so they carry none; the prompt explains the fields.
class AgentStep(Struct, kw_only=True):
    think: Think
    action: Literal["search", "answer"]
    queries: Annotated[list[Query], Meta(max_length=MAX_QUERIES)]  # read when searching
    answer: AnswerText  # read when answering


class SearchStep(Struct, kw_only=True):
    think: Think
    queries: Annotated[list[Query], Meta(min_length=1, max_length=MAX_QUERIES)]


class FinalStep(Struct, kw_only=True):
    think: Think
    answer: Annotated[str, Meta(min_length=2, max_length=ANSWER_CHARS)]  # the grammar rules out no answer


class AgentConfig(Struct, frozen=True, kw_only=True):
    max_turns: int = 4
    max_queries: int = 3  # 1..3 per turn; 1 gives strictly Search-R1-shaped transcripts
    top_k: int = 3  # hits per query
    results_per_turn: int = 4  # merged hits shown to the refiner
    snippet_tokens: int = 60
    history_tokens: int = 500
    step_max_tokens: int = 200
    refine_max_tokens: int = 200
    token_budget: int = 12000  # prompt + completion tokens over the whole trajectory
    max_loop_turns: int = 2
    force_final_answer: bool = True
    min_searches: int = 1  # queries to run before the agent may answer (questions are built to need search)
    llm_judge: bool = False  # ask the LLM when exact/alias matching fails (unreliable with tiny models)
    weights: RewardWeights = RewardWeights()


_NORMALISE = re.compile(r"[^\w]+", re.UNICODE)


def normalise_query(query: str) -> str:
    return " ".join(_NORMALISE.sub(" ", query.lower()).split())


class _Budget:
    """Tokens spent by one trajectory, against its budget."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.prompt_tokens = 0
        self.completion_tokens = 0

    @property
    def spent(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.limit

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens


@dataclass
class _Trace:
    """The state of one trajectory in progress."""

    budget: _Budget
    turns: list[AgentTurn] = field(default_factory=list)
    searched: set[str] = field(default_factory=set)  # normalised queries already run
    retrieved: list[int] = field(default_factory=list)  # page ids shown to the refiner, first-seen order
    loop_turns: int = 0
    note: str = ""  # a nudge for the next step prompt


class SearchAgent:
    """Runs trajectories for questions; holds the index, the LLM and the config, nothing per question."""

    def __init__(self, index: IndexLike, llm: LLM, config: AgentConfig | None = None) -> None:
        self.index = index
        self.llm = llm
        self.config = config or AgentConfig()
        if not 1 <= self.config.max_queries <= MAX_QUERIES:
            raise ConfigError(f"--max-queries must be 1..{MAX_QUERIES}, got {self.config.max_queries}")

    # ── one trajectory ──────────────────────────────────────────────────────────────────────────────────

    def solve(self, question: Question, *, sample_index: int, seed: int, temperature: float) -> Trajectory:
        config = self.config
        started = time.perf_counter()
        trace = _Trace(_Budget(config.token_budget))
        params = GenParams(temperature=temperature, max_tokens=config.step_max_tokens, seed=seed)
        end_reason = "turn_limit"
        for turn_number in range(1, config.max_turns + 1):
            if trace.budget.exhausted:
                end_reason = "token_budget"
                break
            try:
                if self._turn(question.question, trace, turn_number, params):
                    end_reason = "answer"
                    break
            except _ContextFull:
                end_reason = "context"
                break
            except LLMError:
                # a model that keeps answering outside the schema ends this trajectory, not the run; the
                # failed call is in the run's LLM call log
                end_reason = "llm_error"
                break
        return self._trajectory(
            question,
            trace,
            end_reason,
            started,
            sample_index=sample_index,
            seed=seed,
            temperature=temperature,
        )

    def _mode(self, trace: _Trace, turn_number: int) -> str:
        """ "answer" (answer-only schema), "search" (search-only) or "choose"."""
        config = self.config
        last_turn = config.force_final_answer and turn_number == config.max_turns
        if last_turn or trace.loop_turns >= config.max_loop_turns:
            return "answer"
        return "search" if len(trace.searched) < config.min_searches else "choose"

    def _turn(self, question: str, trace: _Trace, turn_number: int, params: GenParams) -> bool:
        """Take one turn; True when it ended with an answer."""
        started = time.perf_counter()
        mode = self._mode(trace, turn_number)
        turns_left = self.config.max_turns - turn_number + 1
        step = self._step(question, trace.turns, trace.note, turns_left, mode, params)
        trace.budget.add(step.prompt_tokens, step.completion_tokens)
        turn = AgentTurn(
            think=clean_field(step.value.think),
            forced=mode == "answer",
            prompt_tokens=step.prompt_tokens,
            completion_tokens=step.completion_tokens,
        )
        trace.turns.append(turn)
        try:
            if mode == "answer" or (mode == "choose" and step.value.action == "answer"):
                answer = clean_field(step.value.answer)
                if answer:
                    turn.answer = answer
                    return True
                # an empty answer is no answer: the turn stays a (defective) think-only turn
                trace.note = "Your answer was empty. Give the name of the entity the question asks for."
                return False
            self._search_turn(question, turn, step.value.queries, trace, params.seed)
            return False
        finally:
            turn.seconds = round(time.perf_counter() - started, 4)

    def _search_turn(
        self, question: str, turn: AgentTurn, queries: list[str], trace: _Trace, seed: int
    ) -> None:
        new_queries = self._new_queries(queries, trace.searched, turn)
        if not new_queries:
            trace.loop_turns += 1
            repeated = "; ".join(turn.repeated_queries) or "(no query)"
            trace.note = (
                f"You already searched {repeated}; its results are in the history. Search for something "
                "different, or answer."
            )
            return
        turn.queries = new_queries
        refinement = self._search(question, new_queries, seed)
        trace.note = (
            ""
            if refinement.page_ids
            else "Your search found nothing: use plain words from the question, such as names, places or dates."
        )
        trace.budget.add(refinement.prompt_tokens, refinement.completion_tokens)
        turn.prompt_tokens += refinement.prompt_tokens
        turn.completion_tokens += refinement.completion_tokens
        turn.information = clean_field(refinement.information)
        turn.retrieved_page_ids = refinement.page_ids
        turn.dropped_facts = refinement.dropped_facts
        trace.retrieved.extend(p for p in refinement.page_ids if p not in trace.retrieved)

    # ── pieces ──────────────────────────────────────────────────────────────────────────────────────────

    def _new_queries(self, queries: list[str], searched: set[str], turn: AgentTurn) -> list[str]:
        fresh: list[str] = []
        for query in queries[: self.config.max_queries]:
            # snake_case "queries" (a habit of small models) would be one unmatched term to the index
            query = clean_field(" ".join(query.replace("_", " ").split()))
            key = normalise_query(query)
            if not key:
                continue
            if key in searched:
                turn.repeated_queries.append(query)
                continue
            searched.add(key)
            fresh.append(query)
        return fresh

    def _search(self, question: str, queries: list[str], seed: int) -> Refinement:
        config = self.config
        hit_lists = self.index.search_many(queries, config.top_k)
        hits = merge_hits(hit_lists, config.results_per_turn)
        passages = build_passages(self.index, self.llm, hits, queries, config.snippet_tokens)
        try:
            return refine(
                self.llm, question, queries, passages, max_tokens=config.refine_max_tokens, seed=seed
            )
        except LLMError:
            # the refiner failing leaves the agent with the titles found, which still steer the next query
            return unrefined(passages)

    def _step(
        self,
        question: str,
        turns: list[AgentTurn],
        note: str,
        turns_left: int,
        mode: str,
        params: GenParams,
    ) -> Any:
        # short, plain instructions: the 135M model copies longer ones (and their punctuation) into its queries
        if mode == "answer":
            instruction = "Last turn. Answer now."
        elif mode == "search":
            instruction = f"Turns left: {turns_left}. Search."
        else:
            instruction = f"Turns left: {turns_left}. Search again or answer."
        answer_type = {"answer": FinalStep, "search": SearchStep, "choose": AgentStep}[mode]
        variables = {"question": question, "history": "", "note": note, "instruction": instruction}
        # the history gets what the context leaves after the fixed part and the answer, at most history_tokens
        static_tokens = self.llm.prompt_tokens(self.llm.render(STEP_TEMPLATE, variables, answer_type))
        room = min(self.config.history_tokens, self.llm.n_ctx - params.max_tokens - static_tokens)
        if room < MIN_HISTORY_TOKENS and turns:
            raise _ContextFull
        variables["history"] = self._history(turns, max(room, 0))
        return self.llm.ask(STEP_TEMPLATE, variables, answer_type, stage="sample_step", params=params)

    def _history(self, turns: list[AgentTurn], max_tokens: int) -> str:
        """Earlier turns, newest kept whole: the oldest are dropped first to stay within `history_tokens`."""
        if not turns:
            return "(nothing yet)"
        rendered = [_render_turn(n, t) for n, t in enumerate(turns, start=1)]
        kept: list[str] = []
        used = 0
        for text in reversed(rendered):
            tokens = self.llm.count_tokens(text)
            if used + tokens > max_tokens:
                if not kept:
                    kept.append(self.llm.fit(text, max_tokens))
                break
            kept.append(text)
            used += tokens
        dropped = len(rendered) - len(kept)
        prefix = [f"({dropped} earlier turns omitted)"] if dropped else []
        return "\n".join(prefix + list(reversed(kept)))

    def _trajectory(
        self,
        question: Question,
        trace: _Trace,
        end_reason: str,
        started: float,
        *,
        sample_index: int,
        seed: int,
        temperature: float,
    ) -> Trajectory:
        turns, budget = trace.turns, trace.budget
        config_view = {
            "agent": _builtins(self.config),
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
            retrieved=trace.retrieved,
            started=started,
            provenance=_provenance(self.llm, seed, config_view, self.config.llm_judge),
            origin="agent",
            judge=self.llm if self.config.llm_judge else None,
            weights=self.config.weights,
            prompt_tokens=budget.prompt_tokens,
            completion_tokens=budget.completion_tokens,
        )


class _ContextFull(Exception):
    """The step prompt no longer fits the model's context window."""


def _render_turn(number: int, turn: AgentTurn) -> str:
    lines = [f"Turn {number}. Thought: {turn.think}"]
    if turn.answer is not None:
        lines.append(f"Answered: {turn.answer or '(empty)'}")
    if turn.queries:
        lines.append("Searched: " + " | ".join(turn.queries))
        lines.append(f"<information>\n{turn.information}\n</information>")
    if turn.repeated_queries:
        lines.append("Repeated (not run again): " + " | ".join(turn.repeated_queries))
    return "\n".join(lines)


def _builtins(config: AgentConfig) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(config)


def _provenance(llm: LLM, seed: int, config: dict[str, Any], judged: bool) -> Provenance:
    templates = (STEP_TEMPLATE, REFINE_TEMPLATE) + ((ANSWER_MATCH_TEMPLATE,) if judged else ())
    return llm.provenance(seed, config, templates=templates)
