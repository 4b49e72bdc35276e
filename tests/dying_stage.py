"""A runner stage whose worker process kills itself (SIGKILL) in the middle of one shard, once."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from infoseek_local.records import OutLink
from infoseek_local.run.stage import Counts, NoResources, ShardTask
from infoseek_local.store import ShardWriter, shard_path


class RecordCounts(Counts, kw_only=True):
    records: int = 0
    pids: list[int] = []  # noqa: RUF012  (msgspec copies mutable defaults)


class DieOnceStage:
    """Shard `i` writes `per_shard` records; the worker working `victim` dies after writing (and flushing)
    half of them, the first time only (a file under `root` remembers the death and the pid that died)."""

    name = "die-once"
    counts_type = RecordCounts
    rerun_hint = "rerun"

    def __init__(self, root: Path, victim: str, per_shard: int = 6) -> None:
        self.root = root
        self.victim = victim
        self.per_shard = per_shard
        self.done_dir = root / "stage"
        self.output_dirs = (root / "records",)

    def settings(self) -> dict[str, Any]:
        return {"per_shard": self.per_shard}

    def open_worker(self) -> NoResources:
        return NoResources()

    def work(self, resources: NoResources, task: ShardTask, report: Any) -> RecordCounts:
        died = self.root / "died"
        with ShardWriter(shard_path(self.root / "records", task.name), frame_records=1) as writer:
            for i in range(self.per_shard):
                writer.write(OutLink(i, task.name))
                writer.flush()
                if task.name == self.victim and i == self.per_shard // 2 and not died.exists():
                    died.write_text(str(os.getpid()))
                    os.kill(os.getpid(), signal.SIGKILL)
        return RecordCounts(records=self.per_shard, pids=[os.getpid()])
