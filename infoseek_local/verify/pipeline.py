"""The verify stage over a run directory: per-question checks by shard, then the run-level duplicate pass.

Phase 1 reads each finished `questions/<shard>` and writes `verdicts/<shard>` (the selected checks in order;
by default a question stops at its first failed check, so expensive judge calls are spent only on survivors);
it is a runner stage, so its shards run inline, in worker processes or on Ray, each worker opening the judge
and the index once.
Phase 2 ("finalize") reads the survivors in run order, runs the duplicate check when selected, writes its
verdicts to `verdicts/finalize` and the accepted questions to `accepted/<shard>`. Both phases write a shard's
output before its completion marker, so a killed run rerun with the same command loses and duplicates nothing.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..errors import ConfigError, InputError
from ..records import Question, Tree, Verdict
from ..run import layout
from ..run.executors import ExecutorSpec
from ..run.layout import RunLayout
from ..run.lock import run_lock
from ..run.paths import index_path_for
from ..run.runner import run_stage
from ..run.settings import as_stored
from ..run.stage import ShardTask
from ..store import (
    ShardWriter,
    done_info,
    done_shards,
    is_done,
    mark_done,
    read_shard,
    read_shards,
    shard_intact,
    shard_path,
)
from .context import CheckContext, VerifyConfig, load_verify_config
from .duplicate import check_duplicates
from .registry import CheckSpec, resolve_checks
from .stage import VerifyCounts, VerifyStage, judge_identity

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM
    from ..llm.factory import LLMConfig

QUESTIONS_DIR = layout.QUESTIONS.name
TREES_DIR = layout.TREES.name
VERDICTS_DIR = layout.VERDICTS.name
ACCEPTED_DIR = layout.ACCEPTED.name
FINALIZE_SHARD = layout.FINALIZE_SHARD

Progress = Callable[[int], None]  # called with the number of questions just finished


@dataclass
class CheckFunnel:
    name: str
    entered: int = 0
    passed: int = 0

    @property
    def failed(self) -> int:
        return self.entered - self.passed


@dataclass
class VerifySummary:
    questions: int
    accepted: int
    funnel: list[CheckFunnel] = field(default_factory=list)
    shards_done_before: int = 0
    # this invocation's cost (a resumed run counts only what it did now)
    verified_now: int = 0
    seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def question_shards(run_dir: Path) -> list[str]:
    """Names of the run's finished question shards; a clear error when there are none."""
    directory = Path(run_dir) / QUESTIONS_DIR
    names = [n for n in done_shards(directory) if shard_path(directory, n).is_file()]
    if not names:
        raise InputError(
            f"{directory}: no finished question shards; run `infoseek-local synth --out {run_dir} ...` first"
        )
    return names


def load_trees(run_dir: Path, wanted: set[str]) -> dict[str, Tree]:
    return {t.id: t for t in read_shards(Path(run_dir) / TREES_DIR, Tree) if t.id in wanted}


def count_questions(run_dir: Path, shards: list[str]) -> tuple[int, set[str]]:
    """(number of questions, their tree ids) over the given shards."""
    total, tree_ids = 0, set()
    for name in shards:
        for question in read_shard(shard_path(Path(run_dir) / QUESTIONS_DIR, name), Question):
            total += 1
            tree_ids.add(question.tree_id)
    return total, tree_ids


def verify_questions(
    run_dir: Path,
    config: VerifyConfig,
    *,
    llm: LLM | None = None,
    index: IndexLike | None = None,
    restart: bool = False,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
) -> VerifySummary:
    """Verify every finished question shard of `run_dir` in this process with the given judge and index
    (either may be None when no selected check needs it). `on_start(total questions)` is called once before
    any work."""
    stage = VerifyStage(Path(run_dir), config, judge_identity(llm), llm=llm, index=index)
    return _verify(stage, ExecutorSpec(kind="inline"), restart, progress, on_start)


def _verify(
    stage: VerifyStage,
    executor: ExecutorSpec,
    restart: bool,
    progress: Progress | None,
    on_start: Callable[[int], None] | None,
) -> VerifySummary:
    started = time.perf_counter()
    run_dir, config = stage.run_dir, stage.config
    specs = resolve_checks(config.checks)
    shards = question_shards(run_dir)
    layout = RunLayout(run_dir)
    if restart:
        for directory in (layout.verdicts, layout.accepted):
            shutil.rmtree(directory, ignore_errors=True)
    total, tree_ids = count_questions(run_dir, shards)
    per_question = [s for s in specs if s.run is not None]
    checks = CheckContext(config=config, index=stage.index, llm=stage.llm)
    will_have_llm = stage.llm is not None or stage.llm_config is not None
    will_have_index = stage.index is not None or stage.index_path is not None
    if any(s.needs_llm for s in per_question) and not will_have_llm:
        checks.need_llm(next(s.name for s in per_question if s.needs_llm))
    if any(s.needs_index for s in per_question) and not will_have_index:
        checks.need_index(next(s.name for s in per_question if s.needs_index))
    trees = load_trees(run_dir, tree_ids)
    tasks = [ShardTask(name, _trees_of_shard(run_dir, name, trees)) for name in shards]
    if on_start is not None:
        on_start(total)
    seen_in_shard = 0

    def on_item(_question: Any) -> None:
        nonlocal seen_in_shard
        seen_in_shard += 1
        if progress is not None:
            progress(1)

    def on_shard(_task: ShardTask, counts: VerifyCounts, skipped: bool) -> None:
        nonlocal seen_in_shard
        if progress is not None and not seen_in_shard:  # done before, or by a worker elsewhere
            progress(counts.questions)
        seen_in_shard = 0

    run = run_stage(stage, tasks, executor, on_shard=on_shard, on_item=on_item)
    _finalize(run_dir, shards, specs, config, as_stored(stage.settings()))
    summary = summarize(run_dir)
    summary.shards_done_before = run.shards_skipped
    summary.verified_now = run.counts_now.questions
    summary.seconds = time.perf_counter() - started
    summary.llm_calls = run.counts_now.llm_calls
    summary.prompt_tokens = run.counts_now.prompt_tokens
    summary.completion_tokens = run.counts_now.completion_tokens
    return summary


def _trees_of_shard(run_dir: Path, name: str, trees: dict[str, Tree]) -> dict[str, Tree]:
    wanted = {q.tree_id for q in read_shard(shard_path(RunLayout(run_dir).questions, name), Question)}
    return {tree_id: trees[tree_id] for tree_id in sorted(wanted) if tree_id in trees}


def _survivors(run_dir: Path, shards: list[str], specs: list[CheckSpec]) -> Iterator[tuple[str, Question]]:
    """(shard, question) in run order for questions that passed every selected per-question check."""
    required = {s.name for s in specs if s.run is not None}
    for name in shards:
        passed: dict[str, set[str]] = {}
        for verdict in read_shard(shard_path(run_dir / VERDICTS_DIR, name), Verdict):
            if verdict.passed:
                passed.setdefault(verdict.question_id, set()).add(verdict.check)
        for question in read_shard(shard_path(run_dir / QUESTIONS_DIR, name), Question):
            if required <= passed.get(question.id, set()):
                yield name, question


def _finalize(
    run_dir: Path, shards: list[str], specs: list[CheckSpec], config: VerifyConfig, settings: dict[str, Any]
) -> None:
    verdicts_dir, accepted_dir = run_dir / VERDICTS_DIR, run_dir / ACCEPTED_DIR
    if (
        is_done(verdicts_dir, FINALIZE_SHARD)
        and done_info(verdicts_dir, FINALIZE_SHARD).get("shards") == shards
        and all(shard_intact(accepted_dir, name) for name in shards)  # a lost or damaged one is rebuilt
    ):
        return
    (verdicts_dir / "_done" / FINALIZE_SHARD).unlink(missing_ok=True)  # stale: more question shards since
    survivors = list(_survivors(run_dir, shards, specs))
    dedupe = any(s.name == "duplicate" for s in specs)
    kept: set[str] = {q.id for _, q in survivors}
    with ShardWriter(shard_path(verdicts_dir, FINALIZE_SHARD)) as writer:
        if dedupe:
            for verdict in check_duplicates((q for _, q in survivors), config):
                writer.write(verdict)
                if not verdict.passed:
                    kept.discard(verdict.question_id)
    by_shard: dict[str, list[Question]] = {name: [] for name in shards}
    for name, question in survivors:
        if question.id in kept:
            by_shard[name].append(question)
    for name, questions in by_shard.items():
        with ShardWriter(shard_path(accepted_dir, name)) as writer:
            writer.write_all(questions)
        mark_done(accepted_dir, name, {"accepted": len(questions)})
    mark_done(verdicts_dir, FINALIZE_SHARD, {**settings, "shards": shards, "accepted": len(kept)})


def read_verdicts(run_dir: Path) -> Iterator[Verdict]:
    """Every verdict of finished verify shards in check order: question shards by name, then the finalize one."""
    directory = Path(run_dir) / VERDICTS_DIR
    for name in [*(n for n in done_shards(directory) if n != FINALIZE_SHARD), FINALIZE_SHARD]:
        if is_done(directory, name) and shard_path(directory, name).is_file():
            yield from read_shard(shard_path(directory, name), Verdict)


def summarize(run_dir: Path) -> VerifySummary:
    """The funnel per check, in the order the checks ran, from the verdict shards on disk."""
    run_dir = Path(run_dir)
    verdicts_dir = run_dir / VERDICTS_DIR
    if not is_done(verdicts_dir, FINALIZE_SHARD):
        raise InputError(f"{verdicts_dir}: verify has not finished; run `infoseek-local verify {run_dir}`")
    info = done_info(verdicts_dir, FINALIZE_SHARD)
    order = list(info["config"]["checks"])
    per_question: dict[str, dict[str, bool]] = {}
    for verdict in read_verdicts(run_dir):
        per_question.setdefault(verdict.question_id, {})[verdict.check] = verdict.passed
    questions = sum(done_info(verdicts_dir, n).get("questions", 0) for n in info["shards"])
    # duplicate runs last whatever its place in the list, so the funnel shows it last
    order = [c for c in order if c != "duplicate"] + (["duplicate"] if "duplicate" in order else [])
    funnel = [CheckFunnel(name) for name in order]
    for results in per_question.values():
        for stage in funnel:
            if stage.name not in results:
                break
            stage.entered += 1
            if not results[stage.name]:
                break
            stage.passed += 1
    return VerifySummary(questions=questions, accepted=int(info["accepted"]), funnel=funnel)


# measured on the bundled corpus (28 synth questions): difficulty passed 14/14, verifiability 1/14
EMBEDDED_JUDGE_NOTE = (
    "as a judge the 135M model knows almost nothing closed-book (difficulty passes nearly every question) and "
    "cannot follow clues across pages (verifiability rejects nearly every one); pass --judge-model with a 7B+ "
    "instruct GGUF or --judge-endpoint, or keep to the code checks: "
    "--checks fluency,leak,grounded,shortcut,duplicate"
)


def resolve_verify_options(
    run_dir: Path, config_file: Path | None, overrides: dict[str, Any], llm_config: LLMConfig
) -> tuple[VerifyConfig, LLMConfig, list[str]]:
    """The verify config (defaults, the run's [verify] table, `config_file`, then the options), the judge's
    LLMConfig seeded from it, and notes for the user about a weak judge."""
    from ..llm.models import EMBEDDED_NOTE

    embedded = llm_config.backend in (None, "llamacpp") and not llm_config.model and not llm_config.endpoints
    if overrides.get("grounded_judge") is None and embedded:
        overrides = {
            **overrides,
            "grounded_judge": False,
        }  # measured: it called 3 of 3 contradicted claims supported
    config = load_verify_config(run_dir, config_file, overrides)
    llm_config = msgspec.structs.replace(llm_config, seed=config.seed)
    names = {s.name for s in resolve_checks(config.checks) if s.needs_llm}
    notes = []
    if names and embedded:
        notes.append(EMBEDDED_NOTE)
        if {"difficulty", "verifiability"} & names:
            notes.append(EMBEDDED_JUDGE_NOTE)
    return config, llm_config, notes


def run_verify(
    run_dir: Path,
    config: VerifyConfig,
    *,
    llm_config: LLMConfig,
    index_override: Path | None = None,
    restart: bool = False,
    executor: ExecutorSpec | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
) -> VerifySummary:
    """Verify the run on `executor` (default: inline), each worker opening the judge and the index the
    selected checks need; holds the run's lock meanwhile."""
    run_dir = Path(run_dir).resolve()
    with run_lock(run_dir, "verify", create=False):
        specs = resolve_checks(config.checks)
        question_shards(run_dir)  # fail before loading a model when there is nothing to verify
        index_path = None
        if any(s.needs_index for s in specs):
            index_path = index_path_for(run_dir, index_override).resolve()
        elif any(s.name == "grounded" for s in specs):
            try:  # grounded also checks that cited sentences are on their pages, when the index is at hand
                index_path = index_path_for(run_dir, index_override).resolve()
            except (InputError, ConfigError):
                index_path = None
        judge = llm_config if any(s.needs_llm for s in specs) else None
        stage = VerifyStage(run_dir, config, judge_identity(None, judge), judge, index_path)
        return _verify(stage, executor or ExecutorSpec(), restart, progress, on_start)
