"""`infoseek-local info`: what an index holds."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("info")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def info_command(index_dir: Path, as_json: bool) -> None:
    """Pages, links, out-degree statistics and skipped records by reason."""
    from ..index.summary import index_summary, summary_lines

    summary = index_summary(index_dir)
    click.echo(json.dumps(summary, indent=2) if as_json else "\n".join(summary_lines(summary)))
