"""One panel per stage for one run: each `*_panel` turns the run's figures into HTML (a few facts and SVG
charts), or returns None when the run has nothing for that stage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from ..stats import SYNTH_STAGES
from .collect import RunReport
from .escape import esc
from .figures import SHORTCUT_DEPTH, median
from .svg import Bar, bar_chart, column_chart

Panel = Callable[[RunReport], str | None]
_TOP_REASONS = 10


def share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _figure(caption: str, svg: str, note: str = "") -> str:
    note_html = f'<p class="note">{note}</p>' if note else ""
    return f"<figure><figcaption>{esc(caption)}</figcaption>{svg}{note_html}</figure>"


def _facts(rows: Sequence[tuple[str, object]]) -> str:
    return '<dl class="facts">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl>"


def _integer_columns(counts: Counter[int]) -> list[tuple[str, float]]:
    if not counts:
        return []
    return [(str(k), counts.get(k, 0)) for k in range(min(counts), max(counts) + 1)]


def _word_columns(words: list[int]) -> list[tuple[str, float]]:
    width = 10 if max(words) < 160 else 25
    bins = Counter(w // width for w in words)
    return [(f"{b * width}–{b * width + width - 1}", bins.get(b, 0)) for b in range(min(bins), max(bins) + 1)]


def funnel_panel(run: RunReport) -> str | None:
    if run.synth is None and run.verify is None and run.trajectories is None:
        return None
    seeds = run.synth.seeds if run.synth else 0
    bars: list[Bar] = []

    def add(label: str, value: int, kind: str = "bar") -> None:
        shown = f"{value:,} ({share(value, seeds)} of seeds)" if seeds else f"{value:,}"
        bars.append(Bar(label, value, shown, kind))

    if run.synth is not None:
        add("seeds tried", run.synth.seeds)
        add("trees with at least one hop", run.synth.grown)
        add("questions accepted by synth", run.synth.accepted)
    if run.verify is not None:
        for stage in run.verify.funnel:
            add(f"verify: passed {stage.name}", stage.passed, "bar-alt")
        if run.verify.accepted is not None:
            add("accepted by verify", run.verify.accepted, "bar-alt")
    if run.trajectories is not None:
        summary = run.trajectories.summary
        add("questions with trajectories", summary["questions"], "bar-muted")
        add("questions solved (a correct sample)", summary["solved_questions"], "bar-muted")
    note = ""
    if run.verify is not None and not run.verify.finished:
        note = "verify has not finished: its bars count the verdicts written so far"
    return _figure("funnel", bar_chart(bars, title="funnel"), esc(note))


def reasons_panel(run: RunReport) -> str | None:
    figures = []
    if run.synth is not None and run.synth.reject_reasons:
        bars = [Bar(reason, n) for reason, n in run.synth.reject_reasons.most_common(_TOP_REASONS)]
        figures.append(_figure("synth: why trees were rejected", bar_chart(bars, title="synth rejections")))
    if run.verify is not None and run.verify.failures:
        failures = Counter(
            {(check, kind): n for check, kinds in run.verify.failures.items() for kind, n in kinds.items()}
        )
        bars = [
            Bar(f"{check}: {kind}", n, kind="bar-alt")
            for (check, kind), n in failures.most_common(_TOP_REASONS)
        ]
        figures.append(_figure("verify: why questions failed", bar_chart(bars, title="verify failures")))
    return "".join(figures) or None


def shapes_panel(run: RunReport) -> str | None:
    q = run.questions
    if q is None:
        return None
    figures = [
        _figure("hops (depth)", column_chart(_integer_columns(q.hops), title="hops")),
        _figure("vertices", column_chart(_integer_columns(q.vertices), title="vertices")),
        _figure(
            "question length (words)",
            column_chart(_word_columns(q.words), title="question length"),
            f"median {median(q.words)} words (questions: {q.count:,})",
        ),
    ]
    if q.oracle_measured:
        columns = _integer_columns(q.oracle_searches)
        if q.oracle_unsolved:
            columns.append(("unsolved", q.oracle_unsolved))
        solved = q.oracle_measured - q.oracle_unsolved
        figures.append(
            _figure(
                "oracle searches to solve",
                column_chart(columns, title="oracle searches", kind="bar-muted"),
                f"{solved} of {q.oracle_measured} solved by the oracle following the tree with real searches",
            )
        )
    return "".join(figures)


def shortcut_panel(run: RunReport) -> str | None:
    v = run.verify
    if v is None or not v.shortcut_rank:
        return None
    bins = [str(n) for n in range(1, SHORTCUT_DEPTH + 1)] + [f">{SHORTCUT_DEPTH}"]
    note = f"rank of the answer page when the whole question is the query; &gt;{SHORTCUT_DEPTH} includes not found"
    return _figure(
        "answer page rank, index ranking",
        column_chart([(b, v.shortcut_rank.get(b, 0)) for b in bins], title="shortcut rank"),
    ) + _figure(
        "answer page rank, plain body BM25",
        column_chart(
            [(b, v.shortcut_plain_rank.get(b, 0)) for b in bins], title="plain rank", kind="bar-alt"
        ),
        note,
    )


def cost_panel(run: RunReport) -> str | None:
    cost = run.cost
    if cost is None:
        return None
    synth = [line for stage, line in cost.by_stage.items() if stage in SYNTH_STAGES]
    calls = sum(line.calls for line in cost.by_stage.values())
    hits = sum(line.cache_hits for line in cost.by_stage.values())
    facts: list[tuple[str, object]] = [
        ("LLM calls (cache hits)", f"{calls:,} ({hits:,}, {share(hits, calls)})")
    ]
    accepted = run.synth.accepted if run.synth else 0
    if synth and accepted:
        tokens = sum(line.tokens for line in synth)
        seconds = sum(line.seconds for line in synth)
        facts.append(("synth tokens per accepted question", f"{tokens / accepted:,.0f}"))
        facts.append(("synth seconds per accepted question", f"{seconds / accepted:,.1f}"))
    verified = run.verify.accepted if run.verify else None
    if verified:
        tokens = sum(line.tokens for line in cost.by_stage.values())
        facts.append(("all tokens per question verify accepted", f"{tokens / verified:,.0f}"))
    rows = "".join(
        f"<tr><td>{esc(stage)}</td><td>{line.calls:,}</td><td>{line.cache_hits:,}</td><td>{line.failed:,}</td>"
        f"<td>{line.tokens:,}</td><td>{line.seconds:,.1f}</td></tr>"
        for stage, line in sorted(cost.by_stage.items())
    )
    table = (
        '<div class="scroll"><table class="cost"><thead><tr><th>stage</th><th>calls</th><th>cache hits</th>'
        f"<th>failed</th><th>tokens</th><th>seconds</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
    by_template = sorted(cost.by_template.items(), key=lambda item: -item[1].tokens)[:12]
    bars = [
        Bar(name, line.tokens, f"{line.tokens:,} tokens, {line.calls:,} calls") for name, line in by_template
    ]
    chart = _figure("tokens per prompt template", bar_chart(bars, title="tokens per template"))
    note = '<p class="note">tokens count calls the cache did not answer; seconds count all calls</p>'
    return f"<div>{_facts(facts)}{table}{note}</div>{chart}"


def trajectory_panel(run: RunReport) -> str | None:
    t = run.trajectories
    if t is None:
        return None
    s = t.summary
    facts = [
        ("questions sampled", f"{s['questions']:,}"),
        ("trajectories (kept)", f"{s['trajectories']:,} ({s['kept']:,}, {s['kept_share']:.0%})"),
        ("solve rate (pass@K)", f"{s['solve_rate']:.0%} ({s['solved_questions']:,} questions)"),
        ("searches per solved question", s["searches_per_solved_question"]),
        ("searches per trajectory", s["searches_per_trajectory"]),
        ("tokens per trajectory", f"{s['tokens_per_trajectory']:,.0f}"),
        ("seconds per trajectory", s["seconds_per_trajectory"]),
    ]
    origins = [  # "agent" (a model searched) or "guided" (code followed the tree with real searches)
        Bar(
            f"{origin}: kept of {v['trajectories']:,}",
            v["kept"],
            f"{v['kept']:,} ({share(v['kept'], v['trajectories'])})",
        )
        for origin, v in s.get("by_origin", {}).items()
    ]
    rewards = [Bar(part, value, f"{value:.2f}") for part, value in s["reward_mean"].items()]
    ends = [Bar(reason, n, kind="bar-muted") for reason, n in s["end_reasons"].items()]
    return (
        f"<div>{_facts(facts)}</div>"
        + _figure("mean reward by part", bar_chart(rewards, title="reward parts", scale_max=1.0))
        + _figure("searches per trajectory", column_chart(_integer_columns(t.searches), title="searches"))
        + _figure(
            "total reward", column_chart(list(s["reward_total_histogram"].items()), title="reward total")
        )
        + _figure("how trajectories ended", bar_chart(ends, title="end reasons"))
        + (_figure("kept by origin", bar_chart(origins, title="kept by origin")) if len(origins) > 1 else "")
    )
