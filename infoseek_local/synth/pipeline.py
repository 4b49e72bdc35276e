"""The synth stage: seeds in, one tree per seed out, in shards the runner resumes exactly once.

Run dir layout (run/layout.py names every part):
  <run>/config.toml                      the SynthConfig (later stages read the index path from it)
  <run>/index.json                       the index the run was built from, by id
  <run>/trees/synth-NNNNN.msgpack.zst    every tree, accepted or rejected with its reason
  <run>/questions/synth-NNNNN.msgpack.zst  one question per accepted tree
  <run>/_done/synth-NNNNN                the runner's marker (counts and settings of that shard)
  <run>/llm_calls/, <run>/llm_cache/     written by the LLM layer
The seed list is fixed by (config, index) so a rerun builds the same shard tasks and skips the marked ones.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from ..errors import LLMError
from ..records import Tree
from ..run.executors import ExecutorSpec
from ..run.index_pin import pin_index
from ..run.layout import RunLayout
from ..run.lock import run_lock
from ..run.runner import StageRun, run_stage
from ..run.stage import Counts, ItemReport, ShardTask
from ..store import ShardWriter, shard_path
from .config import SynthConfig, config_to_toml, load_config
from .context import SynthContext
from .seeds import SeedRef, read_seed_file, sample_seeds
from .tree import synthesize_one

SYNTH_TEMPLATES = ("browser_link", "browser_claim", "question_polish")
# settings that change how fast a run goes, never what it writes: kept out of provenance and the settings check
RUNTIME_ONLY = ("workers",)
RERUN_HINT = "rerun with the same options to resume, or use a new --out directory"

MAX_LLM_FAILURES_IN_A_ROW = 3

TreeCallback = Callable[[Tree], None]


class SynthCounts(Counts, kw_only=True):
    attempted: int = 0
    accepted: int = 0
    rejected: dict[str, int] = msgspec.field(default_factory=dict)
    llm_calls: int = 0
    llm_tokens: int = 0


@dataclass
class SynthSummary:
    attempted: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    llm_calls: int = 0
    llm_tokens: int = 0
    shards_skipped: int = 0

    @classmethod
    def of(cls, run: StageRun[SynthCounts]) -> SynthSummary:
        counts = run.counts
        return cls(
            counts.attempted,
            counts.accepted,
            Counter(counts.rejected),
            counts.llm_calls,
            counts.llm_tokens,
            run.shards_skipped,
        )


def open_index(path: str) -> Any:
    from ..index.reader import Index  # tantivy is heavy: import when a run starts

    return Index.open(path)  # raises IndexMismatchError naming the path and the fix


def plan_seeds(config: SynthConfig, index: Any, workers: int = 1) -> list[SeedRef]:
    if config.seeds_file:
        return read_seed_file(index, Path(config.seeds_file))[: config.n]
    return sample_seeds(index, config, workers)  # the same seeds for any number of workers


def shard_tasks(seeds: list[SeedRef], shard_size: int) -> list[ShardTask]:
    return [
        ShardTask(f"synth-{i // shard_size:05d}", seeds[i : i + shard_size])
        for i in range(0, len(seeds), shard_size)
    ]


def settings_of(config: SynthConfig) -> dict[str, Any]:
    """What decides a run's trees: the config without its runtime-only fields."""
    data = msgspec.to_builtins(config)
    for key in RUNTIME_ONLY:
        data.pop(key, None)
    return data


class SynthWorker:
    """What one worker keeps open: the index and the LLM."""

    def __init__(self, index: Any, llm: Any, own_llm: bool) -> None:
        self.index = index
        self.llm = llm
        self.own_llm = own_llm

    def close(self) -> None:
        self.index.close()
        if self.own_llm:
            self.llm.close()


@dataclass
class SynthStage:
    """Synthesis as a runner stage: a shard is a few seeds in, their trees and questions out."""

    config: SynthConfig
    run_dir: Path
    llm_config: Any
    llm: Any = None  # an open LLM to use in this process (tests); the stage then runs inline only

    name = "synth"
    counts_type = SynthCounts
    rerun_hint = RERUN_HINT

    @property
    def done_dir(self) -> Path:
        return self.run_dir

    @property
    def output_dirs(self) -> tuple[Path, ...]:
        layout = RunLayout(self.run_dir)
        return (layout.trees, layout.questions)

    def settings(self) -> dict[str, Any]:
        return settings_of(self.config)

    def __getstate__(self) -> dict[str, Any]:
        if self.llm is not None:
            raise TypeError("a synth stage holding an open LLM runs inline only")
        return self.__dict__

    def open_worker(self) -> SynthWorker:
        llm = self.llm
        if llm is None:
            from ..llm.factory import open_llm_from_config

            llm = open_llm_from_config(self.llm_config, run_dir=self.run_dir)
        return SynthWorker(open_index(self.config.index), llm, own_llm=self.llm is None)

    def work(self, worker: SynthWorker, task: ShardTask, report: ItemReport | None) -> SynthCounts:
        """Write the trees and questions of one shard (each file complete before the runner marks it)."""
        config, layout = self.config, RunLayout(self.run_dir)
        provenance = worker.llm.provenance(config.seed, settings_of(config), SYNTH_TEMPLATES)
        counts = SynthCounts()
        rejected: Counter[str] = Counter()
        failures_in_a_row = 0
        with (
            ShardWriter(shard_path(layout.trees, task.name)) as trees,
            ShardWriter(shard_path(layout.questions, task.name)) as questions,
        ):
            for ref in task.payload:
                ctx = SynthContext(worker.index, worker.llm, config)
                tree, question = synthesize_one(ctx, ref, provenance)
                failures_in_a_row = failures_in_a_row + 1 if tree.reject_reason == "llm_invalid" else 0
                if failures_in_a_row >= MAX_LLM_FAILURES_IN_A_ROW:
                    # a model that fails on every tree (server down, broken file) is not a per-tree problem
                    raise LLMError(
                        f"shard {task.name}: the LLM failed on {failures_in_a_row} trees in a row "
                        f"(last: {tree.notes[-1]}); check the model or endpoint, then rerun to resume"
                    )
                trees.write(tree)
                counts.attempted += 1
                counts.llm_calls += tree.llm_calls
                counts.llm_tokens += tree.llm_tokens
                if question is not None:
                    questions.write(question)
                    counts.accepted += 1
                else:
                    rejected[tree.reject_reason] += 1
                if report is not None:
                    report(tree)
        counts.rejected = dict(sorted(rejected.items()))
        return counts


def resolve_synth_options(
    config_file: Path | None, overrides: dict[str, Any], llm_config: Any, executor: ExecutorSpec
) -> tuple[SynthConfig, Any, ExecutorSpec]:
    """The config from a TOML file with the command's options on top; the LLM and executor it names (the
    config file may name the model and the workers too: what the run records is what it uses)."""
    config = load_config(
        config_file,
        {
            **overrides,
            "backend": llm_config.backend,
            "model": llm_config.model,
            "endpoints": list(llm_config.endpoints) or None,
        },
    )
    llm_config = msgspec.structs.replace(
        llm_config,
        backend=config.backend or None,
        model=config.model or None,
        endpoints=tuple(config.endpoints),
        seed=config.seed,
    )
    return config, llm_config, msgspec.structs.replace(executor, workers=config.workers)


def run_synth(
    config: SynthConfig,
    run_dir: Path,
    llm_config: Any,
    *,
    llm: Any = None,
    executor: ExecutorSpec | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_tree: TreeCallback | None = None,
    on_shard: Callable[[SynthCounts, bool], None] | None = None,
) -> SynthSummary:
    """Run (or resume) synthesis into `run_dir`. `llm` (an open LLM) is used in-process instead of opening one
    from `llm_config` (tests); `executor` defaults to `config.workers` local processes (inline for one).
    `on_start(n_seeds, n_shards)`, `on_tree` (inline only) and `on_shard` report progress."""
    run_dir = Path(run_dir).resolve()  # workers (maybe on other machines) must not depend on this cwd
    with run_lock(run_dir, "synth"):
        return _run_synth_locked(config, run_dir, llm_config, llm, executor, on_start, on_tree, on_shard)


def _run_synth_locked(
    config: SynthConfig,
    run_dir: Path,
    llm_config: Any,
    llm: Any,
    executor: ExecutorSpec | None,
    on_start: Callable[[int, int], None] | None,
    on_tree: TreeCallback | None,
    on_shard: Callable[[SynthCounts, bool], None] | None,
) -> SynthSummary:
    config = msgspec.structs.replace(config, index=str(Path(config.index).resolve()))
    index = open_index(config.index)
    try:
        # seed tests are CPU work in the driver: they use the run's local worker count (not Ray's)
        planners = 1 if llm is not None else (executor.workers if executor is not None else config.workers)
        seeds = plan_seeds(config, index, planners)
    finally:
        index.close()
    tasks = shard_tasks(seeds, config.shard_size)
    if llm is not None:
        executor = ExecutorSpec(kind="inline")
    stage = SynthStage(config, run_dir, llm_config, llm)
    if on_start is not None:
        on_start(len(seeds), len(tasks))
    run = run_stage(
        stage,
        tasks,
        executor or ExecutorSpec(workers=config.workers),
        on_claimed=lambda: _record_config(run_dir, config),
        on_shard=None if on_shard is None else lambda _task, counts, skipped: on_shard(counts, skipped),
        on_item=on_tree,
    )
    return SynthSummary.of(run)


def _record_config(run_dir: Path, config: SynthConfig) -> None:
    """`<run>/config.toml` (later stages read the index from it) and the pinned index, once the runner has
    checked that the run on disk was made with the same settings."""
    layout = RunLayout(run_dir)
    layout.root.mkdir(parents=True, exist_ok=True)
    pin_index(layout, Path(config.index))
    tmp = layout.config_file.with_name(layout.config_file.name + ".tmp")
    tmp.write_text(config_to_toml(config))
    os.replace(tmp, layout.config_file)
