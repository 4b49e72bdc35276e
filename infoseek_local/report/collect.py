"""Everything the page shows about one run, gathered section by section.

A section whose records cannot be read (a damaged shard) is left out with a one-line note on the page; the
rest of the report still renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import InfoseekError
from ..run.layout import QUESTIONS, TRAJECTORIES, TREES, VERDICTS, RunLayout
from .cards import CardSample, sample_cards
from .figures import (
    CostFigures,
    QuestionFigures,
    SynthFigures,
    TrajectoryFigures,
    VerifyFigures,
    cost_figures,
    question_figures,
    synth_figures,
    trajectory_figures,
    verify_figures,
)

T = TypeVar("T")


@dataclass
class RunReport:
    path: Path
    label: str
    synth: SynthFigures | None = None
    questions: QuestionFigures | None = None
    verify: VerifyFigures | None = None
    cost: CostFigures | None = None
    trajectories: TrajectoryFigures | None = None
    cards: CardSample | None = None
    unfinished: dict[str, int] = field(default_factory=dict)  # stage folder -> shards without a marker
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.synth, self.questions, self.verify, self.cost, self.trajectories))


def _guarded(report: RunReport, what: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except InfoseekError as exc:
        report.problems.append(f"{what} left out: {exc}")
        return None


def collect_run(run_dir: Path, label: str, card_limit: int) -> RunReport:
    run = RunLayout(run_dir).require()
    run_dir = run.root
    report = RunReport(path=run_dir, label=label)
    report.synth = _guarded(report, "synthesis funnel", lambda: synth_figures(run_dir))
    report.questions = _guarded(report, "question shapes", lambda: question_figures(run_dir))
    report.verify = _guarded(report, "verify funnel", lambda: verify_figures(run_dir))
    report.cost = _guarded(report, "LLM cost", lambda: cost_figures(run_dir))
    report.trajectories = _guarded(report, "trajectories", lambda: trajectory_figures(run_dir))
    if card_limit > 0:
        report.cards = _guarded(report, "question cards", lambda: sample_cards(run_dir, card_limit))
    for kind in (TREES, QUESTIONS, VERDICTS, TRAJECTORIES):
        count = run.unfinished_shards(kind)
        if count:
            report.unfinished[kind.name] = count
    return report
