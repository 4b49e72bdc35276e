"""What a stage is to the runner: it plans shard tasks and works one shard with per-worker resources.

A stage object holds only its settings (frozen Structs, paths), so it pickles to a worker process or a Ray
actor. Each worker calls `open_worker()` once (index, LLM) and then `work()` per shard; `work` writes the
shard's files completely (closed and renamed) and returns its counts. Everything else (skipping finished
shards, markers, the settings check, worker set-up, progress, summing counts) is the runner's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import msgspec


@dataclass(frozen=True)
class ShardTask:
    """One unit of work. `name` names its output shard and marker; `inputs` identifies what it reads (so a
    rerun over other inputs is refused rather than mixed); `payload` is what `work` needs."""

    name: str
    payload: Any = None
    inputs: str = ""


class Counts(msgspec.Struct, kw_only=True):
    """Base of a stage's per-shard counts: numbers add up, dict[str, int] fields add up key by key, lists
    are joined, and a str keeps the first non-empty value."""


C = TypeVar("C", bound=Counts)


def add_counts(total: C, part: C) -> C:
    """`total + part`, field by field (what the runner does with every shard's counts)."""
    values: dict[str, Any] = {}
    for name in total.__struct_fields__:
        a, b = getattr(total, name), getattr(part, name)
        if isinstance(a, dict):
            merged = dict(a)
            for key, n in b.items():
                merged[key] = merged.get(key, 0) + n
            values[name] = dict(sorted(merged.items()))
        elif isinstance(a, str):
            values[name] = a or b
        else:
            values[name] = a + b
    return type(total)(**values)


class WorkerResources(Protocol):
    """What one worker keeps open between shards (an index, an LLM); closed when the worker ends."""

    def close(self) -> None: ...


ItemReport = Callable[[Any], None]  # called with each record a shard finishes, when the executor can


class Stage(Protocol[C]):
    name: str  # names the stage in messages ("synth")
    done_dir: Path  # where the runner writes the stage's completion markers
    output_dirs: tuple[Path, ...]  # other directories a shard writes a file of the same name into
    counts_type: type[C]
    rerun_hint: str  # the fix named when a rerun's settings differ from the run on disk

    def settings(self) -> dict[str, Any]:
        """What decides the bytes a shard writes (not workers or executors); JSON-able."""
        ...

    def open_worker(self) -> WorkerResources: ...

    def work(self, resources: Any, task: ShardTask, report: ItemReport | None) -> C: ...


class NoResources:
    """For stages whose workers need nothing open."""

    def close(self) -> None:
        pass
