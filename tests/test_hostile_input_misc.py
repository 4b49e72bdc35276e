"""Hostile or unlucky input to `index` and search (issue 15, item 7): an absurd worker count, inputs without a
single page, queries in another Unicode form than the pages, and site names in page titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from infoseek_local.cli import main
from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.index.reader import Index


def run_main(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(exit_info.value.code or 0)


def real_warc(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pages = [
        WarcPage(f"http://site.test/p{i}", html_page(f"Page {i}", [f"Page {i} is a page about topic {i}."]))
        for i in range(3)
    ]
    return write_warc(folder / "real.warc.gz", pages)


# ── --workers ────────────────────────────────────────────────────────────────────────────────────────────


def test_an_absurd_worker_count_is_a_one_line_error_before_anything_is_written(tmp_path, capsys):
    warc = real_warc(tmp_path / "in")
    code = run_main("index", str(warc), "--out", str(tmp_path / "ix"), "--workers", "100000")
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: --workers 100000: use 1 to ")
    assert err.endswith("; leave it out to use every core\n")
    assert err.count("\n") == 1
    assert not (tmp_path / "ix").exists()


# ── inputs without a page ────────────────────────────────────────────────────────────────────────────────


def empty_warc(folder: Path) -> Path:
    path = folder / "empty.warc"
    path.write_bytes(b"")
    return path


def image_only_warc(folder: Path) -> Path:
    image = WarcPage("http://site.test/logo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    return write_warc(folder / "images.warc.gz", [image])


@pytest.mark.parametrize("make_input", [empty_warc, image_only_warc], ids=["no records", "no HTML records"])
@pytest.mark.parametrize("out_exists", [False, True], ids=["new out", "empty out made beforehand"])
def test_input_without_pages_fails_in_one_line_and_leaves_nothing_half_built(
    tmp_path, capsys, make_input, out_exists
):
    (tmp_path / "in").mkdir()
    bad = make_input(tmp_path / "in")
    out = tmp_path / "ix"
    if out_exists:
        out.mkdir()

    assert run_main("index", str(bad), "--out", str(out), "--workers", "1") == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: no HTML page with text in 1 input file(s)")
    assert out.exists() == out_exists
    if out_exists:
        assert {p.name for p in out.iterdir()} <= {".lock"}

    # `info` must not promise that rerunning the failed command would help
    assert run_main("info", "--index", str(out)) == 1
    info_error = capsys.readouterr().err
    assert "rerun" not in info_error and "not an infoseek-local index" in info_error

    # the same input fails the same clean way again, and real input then builds a working index
    assert run_main("index", str(bad), "--out", str(out), "--workers", "1") == 1
    capsys.readouterr()
    real = real_warc(tmp_path / "in")
    main(["index", str(real), str(bad), "--out", str(out), "--workers", "1"])
    with Index.open(out) as index:
        assert index.n_pages == 3
        assert index.search("topic 1", 1)[0].url == "http://site.test/p1"


# ── queries in another Unicode form ──────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def cities_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cities")
    pages = [
        WarcPage(
            "http://cities.test/istanbul",
            html_page("Istanbul", ["Istanbul is the largest city of its country, on the Bosporus strait."]),
        ),
        WarcPage(
            "http://cities.test/sao-paulo",
            html_page("São Paulo", ["São Paulo is a large city in the south-east of Brazil."]),
        ),
        # a page that says "Paulo" more often: a query that lost "São" ranks it first
        WarcPage(
            "http://cities.test/paulo-freire",
            html_page(
                "Paulo Freire", ["Paulo Freire was an educator. Paulo wrote books; Paulo taught adults."]
            ),
        ),
        WarcPage(
            "http://cities.test/bosporus",
            html_page("Bosporus", ["The Bosporus is a strait; ships pass the city on both of its shores."]),
        ),
    ]
    out = folder / "ix"
    main(["index", str(write_warc(folder / "cities.warc.gz", pages)), "--out", str(out), "--workers", "1"])
    return out


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("İstanbul", "http://cities.test/istanbul"),  # capital dotted I, as Turkish writes it
        ("I\u0307stanbul", "http://cities.test/istanbul"),  # the same, decomposed
        ("Sa\u0303o Paulo", "http://cities.test/sao-paulo"),  # "ã" as a + combining tilde
        ("sa\u0303o", "http://cities.test/sao-paulo"),
    ],
)
def test_queries_find_pages_whatever_unicode_form_they_are_written_in(cities_index, query, url):
    with Index.open(cities_index) as index:
        assert [hit.url for hit in index.search(query, 1)] == [url]
        assert [hit.url for hit in index.search_plain(query, 1)] == [url]


def test_a_query_with_underscores_is_searched_not_a_crash(cities_index):
    with Index.open(cities_index) as index:
        assert index.search_plain("bosporus_strait", 1)[0].url in {
            "http://cities.test/bosporus",
            "http://cities.test/istanbul",
        }
        assert index.search("bosporus_strait", 1)


# ── site names in titles ─────────────────────────────────────────────────────────────────────────────────


def titled(url: str, title: str, head: str = "") -> WarcPage:
    body = html_page(title, [f"This page is about {title}, and it says a few things about it."])
    return WarcPage(url, body.replace(b"</head>", head.encode() + b"</head>"))


def test_titles_lose_the_site_name_but_keep_real_titles(tmp_path):
    pages = [
        titled("http://fictopedia.test/wiki/Saga_Fjell", "Saga Fjell - Fictopedia"),
        titled("https://en.wikipedia.org/wiki/Romeo_and_Juliet", "Romeo and Juliet - Wikipedia"),
        titled("https://en.wikipedia.org/wiki/CSNY", "Crosby, Stills, Nash & Young"),
        titled("https://en.wikipedia.org/wiki/Lake_Vorn", "Lake Vorn - Wikipedia, the free encyclopedia"),
        titled("https://saga.fandom.test/wiki/Varnholm", "Varnholm | Saga Wiki | Fandom"),
        titled("http://music.test/albums/1", "AC/DC - Back in Black"),
        # the site's own front page is named by the site
        titled("http://fictopedia.test/", "Fictopedia - The free fiction encyclopedia"),
        # a real name that starts like the site, before the separator, stays
        titled("http://crosby.test/bands/csny", "Crosby, Stills, Nash & Young - Discography"),
        titled(
            "http://planet.test/news/storm",
            "Storm reaches the coast | Daily Planet",
            '<meta property="og:site_name" content="Daily Planet">',
        ),
    ]
    warc = write_warc(tmp_path / "titles.warc.gz", pages)
    main(["index", str(warc), "--out", str(tmp_path / "ix"), "--workers", "1", "--no-mention-links"])
    with Index.open(tmp_path / "ix") as index:
        titles = {page.url: page.title for page in index.iter_pages()}
        assert index.search("Saga Fjell", 1)[0].title == "Saga Fjell"
    assert titles == {
        "http://fictopedia.test/wiki/Saga_Fjell": "Saga Fjell",
        "https://en.wikipedia.org/wiki/Romeo_and_Juliet": "Romeo and Juliet",
        "https://en.wikipedia.org/wiki/CSNY": "Crosby, Stills, Nash & Young",
        "https://en.wikipedia.org/wiki/Lake_Vorn": "Lake Vorn",
        "https://saga.fandom.test/wiki/Varnholm": "Varnholm",
        "http://music.test/albums/1": "AC/DC - Back in Black",
        "http://fictopedia.test/": "Fictopedia - The free fiction encyclopedia",
        "http://crosby.test/bands/csny": "Crosby, Stills, Nash & Young - Discography",
        "http://planet.test/news/storm": "Storm reaches the coast",
    }
