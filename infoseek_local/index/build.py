"""`infoseek-local index`: WARC files → index directory, resumable and extendable.

1. Plan: expand inputs, check each is a WARC/ARC (fail before writing anything), hash it, and add new sources
   to build.json with their shard names (big files are split into parts by URL hash so workers share them).
2. Extract: the runner works every planned shard on the chosen executor (done ones are skipped, so a killed
   run resumes; each shard's counts come back typed, see `ExtractCounts`).
3. Merge: when the manifest does not already cover every shard, build a new generation directory and switch
   manifest.json to it atomically; the previous generation stays intact until then.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from .. import __version__
from ..corpus.warc import sniff_archive
from ..errors import ConfigError, IndexMismatchError, InputError
from ..run.executors import ExecutorSpec, default_workers
from ..run.runner import run_stage
from ..run.stage import Counts, ItemReport, NoResources, ShardTask
from .extract import ExtractJob, extract_shard
from .manifest import (
    BUILD_STATE,
    FORMAT,
    INDEX_SCHEMA_VERSION,
    MANIFEST,
    check_format,
    read_json,
    write_json_atomic,
)
from .merge import merge_shards

WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.zst", ".arc", ".arc.gz", ".wet", ".wet.gz")
EXTRACT_DIR = "extract"
LOCK_FILE = ".lock"
# more worker processes than this per core only cost memory (each holds a WARC reader and an HTML parser), and
# tens of thousands of them, or of tantivy threads, fail deep inside the OS
MAX_WORKERS_PER_CORE = 8


class NoPagesError(InputError):
    """No input file of a new index held a page: the run fails and leaves no half-built index behind."""


class IndexConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Options that change what an index holds; an existing index can only be extended with the same ones."""

    max_body_bytes: int = 4 << 20
    tokenizer: str = "en_stem"
    mention_links: bool = True  # find mentions of other pages' names in every page's text (index/mentions.py)


class ExtractCounts(Counts, kw_only=True):
    """What extracting one shard found (kept in its marker, summed into the manifest)."""

    records: int = 0
    reader: str = ""
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    skipped: dict[str, int] = msgspec.field(default_factory=dict)
    warnings: list[str] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class ExtractStage:
    """Stage 1 of `index` for the runner: one WARC file (or a part of it) into one shard of pages."""

    extract_dir: Path
    max_body_bytes: int

    name = "index"
    counts_type = ExtractCounts
    output_dirs: tuple[Path, ...] = ()
    rerun_hint = "use the same options, or another --out"

    @property
    def done_dir(self) -> Path:
        return self.extract_dir

    def settings(self) -> dict[str, Any]:
        return {"max_body_bytes": self.max_body_bytes}

    def open_worker(self) -> NoResources:
        return NoResources()

    def work(self, resources: NoResources, task: ShardTask, report: ItemReport | None) -> ExtractCounts:
        return msgspec.convert(extract_shard(task), ExtractCounts)


def expand_inputs(inputs: Sequence[str]) -> list[Path]:
    """Files, folders (searched recursively for WARC/ARC suffixes) and globs → ordered, de-duplicated paths."""
    paths: list[Path] = []
    for item in inputs:
        if any(ch in item for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
            if not matches:
                raise InputError(f"{item}: the glob matches no file")
            paths.extend(matches)
        elif Path(item).is_dir():
            found = sorted(p for p in Path(item).rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
            if not found:
                raise InputError(f"{item}: folder holds no {', '.join(WARC_SUFFIXES)} file")
            paths.extend(found)
        elif Path(item).is_file():
            paths.append(Path(item))
        else:
            raise InputError(f"{item}: no such file; check the path (globs must be quoted)")
    unique: dict[Path, None] = {}
    for path in paths:
        unique.setdefault(path.resolve(), None)
    return list(unique)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _open_build_state(out: Path, config: IndexConfig) -> dict[str, Any]:
    state_path = out / BUILD_STATE
    if state_path.is_file():
        state = read_json(state_path)
        check_format(state_path, state)
        # an index built before an option existed holds that option's default
        if {**msgspec.to_builtins(IndexConfig()), **state.get("config", {})} != msgspec.to_builtins(config):
            raise IndexMismatchError(
                f"{out}: holds an index built with {state.get('config')}, not {msgspec.to_builtins(config)}; "
                "use the same options or another --out"
            )
        return state
    if out.exists() and any(p.name != LOCK_FILE for p in out.iterdir()):
        raise IndexMismatchError(f"{out}: not empty and not an infoseek-local index; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    return {
        "format": FORMAT,
        "schema_version": INDEX_SCHEMA_VERSION,
        "index_id": uuid.uuid4().hex,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": msgspec.to_builtins(config),
        "sources": [],
    }


def _plan_source(path: Path, sha: str, workers: int, split_bytes: int) -> dict[str, Any]:
    size = path.stat().st_size
    parts = max(1, min(workers, 64)) if size >= split_bytes else 1
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.name)[:60]
    shards = [f"{stem}-{sha[:12]}-p{i:02d}of{parts:02d}" for i in range(parts)]
    return {"path": str(path), "size": size, "sha256": sha, "shards": shards}


def build_index(
    inputs: Sequence[str],
    out: Path,
    *,
    workers: int | None = None,
    executor: ExecutorSpec | None = None,
    config: IndexConfig | None = None,
    split_bytes: int = 2 << 20,
    on_shard: Callable[[str, bool], None] | None = None,
) -> dict[str, Any]:
    """Build or extend the index at `out` from `inputs`; returns the manifest. Extraction runs on `executor`
    (default: `workers` local processes, every core unless told)."""
    config = config or IndexConfig()
    workers = check_workers(workers)
    executor = msgspec.structs.replace(executor or ExecutorSpec(), workers=workers)
    paths = expand_inputs(inputs)
    for path in paths:
        sniff_archive(path)  # raises on a file that is not a WARC/ARC, before anything is written
    out = Path(out)
    created = not out.exists()
    _open_build_state(out, config)  # checks the directory (and creates it) before taking its lock
    try:
        return _build_locked(out.resolve(), paths, config, executor, split_bytes, on_shard)
    except NoPagesError:
        if created:  # the failed first build made this directory: leave no trace of it
            with contextlib.suppress(OSError):
                (out / LOCK_FILE).unlink()
                out.rmdir()
        raise


def check_workers(workers: int | None) -> int:
    """The worker count to use: every core by default; an error for one the machine cannot give."""
    cores = default_workers()
    if workers is None:
        return cores
    limit = MAX_WORKERS_PER_CORE * cores
    if not 1 <= workers <= limit:
        raise ConfigError(
            f"--workers {workers}: use 1 to {limit} ({MAX_WORKERS_PER_CORE} per CPU core, {cores} here); "
            "leave it out to use every core"
        )
    return workers


def _build_locked(
    out: Path,
    paths: list[Path],
    config: IndexConfig,
    executor: ExecutorSpec,
    split_bytes: int,
    on_shard: Callable[[str, bool], None] | None,
) -> dict[str, Any]:
    workers = executor.workers
    with _exclusive(out):
        state = _open_build_state(out, config)  # re-read: a run that just finished may have extended it
        known = {source["sha256"] for source in state["sources"]}
        for path in paths:
            sha = sha256_of(path)
            if sha not in known:
                state["sources"].append(_plan_source(path, sha, workers, split_bytes))
                known.add(sha)
        write_json_atomic(out / BUILD_STATE, state)

        extract_dir = out / EXTRACT_DIR
        tasks = [
            ShardTask(
                name,
                ExtractJob(source["path"], i, len(source["shards"]), str(extract_dir), config.max_body_bytes),
                inputs=f"{source['sha256']}:{i}/{len(source['shards'])}",
            )
            for source in state["sources"]
            for i, name in enumerate(source["shards"])
        ]

        def report_shard(task: ShardTask, counts: ExtractCounts, skipped: bool) -> None:
            if on_shard is not None:
                on_shard(task.name, skipped)

        run = run_stage(
            ExtractStage(extract_dir, config.max_body_bytes), tasks, executor, on_shard=report_shard
        )
        shard_info = {name: msgspec.to_builtins(counts) for name, counts in run.by_shard.items()}

        all_shards = [name for source in state["sources"] for name in source["shards"]]
        previous = read_json(out / MANIFEST) if (out / MANIFEST).is_file() else None
        if (
            previous is not None
            and previous.get("shards") == all_shards
            and (out / previous["generation"]).is_dir()
        ):
            return previous
        extracted = sum(info.get("counts", {}).get("extracted", 0) for info in shard_info.values())
        if extracted == 0:
            skipped = Counter()
            for info in shard_info.values():
                skipped.update(info.get("skipped", {}))
            # a plan of nothing but empty sources is no index: drop it, so that `info` does not ask for a rerun
            # that can only fail again, and a later run with real input starts clean
            if previous is None:
                (out / BUILD_STATE).unlink(missing_ok=True)
                shutil.rmtree(extract_dir, ignore_errors=True)
            raise NoPagesError(
                f"no HTML page with text in {len(paths)} input file(s) (skipped: {dict(skipped) or 'none'})"
            )

        generation = _next_generation(out, previous)
        gen_dir = out / generation
        shutil.rmtree(gen_dir, ignore_errors=True)  # what a merge killed before its manifest left
        started = time.perf_counter()
        sources = [source["shards"] for source in state["sources"]]
        merge_counts, phase_seconds = merge_shards(
            extract_dir,
            sources,
            gen_dir,
            threads=min(workers, default_workers()),  # tantivy threads beyond the cores only add heap
            tokenizer=config.tokenizer,
            mention_links=config.mention_links,
        )
        manifest = _manifest(
            state, shard_info, merge_counts, generation, all_shards, time.perf_counter() - started
        )
        manifest["merge_phase_seconds"] = phase_seconds
        write_json_atomic(out / MANIFEST, manifest)
        for old in out.glob("gen-*"):
            if old.name != generation:
                shutil.rmtree(old, ignore_errors=True)
        return manifest


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """One `index` run per directory at a time (an advisory lock, released when the process dies)."""
    with open(out / LOCK_FILE, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"{out}: another `infoseek-local index` run is writing here; wait for it"
            ) from None
        yield


def _next_generation(out: Path, previous: dict[str, Any] | None) -> str:
    number = int(previous["generation"].split("-")[1]) + 1 if previous else 1
    return f"gen-{number:06d}"


def _manifest(state, shard_info, merge_counts, generation, all_shards, merge_seconds) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    warnings: list[str] = []
    sources = []
    for source in state["sources"]:
        records = 0
        readers = set()
        for name in source["shards"]:
            info = shard_info.get(name, {})
            records += info.get("records", 0)
            readers.add(info.get("reader", ""))
            counts.update(info.get("counts", {}))
            skipped.update(info.get("skipped", {}))
            warnings.extend(w for w in info.get("warnings", []) if w not in warnings)
        sources.append({**source, "records": records, "reader": "+".join(sorted(r for r in readers if r))})
    counts["records"] = sum(s["records"] for s in sources)
    for reason in ("duplicate_url", "duplicate_text"):
        skipped[reason] += merge_counts.pop(reason, 0)
    counts.update(merge_counts)
    return {
        "format": FORMAT,
        "schema_version": INDEX_SCHEMA_VERSION,
        "index_id": state["index_id"],
        "tool_version": __version__,
        "created": state["created"],
        "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "generation": generation,
        "config": state["config"],
        "sources": sources,
        "shards": all_shards,
        "counts": dict(counts),
        "skipped": {k: v for k, v in sorted(skipped.items()) if v},
        "warnings": warnings[:50],
        "merge_seconds": round(merge_seconds, 3),
    }
