"""Trajectories per accepted question: a tree-guided one, and K agent samples kept when the answer matches.

Modes (`SampleConfig.mode`): `guided` writes one trajectory per question by following its research tree
(`guided.py`; no LLM); `agent` samples K trajectories with the choice-driven agent a small model can drive
(`choice.py`); `free` samples K with the free-form agent (`agent.py`, for bigger models); `both` (the default)
is guided plus agent. A question whose guided trajectory cannot be built is counted by reason, not written.

Every sampled trajectory is written to `<run>/trajectories/` with its `correct` flag and reward, so exporters
can take the kept ones for SFT and all of them for reward statistics. Each sample has its own seed (derived
from the base seed, the question id and the sample index), so the K samples differ even when cached.

Work is cut into shards of `questions_per_shard` questions, named `part-NNNNN`; a shard's file is written
whole and then marked done with a fingerprint of its questions and the sampling settings. A killed run rerun
with the same command skips done shards and redoes the rest (LLM calls already made replay from the cache);
rerunning with other settings is refused rather than mixing trajectories of two configurations.
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
from ..run.executor import ShardResult, ShardTask, run_shards
from ..store import ShardWriter, done_info, done_shards, read_shards, shard_path
from .agent import AgentConfig, SearchAgent
from .choice import ChoiceAgent, ChoiceConfig
from .guided import GuidedConfig, build_guided

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM
    from ..llm.factory import LLMConfig

TRAJECTORIES_DIR = "trajectories"
ACCEPTED_DIR = "accepted"
TREES_DIR = "trees"
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

    def add(self, info: dict[str, Any], skipped: bool) -> None:
        self.questions += info.get("questions", 0)
        self.trajectories += info.get("trajectories", 0)
        self.correct += info.get("correct", 0)
        self.solved_questions += info.get("solved_questions", 0)
        self.guided += info.get("guided", 0)
        for reason, count in info.get("guided_dropped", {}).items():
            self.guided_dropped[reason] = self.guided_dropped.get(reason, 0) + count
        if skipped:
            self.shards_skipped += 1
        else:
            self.shards_done += 1


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
    questions = list(read_shards(Path(run_dir) / ACCEPTED_DIR, Question))
    if not questions:
        raise InputError(
            f"{run_dir}: no accepted questions in {Path(run_dir) / ACCEPTED_DIR}; "
            f"run `infoseek-local verify {run_dir}` first"
        )
    return questions


def plan_shards(questions: Sequence[Question], config: SampleConfig) -> list[tuple[str, list[Question]]]:
    per_shard = max(1, config.questions_per_shard)
    ordered = sorted(questions, key=lambda q: q.id)
    return [
        (f"part-{n:05d}", ordered[i : i + per_shard]) for n, i in enumerate(range(0, len(ordered), per_shard))
    ]


def shard_fingerprint(questions: Sequence[Question], config: SampleConfig, llm_identity: str) -> str:
    material = json.dumps(
        {"questions": [q.id for q in questions], "config": msgspec.to_builtins(config), "llm": llm_identity},
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _check_existing(out_dir: Path, plan: dict[str, str], run_dir: Path) -> None:
    for name in done_shards(out_dir):
        expected = plan.get(name)
        found = done_info(out_dir, name).get("fingerprint")
        if expected is None or found != expected:
            raise InputError(
                f"{out_dir}/{name}: sampled with other questions or settings than this command's; "
                f"delete {out_dir} to resample {run_dir}, or rerun with the original options"
            )


class SampleTools:
    """The index and the agent shards need, opened on first use: a fully resumed run loads neither, and a
    guided-only run loads no model."""

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


def write_shard(
    tools: SampleTools,
    questions: Sequence[Question],
    trees: dict[str, Tree],
    config: SampleConfig,
    path: Path,
    fingerprint: str,
    on_trajectory: Callable[[Trajectory], None] | None = None,
) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "questions": 0,
        "trajectories": 0,
        "correct": 0,
        "solved_questions": 0,
        "guided": 0,
        "guided_dropped": {},
        "fingerprint": fingerprint,
    }
    with ShardWriter(path, frame_records=16) as writer:
        for question in questions:
            trajectories: list[Trajectory] = []
            if config.guided_wanted:
                outcome = build_guided(question, trees.get(question.tree_id), tools.index(), config.guided)
                if outcome.trajectory is not None:
                    trajectories.append(outcome.trajectory)
                    counts["guided"] += 1
                else:
                    dropped = counts["guided_dropped"]
                    dropped[outcome.reason] = dropped.get(outcome.reason, 0) + 1
            if config.agent_wanted:
                trajectories += sample_question(tools.agent(), question, config)
            writer.write_all(trajectories)
            kept = sum(t.correct for t in trajectories)
            counts["questions"] += 1
            counts["trajectories"] += len(trajectories)
            counts["correct"] += kept
            counts["solved_questions"] += kept > 0
            if on_trajectory is not None:
                for trajectory in trajectories:
                    on_trajectory(trajectory)
    return counts


def _llm_identity(llm: LLM | None, llm_config: LLMConfig | None) -> str:
    """What decides the model's answers (not threads or retries): part of each shard's fingerprint."""
    if llm is not None:
        return f"{llm.model_id}:{llm.model_sha256}"
    if llm_config is None:
        return "no-llm"
    return json.dumps([llm_config.model, list(llm_config.endpoints), llm_config.backend, llm_config.n_ctx])


def load_question_trees(run_dir: Path, questions: Sequence[Question]) -> dict[str, Tree]:
    """The trees of `questions` (guided trajectories follow them); others are not kept in memory."""
    wanted = {q.tree_id for q in questions}
    return {t.id: t for t in read_shards(Path(run_dir) / TREES_DIR, Tree) if t.id in wanted}


# process-pool workers open their own index and model once, in the initializer (both lazily)
_WORKER: dict[str, Any] = {}


def _init_worker(index_path: str, llm_config: LLMConfig | None, run_dir: str, config: SampleConfig) -> None:
    from ..index.reader import Index
    from ..llm.factory import open_llm_from_config

    def open_llm() -> LLM:
        if llm_config is None:
            raise ConfigError("agent sampling needs an LLM; pass --backend/--model, or use --mode guided")
        return open_llm_from_config(llm_config, run_dir=Path(run_dir))

    _WORKER["tools"] = SampleTools(config, lambda: Index.open(Path(index_path)), open_llm)
    _WORKER["config"] = config


def _work_in_worker(task: ShardTask) -> dict[str, Any]:
    questions, trees, fingerprint = task.payload
    path = shard_path(task.done_dir, task.name)
    return write_shard(_WORKER["tools"], questions, trees, _WORKER["config"], path, fingerprint)


def sample_run(
    run_dir: Path,
    config: SampleConfig,
    *,
    index_path: Path,
    llm_config: LLMConfig | None = None,
    llm: LLM | None = None,
    index: IndexLike | None = None,
    workers: int = 1,
    on_start: Callable[[int, int], None] | None = None,
    on_trajectory: Callable[[Trajectory], None] | None = None,
    on_shard: Callable[[dict[str, Any], bool], None] | None = None,
) -> SampleSummary:
    """Sample every accepted question of `run_dir` not yet done; returns the totals of all shards.

    Inline (`workers <= 1`) it uses `llm`/`index` when given, else opens them from `llm_config` (LLM calls
    cached and logged in the run) and `index_path`; with more workers each process opens its own. Guided-only
    sampling (`mode="guided"`) needs no LLM. `on_start(total_trajectories, already_done)` is called once
    before any work (the total counts one guided trajectory per question when guided ones are wanted).
    """
    run_dir = Path(run_dir)
    if config.mode not in MODES:
        raise ConfigError(f"--mode {config.mode!r}: choose one of {', '.join(MODES)}")
    if config.samples < 1:
        raise ConfigError(f"--samples must be at least 1, got {config.samples}")
    if config.agent_wanted and llm is None and llm_config is None:
        raise ConfigError("sample_run needs an LLM or an LLMConfig to open one")
    if config.mode == "free" and not 1 <= config.agent.max_queries <= 3:
        raise ConfigError(f"--max-queries must be 1..3, got {config.agent.max_queries}")
    questions = load_accepted(run_dir)
    identity = _llm_identity(llm, llm_config) if config.agent_wanted else "no-llm"
    out_dir = run_dir / TRAJECTORIES_DIR
    shards = plan_shards(questions, config)
    fingerprints = {name: shard_fingerprint(qs, config, identity) for name, qs in shards}
    _check_existing(out_dir, fingerprints, run_dir)
    done_names = set(done_shards(out_dir))
    pending = [q for name, qs in shards if name not in done_names for q in qs]
    trees = load_question_trees(run_dir, pending) if config.guided_wanted and pending else {}
    tasks = [
        ShardTask(
            name,
            out_dir,
            (qs, {q.tree_id: trees[q.tree_id] for q in qs if q.tree_id in trees}, fingerprints[name]),
        )
        for name, qs in shards
    ]
    per_question = config.guided_wanted + config.samples * config.agent_wanted
    if on_start is not None:
        done_count = sum(len(qs) for name, qs in shards if name in done_names) * per_question
        on_start(len(questions) * per_question, done_count)
    summary = SampleSummary()
    if workers <= 1 or llm is not None or index is not None:
        results = _run_inline(tasks, config, run_dir, index_path, llm_config, llm, index, on_trajectory)
    else:
        initargs = (str(index_path), llm_config, str(run_dir), config)
        results = run_shards(
            tasks, _work_in_worker, workers=workers, initializer=_init_worker, initargs=initargs
        )
    for result in results:
        summary.add(result.info, result.skipped_as_done)
        if on_shard is not None:
            on_shard(result.info, result.skipped_as_done)
    return summary


def _run_inline(
    tasks: list[ShardTask],
    config: SampleConfig,
    run_dir: Path,
    index_path: Path,
    llm_config: LLMConfig | None,
    llm: LLM | None,
    index: IndexLike | None,
    on_trajectory: Callable[[Trajectory], None] | None,
) -> Iterator[ShardResult]:
    opened: list[Any] = []

    def open_index() -> IndexLike:
        if index is not None:
            return index
        from ..index.reader import Index

        opened.append(Index.open(Path(index_path)))
        return opened[-1]

    def open_llm() -> LLM:
        if llm is not None:
            return llm
        from ..llm.factory import open_llm_from_config

        if llm_config is None:
            raise ConfigError("agent sampling needs an LLM; pass --backend/--model, or use --mode guided")
        opened.append(open_llm_from_config(llm_config, run_dir=run_dir))
        return opened[-1]

    tools = SampleTools(config, open_index, open_llm)

    def work(task: ShardTask) -> dict[str, Any]:
        questions, trees, fingerprint = task.payload
        path = shard_path(task.done_dir, task.name)
        return write_shard(tools, questions, trees, config, path, fingerprint, on_trajectory)

    try:
        yield from run_shards(tasks, work, workers=1)
    finally:
        for resource in opened:
            resource.close()


def read_trajectories(run_dir: Path, *, kept_only: bool = False) -> Iterator[Trajectory]:
    """Trajectories of finished shards, streamed; `kept_only` gives the ones rejection sampling keeps."""
    for trajectory in read_shards(Path(run_dir) / TRAJECTORIES_DIR, Trajectory):
        if trajectory.correct or not kept_only:
            yield trajectory
