"""A run's figures for the report, read in one streaming pass per record kind (memory holds counters and
one small number per question, never the records themselves).

Every reader counts only finished shards (those with a completion marker), as `stats` does, and notes how
many shards are still unfinished, so a report of a running or killed run says what it leaves out.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records import Question, Tree
from ..run import layout
from ..run.settings import SETTINGS_KEY
from ..store import done_info, done_shards, is_done, read_shards

# folder names come from the run layout, the one place that names them
TREES, QUESTIONS, VERDICTS, ACCEPTED, TRAJECTORIES = (
    layout.TREES.name,
    layout.QUESTIONS.name,
    layout.VERDICTS.name,
    layout.ACCEPTED.name,
    layout.TRAJECTORIES.name,
)
FINALIZE = layout.FINALIZE_SHARD  # verify's run-level shard: its marker means verify finished
SHORTCUT_DEPTH = 10  # ranks past this (or not found) share one bin


@dataclass
class SynthFigures:
    seeds: int = 0  # one tree record per seed tried, accepted or not
    grown: int = 0  # trees with at least one hop
    accepted: int = 0
    reject_reasons: Counter[str] = field(default_factory=Counter)
    model: str = ""
    backend: str = ""
    seed: int | None = None


@dataclass
class QuestionFigures:
    count: int = 0
    hops: Counter[int] = field(default_factory=Counter)
    vertices: Counter[int] = field(default_factory=Counter)
    words: list[int] = field(default_factory=list)
    oracle_searches: Counter[int] = field(default_factory=Counter)  # solved questions only
    oracle_unsolved: int = 0

    @property
    def oracle_measured(self) -> int:
        return sum(self.oracle_searches.values()) + self.oracle_unsolved


@dataclass
class CheckStage:
    name: str
    entered: int = 0
    passed: int = 0


@dataclass
class VerifyFigures:
    finished: bool
    questions: int = 0  # questions with at least one verdict
    accepted: int | None = None  # None until verify finished
    funnel: list[CheckStage] = field(default_factory=list)
    failures: dict[str, Counter[str]] = field(default_factory=dict)
    shortcut_rank: Counter[str] = field(default_factory=Counter)  # whole question, index ranking
    shortcut_plain_rank: Counter[str] = field(default_factory=Counter)  # whole question, plain body BM25


@dataclass
class CostLine:
    calls: int = 0
    cache_hits: int = 0
    failed: int = 0
    tokens: int = 0  # prompt + completion of calls the cache did not answer
    seconds: float = 0.0


@dataclass
class CostFigures:
    by_stage: dict[str, CostLine] = field(default_factory=dict)
    by_template: dict[str, CostLine] = field(default_factory=dict)


@dataclass
class TrajectoryFigures:
    summary: dict[str, Any]  # agent.stats.trajectory_stats: the same numbers `stats` prints
    searches: Counter[int] = field(default_factory=Counter)


def synth_figures(run_dir: Path) -> SynthFigures | None:
    figures = SynthFigures()
    for tree in read_shards(run_dir / TREES, Tree):
        figures.seeds += 1
        figures.grown += len(tree.vertices) > 1
        if tree.status == "accepted":
            figures.accepted += 1
        else:
            figures.reject_reasons[tree.reject_reason or "unknown"] += 1
        if not figures.model:
            figures.model = tree.provenance.model
            figures.backend = str(tree.provenance.config.get("backend", ""))
            figures.seed = tree.provenance.seed
    return figures if figures.seeds else None


def question_figures(run_dir: Path) -> QuestionFigures | None:
    figures = QuestionFigures()
    for question in read_shards(run_dir / QUESTIONS, Question):
        figures.count += 1
        figures.hops[question.hops] += 1
        figures.vertices[question.vertices] += 1
        figures.words.append(len(question.question.split()))
        if question.oracle_searches >= 0:
            if question.oracle_solved:
                figures.oracle_searches[question.oracle_searches] += 1
            else:
                figures.oracle_unsolved += 1
    return figures if figures.count else None


def verify_check_order(run_dir: Path) -> list[str]:
    """The checks in the order they ran (duplicate last), from any finished verify shard's marker."""
    directory = run_dir / VERDICTS
    names = done_shards(directory)
    if not names:
        return []
    preferred = FINALIZE if FINALIZE in names else names[0]
    info = done_info(directory, preferred)
    # the finalize marker holds the config itself; a shard marker holds it among the runner's settings
    config = info.get("config") or info.get(SETTINGS_KEY, {}).get("config", {})
    checks = list(config.get("checks", []))
    return [c for c in checks if c != "duplicate"] + (["duplicate"] if "duplicate" in checks else [])


def _rank_bin(rank: Any) -> str:
    return str(rank) if isinstance(rank, int) and 1 <= rank <= SHORTCUT_DEPTH else f">{SHORTCUT_DEPTH}"


def verify_figures(run_dir: Path) -> VerifyFigures | None:
    """The funnel per check from the verdicts on disk; works on an unfinished verify run too."""
    from ..verify.pipeline import read_verdicts
    from ..verify.stats import reason_kind

    if not done_shards(run_dir / VERDICTS):
        return None
    order = verify_check_order(run_dir)
    results: dict[str, dict[str, bool]] = defaultdict(dict)
    failures: dict[str, Counter[str]] = defaultdict(Counter)
    figures = VerifyFigures(finished=is_done(run_dir / VERDICTS, FINALIZE))
    for verdict in read_verdicts(run_dir):
        results[verdict.question_id][verdict.check] = verdict.passed
        if verdict.check not in order:
            order.append(verdict.check)
        if not verdict.passed:
            failures[verdict.check][reason_kind(verdict.reason)] += 1
        if verdict.check == "shortcut" and "question_rank" in verdict.evidence:
            figures.shortcut_rank[_rank_bin(verdict.evidence.get("question_rank"))] += 1
            figures.shortcut_plain_rank[_rank_bin(verdict.evidence.get("question_plain_rank"))] += 1
    figures.questions = len(results)
    figures.failures = dict(failures)
    figures.funnel = [CheckStage(name) for name in order]
    for checks in results.values():
        for stage in figures.funnel:
            if stage.name not in checks:
                break
            stage.entered += 1
            if not checks[stage.name]:
                break
            stage.passed += 1
    if figures.finished:
        figures.accepted = sum(1 for _ in read_shards(run_dir / ACCEPTED, Question))
    return figures


def cost_figures(run_dir: Path) -> CostFigures | None:
    from ..llm.accounting import read_call_log

    figures = CostFigures()
    for record in read_call_log(run_dir):
        for key, table in ((record.stage, figures.by_stage), (record.template or "?", figures.by_template)):
            line = table.setdefault(key, CostLine())
            line.calls += 1
            line.cache_hits += record.cache_hit
            line.failed += not record.ok
            line.tokens += 0 if record.cache_hit else record.prompt_tokens + record.completion_tokens
            line.seconds += record.seconds
    return figures if figures.by_stage else None


def trajectory_figures(run_dir: Path) -> TrajectoryFigures | None:
    from ..agent.sampling import read_trajectories
    from ..agent.stats import trajectory_stats

    summary = trajectory_stats(run_dir)
    if summary is None:
        return None
    figures = TrajectoryFigures(summary=summary)
    for trajectory in read_trajectories(run_dir):
        figures.searches[trajectory.searches] += 1
    return figures


def median(values: list[int]) -> str:
    """The median as text: "3", "3.5", or "-" when there are no values."""
    return f"{statistics.median(values):g}" if values else "-"
