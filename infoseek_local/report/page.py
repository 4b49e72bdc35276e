"""The report page: a summary table with one column per run, then one section per stage in which each run
has its own panel (side by side on a wide screen, stacked on a phone), then the question cards."""

from __future__ import annotations

from collections.abc import Sequence

from .. import __version__
from ..stats import SYNTH_STAGES
from .card_html import card_html, cards_html, sample_note
from .cards import sample_key
from .collect import RunReport
from .escape import esc
from .figures import median
from .panels import (
    Panel,
    cost_panel,
    funnel_panel,
    reasons_panel,
    shapes_panel,
    share,
    shortcut_panel,
    trajectory_panel,
)
from .style import CSS


def _cards_section(runs: Sequence[RunReport]) -> str:
    """One run: its cards in run order. Several: one row per question id (the same seed in every run made
    with the same synth seed), a cell per run, so two models' trees of one seed sit next to each other."""
    if all(run.cards is None for run in runs):
        return ""
    title = "<h2>Questions with their trees</h2>"
    if len(runs) == 1:
        run = runs[0]
        inner = cards_html(run.cards, 0, _verify_finished(run)) if run.cards else ""
        return f'<section id="cards">{title}<div class="panel cards">{inner}</div></section>'
    by_run = [{card.question.id: card for card in (run.cards.cards if run.cards else [])} for run in runs]
    heads = "".join(
        f'<div class="panel card-head"><h3 class="run-name">{esc(run.label)}</h3><p class="note">'
        + (sample_note(run.cards) if run.cards and run.cards.cards else "no questions to draw yet")
        + "</p></div>"
        for run in runs
    )
    cells = []
    for row, question_id in enumerate(sorted(set().union(*by_run), key=sample_key)):
        for number, (run, cards) in enumerate(zip(runs, by_run, strict=True)):
            card = cards.get(question_id)
            if card is None:
                cells.append(f'<div class="card missing">{esc(run.label)} has no {esc(question_id)}</div>')
            else:
                cells.append(card_html(card, f"r{number}-c{row}", _verify_finished(run), run.label))
    note = (
        '<p class="note wide">a row holds the question of one seed in each run (the same id: the same synth '
        "seed and seed page)</p>"
    )
    return f'<section id="cards">{title}{note}<div class="runs cards card-rows">{heads}{"".join(cells)}</div></section>'


def _verify_finished(run: RunReport) -> bool:
    return run.verify is not None and run.verify.finished


# ── page ────────────────────────────────────────────────────────────────────────────────────────────────


def _summary_table(runs: Sequence[RunReport]) -> str:
    def cell(run: RunReport, key: str) -> str:
        s, q, v, t = run.synth, run.questions, run.verify, run.trajectories
        if key == "model":
            return (s.model or "?") + (f" ({s.backend})" if s.backend else "") if s else "-"
        if key == "seeds":
            return f"{s.seeds:,}" if s else "-"
        if key == "synth":
            return f"{s.accepted:,} ({share(s.accepted, s.seeds)})" if s else "-"
        if key == "verify":
            if v is None:
                return "not run"
            if v.accepted is None:
                return f"unfinished ({v.questions:,} verified so far)"
            return f"{v.accepted:,} of {v.questions:,} ({share(v.accepted, v.questions)})"
        if key == "shape":
            return (
                f"{median(list(q.hops.elements()))} hops, {median(list(q.vertices.elements()))} vertices"
                if q
                else "-"
            )
        if key == "words":
            return f"{median(q.words)}" if q else "-"
        if key == "oracle":
            if q is None or not q.oracle_measured:
                return "-"
            return (
                f"{share(q.oracle_measured - q.oracle_unsolved, q.oracle_measured)} of {q.oracle_measured:,}"
            )
        if key == "tokens":
            if run.cost is None or s is None or not s.accepted:
                return "-"
            tokens = sum(line.tokens for stage, line in run.cost.by_stage.items() if stage in SYNTH_STAGES)
            return f"{tokens / s.accepted:,.0f}"
        if key == "solve":
            return f"{t.summary['solve_rate']:.0%} of {t.summary['questions']:,}" if t else "not run"
        if key == "unfinished":
            return ", ".join(f"{folder}: {n}" for folder, n in run.unfinished.items()) or "none"
        raise KeyError(key)

    rows = [
        ("model (backend)", "model"),
        ("seeds tried", "seeds"),
        ("accepted by synth", "synth"),
        ("accepted by verify", "verify"),
        ("median shape", "shape"),
        ("median question words", "words"),
        ("oracle solved", "oracle"),
        ("synth tokens per accepted question", "tokens"),
        ("agent solve rate (pass@K)", "solve"),
        ("unfinished shards (not counted)", "unfinished"),
    ]
    head = "".join(f"<th>{esc(run.label)}</th>" for run in runs)
    body = "".join(
        f"<tr><th>{esc(name)}</th>" + "".join(f"<td>{esc(cell(run, key))}</td>" for run in runs) + "</tr>"
        for name, key in rows
    )
    return f'<div class="scroll"><table class="summary"><thead><tr><th></th>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _together(*panels: Panel) -> Panel:
    """Several panels in one section, so a wide screen puts their charts side by side."""

    def render(run: RunReport) -> str | None:
        parts = [p for p in (panel(run) for panel in panels) if p is not None]
        return "".join(parts) or None

    return render


SECTIONS: list[tuple[str, str, Panel]] = [
    ("funnel", "Funnel and rejection reasons", _together(funnel_panel, reasons_panel)),
    ("shapes", "Question shapes and shortcut ranks", _together(shapes_panel, shortcut_panel)),
    ("cost", "LLM cost", cost_panel),
    ("trajectories", "Trajectories", trajectory_panel),
]


def _section(anchor: str, title: str, runs: Sequence[RunReport], render: Panel) -> str:
    panels = [render(run) for run in runs]
    if all(p is None for p in panels):
        return ""
    columns = []
    for run, panel in zip(runs, panels, strict=True):
        heading = f'<h3 class="run-name">{esc(run.label)}</h3>' if len(runs) > 1 else ""
        inner = panel if panel is not None else f'<p class="none">no {esc(anchor)} figures in this run</p>'
        columns.append(f'<div class="panel">{heading}<div class="charts">{inner}</div></div>')
    return f'<section id="{anchor}"><h2>{esc(title)}</h2><div class="runs">{"".join(columns)}</div></section>'


def _empty_note(run: RunReport) -> str:
    if not run.empty:
        return ""
    unfinished = "".join(f"<li>{esc(f)}: {n} unfinished shards</li>" for f, n in run.unfinished.items())
    return (
        f'<div class="panel empty"><p><b>{esc(run.label)}</b> holds no finished records yet.</p>'
        f"<p>Grow trees with <code>infoseek-local synth --index INDEX --out {esc(run.path)}</code>, "
        "then run <code>report</code> again.</p>"
        + (f"<ul>{unfinished}</ul>" if unfinished else "")
        + "</div>"
    )


def render_page(runs: Sequence[RunReport]) -> str:
    title = "infoseek-local report: " + ", ".join(run.label for run in runs)
    problems = "".join(
        f'<p class="problem">{esc(run.label)}: {esc(problem)}</p>' for run in runs for problem in run.problems
    )
    sources = "".join(f"<li><b>{esc(run.label)}</b>: {esc(run.path)}</li>" for run in runs)
    body = [
        f'<header><h1>{esc(title)}</h1><ul class="sources">{sources}</ul></header>',
        problems,
        "".join(_empty_note(run) for run in runs),
    ]
    if not all(run.empty for run in runs):
        body.append(f'<section id="summary"><h2>Summary</h2>{_summary_table(runs)}</section>')
        body += [_section(anchor, title_, runs, panel) for anchor, title_, panel in SECTIONS]
        body.append(_cards_section(runs))
    footer = f"<footer>infoseek-local {esc(__version__)} · self-contained page: no scripts, nothing loaded from the network</footer>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f'<body><main style="--runs:{len(runs)}">{"".join(body)}{footer}</main></body></html>\n'
    )
