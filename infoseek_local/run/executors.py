"""Executors: where a stage's shards are worked. Inline (this process), a local process pool, or Ray.

An executor takes a stage and the shards still to do, and yields `(task, counts)` as each shard's files are
complete; it never writes markers (the runner does). Each worker opens the stage's resources once and keeps
them for every shard it works. A worker that dies mid-shard (killed, out of memory) loses nothing: its
shard's file was never renamed into place, so the shard is handed to a fresh worker, up to `MAX_ATTEMPTS`
times. Output bytes never depend on the executor or the worker count.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Literal, Protocol

import msgspec

from ..errors import ConfigError, InfoseekError
from .stage import Counts, ItemReport, ShardTask, Stage

ExecutorKind = Literal["inline", "process", "ray"]
EXECUTORS: tuple[ExecutorKind, ...] = ("inline", "process", "ray")
MAX_ATTEMPTS = 3  # tries per shard when the worker working it dies


class WorkerLostError(InfoseekError):
    """A shard's worker died on every attempt (it is probably what kills them)."""


class ExecutorSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Which executor and how many workers; none of it changes what a run writes."""

    kind: ExecutorKind | None = None  # None: inline for one worker, else process
    workers: int = 1
    ray_address: str | None = None  # None: start a local Ray runtime; "auto" or host:port joins a cluster

    def checked(self) -> ExecutorSpec:
        """Self, or ConfigError for options that cannot go together (before anything is opened)."""
        if self.workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {self.workers}")
        if self.ray_address is not None and self.resolved_kind() != "ray":
            raise ConfigError(f"--ray-address needs --executor ray, not --executor {self.resolved_kind()}")
        return self

    def resolved_kind(self) -> ExecutorKind:
        if self.kind is not None:
            return self.kind
        if self.ray_address is not None:
            return "ray"
        return "inline" if self.workers <= 1 else "process"


class Executor(Protocol):
    def run(
        self, stage: Stage[Any], tasks: Sequence[ShardTask], report: ItemReport | None
    ) -> Iterator[tuple[ShardTask, Counts]]: ...


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def open_executor(spec: ExecutorSpec) -> Executor:
    kind = spec.checked().resolved_kind()
    if kind == "inline":
        return InlineExecutor()
    if kind == "process":
        return ProcessExecutor(spec.workers)
    if kind == "ray":
        from .ray_executor import RayExecutor  # ray is heavy and optional: import it only when chosen

        return RayExecutor(spec.workers, spec.ray_address)
    raise ConfigError(f"--executor {kind!r}: choose one of {', '.join(EXECUTORS)}")


class InlineExecutor:
    """Every shard in this process, one after the other: simple tracebacks, per-record progress."""

    def run(
        self, stage: Stage[Any], tasks: Sequence[ShardTask], report: ItemReport | None
    ) -> Iterator[tuple[ShardTask, Counts]]:
        if not tasks:
            return
        resources = stage.open_worker()
        try:
            for task in tasks:
                yield task, stage.work(resources, task, report)
        finally:
            resources.close()


# ── local processes ─────────────────────────────────────────────────────────────────────────────────────


def _serve(stage: Stage[Any], conn: Connection) -> None:
    """A worker process: open the stage's resources once, then work the shards the driver sends."""
    resources = None
    try:
        resources = stage.open_worker()
        while (task := conn.recv()) is not None:
            conn.send(("done", stage.work(resources, task, None)))
    except BaseException as exc:
        conn.send(("error", _picklable(exc)))
    finally:
        if resources is not None:
            resources.close()
        conn.close()


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


@dataclass
class _Worker:
    process: Any
    conn: Connection
    task: ShardTask | None = None


@dataclass
class ProcessExecutor:
    """A pool of long-lived worker processes (forkserver: none inherits open index handles or model state);
    the driver hands each one shard at a time, so it knows which shard a dead worker held."""

    workers: int
    _attempts: dict[str, int] = field(default_factory=dict)

    def run(
        self, stage: Stage[Any], tasks: Sequence[ShardTask], report: ItemReport | None
    ) -> Iterator[tuple[ShardTask, Counts]]:
        queue = deque(tasks)
        context = multiprocessing.get_context("forkserver")
        pool: list[_Worker] = []
        try:
            for _ in range(min(self.workers, len(queue))):
                pool.append(self._start(context, stage))
                self._hand_out(pool[-1], queue)
            while any(w.task is not None for w in pool):
                busy = [w for w in pool if w.task is not None]
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for worker in busy:
                    if worker.conn in ready or worker.process.sentinel in ready:
                        result = self._receive(worker)
                        task = worker.task
                        assert task is not None
                        worker.task = None
                        if result is None:  # the worker died mid-shard: a fresh one redoes the shard
                            self._count_attempt(task, stage)
                            pool[pool.index(worker)] = worker = self._start(context, stage)
                            queue.appendleft(task)
                        else:
                            yield task, result
                        self._hand_out(worker, queue)
        finally:
            for worker in pool:
                _stop(worker)

    def _start(self, context: Any, stage: Stage[Any]) -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(stage, child), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    @staticmethod
    def _hand_out(worker: _Worker, queue: deque[ShardTask]) -> None:
        if queue:
            worker.task = queue.popleft()
            worker.conn.send(worker.task)

    @staticmethod
    def _receive(worker: _Worker) -> Counts | None:
        """The shard's counts; None when the worker died first; the stage's own error re-raised here."""
        try:
            if not worker.conn.poll():
                return None
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            return None
        if kind == "error":
            raise value
        return value

    def _count_attempt(self, task: ShardTask, stage: Stage[Any]) -> None:
        self._attempts[task.name] = self._attempts.get(task.name, 0) + 1
        if self._attempts[task.name] >= MAX_ATTEMPTS:
            raise WorkerLostError(
                f"{stage.name} shard {task.name}: its worker process died {MAX_ATTEMPTS} times "
                "(out of memory? killed?); rerun to resume, or use fewer --workers"
            )


def _stop(worker: _Worker) -> None:
    try:
        if worker.process.is_alive():
            worker.conn.send(None)
    except (BrokenPipeError, OSError):
        pass
    worker.process.join(timeout=10)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()
