"""The one place that names a run directory's parts: each record folder and the record type it holds, the
config file and its tables, the pinned index, the lock and the run-level markers.

```
<run>/config.toml            [synth] written by synth (a rerun must match it); [verify] optional, read by verify
<run>/index.json             which index the run was built from (id, generation, path), pinned by synth
<run>/trees/ questions/      synth: every tree (accepted or rejected); one question per accepted tree
<run>/verdicts/ accepted/    verify: one verdict per check and question; the questions that passed them all
<run>/trajectories/          sample: every sampled trajectory with its reward
<run>/llm_calls/ llm_cache/  the LLM layer: call log (cost accounting) and replay cache (append logs)
<run>/_done/                 the executor's per-task markers (counts of each shard)
<run>/.lock                  the one-writer lock
```
Stages, `stats`, `show`, `report` and `export` name folders only through `RunLayout`, so a folder is renamed
(or a new one added) here and nowhere else.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from msgspec import Struct

from ..errors import ConfigError, InputError
from ..llm.accounting import CALL_LOG_DIR
from ..records import LLMCacheEntry, LLMCallRecord, Question, Trajectory, Tree, Verdict
from ..store import DONE_DIR, SHARD_SUFFIX, ShardDamage, done_shards, is_done, read_shards, shard_path

R = TypeVar("R", bound=Struct)


@dataclass(frozen=True)
class RecordDir(Generic[R]):
    """A folder of record shards: its name under the run, the record type it holds, the stage writing it."""

    name: str
    record: type[R]
    stage: str
    # append logs have no completion markers: readers take every intact frame
    marked: bool = True


TREES: RecordDir[Tree] = RecordDir("trees", Tree, "synth")
QUESTIONS: RecordDir[Question] = RecordDir("questions", Question, "synth")
VERDICTS: RecordDir[Verdict] = RecordDir("verdicts", Verdict, "verify")
ACCEPTED: RecordDir[Question] = RecordDir("accepted", Question, "verify")
TRAJECTORIES: RecordDir[Trajectory] = RecordDir("trajectories", Trajectory, "sample")
# the LLM layer writes these two itself (it sits below run/ and does not import it); the cache's name is
# llm/factory.py's CACHE_DIR_NAME, not imported here because that module is slow to import
LLM_CALLS: RecordDir[LLMCallRecord] = RecordDir(CALL_LOG_DIR, LLMCallRecord, "llm", marked=False)
LLM_CACHE: RecordDir[LLMCacheEntry] = RecordDir("llm_cache", LLMCacheEntry, "llm", marked=False)

RECORD_DIRS: tuple[RecordDir[Any], ...] = (
    TREES,
    QUESTIONS,
    VERDICTS,
    ACCEPTED,
    TRAJECTORIES,
    LLM_CALLS,
    LLM_CACHE,
)
# the folders whose shards a stage marks complete (the ones `report` counts unfinished shards of)
STAGE_DIRS: tuple[RecordDir[Any], ...] = tuple(d for d in RECORD_DIRS if d.marked)

CONFIG_FILE = "config.toml"
# table of config.toml -> who writes it and who reads it
CONFIG_TABLES: dict[str, str] = {
    "synth": "written by synth (the SynthConfig, index path included); a rerun with other values is refused",
    "verify": "optional, written by hand: VerifyConfig defaults that verify's options override",
}
INDEX_FILE = "index.json"
LOCK_FILE = ".lock"
FINALIZE_SHARD = "finalize"  # verify's run-level pass: the duplicate check and the accepted shards


@dataclass(frozen=True)
class RunLayout:
    """Paths and readers of one run directory. Creating one touches nothing on disk."""

    root: Path

    def __init__(self, root: str | Path) -> None:
        object.__setattr__(self, "root", Path(root))

    # ── paths ──

    def dir(self, kind: RecordDir[Any]) -> Path:
        return self.root / kind.name

    def shard(self, kind: RecordDir[Any], name: str) -> Path:
        return shard_path(self.dir(kind), name)

    @property
    def trees(self) -> Path:
        return self.dir(TREES)

    @property
    def questions(self) -> Path:
        return self.dir(QUESTIONS)

    @property
    def verdicts(self) -> Path:
        return self.dir(VERDICTS)

    @property
    def accepted(self) -> Path:
        return self.dir(ACCEPTED)

    @property
    def trajectories(self) -> Path:
        return self.dir(TRAJECTORIES)

    @property
    def llm_calls(self) -> Path:
        return self.dir(LLM_CALLS)

    @property
    def llm_cache(self) -> Path:
        return self.dir(LLM_CACHE)

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def index_file(self) -> Path:
        return self.root / INDEX_FILE

    @property
    def lock_file(self) -> Path:
        return self.root / LOCK_FILE

    @property
    def done_dir(self) -> Path:
        """The executor's run-level markers (`ShardTask.done_dir` of synth's tasks is the run root)."""
        return self.root / DONE_DIR

    # ── reading ──

    def require(self) -> RunLayout:
        """Self, or InputError when the run directory does not exist."""
        if not self.root.is_dir():
            raise InputError(
                f"{self.root}: no such run directory; create one with `infoseek-local synth --out {self.root}`"
            )
        return self

    def read(self, kind: RecordDir[R], *, damage: list[ShardDamage] | None = None) -> Iterator[R]:
        """Records of `kind` in shard-name order: finished shards only, or every intact frame of an append log."""
        return read_shards(self.dir(kind), kind.record, only_done=kind.marked, damage=damage)

    def finished_shards(self, kind: RecordDir[Any]) -> list[str]:
        """Names of the shards of `kind` marked complete whose file is there."""
        directory = self.dir(kind)
        return [n for n in done_shards(directory) if shard_path(directory, n).is_file()]

    def unfinished_shards(self, kind: RecordDir[Any]) -> int:
        """Shards of `kind` (whole or `.partial` files) without a completion marker: a stage was killed or
        is still running."""
        directory = self.dir(kind)
        if not directory.is_dir():
            return 0
        names = {p.name[: p.name.index(SHARD_SUFFIX)] for p in directory.iterdir() if SHARD_SUFFIX in p.name}
        return sum(1 for name in names if not is_done(directory, name))

    def config(self) -> dict[str, Any]:
        """config.toml as a dict ({} when there is none)."""
        try:
            return tomllib.loads(self.config_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{self.config_file}: not valid TOML: {exc}") from None

    def config_table(self, name: str) -> dict[str, Any]:
        """Table `name` of config.toml ({} when absent); ConfigError when it is not a table."""
        if name not in CONFIG_TABLES:
            raise ValueError(f"unknown config table {name!r}; known: {', '.join(CONFIG_TABLES)}")
        table = self.config().get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{self.config_file}: $.{name} must be a table, got {type(table).__name__}")
        return table
