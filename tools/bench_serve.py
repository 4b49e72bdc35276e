"""Benchmark `infoseek-local serve`: requests/s and latency under a bounded loopback load, next to the same
searches made in-process on the same index.

    python tools/bench_serve.py --index indexes/vital10k-small      # or --warc FILE to build one first
    python tools/bench_serve.py --warc /work/shared/corpora/vital10k/vital10k.warc.gz --requests 2000

Queries are built deterministically (seeded) from page titles and body words; `--batch` queries per request
(default 1; Search-R1's trainer sends a rollout's queries in one request), topk 3, return_scores true. The server runs as a separate process (the real CLI) so
client and server do not share a GIL; clients keep one HTTP/1.1 keep-alive connection each.
Anchors measured in the same run: (1) in-process, one Index, sequential; (2) in-process, `--concurrency`
threads over an IndexPool of `--workers` readers (what the server does, minus HTTP).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from infoseek_local.agent.server import IndexPool, retrieve
from infoseek_local.index.reader import Index


def make_queries(index_dir: Path, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    with Index.open(index_dir) as index:
        pages = [index.page(i) for i in range(index.n_pages)]
    queries = []
    for _ in range(count):
        page = rng.choice(pages)
        words = re.findall(r"[A-Za-z]{4,}", page.text)
        picked = rng.sample(words, min(len(words), rng.randint(1, 4))) if words else []
        queries.append(" ".join([page.title] * rng.randint(0, 1) + picked) or page.title)
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(name: str, latencies: list[float], wall: float, batch: int) -> dict:
    return {
        "name": name,
        "requests": len(latencies),
        "req_per_s": round(len(latencies) / wall, 1),
        "queries_per_s": round(batch * len(latencies) / wall, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 2),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 2),
        "wall_s": round(wall, 2),
    }


def bench_in_process_sequential(index_dir: Path, batches: list[list[str]], topk: int, doc_chars: int) -> dict:
    latencies = []
    with Index.open(index_dir) as index:
        started = time.perf_counter()
        for batch in batches:
            t0 = time.perf_counter()
            retrieve(index, batch, topk, True, doc_chars)
            latencies.append(time.perf_counter() - t0)
        wall = time.perf_counter() - started
    return summary("in-process, 1 thread", latencies, wall, len(batches[0]))


def bench_in_process_threads(
    index_dir: Path, batches: list[list[str]], topk: int, doc_chars: int, concurrency: int, workers: int
) -> dict:
    pool = IndexPool(index_dir, workers)

    def one(batch: list[str]) -> float:
        t0 = time.perf_counter()
        with pool.borrow(60.0) as index:
            retrieve(index, batch, topk, True, doc_chars)
        return time.perf_counter() - t0

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as executor:
        latencies = list(executor.map(one, batches))
    wall = time.perf_counter() - started
    pool.close()
    name = f"in-process, {concurrency} threads / {workers} readers"
    return summary(name, latencies, wall, len(batches[0]))


def start_server(index_dir: Path, workers: int, doc_chars: int) -> tuple[subprocess.Popen, str, int]:
    command = [sys.executable, "-m", "infoseek_local.cli", "serve", "--index", str(index_dir), "--port", "0",
               "--workers", str(workers), "--doc-chars", str(doc_chars)]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"at http://([\d.]+):(\d+)/retrieve", line)
    if not match:
        process.kill()
        raise SystemExit(f"server did not start: {line}{process.stderr.read()}")
    return process, match.group(1), int(match.group(2))


def bench_server(
    host: str, port: int, batches: list[list[str]], topk: int, concurrency: int
) -> tuple[dict, list]:
    latencies: list[float] = [0.0] * len(batches)
    results: list = [None] * len(batches)
    errors: list[str] = []
    next_item = iter(range(len(batches)))
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                position = next(next_item, None)
            if position is None:
                break
            body = json.dumps({"queries": batches[position], "topk": topk, "return_scores": True})
            t0 = time.perf_counter()
            connection.request("POST", "/retrieve", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            latencies[position] = time.perf_counter() - t0
            if response.status != 200:
                errors.append(f"{response.status} {data[:100]!r}")
                continue
            results[position] = json.loads(data)["result"]
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, first: {errors[0]}")
    name = f"HTTP serve, {concurrency} clients (keep-alive)"
    return summary(name, latencies, wall, len(batches[0])), results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--index", type=Path)
    source.add_argument("--warc", type=Path, help="build a temporary index from this WARC first")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="server Index readers")
    parser.add_argument("--topk", type=int, default=3)
    parser.add_argument(
        "--batch", type=int, default=1, help="queries per request (Search-R1 batches a rollout)"
    )
    parser.add_argument("--doc-chars", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index
        if args.warc is not None:
            from infoseek_local.index.build import build_index

            index_dir = Path(tmp) / "index"
            t0 = time.perf_counter()
            build_index([str(args.warc)], index_dir, workers=max(1, (os.cpu_count() or 2) - 1))
            print(f"built index of {args.warc.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        with Index.open(index_dir) as index:
            n_pages = index.n_pages
        queries = make_queries(index_dir, args.requests * args.batch, args.seed)
        batches = [queries[i : i + args.batch] for i in range(0, len(queries), args.batch)]
        print(f"seed {args.seed}; {len(batches)} requests of {args.batch} queries over {n_pages} pages; "
              f"cpus {os.cpu_count()}; load avg {os.getloadavg()[0]:.2f}", file=sys.stderr)  # fmt: skip

        rows = [bench_in_process_sequential(index_dir, batches, args.topk, args.doc_chars)]
        rows.append(
            bench_in_process_threads(
                index_dir, batches, args.topk, args.doc_chars, args.concurrency, args.workers
            )
        )
        process, host, port = start_server(index_dir, args.workers, args.doc_chars)
        try:
            served, results = bench_server(host, port, batches, args.topk, args.concurrency)
        finally:
            process.terminate()
            process.wait(10)
        rows.append(served)
        with Index.open(index_dir) as index:  # the server must answer exactly what the library answers
            for position in range(0, len(batches), max(1, len(batches) // 50)):
                expected = retrieve(index, batches[position], args.topk, True, args.doc_chars)
                assert results[position] == json.loads(json.dumps(expected)), batches[position]

    print(f"{'measure':<42} {'req/s':>8} {'query/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for r in rows:
        figures = [r[key] for key in ("req_per_s", "queries_per_s", "p50_ms", "p95_ms", "p99_ms")]
        print(f"{r['name']:<42} " + " ".join(f"{value:>8}" for value in figures))
    print(json.dumps({"pages": n_pages, "topk": args.topk, "batch": args.batch, "rows": rows}))


if __name__ == "__main__":
    main()
