"""The Ray executor: shards worked by Ray actors, on this machine or across a cluster.

Each actor holds one stage and opens its resources (index, LLM) on its first shard, then keeps them. The
driver hands an actor one shard at a time; an actor that dies mid-shard (its process killed, its node lost)
is replaced and the shard handed to the new one, so nothing is lost (the dead one never renamed its file
into place) or duplicated (the retry rewrites the same file). Across machines, the index and run
directories must be on a filesystem every node sees at the same path.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ConfigError, InfoseekError
from .executors import MAX_ATTEMPTS, WorkerLostError, default_workers
from .stage import Counts, ItemReport, ShardTask, Stage


class ShardActor:
    """One Ray worker: a stage and its resources, opened once."""

    def __init__(self, stage: Stage[Any]) -> None:
        self.stage = stage
        self.resources: Any = None

    def work(self, task: ShardTask) -> Counts:
        if self.resources is None:  # opened here, not in __init__, so an error reaches the driver as itself
            self.resources = self.stage.open_worker()
        return self.stage.work(self.resources, task, None)


class RayExecutor:
    def __init__(self, workers: int, address: str | None) -> None:
        self.workers = workers
        self.address = address

    def run(
        self, stage: Stage[Any], tasks: Sequence[ShardTask], report: ItemReport | None
    ) -> Iterator[tuple[ShardTask, Counts]]:
        if not tasks:
            return
        ray = _import_ray()
        started_here = not ray.is_initialized()
        if started_here:
            _init(ray, self.address, self.workers)
        try:
            yield from self._run(ray, stage, tasks)
        finally:
            if started_here:
                ray.shutdown()

    def _run(
        self, ray: Any, stage: Stage[Any], tasks: Sequence[ShardTask]
    ) -> Iterator[tuple[ShardTask, Counts]]:
        from ray.exceptions import RayActorError, RayTaskError, WorkerCrashedError

        cpus = int(ray.cluster_resources().get("CPU", 1))
        # an actor that cannot be placed would hold its shard forever: never ask for more than the cluster has
        workers = max(1, min(self.workers, len(tasks), cpus))
        actor_class = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(ShardActor)
        stage_ref = ray.put(stage)
        queue = deque(tasks)
        attempts: dict[str, int] = {}
        running: dict[Any, tuple[Any, ShardTask]] = {}
        actors = [actor_class.remote(stage_ref) for _ in range(workers)]

        def hand_out(actor: Any) -> None:
            if queue:
                task = queue.popleft()
                running[actor.work.remote(task)] = (actor, task)

        try:
            for actor in actors:
                hand_out(actor)
            while running:
                [ref], _ = ray.wait(list(running), num_returns=1)
                actor, task = running.pop(ref)
                try:
                    counts = ray.get(ref)
                except (RayActorError, WorkerCrashedError):
                    attempts[task.name] = attempts.get(task.name, 0) + 1
                    if attempts[task.name] >= MAX_ATTEMPTS:
                        raise WorkerLostError(
                            f"{stage.name} shard {task.name}: its Ray worker died {MAX_ATTEMPTS} times "
                            "(out of memory? node lost?); rerun to resume"
                        ) from None
                    ray.kill(actor)
                    actors[actors.index(actor)] = actor = actor_class.remote(stage_ref)
                    queue.appendleft(task)
                    hand_out(actor)
                    continue
                except RayTaskError as exc:
                    cause = exc.cause
                    if isinstance(cause, InfoseekError | OSError):
                        raise cause from None  # the stage's own error: the CLI prints it as one line
                    raise
                yield task, counts
                hand_out(actor)
        finally:
            for actor in actors:
                ray.kill(actor)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--executor ray needs Ray: pip install 'infoseek-local[ray]' (or pip install 'ray[default]>=2.9')"
        ) from None
    return ray


def _init(ray: Any, address: str | None, workers: int) -> None:
    """Join the cluster at `address` ("auto": the one `ray start` made on this machine), or start a local
    runtime with a CPU slot for every worker (LLM-bound workers wait on servers, not on these cores)."""
    options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address is None:
            ray.init(num_cpus=max(workers, default_workers()), include_dashboard=False, **options)
        else:
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = "a local Ray runtime" if address is None else f"the Ray cluster at {address}"
        fix = "" if address is None else "; start one with `ray start --head`, or check the address"
        raise ConfigError(f"cannot start or join {where}: {exc}{fix}") from None
