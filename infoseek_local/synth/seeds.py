"""Seed pages for synthesis: sampled from the index, or read from a file of URLs or titles."""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from itertools import repeat
from pathlib import Path

import msgspec

from ..errors import InputError
from ..index.protocol import IndexLike
from ..records import Vertex
from .config import SynthConfig
from .context import SynthContext, in_degree_quantile
from .diffusion import DEEPEN_LOOKAHEAD, add_child, can_deepen
from .options import link_options

SAMPLE_TRIES_PER_SEED = 250  # a good seed (two searched hops of clean clues) is rare in a sparse dump


class SeedRef(msgspec.Struct, frozen=True, array_like=True):
    """A seed as given (`ref`: URL, title or "#<id>") and the page it resolved to (-1: not in the index)."""

    ref: str
    page_id: int


def is_good_seed(ctx: SynthContext, page_id: int, max_in_degree: int) -> bool:
    """A usable page, not a hub, with at least `min_seed_links` links that make a clean clue, one of which leads
    on to two hops a reader must search: the very test diffusion applies when it deepens
    (`options.link_options`, `diffusion.search_hops`), so a sampled seed can grow deep enough."""
    if not ctx.is_usable_page(page_id) or ctx.in_degree(page_id) > max_in_degree:
        return False
    if not ctx.noun(page_id):
        return False  # "Which entity ...?" tells the reader nothing to look for
    root = Vertex(index=0, page_id=page_id, url="", title=ctx.page(page_id).title)
    root.descriptor = ctx.descriptor(page_id)
    limit = ctx.config.min_seed_links
    options = link_options(ctx, [root], root)
    if len(options) < limit:
        return False
    # the test diffusion applies when it deepens: some first hop leads on to two hops a reader must search
    for option in options:
        vertices = [root]
        if can_deepen(ctx, vertices, add_child(ctx, vertices, root, option), DEEPEN_LOOKAHEAD):
            return True
    return False


def sample_seeds(index: IndexLike, config: SynthConfig, workers: int = 1) -> list[SeedRef]:
    """`config.n` good seed pages drawn at random (reproducible from `config.seed`), looking at most 250·n
    pages. Drawing ids instead of scanning the whole index keeps this fast on a corpus of millions of pages.
    With `workers` > 1 the pages are tested in local processes, in chunks taken in the same order, so the
    seeds are the same ones: the first `n` good pages of the drawn order."""
    rng = random.Random(config.seed)
    total = index.n_pages
    tries = min(total, max(config.n * SAMPLE_TRIES_PER_SEED, 1))
    order = rng.sample(range(total), tries)
    cap = in_degree_quantile(
        index, config.max_seed_in_degree
    )  # seeds above it are hubs, recalled from memory
    if workers > 1 and config.index and len(order) > SEED_CHUNK:
        good: Iterator[int] = _good_in_processes(config, cap, order, workers)
    else:
        ctx = SynthContext(index, None, config)  # type: ignore[arg-type]  # link tests ask no LLM
        good = (page_id for page_id in order if is_good_seed(ctx, page_id, cap))
    seeds: list[SeedRef] = []
    for page_id in good:
        seeds.append(SeedRef(f"#{page_id}", page_id))
        if len(seeds) == config.n:
            break
    if isinstance(good, Generator):
        good.close()  # stops the processes still testing chunks nobody needs
    return seeds


SEED_CHUNK = 64  # pages a process tests at a time: small enough to stop soon after the n-th good seed


def _good_in_processes(config: SynthConfig, cap: int, order: list[int], workers: int) -> Iterator[int]:
    chunks = [order[i : i + SEED_CHUNK] for i in range(0, len(order), SEED_CHUNK)]
    # forkserver: workers open the index themselves, as the stage workers do
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
    try:
        for found in pool.map(_good_seeds_of, repeat(config), repeat(cap), chunks):
            yield from found
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _good_seeds_of(config: SynthConfig, cap: int, page_ids: list[int]) -> list[int]:
    ctx = _planning_context(msgspec.json.encode(config))
    return [page_id for page_id in page_ids if is_good_seed(ctx, page_id, cap)]


@lru_cache(maxsize=1)
def _planning_context(encoded_config: bytes) -> SynthContext:
    """One open index (and its caches of sentences and kinds) per planning process, kept between chunks."""
    from ..index.reader import Index

    config = msgspec.json.decode(encoded_config, type=SynthConfig)
    return SynthContext(Index.open(Path(config.index)), None, config)  # type: ignore[arg-type]


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
