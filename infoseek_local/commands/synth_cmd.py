"""`infoseek-local synth`, `show` and `stats`: build research trees and questions, look at them, count them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from ..llm.options import llm_config_from_options, llm_options
from ..run.options import executor_options, executor_spec_from_options


@click.command("synth")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None, help="Index directory.")
@click.option(
    "--out", "run_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run dir."
)
@click.option("--n", type=click.IntRange(min=1), default=None, help="Seeds to attempt (default 10).")
@click.option("--seed", type=int, default=None, help="Random seed (seed sampling and LLM sampling).")
@click.option(
    "--seeds", "seeds_file", type=click.Path(dir_okay=False), default=None, help="File of seed URLs/titles."
)
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Workers (default 1).")
@executor_options
@click.option("--shard-size", type=click.IntRange(min=1), default=None, help="Seeds per output shard.")
@click.option("--min-depth", type=click.IntRange(min=1), default=None, help="Fewest hops (default 2).")
@click.option("--max-depth", type=click.IntRange(min=1), default=None, help="Most hops (default 4).")
@click.option("--max-vertices", type=click.IntRange(min=2), default=None, help="Most vertices (default 5).")
@click.option("--polish", is_flag=True, default=None, help="Let the LLM rephrase questions (code-checked).")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="TOML ([synth] table)."
)
@llm_options
def synth_command(run_dir: Path, config_file: Path | None, **options: Any) -> None:
    """Grow research trees from seed pages and write blurred multi-hop questions into RUN (resumable)."""
    from ..synth.pipeline import resolve_synth_options, run_synth

    seed = options["seed"] if options["seed"] is not None else 0
    llm_config = llm_config_from_options(options, seed=seed)
    executor = executor_spec_from_options(options, workers=1)
    overrides = {key: options[key] for key in SYNTH_OPTION_KEYS}
    overrides["index"] = options["index_dir"]
    config, llm_config, executor = resolve_synth_options(config_file, overrides, llm_config, executor)
    progress = _SynthProgress()
    with progress:
        summary = run_synth(
            config,
            run_dir,
            llm_config,
            executor=executor,
            on_start=progress.start,
            on_tree=progress.tree,
            on_shard=progress.shard,
        )
    rejected = ", ".join(f"{k}={v}" for k, v in summary.rejected.most_common()) or "none"
    click.echo(
        f"{run_dir}: {summary.attempted} seeds, {summary.accepted} questions; rejected: {rejected}; "
        f"{summary.llm_calls} LLM calls, {summary.llm_tokens} tokens"
    )
    if summary.shards_skipped:
        click.echo(f"resumed: {summary.shards_skipped} finished shards kept", err=True)


SYNTH_OPTION_KEYS = (
    "n",
    "seed",
    "seeds_file",
    "workers",
    "shard_size",
    "min_depth",
    "max_depth",
    "max_vertices",
    "polish",
)


class _SynthProgress:
    """Rich progress: attempted, accepted, rejected by reason, tokens/s, ETA (per tree inline, per shard in a pool)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]synth"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}"),
            console=self.console,
            transient=False,
        )
        self.task: Any = None
        self.accepted = 0
        self.rejected: dict[str, int] = {}
        self.tokens = 0
        self.started = time.monotonic()
        self._shard_trees = 0

    def __enter__(self) -> _SynthProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def start(self, n_seeds: int, n_shards: int) -> None:
        self.task = self.progress.add_task("synth", total=n_seeds, status="")

    def _refresh(self, advance: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        reasons = " ".join(f"{k}={v}" for k, v in sorted(self.rejected.items(), key=lambda kv: -kv[1]))
        status = f"accepted {self.accepted}  rejected {sum(self.rejected.values())} [{reasons}]  "
        status += f"{self.tokens / elapsed:.0f} tok/s"
        self.progress.update(self.task, advance=advance, status=status)

    def tree(self, tree: Any) -> None:
        self._shard_trees += 1
        self.tokens += tree.llm_tokens
        if tree.status == "accepted":
            self.accepted += 1
        else:
            self.rejected[tree.reject_reason] = self.rejected.get(tree.reject_reason, 0) + 1
        self._refresh(1)

    def shard(self, counts: Any, skipped_as_done: bool) -> None:
        if self._shard_trees:  # already counted tree by tree (inline run)
            self._shard_trees = 0
            return
        self.accepted += counts.accepted
        for reason, n in counts.rejected.items():
            self.rejected[reason] = self.rejected.get(reason, 0) + n
        if not skipped_as_done:
            self.tokens += counts.llm_tokens
        self._refresh(counts.attempted)


@click.command("show")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("ident", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the tree and question records as JSON.")
def show_command(run_dir: Path, ident: str | None, as_json: bool) -> None:
    """Draw a tree of RUN (by tree or question id, or the first accepted one) with its question and answer."""
    from ..records import to_builtins
    from ..synth.show import find_tree, render_tree
    from ..verify.report import verdict_lines, verdicts_for

    tree, question = find_tree(run_dir, ident)
    verified = question is not None and (run_dir / "verdicts").is_dir()
    if as_json:
        record = {
            "tree": to_builtins(tree),
            "question": to_builtins(question) if question else None,
            "verdicts": [to_builtins(v) for v in verdicts_for(run_dir, question.id)] if verified else [],
        }
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    Console().print(render_tree(tree, question))
    if verified:
        for line in verdict_lines(run_dir, question.id):
            click.echo(line)


@click.command("stats")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def stats_command(run_dir: Path, as_json: bool) -> None:
    """Funnel, hop and vertex distributions, question length, LLM calls and cost per accepted question."""
    from ..stats import build_report

    sections = build_report(run_dir)
    if as_json:
        data = {s.title: {k: v for k, v in s.rows} for s in sections}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not sections:
        console.print(f"{run_dir}: no finished records yet")
    for section in sections:
        table = Table(title=section.title, show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        for key, value in section.rows:
            table.add_row(key, str(value))
        console.print(table)
