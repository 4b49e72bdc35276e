"""The trajectories section of `infoseek-local stats RUN`: solve rate, searches, rewards, costs.

`trajectory_stats(run_dir)` streams `<run>/trajectories/` once and returns a JSON-ready dict (None when the
run has no trajectories); `trajectory_section(run_dir)` gives it as the `stats` report's section, and
`trajectory_lines(stats)` as plain text lines.
Definitions: a question is *solved* when at least one of its samples is correct (pass@K); *searches per
solved question* averages, over solved questions, the mean number of queries run by their correct samples.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .sampling import read_trajectories

if TYPE_CHECKING:
    from ..stats import Section

REWARD_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _bin(value: float) -> str:
    for low, high in pairwise(REWARD_BINS):
        if value < high:
            return f"{low:.1f}-{high:.1f}"
    return f"{REWARD_BINS[-2]:.1f}-{REWARD_BINS[-1]:.1f}"


def _mean(total: float, count: int) -> float:
    return round(total / count, 3) if count else 0.0


def trajectory_stats(run_dir: Path) -> dict[str, Any] | None:
    n = correct = 0
    sums: Counter[str] = Counter()
    totals_histogram: Counter[str] = Counter()
    end_reasons: Counter[str] = Counter()
    # per origin ("guided" | "agent"): [trajectories, kept, searches, tokens, seconds]
    by_origin: dict[str, list[float]] = {}
    # per question: [samples, correct samples, searches summed over correct samples]
    per_question: dict[str, list[int]] = {}
    for t in read_trajectories(run_dir):
        n += 1
        correct += t.correct
        entry = per_question.setdefault(t.question_id, [0, 0, 0])
        entry[0] += 1
        if t.correct:
            entry[1] += 1
            entry[2] += t.searches
        for part in ("format", "answer", "retrieval_recall", "total"):
            sums[part] += getattr(t.reward, part)
        sums["searches"] += t.searches
        sums["turns"] += len(t.turns)
        sums["repeated_queries"] += t.repeated_queries
        sums["prompt_tokens"] += t.prompt_tokens
        sums["completion_tokens"] += t.completion_tokens
        sums["seconds"] += t.seconds
        totals_histogram[_bin(t.reward.total)] += 1
        end_reasons[t.end_reason or "unknown"] += 1
        origin = by_origin.setdefault(t.origin, [0, 0, 0, 0, 0.0])
        for spot, value in enumerate(
            (1, t.correct, t.searches, t.prompt_tokens + t.completion_tokens, t.seconds)
        ):
            origin[spot] += value
    if n == 0:
        return None
    solved = [entry for entry in per_question.values() if entry[1]]
    return {
        "questions": len(per_question),
        "trajectories": n,
        "kept": correct,
        "kept_share": _mean(correct, n),
        "solved_questions": len(solved),
        "solve_rate": _mean(len(solved), len(per_question)),
        "searches_per_solved_question": _mean(sum(e[2] / e[1] for e in solved), len(solved)),
        "searches_per_trajectory": _mean(sums["searches"], n),
        "turns_per_trajectory": _mean(sums["turns"], n),
        "repeated_queries": int(sums["repeated_queries"]),
        "reward_mean": {
            part: _mean(sums[part], n) for part in ("format", "answer", "retrieval_recall", "total")
        },
        "reward_total_histogram": {_bin(low): totals_histogram.get(_bin(low), 0) for low in REWARD_BINS[:-1]},
        "end_reasons": dict(end_reasons.most_common()),
        "tokens_per_trajectory": _mean(sums["prompt_tokens"] + sums["completion_tokens"], n),
        "seconds_per_trajectory": _mean(sums["seconds"], n),
        "by_origin": {
            origin: {
                "trajectories": int(v[0]),
                "kept": int(v[1]),
                "searches_per_trajectory": _mean(v[2], int(v[0])),
                "tokens_per_trajectory": _mean(v[3], int(v[0])),
                "seconds_per_trajectory": _mean(v[4], int(v[0])),
            }
            for origin, v in sorted(by_origin.items())
        },
    }


def trajectory_lines(stats: dict[str, Any] | None) -> list[str]:
    if stats is None:
        return ["trajectories  none (run `infoseek-local sample RUN`)"]
    rewards = stats["reward_mean"]
    histogram = ", ".join(f"{bin_}: {count}" for bin_, count in stats["reward_total_histogram"].items())
    return [
        f"trajectories  {stats['trajectories']} for {stats['questions']} questions, {stats['kept']} kept "
        f"({stats['kept_share']:.1%})",
        f"solve rate    {stats['solve_rate']:.1%} ({stats['solved_questions']} questions with a correct sample)",
        f"searches      {stats['searches_per_solved_question']} per solved question, "
        f"{stats['searches_per_trajectory']} per trajectory; {stats['repeated_queries']} repeated queries not run",
        f"reward mean   total {rewards['total']}, answer {rewards['answer']}, format {rewards['format']}, "
        f"recall {rewards['retrieval_recall']}",
        f"reward total  {histogram}",
        "ended by      " + ", ".join(f"{k}={v}" for k, v in stats["end_reasons"].items()),
        f"cost          {stats['tokens_per_trajectory']} tokens, {stats['seconds_per_trajectory']} s per trajectory",
        "by origin     " + _origin_text(stats["by_origin"]),
    ]


def trajectory_section(run_dir: Path) -> Section | None:
    """Rows for `stats RUN`, or None when the run has no finished trajectory shard."""
    from ..stats import Section  # stats.py lists this function, so import it late

    stats = trajectory_stats(run_dir)
    if stats is None:
        return None
    rewards = stats["reward_mean"]
    return Section(
        "trajectories",
        [
            ("questions sampled", stats["questions"]),
            ("trajectories", stats["trajectories"]),
            ("kept (answer matches)", f"{stats['kept']} ({stats['kept_share']:.1%})"),
            ("solve rate (pass@K)", f"{stats['solve_rate']:.1%} ({stats['solved_questions']} questions)"),
            ("searches per solved question", stats["searches_per_solved_question"]),
            ("searches per trajectory", stats["searches_per_trajectory"]),
            ("turns per trajectory", stats["turns_per_trajectory"]),
            ("repeated queries (not run)", stats["repeated_queries"]),
            (
                "reward mean",
                f"total {rewards['total']}, answer {rewards['answer']}, format {rewards['format']}, "
                f"recall {rewards['retrieval_recall']}",
            ),
            (
                "reward total histogram",
                ", ".join(f"{k}: {v}" for k, v in stats["reward_total_histogram"].items()),
            ),
            ("ended by", ", ".join(f"{k}={v}" for k, v in stats["end_reasons"].items())),
            ("tokens per trajectory", round(stats["tokens_per_trajectory"])),
            ("seconds per trajectory", stats["seconds_per_trajectory"]),
            ("by origin", _origin_text(stats["by_origin"])),
        ],
    )


def _origin_text(by_origin: dict[str, dict[str, Any]]) -> str:
    return "; ".join(
        f"{origin}: {v['kept']} kept of {v['trajectories']}, {v['searches_per_trajectory']} searches, "
        f"{v['seconds_per_trajectory']} s"
        for origin, v in by_origin.items()
    )
