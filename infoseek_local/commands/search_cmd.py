"""`infoseek-local search` and `infoseek-local page`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import InputError


@click.command("search")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.argument("query")
@click.option("-k", "k", type=click.IntRange(min=1, max=1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search_command(index_dir: Path, query: str, k: int, as_json: bool) -> None:
    """Top-k BM25 hits (title, URL, score, snippet) for QUERY."""
    from ..index.reader import Index
    from ..records import to_builtins

    with Index.open(index_dir) as index:
        hits = index.search(query, k)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(to_builtins(hit), ensure_ascii=False))
        return
    if not hits:
        click.echo("no results")
    for rank, hit in enumerate(hits, 1):
        click.echo(f"{rank:>2}. {hit.title}  [{hit.score:.2f}]  #{hit.page_id}")
        click.echo(f"    {hit.url}")
        if hit.snippet:
            click.echo(f"    {hit.snippet}")


@click.command("page")
@click.option("--index", "index_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.argument("url_or_id")
@click.option("--json", "as_json", is_flag=True, help="The page, its out-links and in-links as JSON.")
def page_command(index_dir: Path, url_or_id: str, as_json: bool) -> None:
    """A page's text, out-links and in-links (hyperlinks and mention links, marked), by page id or URL."""
    from ..index.graph import HYPERLINK, MENTION
    from ..index.reader import Index
    from ..records import to_builtins

    with Index.open(index_dir) as index:
        if url_or_id.isdigit():
            page_id = int(url_or_id)
            if page_id >= index.n_pages:
                raise InputError(
                    f"page id {page_id} out of range: {index_dir} holds ids 0..{index.n_pages - 1}"
                )
            page = index.page(page_id)
        else:
            page = index.page_by_url(url_or_id)
            if page is None:
                raise InputError(
                    f"{url_or_id}: no such page in {index_dir} (URLs are compared canonicalised)"
                )
        out_links = index.out_links(page.id, (HYPERLINK,)) + index.out_links(page.id, (MENTION,))
        in_links = index.in_links(page.id, (HYPERLINK,)) + index.in_links(page.id, (MENTION,))
        titles = {t: index.page(t).title for t in {link.target for link in out_links + in_links}}
    if as_json:
        data = to_builtins(page)
        data["out_links"] = [_link_json(link) for link in out_links]
        data["in_links"] = [_link_json(link) for link in in_links]
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"#{page.id} {page.title}\n{page.url}\n")
    click.echo(page.text)
    click.echo(f"\nout-links ({len(out_links)}):")
    for link in out_links:
        click.echo(f"  -> #{link.target} {titles[link.target]}  {_describe(link)}")
    click.echo(f"in-links ({len(in_links)}):")
    for link in in_links:
        click.echo(f"  <- #{link.target} {titles[link.target]}  {_describe(link)}")


def _link_json(link) -> dict:
    return {"target": link.target, "anchor": link.anchor, "kind": link.kind, "offset": link.offset}


def _describe(link) -> str:
    if link.kind == "mention":
        return f'[mention] "{link.anchor}" at char {link.offset}'
    return f'[hyperlink] "{link.anchor}"'
