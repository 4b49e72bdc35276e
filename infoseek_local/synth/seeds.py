"""Seed pages for synthesis: sampled from the index, or read from a file of URLs or titles."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec

from ..errors import InputError
from ..index.protocol import IndexLike
from .context import LIST_PAGE

SAMPLE_TRIES_PER_SEED = 20


class SeedRef(msgspec.Struct, frozen=True, array_like=True):
    """A seed as given (`ref`: URL, title or "#<id>") and the page it resolved to (-1: not in the index)."""

    ref: str
    page_id: int


def is_good_seed(index: IndexLike, page_id: int, min_chars: int, min_links: int) -> bool:
    """Enough text, not a list page, and at least `min_links` distinct in-corpus targets with enough text."""
    page = index.page(page_id)
    if len(page.text) < min_chars or LIST_PAGE.match(page.title):
        return False
    targets: set[int] = set()
    for link in page.out_links:
        fresh = link.target != page_id and link.target not in targets
        if fresh and len(index.page(link.target).text) >= min_chars:
            targets.add(link.target)
            if len(targets) >= min_links:
                return True
    return False


def sample_seeds(index: IndexLike, n: int, seed: int, min_chars: int, min_links: int) -> list[SeedRef]:
    """`n` good seed pages drawn at random (reproducible from `seed`), looking at most 20·n pages.

    Drawing ids instead of scanning the whole index keeps this fast on a corpus of millions of pages."""
    rng = random.Random(seed)
    total = index.n_pages
    tries = min(total, max(n * SAMPLE_TRIES_PER_SEED, 1))
    seeds: list[SeedRef] = []
    for page_id in rng.sample(range(total), tries):
        if is_good_seed(index, page_id, min_chars, min_links):
            seeds.append(SeedRef(f"#{page_id}", page_id))
            if len(seeds) == n:
                break
    return seeds


def read_seed_file(index: IndexLike, path: Path) -> list[SeedRef]:
    """One seed a line (URL or exact title; blank lines and # comments skipped); unknown ones get page_id -1."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read seeds file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: byte {exc.start}: seeds file is not UTF-8 text") from None
    seeds = []
    for line in lines:
        ref = line.strip()
        if ref and not ref.startswith("#"):
            seeds.append(SeedRef(ref, resolve_seed(index, ref)))
    if not seeds:
        raise InputError(f"{path}: no seeds (write one URL or page title a line)")
    return seeds


def resolve_seed(index: IndexLike, ref: str) -> int:
    if "://" in ref:
        page = index.page_by_url(ref)
        return -1 if page is None else page.id
    for hit in index.search(ref, 10):
        if hit.title.strip().lower() == ref.lower():
            return hit.page_id
    return -1
