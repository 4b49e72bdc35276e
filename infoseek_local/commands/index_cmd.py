"""`infoseek-local index` (`info` is in info_cmd.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ..index.fulltext import TOKENIZERS
from ..run.options import executor_options, executor_spec_from_options


@click.command("index")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Index directory."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Workers (default: all cores; at most 8 per core).",
)
@executor_options
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1024),
    default=4 << 20,
    show_default=True,
    help="Longer HTML bodies are cut here (and counted as body_truncated).",
)
@click.option(
    "--tokenizer",
    type=click.Choice(TOKENIZERS),
    default="en_stem",
    show_default=True,
    help="Full-text analyzer: English stemming (better recall) or plain words (~3x faster to index).",
)
@click.option(
    "--mention-links/--no-mention-links",
    default=True,
    show_default=True,
    help="Also link pages whose text names another page's title (a second link kind beside hyperlinks).",
)
def index_command(
    inputs: tuple[str, ...],
    out: Path,
    workers: int | None,
    max_body_bytes: int,
    tokenizer: str,
    mention_links: bool,
    **options: str | None,
) -> None:
    """Build (or extend, or resume) an index from WARC/ARC/WET files, folders or quoted globs. WET files
    (Common Crawl text records) give pages with mention links only."""
    from ..index.build import IndexConfig, build_index

    def on_shard(name: str, skipped_as_done: bool) -> None:
        click.echo(f"  {'kept ' if skipped_as_done else 'done '} {name}", err=True)

    manifest = build_index(
        inputs,
        out,
        workers=workers,
        executor=executor_spec_from_options(options, workers or 1),
        config=IndexConfig(max_body_bytes=max_body_bytes, tokenizer=tokenizer, mention_links=mention_links),
        on_shard=on_shard,
    )
    counts = manifest["counts"]
    click.echo(
        f"{out}: {counts.get('pages', 0)} pages, {counts.get('links', 0)} in-corpus hyperlinks, "
        f"{counts.get('mention_links', 0)} mention links"
    )
    for message in manifest.get("warnings", [])[:10]:
        click.echo(f"warning: {message}", err=True)
    if manifest.get("skipped"):
        click.echo("skipped: " + ", ".join(f"{k}={v}" for k, v in manifest["skipped"].items()))
