"""`infoseek-local stats RUN`: a report built from a run's records, one section per stage.

Each section is a function `(run_dir) -> Section | None` (None: nothing to report for that stage). A stage adds
its section by appending one line to `SECTIONS`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .agent.stats import trajectory_section
from .records import Question
from .run.layout import LLM_CALLS, QUESTIONS, TREES, RunLayout
from .store import ShardDamage
from .verify.stats import verify_funnel

SYNTH_STAGES = ("planner", "browser", "retrospection", "question")


@dataclass
class Section:
    title: str
    rows: list[tuple[str, Any]] = field(default_factory=list)


def _distribution(values: list[int]) -> str:
    counts = Counter(values)
    return ", ".join(f"{k}: {counts[k]}" for k in sorted(counts)) or "-"


def synth_funnel(run_dir: Path) -> Section | None:
    run = RunLayout(run_dir)
    trees = list(run.read(TREES))
    if not trees:
        return None
    questions = sum(1 for _ in run.read(QUESTIONS))
    rejected = Counter(t.reject_reason for t in trees if t.status != "accepted")
    accepted = [t for t in trees if t.status == "accepted"]
    claims = [c for t in accepted for v in t.vertices for c in [*v.claims, v.relation] if c is not None]
    rows: list[tuple[str, Any]] = [
        ("seeds attempted", len(trees)),
        ("trees accepted", len(accepted)),
        ("questions", questions),
        ("acceptance rate", f"{len(accepted) / len(trees):.1%}"),
        ("accepted claims grounded", f"{sum(c.grounded for c in claims)}/{len(claims)}"),
    ]
    rows += [(f"rejected: {reason}", n) for reason, n in rejected.most_common()]
    instructions = sum(t.instruction_sentences for t in trees)
    if instructions:
        rows.append(("page sentences that speak to a model (kept out of clues)", instructions))
    return Section("synthesis funnel", rows)


def oracle_figures(questions: list[Question]) -> dict[str, Any] | None:
    """Oracle search counts of the measured questions (oracle_searches >= 0); None when none was measured.

    Mean and median count solved questions only: an unsolved one stopped early, its count says nothing of
    what solving it takes.
    """
    measured = [q for q in questions if q.oracle_searches >= 0]
    if not measured:
        return None
    solved = [q.oracle_searches for q in measured if q.oracle_solved]
    return {
        "measured": len(measured),
        "solved_share": len(solved) / len(measured),
        "mean_searches": round(statistics.fmean(solved), 2) if solved else None,
        "median_searches": statistics.median(solved) if solved else None,
    }


def _oracle_row(questions: list[Question]) -> list[tuple[str, Any]]:
    figures = oracle_figures(questions)
    if figures is None:
        return []
    mean = "-" if figures["mean_searches"] is None else figures["mean_searches"]
    median = "-" if figures["median_searches"] is None else figures["median_searches"]
    summary = (
        f"{figures['measured']} measured, {figures['solved_share']:.1%} solved; "
        f"searches when solved: mean {mean}, median {median}"
    )
    return [("oracle searches", summary)]


def synth_shapes(run_dir: Path) -> Section | None:
    questions = list(RunLayout(run_dir).read(QUESTIONS))
    if not questions:
        return None
    words = [len(q.question.split()) for q in questions]
    return Section(
        "questions",
        [
            ("hops (depth)", _distribution([q.hops for q in questions])),
            ("vertices", _distribution([q.vertices for q in questions])),
            ("mean question length (words)", round(statistics.fmean(words), 1)),
            ("mean question length (chars)", round(statistics.fmean(len(q.question) for q in questions), 1)),
            ("mean aliases per answer", round(statistics.fmean(len(q.aliases) for q in questions), 2)),
            *_oracle_row(questions),
        ],
    )


def llm_cost(run_dir: Path) -> Section | None:
    run = RunLayout(run_dir)
    damage: list[ShardDamage] = []
    records = list(run.read(LLM_CALLS, damage=damage))
    if not records and not damage:
        return None
    rows: list[tuple[str, Any]] = []
    for stretch in damage:  # the calls after a damaged frame are still counted; say which bytes were lost
        rows.append(("damaged call log (skipped)", stretch.describe()))
    by_stage: dict[str, list[Any]] = {}
    for record in records:
        by_stage.setdefault(record.stage, []).append(record)
    for stage, items in sorted(by_stage.items()):
        tokens = sum(r.prompt_tokens + r.completion_tokens for r in items)
        seconds = sum(r.seconds for r in items)
        hits = sum(r.cache_hit for r in items)
        rows.append((f"{stage}", f"{len(items)} calls, {tokens} tokens, {seconds:.1f} s, {hits} cache hits"))
    synth = [r for r in records if r.stage in SYNTH_STAGES]
    accepted = sum(1 for t in run.read(TREES) if t.status == "accepted")
    if synth:
        tokens = sum(r.prompt_tokens + r.completion_tokens for r in synth)
        seconds = sum(r.seconds for r in synth)
        failures = sum(not r.ok for r in synth)
        rows.append(("synth calls (failed)", f"{len(synth)} ({failures})"))
        if accepted:
            rows.append(("synth calls per accepted question", round(len(synth) / accepted, 1)))
            rows.append(("synth tokens per accepted question", round(tokens / accepted)))
            rows.append(("synth seconds per accepted question", round(seconds / accepted, 1)))
        if seconds > 0:
            rows.append(("synth tokens/s", round(tokens / seconds, 1)))
    return Section("LLM calls", rows)


# one line per stage; verify and agent add theirs here
SECTIONS: list[Callable[[Path], Section | None]] = [
    synth_funnel,
    synth_shapes,
    llm_cost,
    verify_funnel,
    trajectory_section,
]


def build_report(run_dir: Path) -> list[Section]:
    sections = []
    for section_function in SECTIONS:
        section = section_function(Path(run_dir))
        if section is not None:
            sections.append(section)
    return sections
