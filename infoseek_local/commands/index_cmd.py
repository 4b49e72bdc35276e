"""`infoseek-local index` and `infoseek-local info`."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("index")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Index directory."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: all cores; at most 8 per core).",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1024),
    default=4 << 20,
    show_default=True,
    help="Longer HTML bodies are cut here (and counted as body_truncated).",
)
@click.option(
    "--tokenizer",
    type=click.Choice(["en_stem", "default"]),
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


def _degree_figures(out_degrees, n: int) -> dict:
    import numpy as np

    return {
        "mean_out_degree": round(float(out_degrees.mean()), 3) if n else 0.0,
        "median_out_degree": float(np.median(out_degrees)) if n else 0.0,
        "share_with_3_or_more_out_links": round(float((out_degrees >= 3).mean()), 4) if n else 0.0,
    }


def index_summary(path: Path) -> dict:
    """The figures `info` prints: sizes, degree statistics per link kind and skips by reason."""
    import numpy as np

    from ..index.graph import HYPERLINK, MENTION
    from ..index.reader import Index

    with Index.open(path) as index:
        out_degrees = np.asarray(index.out_degrees())
        manifest = index.manifest
        n = index.n_pages
        counts = manifest["counts"]
        return {
            "path": str(path),
            "pages": n,
            "links": index.n_links,
            **_degree_figures(out_degrees, n),
            "mention_links": index.n_mention_links,
            "mention_links_also_hyperlinked": counts.get("mention_links_also_hyperlinked", 0),
            "mentions": _degree_figures(np.asarray(index.out_degrees((MENTION,))), n),
            "both_kinds": _degree_figures(np.asarray(index.out_degrees((HYPERLINK, MENTION))), n),
            "boilerplate_links": counts.get("boilerplate_links", 0),
            "site_chrome_links": counts.get("site_chrome_links", 0),
            "sources": len(manifest["sources"]),
            "records": manifest["counts"].get("records", 0),
            "skipped": manifest.get("skipped", {}),
            "counts": manifest["counts"],
            "index_id": manifest["index_id"],
            "tool_version": manifest["tool_version"],
            "updated": manifest["updated"],
        }


@click.command("info")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info_command(index_dir: Path, as_json: bool) -> None:
    """Pages, links, out-degree statistics and skipped records by reason."""
    summary = index_summary(index_dir)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"index      {summary['path']} ({summary['index_id'][:12]}, tool {summary['tool_version']})")
    click.echo(f"sources    {summary['sources']} files, {summary['records']} records")
    click.echo(f"pages      {summary['pages']}")
    click.echo(f"hyperlinks {summary['links']} in-corpus")
    click.echo(
        f"mentions   {summary['mention_links']} mention links "
        f"({summary['mention_links_also_hyperlinked']} to pages the mentioning page also hyperlinks)"
    )
    click.echo(
        f"boilerplate {summary['boilerplate_links']} links in nav/header/footer/aside, "
        f"{summary['site_chrome_links']} site-chrome links: left out of the graph"
    )
    for label, figures in (
        ("hyperlinks", summary),
        ("mentions", summary["mentions"]),
        ("both", summary["both_kinds"]),
    ):
        click.echo(
            f"out-degree {label:<10} mean {figures['mean_out_degree']}, median {figures['median_out_degree']}, "
            f"{figures['share_with_3_or_more_out_links']:.1%} of pages with >=3 in-corpus out-links"
        )
    skipped = summary["skipped"]
    click.echo("skipped    " + (", ".join(f"{k}={v}" for k, v in skipped.items()) if skipped else "none"))
