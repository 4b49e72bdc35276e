"""`infoseek-local sample RUN`: trajectories for a run's accepted questions (tree-guided, and rejection-sampled
agent ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..llm.options import llm_config_from_options, llm_options
from ..run.options import executor_options, executor_spec_from_options


@click.command("sample")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index to search (default: key `index` of RUN/config.toml).",
)
@click.option(
    "--mode",
    type=click.Choice(["both", "guided", "agent", "free"]),
    default="both",
    show_default=True,
    help="guided: one trajectory per question following its research tree (no LLM); agent: K samples by an "
    "agent that picks among proposed queries and answers (small models); free: K samples by the free-form "
    "agent (bigger models); both: guided + agent.",
)
@llm_options
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Agent trajectories per question.",
)
@click.option(
    "--max-turns",
    type=click.IntRange(min=1, max=20),
    default=None,
    help="Agent turns per trajectory (default: 6 for agent, 4 for free).",
)
@click.option(
    "--own-words",
    is_flag=True,
    help="agent mode: also let the model write its own query or answer (for bigger models).",
)
@click.option(
    "--max-queries",
    type=click.IntRange(min=1, max=3),
    default=3,
    show_default=True,
    help="free mode: queries per search turn.",
)
@click.option("--temperature", type=click.FloatRange(min=0.0, max=2.0), default=0.7, show_default=True)
@click.option(
    "--token-budget",
    type=click.IntRange(min=500),
    default=12000,
    show_default=True,
    help="free mode: prompt + completion tokens one trajectory may spend.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Base seed; each sample derives its own."
)
@click.option(
    "--llm-judge",
    is_flag=True,
    help="Ask the LLM when exact/alias answer matching fails (weak with tiny models).",
)
@click.option("--questions-per-shard", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Workers.")
@executor_options
def sample_command(
    run_dir: Path,
    index_dir: Path | None,
    mode: str,
    samples: int,
    max_turns: int | None,
    own_words: bool,
    max_queries: int,
    temperature: float,
    token_budget: int,
    seed: int,
    llm_judge: bool,
    questions_per_shard: int,
    workers: int,
    **options: Any,
) -> None:
    """Write trajectories for the accepted questions of RUN into RUN/trajectories/ (resumable).

    A guided trajectory follows the question's research tree with real searches (a question without one is
    counted by reason); agent trajectories are K samples each, kept with their reward and flagged correct
    when the answer matches (rejection sampling keeps those for SFT). Each records its origin.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..agent.agent import AgentConfig
    from ..agent.choice import ChoiceConfig
    from ..agent.sampling import SampleConfig, sample_run

    if temperature == 0 and samples > 1 and mode != "guided":
        click.echo(
            "note: at --temperature 0 the samples of a question come out the same (greedy decoding)", err=True
        )
    executor = executor_spec_from_options(options, workers)
    llm_config = llm_config_from_options(options, seed=seed) if mode != "guided" else None
    config = SampleConfig(
        samples=samples,
        temperature=temperature,
        seed=seed,
        questions_per_shard=questions_per_shard,
        agent=AgentConfig(
            max_turns=max_turns or AgentConfig().max_turns,
            max_queries=max_queries,
            token_budget=token_budget,
            llm_judge=llm_judge,
        ),
        mode=mode,
        choice=ChoiceConfig(
            max_turns=max_turns or ChoiceConfig().max_turns, own_words=own_words, llm_judge=llm_judge
        ),
    )
    columns = (
        TextColumn("sampling"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[kept]} kept"),
    )
    with Progress(*columns, TimeRemainingColumn(), transient=False) as progress:
        bar = progress.add_task("sample", total=None, kept=0)
        kept, seen_in_shard = 0, 0

        def on_start(total: int, done: int) -> None:
            progress.update(bar, total=total, completed=done)

        def on_trajectory(trajectory: Any) -> None:
            nonlocal kept, seen_in_shard
            kept += trajectory.correct
            seen_in_shard += 1
            progress.update(bar, advance=1, kept=kept)

        def on_shard(counts: Any, skipped: bool) -> None:
            nonlocal kept, seen_in_shard
            if skipped or not seen_in_shard:  # workers elsewhere report whole shards, inline ones each record
                kept += counts.correct
                progress.update(bar, advance=0 if skipped else counts.trajectories, kept=kept)
            seen_in_shard = 0

        summary = sample_run(
            run_dir,
            config,
            index_path=index_dir,
            llm_config=llm_config,
            executor=executor,
            on_start=on_start,
            on_trajectory=on_trajectory,
            on_shard=on_shard,
        )
    solve_rate = summary.solved_questions / summary.questions if summary.questions else 0.0
    click.echo(
        f"{run_dir}: {summary.trajectories} trajectories for {summary.questions} questions, "
        f"{summary.correct} kept (answer matches), {summary.solved_questions} questions solved ({solve_rate:.1%})"
    )
    if config.guided_wanted:
        dropped = ", ".join(f"{reason}={n}" for reason, n in sorted(summary.guided_dropped.items())) or "none"
        click.echo(
            f"guided: {summary.guided} of {summary.questions} questions have a trajectory; dropped: {dropped}"
        )
    if summary.shards_skipped:
        click.echo(f"resumed: {summary.shards_skipped} shards were already done", err=True)
