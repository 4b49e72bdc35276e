"""The synth stage: seeds in, one tree per seed out, in shards that resume exactly once.

Run dir layout (see DESIGN.md "On disk"):
  <run>/config.toml                      the SynthConfig (later stages read the index path from it)
  <run>/trees/synth-NNNNN.msgpack.zst    every tree, accepted or rejected with its reason
  <run>/questions/synth-NNNNN.msgpack.zst  one question per accepted tree
  <run>/{trees,questions}/_done/         markers, so `read_shards(<run>/questions, Question)` reads finished shards
  <run>/_done/synth-NNNNN                the executor's marker (counts of that shard)
  <run>/llm_calls/, <run>/llm_cache/     written by the LLM layer
The seed list is fixed by (config, index) so a rerun builds the same shard tasks and skips the marked ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from ..errors import LLMError
from ..records import Tree
from ..run.executor import ShardTask, run_shards
from ..store import ShardWriter, mark_done, shard_path
from .config import SynthConfig, claim_run_dir
from .context import SynthContext
from .seeds import SeedRef, read_seed_file, sample_seeds
from .tree import synthesize_one

TREES_DIR = "trees"
QUESTIONS_DIR = "questions"
SYNTH_TEMPLATES = ("browser_link", "browser_claim", "question_polish")
# settings that do not change what a run writes, kept out of provenance so output bytes do not depend on them
_NOT_IN_PROVENANCE = ("workers",)

MAX_LLM_FAILURES_IN_A_ROW = 3

TreeCallback = Callable[[Tree], None]


@dataclass
class SynthSummary:
    attempted: int = 0
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    llm_calls: int = 0
    llm_tokens: int = 0
    shards_skipped: int = 0

    def add(self, info: dict[str, Any]) -> None:
        self.attempted += info.get("attempted", 0)
        self.accepted += info.get("accepted", 0)
        self.rejected.update(info.get("rejected", {}))
        self.llm_calls += info.get("llm_calls", 0)
        self.llm_tokens += info.get("llm_tokens", 0)


def open_index(path: str) -> Any:
    from ..index.reader import Index  # tantivy is heavy: import when a run starts

    return Index.open(path)  # raises IndexMismatchError naming the path and the fix


def plan_seeds(config: SynthConfig, index: Any) -> list[SeedRef]:
    if config.seeds_file:
        return read_seed_file(index, Path(config.seeds_file))[: config.n]
    return sample_seeds(index, config)


def shard_tasks(run_dir: Path, seeds: list[SeedRef], shard_size: int) -> list[ShardTask]:
    return [
        ShardTask(
            f"synth-{i // shard_size:05d}",
            run_dir,
            seeds[i : i + shard_size],
            (run_dir / TREES_DIR, run_dir / QUESTIONS_DIR),
        )
        for i in range(0, len(seeds), shard_size)
    ]


# ── per-process state (the pool's initializer opens the index and the LLM once per worker) ────────────

_STATE: dict[str, Any] = {}


def _init_worker(run_dir: str, config_bytes: bytes, llm_config_bytes: bytes) -> None:
    from ..llm.factory import LLMConfig, open_llm_from_config

    config = msgspec.msgpack.decode(config_bytes, type=SynthConfig)
    llm_config = msgspec.msgpack.decode(llm_config_bytes, type=LLMConfig)
    _STATE.update(
        run_dir=Path(run_dir),
        config=config,
        index=open_index(config.index),
        llm=open_llm_from_config(llm_config, run_dir=Path(run_dir)),
    )


def _provenance_config(config: SynthConfig) -> dict[str, Any]:
    data = msgspec.to_builtins(config)
    for key in _NOT_IN_PROVENANCE:
        data.pop(key, None)
    return data


def synthesize_shard(
    task: ShardTask, state: dict[str, Any], on_tree: TreeCallback | None = None
) -> dict[str, Any]:
    """Write the trees and questions of one shard (each shard file complete before its marker)."""
    config: SynthConfig = state["config"]
    run_dir: Path = state["run_dir"]
    llm = state["llm"]
    provenance = llm.provenance(config.seed, _provenance_config(config), SYNTH_TEMPLATES)
    counts: dict[str, Any] = {
        "attempted": 0,
        "accepted": 0,
        "rejected": Counter(),
        "llm_calls": 0,
        "llm_tokens": 0,
    }
    trees = ShardWriter(shard_path(run_dir / TREES_DIR, task.name))
    questions = ShardWriter(shard_path(run_dir / QUESTIONS_DIR, task.name))
    failures_in_a_row = 0
    with trees, questions:
        for ref in task.payload:
            ctx = SynthContext(state["index"], llm, config)
            tree, question = synthesize_one(ctx, ref, provenance)
            failures_in_a_row = failures_in_a_row + 1 if tree.reject_reason == "llm_invalid" else 0
            if failures_in_a_row >= MAX_LLM_FAILURES_IN_A_ROW:
                # a model that fails on every tree (server down, broken file) is not a per-tree problem
                raise LLMError(
                    f"shard {task.name}: the LLM failed on {failures_in_a_row} trees in a row "
                    f"(last: {tree.notes[-1]}); check the model or endpoint, then rerun to resume"
                )
            trees.write(tree)
            counts["attempted"] += 1
            counts["llm_calls"] += tree.llm_calls
            counts["llm_tokens"] += tree.llm_tokens
            if question is not None:
                questions.write(question)
                counts["accepted"] += 1
            else:
                counts["rejected"][tree.reject_reason] += 1
            if on_tree is not None:
                on_tree(tree)
    mark_done(run_dir / TREES_DIR, task.name)
    mark_done(run_dir / QUESTIONS_DIR, task.name)
    counts["rejected"] = dict(sorted(counts["rejected"].items()))
    return counts


def _pool_work(task: ShardTask) -> dict[str, Any]:
    return synthesize_shard(task, _STATE)


def run_synth(
    config: SynthConfig,
    run_dir: Path,
    llm_config: Any,
    *,
    llm: Any = None,
    on_start: Callable[[int, int], None] | None = None,
    on_tree: TreeCallback | None = None,
    on_shard: Callable[[dict[str, Any], bool], None] | None = None,
) -> SynthSummary:
    """Run (or resume) synthesis into `run_dir`. `llm` (an open LLM) is used in-process instead of opening one
    from `llm_config` (tests); `on_start(n_seeds, n_done_shards)`, `on_tree` and `on_shard` report progress."""
    run_dir = Path(run_dir)
    config = msgspec.structs.replace(config, index=str(Path(config.index).resolve()))
    index = open_index(config.index)
    try:
        claim_run_dir(run_dir, config)
        seeds = plan_seeds(config, index)
    finally:
        index.close()
    tasks = shard_tasks(run_dir, seeds, config.shard_size)
    summary = SynthSummary()
    if on_start is not None:
        on_start(len(seeds), len(tasks))
    if llm is not None or config.workers <= 1:
        results = _run_inline(config, run_dir, llm_config, llm, tasks, on_tree)
    else:
        results = run_shards(
            tasks,
            _pool_work,
            workers=config.workers,
            initializer=_init_worker,
            initargs=(
                str(run_dir),
                msgspec.msgpack.encode(config),
                msgspec.msgpack.encode(llm_config),
            ),
        )
    for result in results:
        summary.add(result.info)
        summary.shards_skipped += result.skipped_as_done
        if on_shard is not None:
            on_shard(result.info, result.skipped_as_done)
    return summary


def _run_inline(
    config: SynthConfig,
    run_dir: Path,
    llm_config: Any,
    llm: Any,
    tasks: list[ShardTask],
    on_tree: TreeCallback | None,
) -> Iterator[Any]:
    own_llm = llm is None
    if own_llm:
        from ..llm.factory import open_llm_from_config

        llm = open_llm_from_config(llm_config, run_dir=run_dir)
    state = {"run_dir": run_dir, "config": config, "index": open_index(config.index), "llm": llm}
    try:
        yield from run_shards(tasks, lambda task: synthesize_shard(task, state, on_tree), workers=1)
    finally:
        state["index"].close()
        if own_llm:
            llm.close()
