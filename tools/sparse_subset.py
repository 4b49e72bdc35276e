"""A sparse corpus like the ones users bring: random pages of the full vital10k outside the bundled sample.

The bundled sample is vital10k's densest 400 pages; this draws `--pages` (default 3,000) of the other 9,633
with `random.Random(--seed)` (default 11), keeps them in their order in the source WARC, and copies each
record's HTML body unchanged, so most of their hyperlinks leave the subset, as a dump's do.

    PYTHONPATH=. python tools/sparse_subset.py OUT.warc.gz [--pages 3000] [--seed 11]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from infoseek_local.corpus.warc_writer import WarcPage, write_warc

VITAL10K = Path("/work/shared/corpora/vital10k/vital10k.warc.gz")
SAMPLE = Path(__file__).resolve().parent.parent / "infoseek_local" / "data" / "vital10k-small.warc.gz"


def response_urls(path: Path) -> list[str]:
    with open(path, "rb") as f:
        return [
            record.headers.get("WARC-Target-URI")
            for record in ArchiveIterator(f, record_types=WarcRecordType.response)
        ]


def write_sparse_subset(out: Path, pages: int = 3000, seed: int = 11, source: Path = VITAL10K) -> Path:
    bundled = set(response_urls(SAMPLE))
    candidates = [url for url in response_urls(source) if url not in bundled]
    chosen = set(random.Random(seed).sample(candidates, pages))

    def records():
        with open(source, "rb") as f:
            for record in ArchiveIterator(f, record_types=WarcRecordType.response):
                url = record.headers.get("WARC-Target-URI")
                if url in chosen:
                    record.parse_http()
                    yield WarcPage(url, record.reader.read())

    return write_warc(out, records())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    path = write_sparse_subset(args.out, args.pages, args.seed)
    print(f"{path}: {args.pages} pages of {VITAL10K.name} outside the bundled sample (seed {args.seed})")


if __name__ == "__main__":
    main()
