"""The verify section of `stats RUN`: the funnel per check, the commonest reasons, and what the judge cost."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table

from ..store import is_done
from .pipeline import FINALIZE_SHARD, VERDICTS_DIR, read_verdicts, summarize

_TOP_REASONS = 2


def reason_kind(reason: str) -> str:
    """A reason with its specifics (quoted names, numbers) blanked, so alike failures group together."""
    return re.sub(r"\d+(?:\.\d+)?", "N", re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]", "…", reason))


def verify_section(run_dir: Path) -> RenderableType | None:
    """A rich renderable for `stats RUN`, or None when verify has not finished on this run."""
    run_dir = Path(run_dir)
    if not is_done(run_dir / VERDICTS_DIR, FINALIZE_SHARD):
        return None
    summary = summarize(run_dir)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for verdict in read_verdicts(run_dir):
        if not verdict.passed:
            reasons[verdict.check][reason_kind(verdict.reason)] += 1
    table = Table(title=f"verify funnel: {summary.accepted} of {summary.questions} questions accepted")
    for column in ("check", "entered", "passed", "pass rate", "commonest failures"):
        table.add_column(column, justify="left" if column in ("check", "commonest failures") else "right")
    for stage in summary.funnel:
        rate = f"{stage.passed / stage.entered:.0%}" if stage.entered else "-"
        top = "; ".join(f"{n}× {kind}" for kind, n in reasons[stage.name].most_common(_TOP_REASONS))
        table.add_row(stage.name, str(stage.entered), str(stage.passed), rate, top)
    cost = _judge_cost(run_dir, summary.questions)
    return Group(table, cost) if cost else table


def _judge_cost(run_dir: Path, questions: int) -> str:
    from ..llm.accounting import read_call_log

    calls = prompt = completion = 0
    seconds = 0.0
    for record in read_call_log(run_dir):
        if record.stage.startswith("verify"):
            calls += 1
            seconds += record.seconds
            if not record.cache_hit:
                prompt += record.prompt_tokens
                completion += record.completion_tokens
    if not calls or not questions:
        return ""
    return (
        f"judge: {calls} calls, {prompt + completion} tokens ({prompt} prompt), {seconds:.0f} s; "
        f"per verified question: {(prompt + completion) / questions:.0f} tokens, {seconds / questions:.1f} s"
    )
