"""`infoseek-local verify RUN`: keep only hard, verifiable, grounded questions, with a verdict and reason each."""

from __future__ import annotations

from pathlib import Path

import click

from ..llm.endpoint_pool import DEFAULT_MAX_IN_FLIGHT
from ..llm.factory import BACKENDS
from ..run.options import executor_options, executor_spec_from_options
from ..verify.registry import CHECKS


@click.command("verify")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--checks",
    default=None,
    help=f"Comma-separated checks, run in this order (default: [verify] checks of RUN/config.toml, else all): "
    f"{', '.join(CHECKS)}. duplicate always runs last, over the survivors.",
)
@click.option("--samples", type=click.IntRange(min=1), default=None, help="Closed-book samples (difficulty).")
@click.option(
    "--distractors", type=click.IntRange(min=0), default=None, help="BM25 distractor pages (verifiability)."
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index (default: key `index` of RUN/config.toml).",
)
@click.option(
    "--judge-model",
    "--model",
    "model",
    type=click.Path(dir_okay=False),
    default=None,
    help="GGUF judge model (default: the embedded SmolLM2-135M, which is weak as a judge).",
)
@click.option(
    "--judge-endpoint",
    "--endpoint",
    "endpoints",
    multiple=True,
    help="OpenAI-compatible judge server URL; repeat for a pool.",
)
@click.option(
    "--max-in-flight",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_IN_FLIGHT,
    show_default=True,
    help="Most judge calls one worker keeps in flight at each --endpoint; a failed call moves to another.",
)
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="fake: dry runs.")
@click.option(
    "--n-ctx", type=click.IntRange(min=256), default=2048, show_default=True, help="Judge context size."
)
@click.option("--threads", type=click.IntRange(min=1), default=None, help="CPU threads for llama.cpp.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML with a [verify] table.",
)
@click.option(
    "--keep-going", is_flag=True, default=None, help="Run every check on every question (diagnostics)."
)
@click.option(
    "--llm-match", is_flag=True, default=None, help="Ask the judge when exact/alias matching fails."
)
@click.option(
    "--grounded-judge/--no-grounded-judge",
    default=None,
    help="Ask the judge about claims code cannot accept (default: on, off with the embedded 135M model, "
    "which calls every claim supported).",
)
@click.option("--seed", type=int, default=None, help="Base seed of the judge's samples.")
@click.option("--restart", is_flag=True, help="Drop earlier verdicts and verify the whole run again.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Workers.")
@executor_options
def verify_command(
    run_dir: Path,
    checks: str | None,
    samples: int | None,
    distractors: int | None,
    index_dir: Path | None,
    model: str | None,
    endpoints: tuple[str, ...],
    max_in_flight: int,
    backend: str | None,
    n_ctx: int,
    threads: int | None,
    config_file: Path | None,
    keep_going: bool | None,
    llm_match: bool | None,
    grounded_judge: bool | None,
    seed: int | None,
    restart: bool,
    workers: int,
    **options: str | None,
) -> None:
    """Run the quality checks over RUN's questions: RUN/verdicts/ (every verdict) and RUN/accepted/ (resumable)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from ..llm.factory import LLMConfig
    from ..verify.pipeline import resolve_verify_options, run_verify

    overrides = {
        "grounded_judge": grounded_judge,
        "checks": checks,
        "samples": samples,
        "distractors": distractors,
        "keep_going": keep_going,
        "llm_answer_match": llm_match,
        "seed": seed,
    }
    judge = LLMConfig(
        model=model,
        endpoints=endpoints,
        backend=backend,
        n_ctx=n_ctx,
        threads=threads,
        max_in_flight=max_in_flight,
    )
    config, judge, notes = resolve_verify_options(run_dir, config_file, overrides, judge)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        bar = progress.add_task("verify", total=None)
        summary = run_verify(
            run_dir,
            config,
            llm_config=judge,
            index_override=index_dir,
            restart=restart,
            executor=executor_spec_from_options(options, workers),
            progress=lambda n: progress.update(bar, advance=n),
            on_start=lambda total: progress.update(bar, total=total),
        )
    table = Table()
    for column in ("check", "entered", "passed", "pass rate"):
        table.add_column(column, justify="left" if column == "check" else "right")
    for stage in summary.funnel:
        rate = f"{stage.passed / stage.entered:.0%}" if stage.entered else "-"
        table.add_row(stage.name, str(stage.entered), str(stage.passed), rate)
    Console().print(table)
    click.echo(f"{run_dir}: {summary.accepted} of {summary.questions} questions accepted")
    if summary.verified_now:
        tokens = summary.prompt_tokens + summary.completion_tokens
        click.echo(
            f"verified {summary.verified_now} questions now in {summary.seconds:.1f} s: "
            f"{summary.seconds / summary.verified_now:.2f} s and {tokens / summary.verified_now:.0f} judge tokens "
            f"per question ({summary.llm_calls} judge calls)"
        )
    if summary.shards_done_before:
        click.echo(f"resumed: {summary.shards_done_before} shards were already verified", err=True)
