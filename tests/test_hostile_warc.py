"""Decompression bombs in WARC files: a record that inflates past the cap is skipped and counted, with the
records around it kept, and the completeness probe stops inflating at the cap (scaled down: the cap is 1 MiB
and the bombs inflate to 3 MiB; tools/bench_bombs.py measures peak RSS at 1 GiB)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import zstandard

from infoseek_local.corpus.warc import ReadStats, iter_html_responses

CAP = 1 << 20
BOMB = 3 << 20


def record(url: str, body: bytes) -> bytes:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\nWARC-Record-ID: <urn:uuid:%s>\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
    ) % (url.encode(), url.encode(), len(http))
    return header + http + b"\r\n\r\n"


def page(number: int) -> bytes:
    return record(
        f"http://example.org/{number}", b"<html><body><p>Page %d about rivers.</p></body></html>" % number
    )


def bomb() -> bytes:
    return record("http://example.org/bomb", b"<html><body>" + b" " * BOMB + b"</body></html>")


def gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def zstd_frame(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=19).compress(data)


def read(path: Path) -> tuple[list[str], ReadStats]:
    stats = ReadStats()
    urls = [r.url for r in iter_html_responses(path, stats, max_body_bytes=1 << 16, max_record_bytes=CAP)]
    return urls, stats


@pytest.mark.parametrize(
    ("codec", "suffix"), [(gzip_member, ".warc.gz"), (zstd_frame, ".warc.zst")], ids=["gzip", "zstd"]
)
@pytest.mark.parametrize("where", ["last", "middle", "alone"])
def test_a_bomb_record_is_skipped_and_counted(tmp_path: Path, codec, suffix: str, where: str) -> None:  # type: ignore[no-untyped-def]
    pages = [codec(page(i)) for i in range(3)] if where != "alone" else []
    members = {"last": [*pages, codec(bomb())], "middle": [*pages[:1], codec(bomb()), *pages[1:]]}
    path = tmp_path / f"bomb{suffix}"
    path.write_bytes(b"".join(members.get(where, [codec(bomb())])))
    urls, stats = read(path)
    assert urls == [f"http://example.org/{i}" for i in range(len(pages))]
    assert stats.skipped == {"record_too_large": 1}
    assert any(f"over the {CAP} a record may inflate to; skipped" in w for w in stats.warnings)


def test_the_completeness_probe_stops_inflating_at_the_cap_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "last.warc.gz"
    path.write_bytes(gzip_member(page(0)) + gzip_member(bomb()))
    _, stats = read(path)
    assert any(f"inflates past {CAP} bytes; not inflated further" in w for w in stats.warnings)
    assert "truncated_file" not in stats.skipped


@pytest.mark.parametrize(
    ("codec", "suffix"), [(gzip_member, ".warc.gz"), (zstd_frame, ".warc.zst")], ids=["gzip", "zstd"]
)
def test_a_file_cut_inside_its_last_record_is_still_caught(tmp_path: Path, codec, suffix: str) -> None:  # type: ignore[no-untyped-def]
    whole = b"".join(codec(page(i)) for i in range(3))
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(whole[:-7])
    _, stats = read(path)
    assert stats.skipped["truncated_file"] == 1


def test_a_plain_warc_with_a_short_last_record_is_caught_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    path.write_bytes(b"".join(page(i) for i in range(2)) + page(2)[:-30])
    _, stats = read(path)
    assert stats.skipped["truncated_file"] == 1
