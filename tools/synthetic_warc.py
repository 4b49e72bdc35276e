"""A synthetic web crawl for benchmarks: pages of ~34 KB HTML with ~170 links each (relative, absolute,
in-corpus and external, nav boilerplate), deterministic for a seed.

    python tools/synthetic_warc.py OUT.warc.gz --pages 5000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from infoseek_local.corpus.warc_writer import WarcPage, write_warc

_WORD_TEXT = (
    "the of and to in is was for on that with as by it from at his an were are which be this also or has "
    "had first one their its new after but who not they have her she two been other when there all during "
    "into school time may years more most only over city some world would where later up such used many "
    "can state about national out known university united then made between government river empire "
    "century war population history language music film island mountain dynasty kingdom republic species "
    "theory energy"
)
WORDS = _WORD_TEXT.split()


def page_html(
    rng: random.Random, i: int, n_pages: int, target_bytes: int = 34_000, n_links: int = 170
) -> bytes:
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(3))
    nav = "".join(f'<li><a href="/nav/{k}">{rng.choice(WORDS)}</a></li>' for k in range(20))
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} {i}</title>'
        '<link rel="stylesheet" href="/s.css"><script>var cfg={a:1,b:[1,2,3]};</script></head><body>'
        f"<header><nav><ul>{nav}</ul></nav></header><main><h1>{title} {i}</h1>"
    ]
    links_left = n_links - 20
    size = sum(map(len, parts))
    paragraphs = 0
    while size < target_bytes - 1500 or links_left > 0:
        words = []
        for _ in range(rng.randint(40, 90)):
            if links_left > 0 and rng.random() < 0.12:
                target = rng.randrange(n_pages)
                kind = rng.random()
                if kind < 0.6:
                    href = f"/wiki/Page_{target}"
                elif kind < 0.8:
                    href = f"https://synthetic.test/wiki/Page_{target}#s{rng.randrange(5)}"
                else:
                    href = f"https://external{rng.randrange(50)}.example/{rng.choice(WORDS)}?id={target}"
                words.append(f'<a href="{href}" title="t">{rng.choice(WORDS)} {rng.choice(WORDS)}</a>')
                links_left -= 1
            else:
                words.append(rng.choice(WORDS))
        paragraph = f"<p>{' '.join(words)}.</p>"
        parts.append(paragraph)
        size += len(paragraph)
        paragraphs += 1
    parts.append("</main><footer><p>Footer text, licence and contact.</p></footer></body></html>")
    return "".join(parts).encode()


def write_synthetic(path: Path, n_pages: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    pages = (
        WarcPage(f"https://synthetic.test/wiki/Page_{i}", page_html(rng, i, n_pages)) for i in range(n_pages)
    )
    return write_warc(path, pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_synthetic(args.out, args.pages, args.seed)
    print(f"{args.out}: {args.pages} pages, {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
