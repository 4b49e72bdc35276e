"""Executors: run a stage's shard tasks inline or in a local process pool, skipping shards already done.

A stage hands over a list of `ShardTask`s and a picklable `work` function. `work(task)` must write the shard's
output completely (closed and renamed) before it returns; only then does the executor write the completion
marker, so a killed run rerun with the same tasks redoes exactly the unmarked shards. Stages never know where
they run.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import done_info, mark_done, shard_intact


@dataclass(frozen=True)
class ShardTask:
    """One unit of work: `name` names its output shard and completion marker under `done_dir`; `outputs` are
    other directories where the work writes and marks a shard of the same name."""

    name: str
    done_dir: Path
    payload: Any
    outputs: tuple[Path, ...] = ()

    def finished(self) -> bool:
        """Marked done, and no shard it wrote was damaged or unmarked since (such a task is redone)."""
        return all(shard_intact(d, self.name) for d in (self.done_dir, *self.outputs))


@dataclass(frozen=True)
class ShardResult:
    task: ShardTask
    info: dict[str, Any]
    skipped_as_done: bool


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_shards(
    tasks: Sequence[ShardTask],
    work: Callable[[ShardTask], dict[str, Any]],
    *,
    workers: int = 1,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[ShardResult]:
    """Yield one result per task as it finishes (done ones first, from their markers).

    `work` returns a small JSON-able dict (counts) that is stored in the marker and handed back here.
    With `workers <= 1` everything runs in this process, which keeps tracebacks and debuggers simple.
    """
    pending: list[ShardTask] = []
    for task in tasks:
        if task.finished():
            yield ShardResult(task, done_info(task.done_dir, task.name), skipped_as_done=True)
        else:
            pending.append(task)
    if not pending:
        return
    if workers <= 1 or len(pending) == 1:
        if initializer is not None:
            initializer(*initargs)
        for task in pending:
            info = work(task)
            mark_done(task.done_dir, task.name, info)
            yield ShardResult(task, info, skipped_as_done=False)
        return
    # forkserver: workers do not inherit open index handles or model state from the parent
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(pending)),
        mp_context=context,
        initializer=initializer,
        initargs=initargs,
    ) as pool:
        futures: dict[Future[dict[str, Any]], ShardTask] = {pool.submit(work, t): t for t in pending}
        while futures:
            finished, _ = wait(futures, return_when=FIRST_COMPLETED)
            for future in finished:
                task = futures.pop(future)
                info = future.result()
                mark_done(task.done_dir, task.name, info)
                yield ShardResult(task, info, skipped_as_done=False)
