"""Search latency and throughput: `Index.search` / `search_many` (top-10 BM25 with stored fields and
snippets) next to bare tantivy on the same index (parse + top-10 + stored-field fetch), same queries.

    PYTHONPATH=. python tools/bench_search.py [--index DIR] [--queries 1000]
Builds an index of the full vital10k corpus under bench-out/ when --index is not given.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VITAL10K = Path("/work/shared/corpora/vital10k/vital10k.warc.gz")


def make_queries(index, n: int, seed: int = 0) -> list[str]:
    """Agent-like queries: 2-6 words from a random page's text, half of them with its title."""
    rng = random.Random(seed)
    queries = []
    for _ in range(n):
        page = index.page(rng.randrange(index.n_pages))
        words = page.text.split()
        start = rng.randrange(max(1, len(words) - 6))
        picked = words[start : start + rng.randint(2, 6)]
        queries.append(" ".join(([page.title] if rng.random() < 0.5 else []) + picked))
    return queries


def timed(fn, queries: list[str]) -> list[float]:
    latencies = []
    for query in queries:
        start = time.perf_counter()
        fn(query)
        latencies.append(time.perf_counter() - start)
    return latencies


def report(name: str, latencies: list[float], anchor: float | None = None) -> float:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1e3
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1e3
    qps = len(latencies) / sum(latencies)
    ratio = f"  {anchor / qps:.2f}x bare time" if anchor else ""
    print(f"  {name:44s} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  {qps:7.0f} q/s{ratio}")
    return qps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    from infoseek_local.index.build import build_index
    from infoseek_local.index.fulltext import FIELD_BOOSTS, SEARCH_FIELDS, query_text
    from infoseek_local.index.reader import Index

    path = args.index
    if path is None:
        path = REPO / "bench-out" / "search-vital10k"
        if not (path / "manifest.json").exists():
            print(f"building {path} from {VITAL10K} ...")
            build_index([str(VITAL10K)], path)
    index = Index.open(path)
    queries = make_queries(index, args.queries)
    tantivy_index = index._fulltext.index  # the very same tantivy index, used bare
    searcher = tantivy_index.searcher()

    def bare(query: str):
        parsed = tantivy_index.parse_query(query_text(query), SEARCH_FIELDS, field_boosts=FIELD_BOOSTS)
        return [searcher.doc(address) for _, address in searcher.search(parsed, 10).hits]

    def bare_no_fetch(query: str):
        parsed = tantivy_index.parse_query(query_text(query), SEARCH_FIELDS, field_boosts=FIELD_BOOSTS)
        return searcher.search(parsed, 10).hits

    for warm in queries[:50]:  # page in the index files
        bare(warm)
        index.search(warm, 10)
    print(f"{path}: {index.n_pages} pages, {len(queries)} queries, top-10")
    report("bare tantivy: parse + top-10 (no fetch)", timed(bare_no_fetch, queries))
    anchor = report("bare tantivy: parse + top-10 + stored fields", timed(bare, queries))
    report(
        "Index.search(snippets=False)", timed(lambda q: index.search(q, 10, snippets=False), queries), anchor
    )
    report("Index.search (with snippets)", timed(lambda q: index.search(q, 10), queries), anchor)
    for batch in (16, 128):
        latencies = []
        for start in range(0, len(queries), batch):
            chunk = queries[start : start + batch]
            began = time.perf_counter()
            index.search_many(chunk, 10)
            latencies.extend([(time.perf_counter() - began) / len(chunk)] * len(chunk))
        report(f"Index.search_many, batches of {batch} (per query)", latencies, anchor)
    index.close()


if __name__ == "__main__":
    main()
