"""Mention links measured against the bundled sample's hyperlinks, which were themselves made from the first
whole-word title mention (infoseek_local/data/SOURCE.md): how many of them the mention linker finds again, how
many it adds, the hyperlinks it misses by reason, and `--show` added links with their context to read by hand.

    PYTHONPATH=. python tools/bench_mentions.py [--corpus WARC] [--show 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infoseek_local.index.build import build_index  # noqa: E402
from infoseek_local.index.mentions import common_words, match_key  # noqa: E402
from infoseek_local.index.reader import Index  # noqa: E402

SAMPLE = REPO / "infoseek_local" / "data" / "vital10k-small.warc.gz"


def context(text: str, offset: int, length: int, width: int = 60) -> str:
    left = text[max(0, offset - width) : offset].replace("\n", " ")
    right = text[offset + length : offset + length + width].replace("\n", " ")
    return f"...{left}[[{text[offset : offset + length]}]]{right}..."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SAMPLE)
    parser.add_argument("--show", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-mentions-"))
    try:
        build_index([str(args.corpus)], work / "ix", workers=1)
        with Index.open(work / "ix") as index:
            found = missed = 0
            reasons: Counter[str] = Counter()
            added = []
            for page in index.iter_pages():
                mentions = {link.target: link for link in index.out_links(page.id, ("mention",))}
                hyper = {link.target: link for link in index.out_links(page.id)}
                for target, link in hyper.items():
                    if target in mentions:
                        found += 1
                        continue
                    missed += 1
                    key = match_key(link.anchor).strip()
                    if key in common_words():
                        reasons["common word or part of a longer name"] += 1
                    elif match_key(index.page(target).title).strip() != key:
                        reasons["anchor is not the title"] += 1
                    else:
                        reasons["part of a longer name, or other"] += 1
                added.extend((page, link) for target, link in mentions.items() if target not in hyper)
            total = found + missed
            print(f"corpus {args.corpus.name}: {index.n_pages} pages, {total} hyperlinks")
            print(f"  hyperlinks found again as mentions  {found} ({found / max(1, total):.1%})")
            print(f"  hyperlinks missed                   {missed}: {dict(reasons)}")
            print(f"  mention links added (no hyperlink)  {len(added)}")
            rng = random.Random(args.seed)
            for page, link in rng.sample(added, min(args.show, len(added))):
                target = index.page(link.target).title
                print(f"  {page.title} -> {target}: {context(page.text, link.offset, len(link.anchor))}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
