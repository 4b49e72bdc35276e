"""Writes infoseek_local/data/common_words.txt: the everyday English words a mention linker links only when
they are capitalised mid-sentence (a page titled "Iron" or "Home" is not mentioned by "iron" or "home").

The list is the `--top` (default 2,000) words most often written in lower case in the text of the full vital10k
corpus (English Wikipedia lead sections), the way the corpus's own links left the 1,500 most frequent English
words unlinked (see its SOURCE.md). Deterministic for a given corpus.

    PYTHONPATH=. python tools/make_common_words.py [--corpus vital10k.warc.gz] [--top 2000]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from infoseek_local.corpus.html import extract_html

VITAL10K = Path("/work/shared/corpora/vital10k/vital10k.warc.gz")
OUT = Path(__file__).resolve().parent.parent / "infoseek_local" / "data" / "common_words.txt"
_LOWER_WORD = re.compile(r"\b[a-z]{2,}\b")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VITAL10K)
    parser.add_argument("--top", type=int, default=2000)
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    with open(args.corpus, "rb") as f:
        for record in ArchiveIterator(f, record_types=WarcRecordType.response, auto_decode="all"):
            content = extract_html(record.reader.read(), record.headers.get("WARC-Target-URI"), "utf-8")
            counts.update(_LOWER_WORD.findall(content.text))
    words = sorted(word for word, _ in counts.most_common(args.top))
    header = f"# {args.top} words most often written in lower case in {args.corpus.name}; tools/make_common_words.py\n"
    OUT.write_text(header + "\n".join(words) + "\n")
    print(f"{OUT}: {len(words)} words")


if __name__ == "__main__":
    main()
