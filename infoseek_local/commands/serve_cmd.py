"""`infoseek-local serve`: a Search-R1-compatible retrieval HTTP server over an index."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("serve")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind; the server has no auth."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port."
)
@click.option(
    "--topk",
    "default_topk",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Hits per query when a request sends no topk.",
)
@click.option("--max-topk", type=click.IntRange(min=1), default=50, show_default=True)
@click.option(
    "--max-queries", type=click.IntRange(min=1), default=256, show_default=True, help="Per request."
)
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=1 << 20, show_default=True)
@click.option(
    "--doc-chars",
    type=click.IntRange(min=1),
    default=1200,
    show_default=True,
    help="Page text per returned document.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Index readers, i.e. searches run at once.",
)
@click.option("--max-connections", type=click.IntRange(min=1), default=64, show_default=True)
@click.option(
    "--request-timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds for one whole request (a client trickling bytes is cut off here).",
)
@click.option(
    "--backlog",
    type=click.IntRange(min=1),
    default=1024,
    show_default=True,
    help="Connections queued before accept.",
)
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
def serve_command(index_dir: Path, **options: object) -> None:
    """Serve POST /retrieve ({"queries", "topk", "return_scores"}, as Search-R1's retriever) and GET /health."""
    from ..agent.server import ServerConfig, make_server

    server = make_server(index_dir, ServerConfig(**options))  # type: ignore[arg-type]
    if server.config.host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {server.config.host}; anyone who can reach it can query the index",
            err=True,
        )
    click.echo(
        f"serving {index_dir} ({server.pool.n_pages} pages) at {server.url}/retrieve; Ctrl-C stops", err=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
