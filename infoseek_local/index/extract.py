"""Stage 1 of `index`: one WARC file (or one part of it) → a shard of ExtractedPage records.

Runs in worker processes via run/executor.run_shards; returns its counts, which end up in the shard's
completion marker and then in the manifest.
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..corpus.html import extract_html, text_hash
from ..corpus.urls import canonical_url
from ..corpus.warc import ReadStats, iter_html_responses
from ..corpus.wet import extract_text_record
from ..records import ExtractedPage
from ..store import ShardWriter, shard_path


@dataclass(frozen=True)
class ExtractJob:
    source: str
    part: int
    parts: int
    out_dir: str
    max_body_bytes: int


def extract_shard(task: Any) -> dict[str, Any]:
    """Work function for run_shards: write `<out_dir>/<task.name>.msgpack.zst`, return counts."""
    job: ExtractJob = task.payload
    path = Path(job.source)
    stats = ReadStats()
    counts: Counter[str] = Counter()
    keep = None
    if job.parts > 1:

        def keep(url: str) -> bool:
            return zlib.crc32(url.encode("utf-8", "replace")) % job.parts == job.part

    with ShardWriter(shard_path(Path(job.out_dir), task.name), frame_records=128, level=1) as writer:
        responses = iter_html_responses(
            path, stats, max_body_bytes=job.max_body_bytes, keep=keep or (lambda url: True)
        )
        for response in responses:
            counts["html_responses"] += 1
            url = canonical_url(response.url)
            if url is None:
                stats.skipped["bad_page_url"] += 1
                stats.warn(f"{path}: record {response.record_id} at byte {response.offset}: bad target URL")
                continue
            try:
                if response.plain_text:
                    content = extract_text_record(response.body, url, response.charset)
                    counts["text_records"] += 1
                else:
                    content = extract_html(response.body, url, response.charset)
            except Exception as exc:  # untrusted bytes through a C parser: count the page, never stop the run
                stats.skipped["extract_failed"] += 1
                stats.warn(f"{path}: record {response.record_id} at byte {response.offset}: {exc!r}")
                continue
            if not content.text:
                stats.skipped["no_text"] += 1
                continue
            if response.truncated:
                counts["body_truncated"] += 1
            if content.replaced_chars:
                counts["pages_with_invalid_bytes"] += 1
            counts["garbage_links"] += content.bad_links
            counts["boilerplate_links"] += content.boilerplate_links
            writer.write(
                ExtractedPage(
                    url=url,
                    title=content.title,
                    text=content.text,
                    links=content.links,
                    text_hash=text_hash(content.text),
                    source=str(path),
                    offset=response.offset,
                    lang=content.lang,
                    truncated=response.truncated,
                )
            )
            counts["extracted"] += 1
    return {
        "records": stats.records,
        "reader": stats.reader,
        "counts": dict(counts),
        "skipped": dict(stats.skipped),
        "warnings": stats.warnings,
    }
