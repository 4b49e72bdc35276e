"""The verify stage over a run directory: per-question checks by shard, then the run-level duplicate pass.

Phase 1 reads each finished `questions/<shard>` and writes `verdicts/<shard>` (the selected checks in order;
by default a question stops at its first failed check, so expensive judge calls are spent only on survivors).
Phase 2 ("finalize") reads the survivors in run order, runs the duplicate check when selected, writes its
verdicts to `verdicts/finalize` and the accepted questions to `accepted/<shard>`. Both phases write a shard's
output before its completion marker, so a killed run rerun with the same command loses and duplicates nothing.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, InputError, LLMError
from ..records import Question, Tree, Verdict
from ..run.executor import ShardTask, run_shards
from ..store import (
    SHARD_SUFFIX,
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
from .context import CheckContext, VerifyConfig
from .duplicate import check_duplicates
from .registry import CheckSpec, resolve_checks

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM
    from ..llm.factory import LLMConfig

QUESTIONS_DIR = "questions"
TREES_DIR = "trees"
VERDICTS_DIR = "verdicts"
ACCEPTED_DIR = "accepted"
FINALIZE_SHARD = "finalize"

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


def judge_identity(llm: LLM | None) -> str:
    # the context size is part of it: verifiability cuts pages to fit it
    return "" if llm is None else f"{llm.model_id}@{llm.model_sha256}/n_ctx={llm.n_ctx}"


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
    """Verify every finished question shard of `run_dir` with the given judge and index (either may be None
    when no selected check needs it). `on_start(total questions)` is called once before any work."""
    started = time.perf_counter()
    run_dir = Path(run_dir)
    specs = resolve_checks(config.checks)
    shards = question_shards(run_dir)
    verdicts_dir, accepted_dir = run_dir / VERDICTS_DIR, run_dir / ACCEPTED_DIR
    if restart:
        for directory in (verdicts_dir, accepted_dir):
            shutil.rmtree(directory, ignore_errors=True)
    # as it reads back from a marker's JSON (tuples become lists), so a resume compares like with like
    settings = json.loads(json.dumps({"config": config.result_fields(), "judge": judge_identity(llm)}))
    _refuse_mixed_settings(verdicts_dir, shards, settings)
    total, tree_ids = count_questions(run_dir, shards)
    if on_start is not None:
        on_start(total)
    ctx = CheckContext(config=config, trees=load_trees(run_dir, tree_ids), index=index, llm=llm)
    per_question = [s for s in specs if s.run is not None]
    if any(s.needs_llm for s in per_question) and llm is None:
        ctx.need_llm(next(s.name for s in per_question if s.needs_llm))
    if any(s.needs_index for s in per_question) and index is None:
        ctx.need_index(next(s.name for s in per_question if s.needs_index))

    def work(task: ShardTask) -> dict[str, Any]:
        counts = _verify_shard(run_dir, task.name, per_question, ctx, progress)
        return {**settings, **counts}

    tasks = [ShardTask(name, verdicts_dir, None) for name in shards]
    done_before, verified_now = 0, 0
    for result in run_shards(tasks, work, workers=1):
        if result.skipped_as_done:
            done_before += 1
            if progress is not None:
                progress(int(result.info.get("questions", 0)))
        else:
            verified_now += int(result.info.get("questions", 0))
    _finalize(run_dir, shards, specs, config, settings)
    summary = summarize(run_dir)
    summary.shards_done_before = done_before
    summary.verified_now = verified_now
    summary.seconds = time.perf_counter() - started
    if llm is not None:
        summary.llm_calls = llm.stats.calls
        summary.prompt_tokens = llm.stats.prompt_tokens
        summary.completion_tokens = llm.stats.completion_tokens
    return summary


def _refuse_mixed_settings(verdicts_dir: Path, shards: list[str], settings: dict[str, Any]) -> None:
    for name in [*shards, FINALIZE_SHARD]:
        if not is_done(verdicts_dir, name):
            continue
        info = done_info(verdicts_dir, name)
        old = {"config": info.get("config"), "judge": info.get("judge")}
        if old != settings:
            changed = [k for k in ("judge",) if old[k] != settings[k]]
            changed += [
                f"{k}: {(old['config'] or {}).get(k)!r} -> {v!r}"
                for k, v in settings["config"].items()
                if (old["config"] or {}).get(k) != v
            ]
            raise ConfigError(
                f"{verdicts_dir}/{name}{SHARD_SUFFIX} was verified with other settings ({'; '.join(changed)}); "
                "rerun with the same options to resume, or add --restart to verify the run again"
            )


def _verify_shard(
    run_dir: Path, name: str, specs: list[CheckSpec], ctx: CheckContext, progress: Progress | None
) -> dict[str, Any]:
    questions = list(read_shard(shard_path(run_dir / QUESTIONS_DIR, name), Question))
    passed: dict[str, int] = {}
    failed: dict[str, int] = {}
    errors = 0
    with ShardWriter(shard_path(run_dir / VERDICTS_DIR, name)) as writer:
        for question in questions:
            for spec in specs:
                verdict = _run_check(spec, question, ctx)
                errors += "error" in verdict.evidence
                writer.write(verdict)
                bucket = passed if verdict.passed else failed
                bucket[spec.name] = bucket.get(spec.name, 0) + 1
                if not verdict.passed and not ctx.config.keep_going:
                    break
            if progress is not None:
                progress(1)
    return {"questions": len(questions), "passed": passed, "failed": failed, "judge_errors": errors}


def _run_check(spec: CheckSpec, question: Question, ctx: CheckContext) -> Verdict:
    assert spec.run is not None
    try:
        return spec.run(question, ctx)
    except LLMError as exc:
        # a judge that keeps answering outside its schema rejects this question, not the whole run
        return Verdict(
            question_id=question.id,
            check=spec.name,
            passed=False,
            reason=f"judge failed: {exc}",
            evidence={"error": str(exc)},
        )


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


def run_verify(
    run_dir: Path,
    config: VerifyConfig,
    *,
    llm_config: LLMConfig,
    index_override: Path | None = None,
    restart: bool = False,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
) -> VerifySummary:
    """Open what the selected checks need (judge, index), verify the run, close them again."""
    from ..index.reader import Index
    from ..llm.factory import open_llm_from_config
    from ..run.paths import index_path_for

    run_dir = Path(run_dir)
    specs = resolve_checks(config.checks)
    question_shards(run_dir)  # fail before loading a model when there is nothing to verify
    index = None
    if any(s.needs_index for s in specs):
        index = Index.open(index_path_for(run_dir, index_override))
    elif any(s.name == "grounded" for s in specs):
        try:  # grounded also checks that cited sentences are on their pages, when the index is at hand
            index = Index.open(index_path_for(run_dir, index_override))
        except (InputError, ConfigError):
            index = None
    llm = open_llm_from_config(llm_config, run_dir=run_dir) if any(s.needs_llm for s in specs) else None
    try:
        return verify_questions(
            run_dir, config, llm=llm, index=index, restart=restart, progress=progress, on_start=on_start
        )
    finally:
        if llm is not None:
            llm.close()
        if index is not None:
            index.close()
