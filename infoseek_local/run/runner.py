"""The runner: one place that resumes a stage exactly once, whatever executor works its shards.

For a stage and its planned shard tasks it refuses a run on disk made with other settings, skips shards that
are marked done and still intact (their counts come back from the marker), hands the rest to an executor,
and marks each shard done only after the executor reports its files complete: first in each output
directory, then in the stage's own, with the shard's counts, the settings and the inputs. A killed run
rerun with the same command redoes exactly the unmarked shards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic

import msgspec

from ..store import done_info, mark_done, shard_intact
from .executors import Executor, ExecutorSpec, open_executor
from .settings import INPUTS_KEY, SETTINGS_KEY, as_stored, refuse_other_settings
from .stage import C, ItemReport, ShardTask, Stage, add_counts

ShardReport = Callable[[ShardTask, Any, bool], None]  # (the shard, its counts, whether it was done before)


@dataclass
class StageRun(Generic[C]):
    """What a stage run adds up to: every shard's counts (done now or before), and how many of each."""

    counts: C
    counts_now: C  # of the shards worked by this call (a resumed run's cost)
    by_shard: dict[str, C] = field(default_factory=dict)
    shards_done: int = 0
    shards_skipped: int = 0


def is_finished(stage: Stage[Any], task: ShardTask) -> bool:
    """Marked done, and no file it wrote was damaged or unmarked since (such a shard is redone)."""
    return all(shard_intact(d, task.name) for d in (stage.done_dir, *stage.output_dirs))


def finished_counts(stage: Stage[C], task: ShardTask) -> C:
    return msgspec.convert(done_info(stage.done_dir, task.name), stage.counts_type)


def run_stage(
    stage: Stage[C],
    tasks: Sequence[ShardTask],
    executor: ExecutorSpec | Executor | None = None,
    *,
    on_claimed: Callable[[], None] | None = None,
    on_shard: ShardReport | None = None,
    on_item: ItemReport | None = None,
) -> StageRun[C]:
    """Run (or resume) `stage` over `tasks`. `on_claimed` is called once the run on disk is known to match
    (a stage records its config there); `on_shard` hears of every shard, done before or now; `on_item` of
    every record as it is written, where the executor can tell (inline)."""
    refuse_other_settings(stage, tasks)
    if on_claimed is not None:
        on_claimed()
    if executor is None or isinstance(executor, ExecutorSpec):
        executor = open_executor(executor or ExecutorSpec())
    result: StageRun[C] = StageRun(stage.counts_type(), stage.counts_type())
    pending: list[ShardTask] = []
    for task in tasks:
        if is_finished(stage, task):
            counts = finished_counts(stage, task)
            result.counts = add_counts(result.counts, counts)
            result.by_shard[task.name] = counts
            result.shards_skipped += 1
            if on_shard is not None:
                on_shard(task, counts, True)
        else:
            pending.append(task)
    settings = as_stored(stage.settings())
    for task, counts in executor.run(stage, pending, on_item):
        for directory in stage.output_dirs:
            mark_done(directory, task.name)
        info = {**msgspec.to_builtins(counts), SETTINGS_KEY: settings, INPUTS_KEY: task.inputs}
        mark_done(stage.done_dir, task.name, info)
        result.counts = add_counts(result.counts, counts)
        result.counts_now = add_counts(result.counts_now, counts)
        result.by_shard[task.name] = counts
        result.shards_done += 1
        if on_shard is not None:
            on_shard(task, counts, False)
    return result
