"""Reading HTML responses out of WARC and ARC files: fastwarc first, warcio for what fastwarc rejects.

fastwarc is several times faster but reads no ARC and stops at a broken record header; warcio reads ARC and
is lenient about truncation, but refuses gzip members that span records. When one reader fails we continue
with the other, skipping records already seen, so a file yields every record either reader can read.
Everything that is not kept is counted by reason in `ReadStats.skipped`.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from ..errors import InputError
from .http import parse_http_response
from .members import ZSTD_MAGIC as _ZSTD_MAGIC
from .members import members

# a record whose content inflates past this is skipped as `record_too_large` (a decompression bomb or a
# non-page); the completeness probe stops inflating there too
MAX_RECORD_BYTES = 256 << 20
_PROBE_HEAD = 1 << 16  # the WARC header of a record fits in this
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_MAX_WARNINGS = 20


@dataclass(slots=True)
class HtmlResponse:
    """The payload of one HTML response record (HTTP and transfer encodings already removed)."""

    url: str
    record_id: str
    offset: int
    body: bytes
    charset: str | None
    truncated: bool
    plain_text: bool = False  # a WET `conversion` record: the body is the page's text, not HTML


@dataclass
class ReadStats:
    records: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    reader: str = "fastwarc"

    def warn(self, message: str) -> None:
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(message)


def sniff_archive(path: Path) -> str:
    """'warc', 'arc' or 'empty' from the first bytes; raises InputError for anything else."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path or glob") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if not head:
        return "empty"
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 512)
        except zlib.error:
            raise InputError(f"{path}: gzip header is corrupt at byte 0; not a readable .warc.gz") from None
    elif head[:4] == _ZSTD_MAGIC:
        try:
            with open(path, "rb") as f, zstandard.ZstdDecompressor().stream_reader(f) as reader:
                head = reader.read(512)  # zstd emits whole blocks: let it read as far as it needs
        except zstandard.ZstdError:
            raise InputError(f"{path}: zstd frame is corrupt at byte 0; not a readable .warc.zst") from None
    stripped = head.lstrip(b"\r\n")
    if stripped.startswith(b"WARC/"):
        return "warc"
    if stripped.startswith(b"filedesc://") or _looks_like_arc_line(stripped):
        return "arc"
    raise InputError(
        f"{path}: not a WARC or ARC file (no record header at byte 0); remove it from the inputs"
    )


def _looks_like_arc_line(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0]
    return first.count(b" ") >= 4 and b"://" in first.split(b" ", 1)[0]


def iter_html_responses(
    path: Path,
    stats: ReadStats,
    *,
    max_body_bytes: int,
    keep=lambda url: True,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[HtmlResponse]:
    """Every HTML 200 response of `path`; only records whose target URL passes `keep` are read and counted
    (a file split into parts gives each part the URLs that hash to it; records without a URL go to part 0)."""
    seen = RecordIds()
    kind = sniff_archive(path)
    if kind == "empty":
        stats.skipped["empty_file"] += 1
        stats.warn(f"{path}: empty file, nothing to read")
        return
    if kind == "warc":
        try:
            yield from _read_fastwarc(path, stats, seen, max_body_bytes, keep, max_record_bytes)
            return
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            if _is_zstd(path):  # warcio cannot read zstd: nothing more to recover
                stats.skipped["truncated_file"] += 1
                stats.warn(
                    f"{path}: unreadable after {len(seen)} records ({exc}); kept the records before it"
                )
                return
            stats.warn(f"{path}: fastwarc stopped after {len(seen)} records ({exc}); continuing with warcio")
    stats.reader = "warcio" if not seen else "fastwarc+warcio"
    yield from _read_warcio(path, stats, seen, max_body_bytes, keep, max_record_bytes)


_HASH_MASK = (1 << 64) - 1


class RecordIds:
    """Ids of the records the first reader passed, as 8-byte hashes in one array: a set of id strings costs
    about 140 bytes a record (14 MB per 100,000 records, per worker), and it is looked up only in the rare
    case that a second reader takes over after the first failed. The hash is Python's (salted per process),
    which is enough: ids are only compared within one process."""

    def __init__(self) -> None:
        self._hashes = array("Q")
        self._lookup: set[int] | None = None

    def add(self, record_id: str) -> None:
        self._hashes.append(hash(record_id) & _HASH_MASK)
        self._lookup = None

    def __contains__(self, record_id: object) -> bool:
        if self._lookup is None:
            self._lookup = set(self._hashes)
        return (hash(record_id) & _HASH_MASK) in self._lookup

    def __len__(self) -> int:
        return len(self._hashes)


def _classify(record_type: str, status: int | None, mime: str | None) -> str | None:
    """The skip reason for a record, or None when it is an HTML page (or a WET text record) to keep."""
    if record_type == "conversion":  # Common Crawl WET: the text of a page, no HTML and no links
        return None if (mime or "text/plain").split(";", 1)[0].strip().lower() == "text/plain" else "not_text"
    if record_type not in ("response", "resource"):
        return f"record_{record_type}"
    if record_type == "response" and status != 200:
        return "http_status_not_200" if status is not None else "no_http_headers"
    if (mime or "").split(";", 1)[0].strip().lower() not in HTML_TYPES:
        return "not_html"
    return None


def _read_capped(stream, max_body_bytes: int) -> tuple[bytes, bool]:
    body = stream.read(max_body_bytes + 1)
    if len(body) > max_body_bytes:
        return body[:max_body_bytes], True
    return body, False


def _skip_too_large(stats: ReadStats, path: Path, offset: int, length: int, limit: int) -> None:
    stats.skipped["record_too_large"] += 1
    stats.warn(
        f"{path}: record at byte {offset} holds {length} bytes, over the {limit} a record may inflate to; skipped"
    )


def _read_fastwarc(path, stats, seen, max_body_bytes, keep, max_record_bytes) -> Iterator[HtmlResponse]:
    from fastwarc.warc import ArchiveIterator

    last_pos = -1
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, parse_http=False, auto_decode="all", strict_mode=False):
            last_pos = record.stream_pos
            rid = record.record_id or f"offset:{record.stream_pos}"
            seen.add(rid)
            url = record.headers.get("WARC-Target-URI") or ""
            if not keep(url):
                continue
            stats.records += 1
            record_type = _fastwarc_type_name(record.record_type)
            status, mime, charset = None, None, None
            if record_type in ("resource", "conversion"):
                mime = record.headers.get("Content-Type")
            elif record_type == "response":
                if not record.is_http:
                    stats.skipped["no_http_headers"] += 1
                    continue
                record.parse_http(strict_mode=False, auto_decode="all")
                status = record.http_headers.status_code if record.http_headers else None
                mime, charset = record.http_content_type, record.http_charset
                if status == 200 and mime is None:  # LF-only HTTP headers (ClueWeb): parse them ourselves
                    response = _reread_lf_http(path, record.stream_pos, max_body_bytes, stats)
                    if response is not None:
                        yield HtmlResponse(url, rid, record.stream_pos, *response)
                        continue
            reason = _classify(record_type, status, mime)
            if reason is not None:
                stats.skipped[reason] += 1
                continue
            if record.content_length > max_record_bytes:
                _skip_too_large(stats, path, record.stream_pos, record.content_length, max_record_bytes)
                continue
            body, truncated = _read_capped(record.reader, max_body_bytes)
            yield HtmlResponse(
                url, rid, record.stream_pos, body, charset, truncated, record_type == "conversion"
            )
    # fastwarc ends quietly at a cut-off gzip member or record; say so instead of pretending the file was whole
    complete = _last_record_complete(path, last_pos, max_record_bytes) if last_pos >= 0 else True
    if complete is None:
        stats.warn(
            f"{path}: the record at byte {last_pos} inflates past {max_record_bytes} bytes; not inflated further"
        )
    elif not complete:
        stats.skipped["truncated_file"] += 1
        stats.warn(
            f"{path}: file ends inside the record at byte {last_pos} (cut short?); kept the records before it"
        )


def _reread_lf_http(path: Path, start: int, max_body_bytes: int, stats: ReadStats):
    """(body, charset, truncated) of an HTML 200 response at `start` parsed leniently, else None (counted)."""
    from fastwarc.warc import ArchiveIterator

    with open(path, "rb") as f:
        f.seek(start)
        record = next(iter(ArchiveIterator(f, parse_http=False, strict_mode=False)), None)
        raw = record.reader.read(max_body_bytes + (1 << 16)) if record is not None else b""
    response = parse_http_response(raw, max_body_bytes)
    if response is None:
        stats.skipped["no_http_headers"] += 1
        return None
    content_type = response.headers.get("content-type", "")
    reason = _classify("response", response.status, content_type)
    if reason is not None:
        stats.skipped[reason] += 1
        return None
    body, truncated = response.body[:max_body_bytes], len(response.body) > max_body_bytes
    return body, _charset_of(content_type), truncated


def _last_record_complete(path: Path, start: int, limit: int) -> bool | None:
    """Whether the record at byte `start` (the last one read) is whole: gzip member closed, block complete;
    None when it inflates past `limit` bytes, so that is not worth finding out (a decompression bomb)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        magic = f.read(4)
        f.seek(start)
        head = f.read(_PROBE_HEAD)
        if magic == _ZSTD_MAGIC:
            return all(m.end is not None for m in members(f, start, size, "zstd", keep=0, limit=limit))
        if magic[:2] == b"\x1f\x8b" and head[:2] != b"\x1f\x8b":
            # records do not start members here: check the whole stream
            found = list(members(f, 0, size, "gzip", keep=0, limit=limit))
            return None if found[-1].over_limit else found[-1].end is not None
        if magic[:2] == b"\x1f\x8b":
            member = next(members(f, start, size, "gzip", keep=_PROBE_HEAD, limit=limit))
            if member.over_limit:
                return None
            if member.end is None:
                return False
            head, length = member.head, member.inflated
        else:
            length = size - start
    stripped = head.lstrip(b"\r\n")  # a member may begin with the previous record's trailing newlines
    length -= len(head) - len(stripped)
    header_end = stripped.find(b"\r\n\r\n")
    if header_end < 0:
        return False
    for line in stripped[:header_end].split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            try:
                return length - header_end - 4 >= int(value.strip())
            except ValueError:
                return False
    return False


def _is_zstd(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == _ZSTD_MAGIC


_FASTWARC_TYPES: list[tuple[object, str]] = []


def _fastwarc_type_name(record_type) -> str:
    if not _FASTWARC_TYPES:
        from fastwarc.warc import WarcRecordType

        names = ("response", "resource", "request", "revisit", "metadata", "warcinfo", "conversion")
        _FASTWARC_TYPES.extend((getattr(WarcRecordType, name), name) for name in names)
    for value, name in _FASTWARC_TYPES:
        if record_type == value:
            return name
    return "unknown"


def _read_warcio(path, stats, seen, max_body_bytes, keep, max_record_bytes) -> Iterator[HtmlResponse]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    offset = 0
    # warcio prints recoverable-problem notices to stderr; they are summarised in stats instead
    with open(path, "rb") as f, contextlib.redirect_stderr(io.StringIO()):
        iterator = ArchiveIterator(f, arc2warc=True)
        try:
            for record in iterator:
                offset = iterator.offset  # get_record_offset() would consume the body first
                headers = record.rec_headers
                rid = headers.get_header("WARC-Record-ID") or f"offset:{offset}"
                if rid in seen:
                    continue
                url = headers.get_header("WARC-Target-URI") or ""
                if not keep(url):
                    continue
                stats.records += 1
                status, mime, charset = None, headers.get_header("Content-Type"), None
                if record.rec_type == "response":
                    if record.http_headers is None:
                        stats.skipped["no_http_headers"] += 1
                        continue
                    try:
                        status = int(record.http_headers.get_statuscode() or 0)
                    except ValueError:
                        status = 0
                    mime = record.http_headers.get_header("Content-Type") or ""
                    charset = _charset_of(mime)
                reason = _classify(record.rec_type, status, mime)
                if reason is not None:
                    stats.skipped[reason] += 1
                    continue
                if record.length is not None and record.length > max_record_bytes:
                    _skip_too_large(stats, path, offset, record.length, max_record_bytes)
                    continue
                body, truncated = _read_capped(record.content_stream(), max_body_bytes)
                yield HtmlResponse(
                    url, rid, offset, body, charset, truncated, record.rec_type == "conversion"
                )
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            stats.skipped["unreadable_tail"] += 1
            first_line = str(exc).strip().splitlines()[0][:100] if str(exc).strip() else type(exc).__name__
            stats.warn(f"{path}: unreadable after byte {offset} ({first_line}); kept the records before it")


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
