"""`infoseek-local report RUN [RUN ...]`: one self-contained HTML page with a run's charts and drawn trees."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("report")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: report.html inside the first RUN).",
)
@click.option(
    "--cards",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Question cards per run; from more questions, those whose ids hash lowest (the same seeds in every run).",
)
def report_command(run_dirs: tuple[Path, ...], out: Path | None, cards: int) -> None:
    """Funnel, rejection reasons, question shapes, shortcut ranks, LLM cost, trajectories and a sample of
    questions with their trees drawn, as one HTML file that opens offline. Several RUNs: side by side."""
    from ..report import write_report

    result = write_report(list(run_dirs), out, cards=cards)
    empty = f"; {result.empty_runs} run(s) hold no finished records yet" if result.empty_runs else ""
    click.echo(
        f"wrote {result.path} ({result.size / 1024:,.0f} KB): {result.runs} run(s), {result.cards} cards{empty}"
    )
