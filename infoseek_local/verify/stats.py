"""The verify section of `stats RUN`: the funnel per check, the commonest reasons, and what the judge cost."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store import is_done
from .pipeline import FINALIZE_SHARD, VERDICTS_DIR, read_verdicts, summarize

if TYPE_CHECKING:
    from ..stats import Section

_TOP_REASONS = 2


def reason_kind(reason: str) -> str:
    """A reason with its specifics (quoted names, numbers) blanked, so alike failures group together."""
    return re.sub(r"\d+(?:\.\d+)?", "N", re.sub(r"'[^']*'|\"[^\"]*\"|\[[^\]]*\]", "…", reason))


def verify_funnel(run_dir: Path) -> Section | None:
    """Rows for `stats RUN`, or None when verify has not finished on this run."""
    from ..stats import Section  # stats.py lists this function, so import it late

    run_dir = Path(run_dir)
    if not is_done(run_dir / VERDICTS_DIR, FINALIZE_SHARD):
        return None
    summary = summarize(run_dir)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for verdict in read_verdicts(run_dir):
        if not verdict.passed:
            reasons[verdict.check][reason_kind(verdict.reason)] += 1
    rate = f" ({summary.accepted / summary.questions:.1%})" if summary.questions else ""
    rows: list[tuple[str, Any]] = [
        ("questions verified", summary.questions),
        ("accepted", f"{summary.accepted}{rate}"),
    ]
    for stage in summary.funnel:
        passed = f"{stage.passed}/{stage.entered} passed" + (
            f" ({stage.passed / stage.entered:.0%})" if stage.entered else ""
        )
        top = "; ".join(f"{n}× {kind}" for kind, n in reasons[stage.name].most_common(_TOP_REASONS))
        rows.append((f"check {stage.name}", passed + (f"; failures: {top}" if top else "")))
    rows += _judge_cost(run_dir, summary.questions)
    return Section("verify funnel (checks in the order run)", rows)


def _judge_cost(run_dir: Path, questions: int) -> list[tuple[str, Any]]:
    from ..llm.accounting import read_call_log

    calls = tokens = 0
    seconds = 0.0
    for record in read_call_log(run_dir):
        if record.stage.startswith("verify"):
            calls += 1
            seconds += record.seconds
            tokens += 0 if record.cache_hit else record.prompt_tokens + record.completion_tokens
    if not calls or not questions:
        return []
    return [
        ("judge calls", f"{calls}, {tokens} tokens, {seconds:.1f} s"),
        ("judge tokens per verified question", round(tokens / questions)),
        ("judge seconds per verified question", round(seconds / questions, 2)),
    ]
