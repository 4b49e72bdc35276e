"""Writing small WARC files (warcio): test fixtures, synthetic benchmark corpora, corpus tools."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path


@dataclass(frozen=True)
class WarcPage:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    record_type: str = "response"


def write_warc(path: Path, pages: Iterable[WarcPage], *, gzip: bool = True) -> Path:
    """One record per page (per-record gzip members when `gzip`), after a warcinfo record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = Path(path)
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "infoseek-local"}))
        for page in pages:
            if page.record_type == "response":
                headers = StatusAndHeaders(
                    page.status,
                    [("Content-Type", page.content_type), ("Content-Length", str(len(page.body)))],
                    protocol="HTTP/1.1",
                )
                record = writer.create_warc_record(
                    page.url, "response", payload=BytesIO(page.body), http_headers=headers
                )
            else:
                record = writer.create_warc_record(
                    page.url,
                    page.record_type,
                    payload=BytesIO(page.body),
                    warc_content_type=page.content_type,
                )
            writer.write_record(record)
    return path


def html_page(title: str, paragraphs: Iterable[str], links: Iterable[tuple[str, str]] = ()) -> bytes:
    """A minimal well-formed HTML page with a title, paragraphs and a list of (href, anchor) links."""
    from html import escape

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    anchors = "".join(f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in links)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><main>{body}</main><ul>{anchors}</ul></body></html>"
    ).encode()
