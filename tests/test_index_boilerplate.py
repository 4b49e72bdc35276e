"""Boilerplate links: links inside nav/header/footer/aside and site chrome (on most pages of a site) stay out
of the link graph and are counted in `info`."""

from __future__ import annotations

import json
from html import escape

from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.corpus.links import extract_links, extract_research_links
from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index

NAV = ["home", "about", "contact", "privacy", "help"]
BOTH = ("hyperlink", "mention")


def nav_site_page(i: int, n: int) -> WarcPage:
    """Article i of n: a <nav> with the same 5 navigation pages on every article, two content links."""
    nav = "".join(f'<a href="/{name}">{name.title()}</a>' for name in NAV)
    content = "".join(
        f'<p>Article {i} cites <a href="/a{(i + d) % n}">article {(i + d) % n}</a>.</p>' for d in (1, 2)
    )
    html = (
        f"<html><head><title>Article {i}</title></head><body><header><nav>{nav}</nav></header>"
        f"<main><h1>Article {i}</h1>{content}</main><footer><a href='/privacy'>Privacy</a></footer></body></html>"
    )
    return WarcPage(f"http://site.test/a{i}", html.encode())


def nav_pages() -> list[WarcPage]:
    return [
        WarcPage(
            f"http://site.test/{name}", html_page(name.title(), [f"The {escape(name)} page of the site."])
        )
        for name in NAV
    ]


def test_links_in_nav_header_footer_aside_are_left_out_and_counted():
    html = (
        '<nav><a href="/n1">n</a><div><a href="/n2">n</a></div></nav><p><a href="/keep">keep</a></p>'
        '<aside><a href="/s">s</a></aside><footer><a href="/f">f</a></footer><header><a href="/h">h</a>'
    )
    links, bad, boilerplate = extract_research_links(html, "http://p.test/x")
    assert [link.url for link in links] == ["http://p.test/keep"]
    assert (bad, boilerplate) == (0, 5)  # the unclosed <header> runs to the end of the page
    assert len(extract_links(html, "http://p.test/x")[0]) == 6  # the plain scan still sees every link


def test_navigation_pages_get_no_in_links_so_no_tree_passes_through_them(tmp_path):
    n = 12
    warc = write_warc(tmp_path / "nav.warc.gz", [*(nav_site_page(i, n) for i in range(n)), *nav_pages()])
    build_index([str(warc)], tmp_path / "ix", workers=1)
    with Index.open(tmp_path / "ix") as index:
        ids = {page.url: page.id for page in index.iter_pages()}
        for name in NAV:
            assert index.in_links(ids[f"http://site.test/{name}"], BOTH) == []
        assert index.n_links == 2 * n  # the content links, every one
        assert index.manifest["counts"]["boilerplate_links"] == n * (len(NAV) + 1)
    summary = json.loads(CliRunner().invoke(cli, ["info", "--index", str(tmp_path / "ix"), "--json"]).output)
    assert summary["boilerplate_links"] == n * (len(NAV) + 1)
    text = CliRunner().invoke(cli, ["info", "--index", str(tmp_path / "ix")]).output
    assert f"boilerplate {n * (len(NAV) + 1)} links in nav/header/footer/aside, 0 site-chrome links" in text


def test_links_on_most_pages_of_a_site_are_site_chrome(tmp_path):
    """No <nav> here: every article lists the same three site pages in a plain list (site chrome)."""
    n = 10
    chrome = [("/about", "About us"), ("/terms", "Terms"), ("/blog", "Blog")]
    articles = [
        WarcPage(
            f"http://shop.test/item{i}",
            html_page(
                f"Item {i}", [f"Item {i} is sold here."], [(f"/item{(i + 1) % n}", "next item"), *chrome]
            ),
        )
        for i in range(n)
    ]
    # the blog page is linked from one other site's page too: that link is content, not chrome
    other = WarcPage(
        "http://else.test/", html_page("Elsewhere", ["A review."], [("http://shop.test/blog", "blog")])
    )
    site = [
        WarcPage(f"http://shop.test{href}", html_page(anchor, [f"{anchor} of the shop."]))
        for href, anchor in chrome
    ]
    warc = write_warc(tmp_path / "shop.warc.gz", [*articles, *site, other])
    build_index([str(warc)], tmp_path / "ix", workers=1)
    with Index.open(tmp_path / "ix") as index:
        ids = {page.url: page.id for page in index.iter_pages()}
        assert index.in_links(ids["http://shop.test/about"]) == []
        assert [link.target for link in index.in_links(ids["http://shop.test/blog"])] == [
            ids["http://else.test/"]
        ]
        assert index.n_links == n + 1
        assert index.manifest["counts"]["site_chrome_links"] == n * len(chrome)
