"""Trajectories per accepted question: a tree-guided one, and K agent samples kept when the answer matches.

Modes (`SampleConfig.mode`): `guided` writes one trajectory per question by following its research tree
(`guided.py`; no LLM); `agent` samples K trajectories with the choice-driven agent a small model can drive
(`choice.py`); `free` samples K with the free-form agent (`agent.py`, for bigger models); `both` (the default)
is guided plus agent. A question whose guided trajectory cannot be built is counted by reason, not written.

Every sampled trajectory is written to `<run>/trajectories/` with its `correct` flag and reward, so exporters
can take the kept ones for SFT and all of them for reward statistics. Each sample has its own seed (derived
from the base seed, the question id and the sample index), so the K samples differ even when cached.

Work is cut into shards of `questions_per_shard` questions, named `part-NNNNN`, and run by the stage runner
(run/runner.py): a shard's file is written whole and then marked done with the sampling settings and a key
of its questions. A killed run rerun with the same command skips done shards and redoes the rest (LLM calls
already made replay from the cache); rerunning with other settings or questions is refused rather than
mixing trajectories of two configurations.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import Struct

from ..errors import ConfigError, InputError
from ..records import Question, Trajectory, Tree
from ..run.executors import ExecutorSpec
from ..run.layout import RunLayout
from ..run.lock import run_lock
from ..run.paths import index_path_for
from ..run.runner import StageRun, is_finished, run_stage
from ..run.stage import Counts, ItemReport, ShardTask
from ..store import ShardWriter, read_shards, shard_path
from .agent import AgentConfig, SearchAgent
from .choice import ChoiceAgent, ChoiceConfig
from .guided import GuidedConfig, build_guided

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM
    from ..llm.factory import LLMConfig

MODES = ("both", "guided", "agent", "free")


class SampleConfig(Struct, frozen=True, kw_only=True):
    samples: int = 4
    temperature: float = 0.7
    seed: int = 0
    questions_per_shard: int = 4
    agent: AgentConfig = AgentConfig()  # the free-form agent (mode "free")
    mode: str = "both"
    guided: GuidedConfig = GuidedConfig()
    choice: ChoiceConfig = ChoiceConfig()

    @property
    def guided_wanted(self) -> bool:
        return self.mode in ("both", "guided")

    @property
    def agent_wanted(self) -> bool:
        return self.mode != "guided"


def sample_seed(base_seed: int, question_id: str, sample_index: int) -> int:
    """A distinct, reproducible 31-bit seed per (base seed, question, sample)."""
    digest = hashlib.sha256(f"{base_seed}\0{question_id}\0{sample_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def sample_question(
    agent: SearchAgent | ChoiceAgent, question: Question, config: SampleConfig
) -> list[Trajectory]:
    return [
        agent.solve(
            question,
            sample_index=i,
            seed=sample_seed(config.seed, question.id, i),
            temperature=config.temperature,
        )
        for i in range(config.samples)
    ]


# ── run level ───────────────────────────────────────────────────────────────────────────────────────────


def load_accepted(run_dir: Path) -> list[Question]:
    questions = list(read_shards(RunLayout(run_dir).accepted, Question))
    if not questions:
        raise InputError(
            f"{run_dir}: no accepted questions in {RunLayout(run_dir).accepted}; "
            f"run `infoseek-local verify {run_dir}` first"
        )
    return questions


def plan_shards(questions: Sequence[Question], config: SampleConfig) -> list[tuple[str, list[Question]]]:
    per_shard = max(1, config.questions_per_shard)
    ordered = sorted(questions, key=lambda q: q.id)
    return [
        (f"part-{n:05d}", ordered[i : i + per_shard]) for n, i in enumerate(range(0, len(ordered), per_shard))
    ]


def questions_key(questions: Sequence[Question]) -> str:
    """Which questions a shard samples: a rerun over other accepted questions is refused, not mixed."""
    return hashlib.sha256("\0".join(q.id for q in questions).encode()).hexdigest()[:16]


class SampleCounts(Counts, kw_only=True):
    questions: int = 0
    trajectories: int = 0
    correct: int = 0
    solved_questions: int = 0
    guided: int = 0  # guided trajectories written
    guided_dropped: dict[str, int] = msgspec.field(default_factory=dict)  # questions without one, by reason


@dataclass
class SampleSummary:
    questions: int = 0
    trajectories: int = 0
    correct: int = 0
    solved_questions: int = 0
    shards_done: int = 0
    shards_skipped: int = 0
    guided: int = 0  # guided trajectories written
    guided_dropped: dict[str, int] = field(default_factory=dict)  # questions without one, by reason

    @classmethod
    def of(cls, run: StageRun[SampleCounts]) -> SampleSummary:
        c = run.counts
        return cls(
            c.questions,
            c.trajectories,
            c.correct,
            c.solved_questions,
            run.shards_done,
            run.shards_skipped,
            c.guided,
            dict(c.guided_dropped),
        )


class SampleTools:
    """The index and the agent shards need, opened on first use: a fully resumed run loads neither, and a
    guided-only run loads no model. One per worker; closes what it opened."""

    def __init__(
        self,
        config: SampleConfig,
        open_index: Callable[[], IndexLike],
        open_llm: Callable[[], LLM],
    ) -> None:
        self.config = config
        self._open_index = open_index
        self._open_llm = open_llm
        self._index: IndexLike | None = None
        self._agent: SearchAgent | ChoiceAgent | None = None
        self.opened: list[Any] = []

    def index(self) -> IndexLike:
        if self._index is None:
            self._index = self._open_index()
        return self._index

    def agent(self) -> SearchAgent | ChoiceAgent:
        if self._agent is None:
            llm = self._open_llm()
            if self.config.mode == "free":
                self._agent = SearchAgent(self.index(), llm, self.config.agent)
            else:
                self._agent = ChoiceAgent(self.index(), llm, self.config.choice)
        return self._agent

    def close(self) -> None:
        for resource in self.opened:
            resource.close()
        self.opened.clear()


def write_shard(
    tools: SampleTools,
    questions: Sequence[Question],
    trees: dict[str, Tree],
    config: SampleConfig,
    path: Path,
    on_trajectory: Callable[[Trajectory], None] | None = None,
) -> SampleCounts:
    counts = SampleCounts()
    with ShardWriter(path, frame_records=16) as writer:
        for question in questions:
            trajectories: list[Trajectory] = []
            if config.guided_wanted:
                outcome = build_guided(question, trees.get(question.tree_id), tools.index(), config.guided)
                if outcome.trajectory is not None:
                    trajectories.append(outcome.trajectory)
                    counts.guided += 1
                else:
                    dropped = counts.guided_dropped
                    dropped[outcome.reason] = dropped.get(outcome.reason, 0) + 1
            if config.agent_wanted:
                trajectories += sample_question(tools.agent(), question, config)
            writer.write_all(trajectories)
            kept = sum(t.correct for t in trajectories)
            counts.questions += 1
            counts.trajectories += len(trajectories)
            counts.correct += kept
            counts.solved_questions += kept > 0
            if on_trajectory is not None:
                for trajectory in trajectories:
                    on_trajectory(trajectory)
    return counts


def _llm_identity(llm: LLM | None, llm_config: LLMConfig | None) -> str:
    """What decides the model's answers (not threads or retries): part of the stage's settings."""
    if llm is not None:
        return f"{llm.model_id}:{llm.model_sha256}"
    if llm_config is None:
        return "no-llm"
    return json.dumps([llm_config.model, list(llm_config.endpoints), llm_config.backend, llm_config.n_ctx])


def load_question_trees(run_dir: Path, questions: Sequence[Question]) -> dict[str, Tree]:
    """The trees of `questions` (guided trajectories follow them); others are not kept in memory."""
    wanted = {q.tree_id for q in questions}
    return {t.id: t for t in read_shards(RunLayout(run_dir).trees, Tree) if t.id in wanted}


@dataclass
class SampleStage:
    """Sampling as a runner stage: a shard is a few accepted questions (with their trees) in, their
    trajectories out. `llm`/`index` (open objects, tests) keep the stage in this process."""

    run_dir: Path
    config: SampleConfig
    index_path: Path
    llm_config: LLMConfig | None
    llm_identity: str
    llm: LLM | None = None
    index: IndexLike | None = None

    name = "sample"
    counts_type = SampleCounts
    output_dirs: tuple[Path, ...] = ()

    @property
    def done_dir(self) -> Path:
        return RunLayout(self.run_dir).trajectories

    @property
    def rerun_hint(self) -> str:
        return f"delete {self.done_dir} to resample {self.run_dir}, or rerun with the original options"

    def settings(self) -> dict[str, Any]:
        return {"config": msgspec.to_builtins(self.config), "llm": self.llm_identity}

    def __getstate__(self) -> dict[str, Any]:
        if self.llm is not None or self.index is not None:
            raise TypeError("a sample stage holding an open LLM or index runs inline only")
        return self.__dict__

    def open_worker(self) -> SampleTools:
        def open_index() -> IndexLike:
            if self.index is not None:
                return self.index
            from ..index.reader import Index

            tools.opened.append(Index.open(Path(self.index_path)))
            return tools.opened[-1]

        def open_llm() -> LLM:
            if self.llm is not None:
                return self.llm
            from ..llm.factory import open_llm_from_config

            if self.llm_config is None:
                raise ConfigError("agent sampling needs an LLM; pass --backend/--model, or use --mode guided")
            tools.opened.append(open_llm_from_config(self.llm_config, run_dir=self.run_dir))
            return tools.opened[-1]

        tools = SampleTools(self.config, open_index, open_llm)
        return tools

    def work(self, tools: SampleTools, task: ShardTask, report: ItemReport | None) -> SampleCounts:
        questions, trees = task.payload
        return write_shard(tools, questions, trees, self.config, shard_path(self.done_dir, task.name), report)


def sample_run(
    run_dir: Path,
    config: SampleConfig,
    *,
    index_path: Path | None = None,
    llm_config: LLMConfig | None = None,
    llm: LLM | None = None,
    index: IndexLike | None = None,
    workers: int = 1,
    executor: ExecutorSpec | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_trajectory: Callable[[Trajectory], None] | None = None,
    on_shard: Callable[[SampleCounts, bool], None] | None = None,
) -> SampleSummary:
    """Sample every accepted question of `run_dir` not yet done; returns the totals of all shards.

    The index is `index_path` (default: the run's own, checked against the index it was built from). With
    `llm`/`index` given it runs in this process, else on `executor` (default: `workers` local processes,
    inline for one), each worker opening its own index and model (LLM calls cached and logged in the run).
    Guided-only sampling (`mode="guided"`) needs no LLM. `on_start(total_trajectories, already_done)` is
    called once before any work (the total counts one guided trajectory per question when guided ones are
    wanted).
    """
    run_dir = Path(run_dir).resolve()
    if config.mode not in MODES:
        raise ConfigError(f"--mode {config.mode!r}: choose one of {', '.join(MODES)}")
    if config.samples < 1:
        raise ConfigError(f"--samples must be at least 1, got {config.samples}")
    if config.agent_wanted and llm is None and llm_config is None:
        raise ConfigError("sample_run needs an LLM or an LLMConfig to open one")
    if config.mode == "free" and not 1 <= config.agent.max_queries <= 3:
        raise ConfigError(f"--max-queries must be 1..3, got {config.agent.max_queries}")
    with run_lock(run_dir, "sample", create=False):
        questions = load_accepted(run_dir)
        index_path = index_path_for(run_dir, index_path).resolve()
        identity = _llm_identity(llm, llm_config) if config.agent_wanted else "no-llm"
        stage = SampleStage(run_dir, config, index_path, llm_config, identity, llm, index)
        shards = plan_shards(questions, config)
        planned = [ShardTask(name, qs, questions_key(qs)) for name, qs in shards]
        pending = [q for task in planned if not is_finished(stage, task) for q in task.payload]
        trees = load_question_trees(run_dir, pending) if config.guided_wanted and pending else {}
        tasks = [
            ShardTask(
                t.name,
                (t.payload, {q.tree_id: trees[q.tree_id] for q in t.payload if q.tree_id in trees}),
                t.inputs,
            )
            for t in planned
        ]
        per_question = config.guided_wanted + config.samples * config.agent_wanted
        if on_start is not None:
            done_count = len(questions) - len(pending)
            on_start(len(questions) * per_question, done_count * per_question)
        if llm is not None or index is not None:
            executor = ExecutorSpec(kind="inline")
        run = run_stage(
            stage,
            tasks,
            executor or ExecutorSpec(workers=workers),
            on_shard=None if on_shard is None else lambda _task, counts, skipped: on_shard(counts, skipped),
            on_item=on_trajectory,
        )
    return SampleSummary.of(run)


def read_trajectories(run_dir: Path, *, kept_only: bool = False) -> Iterator[Trajectory]:
    """Trajectories of finished shards, streamed; `kept_only` gives the ones rejection sampling keeps."""
    for trajectory in read_shards(RunLayout(run_dir).trajectories, Trajectory):
        if trajectory.correct or not kept_only:
            yield trajectory
