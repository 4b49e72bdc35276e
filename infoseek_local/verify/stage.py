"""Verify's per-question phase as a runner stage: a question shard (with its trees) in, its verdicts out.

Each worker opens the judge and the index the selected checks need once; a shard runs the checks in order on
each question (stopping at the first failure unless `keep_going`) and counts what passed, what failed, and
what the judge cost. A judge that keeps answering outside its schema fails the question, not the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..errors import LLMError
from ..records import Question, Verdict
from ..run.layout import RunLayout
from ..run.stage import Counts, ItemReport, ShardTask
from ..store import ShardWriter, read_shard, shard_path
from .context import CheckContext, VerifyConfig
from .registry import CheckSpec, resolve_checks

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM
    from ..llm.factory import LLMConfig


def judge_identity(llm: LLM | None, llm_config: LLMConfig | None = None) -> str:
    """What decides the judge's answers: the open model's file, else the model its config names."""
    # the context size is part of it: verifiability cuts pages to fit it
    if llm is not None:
        return f"{llm.model_id}@{llm.model_sha256}/n_ctx={llm.n_ctx}"
    if llm_config is None:
        return ""
    return json.dumps([llm_config.model, list(llm_config.endpoints), llm_config.backend, llm_config.n_ctx])


class VerifyCounts(Counts, kw_only=True):
    questions: int = 0
    passed: dict[str, int] = msgspec.field(default_factory=dict)
    failed: dict[str, int] = msgspec.field(default_factory=dict)
    judge_errors: int = 0
    # the judge's cost of this shard
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class VerifyWorker:
    """A worker's judge and index (either None when no selected check needs it); closes what it opened."""

    def __init__(self, llm: LLM | None, index: IndexLike | None, opened: list[Any]) -> None:
        self.llm = llm
        self.index = index
        self._opened = opened

    def close(self) -> None:
        for resource in self._opened:
            resource.close()


@dataclass
class VerifyStage:
    """The per-question checks as a runner stage: a question shard (with its trees) in, its verdicts out.
    Open `llm`/`index` objects (tests, `verify_questions`) keep the stage in this process; otherwise each
    worker opens the judge from `llm_config` and the index at `index_path`."""

    run_dir: Path
    config: VerifyConfig
    judge: str
    llm_config: LLMConfig | None = None
    index_path: Path | None = None
    llm: LLM | None = None
    index: IndexLike | None = None

    name = "verify"
    counts_type = VerifyCounts
    output_dirs: tuple[Path, ...] = ()
    rerun_hint = "rerun with the same options to resume, or add --restart to verify the run again"

    @property
    def done_dir(self) -> Path:
        return RunLayout(self.run_dir).verdicts

    def settings(self) -> dict[str, Any]:
        return {"config": self.config.result_fields(), "judge": self.judge}

    def __getstate__(self) -> dict[str, Any]:
        if self.llm is not None or self.index is not None:
            raise TypeError("a verify stage holding an open LLM or index runs inline only")
        return self.__dict__

    def open_worker(self) -> VerifyWorker:
        opened: list[Any] = []
        llm, index = self.llm, self.index
        if llm is None and self.llm_config is not None:
            from ..llm.factory import open_llm_from_config

            llm = open_llm_from_config(self.llm_config, run_dir=self.run_dir)
            opened.append(llm)
        if index is None and self.index_path is not None:
            from ..index.reader import Index

            index = Index.open(self.index_path)
            opened.append(index)
        return VerifyWorker(llm, index, opened)

    def work(self, worker: VerifyWorker, task: ShardTask, report: ItemReport | None) -> VerifyCounts:
        specs = [s for s in resolve_checks(self.config.checks) if s.run is not None]
        ctx = CheckContext(config=self.config, trees=task.payload, index=worker.index, llm=worker.llm)
        before = _llm_usage(worker.llm)
        counts = _verify_shard(self.run_dir, task.name, specs, ctx, report)
        after = _llm_usage(worker.llm)
        counts.llm_calls = after[0] - before[0]
        counts.prompt_tokens = after[1] - before[1]
        counts.completion_tokens = after[2] - before[2]
        return counts


def _llm_usage(llm: LLM | None) -> tuple[int, int, int]:
    if llm is None:
        return (0, 0, 0)
    return (llm.stats.calls, llm.stats.prompt_tokens, llm.stats.completion_tokens)


def _verify_shard(
    run_dir: Path, name: str, specs: list[CheckSpec], ctx: CheckContext, report: ItemReport | None
) -> VerifyCounts:
    questions = list(read_shard(shard_path(RunLayout(run_dir).questions, name), Question))
    counts = VerifyCounts(questions=len(questions))
    with ShardWriter(shard_path(RunLayout(run_dir).verdicts, name)) as writer:
        for question in questions:
            for spec in specs:
                verdict = _run_check(spec, question, ctx)
                counts.judge_errors += "error" in verdict.evidence
                writer.write(verdict)
                bucket = counts.passed if verdict.passed else counts.failed
                bucket[spec.name] = bucket.get(spec.name, 0) + 1
                if not verdict.passed and not ctx.config.keep_going:
                    break
            if report is not None:
                report(question)
    return counts


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
