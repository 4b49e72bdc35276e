"""`index` on made-up corpora: bad input, worker processes, resume after a kill, extending an index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli, main
from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.errors import IndexMismatchError, InputError
from infoseek_local.index import build as build_module
from infoseek_local.index.build import IndexConfig, build_index
from infoseek_local.index.reader import Index


def site_page(i: int, n: int) -> WarcPage:
    """Page i of an n-page site: each page links to the next three and to one page outside the corpus."""
    links = [(f"/p{(i + d) % n}", f"page {(i + d) % n}") for d in (1, 2, 3)] + [("https://else.where/", "x")]
    text = [f"Page number {i} talks about topic{i} and shares words with its neighbours {i + 1}."]
    return WarcPage(f"http://site.test/p{i}", html_page(f"Page {i}", text, links))


def make_corpus(folder: Path, files: int, per_file: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    n = files * per_file
    return [
        write_warc(folder / f"part{f}.warc.gz", [site_page(f * per_file + i, n) for i in range(per_file)])
        for f in range(files)
    ]


def urls_by_id(path: Path) -> list[str]:
    with Index.open(path) as index:
        return [page.url for page in index.iter_pages()]


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# ── bad input ─────────────────────────────────────────────────────────────────────────────────────────────


def test_missing_file_fails_before_writing(tmp_path):
    with pytest.raises(InputError) as error:
        build_index([str(tmp_path / "nope.warc.gz")], tmp_path / "ix")
    assert (
        str(error.value)
        == f"{tmp_path / 'nope.warc.gz'}: no such file; check the path (globs must be quoted)"
    )
    assert not (tmp_path / "ix").exists()


def test_glob_without_match(tmp_path):
    with pytest.raises(InputError, match=r"the glob matches no file$"):
        build_index([str(tmp_path / "*.warc.gz")], tmp_path / "ix")


def test_not_a_warc_fails_before_writing(tmp_path):
    junk = tmp_path / "notes.warc"
    junk.write_text("just some text\n")
    with pytest.raises(InputError) as error:
        build_index([str(junk)], tmp_path / "ix")
    assert (
        str(error.value)
        == f"{junk}: not a WARC or ARC file (no record header at byte 0); remove it from the inputs"
    )
    assert not (tmp_path / "ix").exists()


def test_not_a_warc_via_cli_is_one_line(tmp_path, capsys):
    junk = tmp_path / "x.warc.gz"
    junk.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(SystemExit) as exit_info:
        main(["index", str(junk), "--out", str(tmp_path / "ix")])
    assert exit_info.value.code == 1
    assert (
        capsys.readouterr().err
        == f"error: {junk}: gzip header is corrupt at byte 0; not a readable .warc.gz\n"
    )


def test_empty_file_is_skipped_and_counted(tmp_path):
    [good] = make_corpus(tmp_path / "in", 1, 5)
    empty = tmp_path / "in" / "empty.warc.gz"
    empty.write_bytes(b"")
    manifest = build_index([str(good), str(empty)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == 5
    assert manifest["skipped"]["empty_file"] == 1
    assert f"{empty.resolve()}: empty file, nothing to read" in manifest["warnings"]


def test_truncated_gzip_keeps_records_before_the_cut(tmp_path, sample_warc):
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(sample_warc.read_bytes()[:200_000])
    manifest = build_index([str(cut)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == 183
    assert manifest["skipped"]["truncated_file"] == 1
    assert manifest["warnings"] == [
        f"{cut.resolve()}: file ends inside the record at byte 199743 (cut short?); kept the records before it"
    ]


def test_broken_record_header_continues_with_warcio(tmp_path, sample_warc):
    import gzip

    from fastwarc.warc import ArchiveIterator

    with open(sample_warc, "rb") as f:
        offsets = [record.stream_pos for record in ArchiveIterator(f)]
    data = sample_warc.read_bytes()
    bad = gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: banana\r\n\r\nxxxx\r\n\r\n")
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(data[: offsets[5]] + bad + data[offsets[5] : offsets[12]])
    manifest = build_index([str(broken)], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == 11  # every page before and after the broken record
    assert manifest["sources"][0]["reader"] == "fastwarc+warcio"
    assert manifest["warnings"] == [
        f"{broken.resolve()}: fastwarc stopped after 6 records (Invalid WARC header); continuing with warcio"
    ]


def test_huge_body_is_capped_and_counted(tmp_path):
    big = html_page("Big", ["word " * 50_000])
    path = write_warc(tmp_path / "big.warc.gz", [WarcPage("http://big.test/", big), site_page(0, 1)])
    manifest = build_index([str(path)], tmp_path / "ix", workers=1, config=IndexConfig(max_body_bytes=10_000))
    assert manifest["counts"]["body_truncated"] == 1
    with Index.open(tmp_path / "ix") as index:
        page = index.page_by_url("http://big.test/")
        assert page is not None and 1_000 < len(page.text) <= 10_000


def test_invalid_bytes_and_odd_charsets_decode(tmp_path):
    pages = [
        WarcPage("http://c.test/bad-utf8", b"<title>Caf\xc3\xa9</title><p>broken \xff\xfe bytes here</p>"),
        WarcPage(
            "http://c.test/latin1", "<title>Café</title><p>Grüße aus Köln</p>".encode("latin-1"), "text/html"
        ),
        WarcPage("http://c.test/bogus", b"<p>bogus charset label</p>", "text/html; charset=x-no-such-codec"),
        WarcPage(
            "http://c.test/cp1251", "<p>Привет мир</p>".encode("cp1251"), "text/html; charset=windows-1251"
        ),
    ]
    manifest = build_index([str(write_warc(tmp_path / "c.warc.gz", pages))], tmp_path / "ix", workers=1)
    assert manifest["counts"]["pages"] == 4
    with Index.open(tmp_path / "ix") as index:
        assert "broken" in index.page_by_url("http://c.test/bad-utf8").text
        assert index.page_by_url("http://c.test/latin1").text == "Grüße aus Köln"
        assert index.page_by_url("http://c.test/bogus").text == "bogus charset label"
        assert index.page_by_url("http://c.test/cp1251").text == "Привет мир"


def test_html_without_text_and_garbage_links(tmp_path):
    garbage = b'<p>Links: <a href="http://[::1">a</a> <a href="javascript:x()">b</a> <a href="/ok">ok</a></p>'
    pages = [
        WarcPage("http://g.test/empty", b"<html><body><script>var x;</script><img src=a.png></body></html>"),
        WarcPage("http://g.test/links", garbage),
        WarcPage("http://g.test/ok", b"<p>target page</p>"),
    ]
    manifest = build_index([str(write_warc(tmp_path / "g.warc.gz", pages))], tmp_path / "ix", workers=1)
    assert manifest["skipped"]["no_text"] == 1
    assert manifest["counts"]["garbage_links"] == 2
    with Index.open(tmp_path / "ix") as index:
        links_page = index.page_by_url("http://g.test/links")
        ok = index.page_by_url("http://g.test/ok")
        assert [(link.target, link.anchor) for link in index.out_links(links_page.id)] == [(ok.id, "ok")]


def test_output_dir_with_other_content_or_options(tmp_path):
    [warc] = make_corpus(tmp_path / "in", 1, 4)
    other = tmp_path / "other"
    other.mkdir()
    (other / "thesis.tex").write_text("x")
    with pytest.raises(IndexMismatchError) as error:
        build_index([str(warc)], other)
    assert str(error.value) == f"{other}: not empty and not an infoseek-local index; choose another --out"

    build_index([str(warc)], tmp_path / "ix", workers=1)
    with pytest.raises(
        IndexMismatchError,
        match=r"holds an index built with \{'max_body_bytes': 4194304, 'tokenizer': 'en_stem', 'mention_links': True\}",
    ):
        build_index([str(warc)], tmp_path / "ix", config=IndexConfig(max_body_bytes=5000))


def test_failed_extension_leaves_the_index_readable(tmp_path, monkeypatch):
    files = make_corpus(tmp_path / "in", 2, 5)
    build_index([str(files[0])], tmp_path / "ix", workers=1)
    before = urls_by_id(tmp_path / "ix")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # a kill in the middle of the merge

    monkeypatch.setattr(build_module, "merge_shards", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index([str(files[1])], tmp_path / "ix", workers=1)
    assert urls_by_id(tmp_path / "ix") == before
    monkeypatch.undo()
    build_index([str(files[1])], tmp_path / "ix", workers=1)
    assert urls_by_id(tmp_path / "ix")[:5] == before


# ── workers, resume, extension ───────────────────────────────────────────────────────────────────────────


def test_two_workers_give_the_same_index_as_one(tmp_path):
    files = make_corpus(tmp_path / "in", 3, 20)
    one = build_index([str(p) for p in files], tmp_path / "one", workers=1)
    two = build_index([str(p) for p in files], tmp_path / "two", workers=2, split_bytes=1)
    assert len(two["shards"]) == 6  # each file split in two parts by URL hash
    assert urls_by_id(tmp_path / "one") == urls_by_id(tmp_path / "two")
    assert one["counts"] == two["counts"]
    assert (one["counts"]["pages"], one["counts"]["links"]) == (60, 180)


def test_rerun_is_a_no_op_and_extension_keeps_ids(tmp_path):
    files = make_corpus(tmp_path / "in", 3, 10)
    code, output = run_cli(
        "index", str(files[0]), str(files[1]), "--out", str(tmp_path / "ix"), "--workers", "1"
    )
    assert code == 0 and f"{tmp_path / 'ix'}: 20 pages, 54 in-corpus hyperlinks, 0 mention links\n" in output
    first = urls_by_id(tmp_path / "ix")
    generation = (tmp_path / "ix" / "manifest.json").read_text()
    run_cli("index", str(files[0]), str(files[1]), "--out", str(tmp_path / "ix"))
    assert (tmp_path / "ix" / "manifest.json").read_text() == generation  # nothing new: nothing rebuilt

    code, output = run_cli("index", str(files[2]), "--out", str(tmp_path / "ix"), "--workers", "1")
    assert f"{tmp_path / 'ix'}: 30 pages, 90 in-corpus hyperlinks, 0 mention links\n" in output
    after = urls_by_id(tmp_path / "ix")
    assert after[:20] == first
    with Index.open(tmp_path / "ix") as index:
        # an old page now links to a page that arrived later
        assert any(link.target >= 20 for link in index.out_links(19))
        assert len(index.manifest["sources"]) == 3


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    files = make_corpus(tmp_path / "in", 6, 40)
    build_index([str(p) for p in files], tmp_path / "reference", workers=1)
    out = tmp_path / "ix"
    command = [sys.executable, "-m", "infoseek_local.cli", "index", *map(str, files), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--workers", "1"], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    done = out / "extract" / "_done"
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if done.is_dir() and any(done.iterdir()):
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait()
    killed_early = not (out / "manifest.json").exists()
    code, _ = run_cli("index", *map(str, files), "--out", str(out), "--workers", "1")
    assert code == 0
    assert urls_by_id(out) == urls_by_id(tmp_path / "reference")
    assert killed_early, "the run finished before it could be killed; make the corpus bigger"


def test_zstd_warc_and_its_truncation(tmp_path, sample_warc):
    import gzip

    import zstandard

    whole = zstandard.ZstdCompressor().compress(gzip.decompress(sample_warc.read_bytes()))
    (tmp_path / "in").mkdir()
    good = tmp_path / "in" / "sample.warc.zst"
    good.write_bytes(whole)
    manifest = build_index([str(tmp_path / "in")], tmp_path / "ix", workers=1)  # found by folder search
    assert (manifest["counts"]["pages"], manifest["counts"]["links"]) == (400, 3371)

    cut = tmp_path / "cut.warc.zst"
    cut.write_bytes(whole[:100_000])
    manifest = build_index([str(cut)], tmp_path / "ix-cut", workers=1)
    assert 0 < manifest["counts"]["pages"] < 400
    assert manifest["skipped"]["truncated_file"] == 1
    assert manifest["warnings"][0].startswith(f"{cut.resolve()}: unreadable after ")


def test_default_tokenizer_and_concurrent_run_lock(tmp_path):
    import fcntl

    [warc] = make_corpus(tmp_path / "in", 1, 5)
    manifest = build_index([str(warc)], tmp_path / "ix", workers=1, config=IndexConfig(tokenizer="default"))
    assert manifest["config"]["tokenizer"] == "default"
    with Index.open(tmp_path / "ix") as index:
        assert index.search("topic3", 1)[0].url == "http://site.test/p3"
        assert index.search("pages", 5) == []  # no stemming: "pages" does not match "page"
    with open(tmp_path / "ix" / ".lock", "w") as lock:  # as if another run held the directory
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(InputError, match=r"another `infoseek-local index` run is writing here"):
            build_index([str(warc)], tmp_path / "ix", workers=1, config=IndexConfig(tokenizer="default"))


def test_index_from_another_schema_version_is_refused(tmp_path):
    import json

    [warc] = make_corpus(tmp_path / "in", 1, 3)
    build_index([str(warc)], tmp_path / "ix", workers=1)
    for name in ("build.json", "manifest.json"):
        data = json.loads((tmp_path / "ix" / name).read_text())
        data["schema_version"] = 99
        (tmp_path / "ix" / name).write_text(json.dumps(data))
    message = f"{tmp_path / 'ix' / 'build.json'}: index schema version 99, this tool reads 1; rebuild into a new --out"
    with pytest.raises(IndexMismatchError) as error:
        build_index([str(warc)], tmp_path / "ix", workers=1)
    assert str(error.value) == message
    with pytest.raises(IndexMismatchError, match=r"manifest.json: index schema version 99"):
        Index.open(tmp_path / "ix")


def test_info_text_output(tmp_path):
    files = make_corpus(tmp_path / "in", 1, 6)
    build_index([str(files[0])], tmp_path / "ix", workers=1)
    code, output = run_cli("info", "--index", str(tmp_path / "ix"))
    assert code == 0
    assert "pages      6\n" in output
    assert "hyperlinks 18 in-corpus\n" in output
    assert (
        "out-degree hyperlinks mean 3.0, median 3.0, 100.0% of pages with >=3 in-corpus out-links\n" in output
    )
    assert "mentions   0 mention links" in output
    assert output.endswith("skipped    record_warcinfo=1\n")
