"""A lenient HTTP response parser for the records fastwarc's parser gets wrong.

ClueWeb09-style records end HTTP header lines with a bare LF; fastwarc then reads the whole page as headers and
finds no Content-Type. For those records only, we re-read the raw block and parse it here: status line,
headers (CRLF or LF), chunked transfer coding and gzip/deflate content coding.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def parse_http_response(raw: bytes, max_body_bytes: int) -> HttpResponse | None:
    """None when `raw` does not start with an HTTP status line."""
    if not raw.startswith(b"HTTP/"):
        return None
    ends = [(raw.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n")]
    found = [(pos, size) for pos, size in ends if pos >= 0]
    if not found:
        return None
    pos, size = min(found)
    lines = raw[:pos].replace(b"\r\n", b"\n").split(b"\n")
    parts = lines[0].split(None, 2)
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, sep, value = line.partition(b":")
        if sep:
            headers[key.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    body = raw[pos + size :]
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    coding = headers.get("content-encoding", "").lower().strip()
    if coding in ("gzip", "x-gzip", "deflate"):
        body = _inflate(body, coding, max_body_bytes + 1)
    return HttpResponse(status, headers, body)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(data):
        line_end = data.find(b"\n", pos)
        if line_end < 0:
            break
        try:
            size = int(data[pos:line_end].split(b";")[0].strip() or b"0", 16)
        except ValueError:
            return bytes(data)  # not really chunked: keep the bytes as they are
        if size == 0:
            break
        out += data[line_end + 1 : line_end + 1 + size]
        pos = line_end + 1 + size
        pos = data.find(b"\n", pos) + 1 if data.find(b"\n", pos) >= 0 else len(data)
    return bytes(out)


def _inflate(data: bytes, coding: str, limit: int) -> bytes:
    wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits).decompress(data, limit)
    except zlib.error:
        try:
            return zlib.decompressobj(-zlib.MAX_WBITS).decompress(
                data, limit
            )  # raw deflate, seen in the wild
        except zlib.error:
            return data  # mislabelled: the payload was never compressed
