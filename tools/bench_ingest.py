"""Ingest throughput: `index` with 1 and 2 workers vs the extraction floor vs datatrove, plus peak RSS.

For each corpus (the full vital10k WARC and a synthetic WARC of ~34 KB pages with ~170 links):
  floor      bare fastwarc iteration + charset decoding + resiliparse main text + link scan, one process,
             no writing (what `index` cannot beat)
  index -w1  `infoseek-local index` end to end (extract shards, merge, page store, graph, tantivy), 1 worker
  index -w2  the same with 2 worker processes
  datatrove  WarcReader -> Trafilatura -> JsonlWriter on the same file (first --datatrove-limit pages)
Then peak RSS of `index -w1` on vital10k and on a 10x copy of it (distinct URLs and texts), and micro
measurements of the link-extraction and URL-resolution choices.

    PYTHONPATH=. python tools/bench_ingest.py [--synthetic-pages 3000] [--datatrove-limit 1000] [--quick]
Every figure is printed next to its anchor, measured in the same run on the same data.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

VITAL10K = Path("/work/shared/corpora/vital10k/vital10k.warc.gz")

_INDEX_CHILD = """
import json, resource, sys, time
from infoseek_local.index.build import build_index
start = time.perf_counter()
manifest = build_index([sys.argv[1]], sys.argv[2], workers=int(sys.argv[3]))
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "pages": manifest["counts"]["pages"],
                  "records": manifest["counts"]["records"], "rss_mb": max(own, kids) / 1024}))
"""

_DATATROVE_CHILD = """
import json, sys, time, logging
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.extractors import Trafilatura
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter
path, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
import pathlib
p = pathlib.Path(path)
pipeline = [WarcReader(str(p.parent), glob_pattern=p.name, limit=limit), Trafilatura(favour_precision=True),
            JsonlWriter(out)]
start = time.perf_counter()
LocalPipelineExecutor(pipeline=pipeline, tasks=1, workers=1, logging_dir=out + "/logs").run()
seconds = time.perf_counter() - start
docs = sum(1 for f in pathlib.Path(out).glob("*.jsonl.gz") for _ in __import__("gzip").open(f))
print(json.dumps({"seconds": seconds, "records": limit, "docs": docs}))
"""


def run_child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def floor(path: Path, limit: int | None = None) -> tuple[float, int]:
    """Pages/s of bare fastwarc + decode + main text + links, no writing."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from infoseek_local.corpus.html import extract_html

    pages = 0
    start = time.perf_counter()
    with open(path, "rb") as f:
        records = ArchiveIterator(f, record_types=WarcRecordType.response, auto_decode="all")
        for record in itertools.islice(records, limit):
            content = extract_html(
                record.reader.read(), record.headers.get("WARC-Target-URI"), record.http_charset
            )
            pages += bool(content.text)
    return pages / (time.perf_counter() - start), pages


def index_run(path: Path, out: Path, workers: int) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result = run_child(_INDEX_CHILD, str(path), str(out), str(workers))
    result["pages_per_s"] = result["pages"] / result["seconds"]
    shutil.rmtree(out, ignore_errors=True)
    return result


def datatrove_run(path: Path, out: Path, limit: int) -> dict | None:
    try:
        import datatrove  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError:
        return None
    shutil.rmtree(out, ignore_errors=True)
    result = run_child(_DATATROVE_CHILD, str(path), str(out), str(limit))
    result["pages_per_s"] = result["records"] / result["seconds"]
    shutil.rmtree(out, ignore_errors=True)
    return result


def make_tenfold(source: Path, out: Path, copies: int = 10) -> Path:
    """`copies` renamed copies of every page (own host per copy, links kept inside the copy, texts distinct)."""
    if out.exists():
        return out
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from infoseek_local.corpus.warc_writer import WarcPage, write_warc

    def pages():
        for copy in range(copies):
            host = f"https://copy{copy}.wikipedia.org/"
            with open(source, "rb") as f:
                for record in ArchiveIterator(f, record_types=WarcRecordType.response):
                    body = record.reader.read().replace(b"https://en.wikipedia.org/", host.encode())
                    body = body.replace(b"</h1>", f"</h1><p>Copy {copy}.</p>".encode(), 1)
                    url = record.headers.get("WARC-Target-URI").replace("https://en.wikipedia.org/", host)
                    yield WarcPage(url, body)

    tmp = out.with_suffix(".partial")
    write_warc(tmp, pages())
    tmp.rename(out)
    return out


def micro(path: Path, pages: int) -> None:
    """Per-page link extraction (resiliparse DOM vs scan) and per-link URL resolution choices."""
    from urllib.parse import urljoin

    import ada_url
    from fastwarc.warc import ArchiveIterator, WarcRecordType
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    from infoseek_local.corpus.html import decode_html
    from infoseek_local.corpus.links import extract_links
    from infoseek_local.corpus.urls import canonical_url, slow_canonical_url

    with open(path, "rb") as f:
        records = ArchiveIterator(f, record_types=WarcRecordType.response)
        docs = [(r.headers.get("WARC-Target-URI"), r.reader.read()) for r in itertools.islice(records, pages)]
    htmls = [(url, decode_html(body, "utf-8")[0]) for url, body in docs]

    def per_page(fn, subset) -> float:
        start = time.perf_counter()
        for url, html in subset:
            fn(url, html)
        return (time.perf_counter() - start) / len(subset) * 1e3

    def dom(url, html):
        tree = HTMLTree.parse(html)
        return [(a.getattr("href"), a.text) for a in tree.body.query_selector_all("a[href]")]

    print(f"  per page, {path.name} ({len(htmls)} pages; DOM on the first 5):")
    print(
        f"    parse + main text (resiliparse)     {per_page(lambda u, h: extract_plain_text(HTMLTree.parse(h), main_content=True), htmls):8.2f} ms"
    )
    dom_label = f"links: resiliparse {version('resiliparse')} DOM a[href]"
    print(f"    {dom_label:<39}{per_page(dom, htmls[:5]):8.2f} ms (hrefs + text only)")
    scan = per_page(lambda u, h: extract_links(h, canonical_url(u)), htmls)
    print(f"    links: scan + canonical URLs (ours)  {scan:8.2f} ms")
    hrefs = (
        [href for url, html in htmls[:50] for href, _ in dom(url, html)] if len(htmls[0][1]) < 5000 else []
    )
    if not hrefs:
        import re

        hrefs = re.findall(r'href="([^"]*)"', htmls[0][1]) * 10
    base = canonical_url(htmls[0][0])

    def per_link(fn) -> float:
        start = time.perf_counter()
        for href in hrefs:
            fn(href)
        return (time.perf_counter() - start) / len(hrefs) * 1e6

    print(f"  per link ({len(hrefs)} hrefs):")
    print(f"    urllib.parse.urljoin                {per_link(lambda h: urljoin(base, h)):8.2f} µs")
    print(f"    ada_url.join_url                    {per_link(lambda h: ada_url.join_url(base, h)):8.2f} µs")
    print(
        f"    canonical_url via ada only          {per_link(lambda h: slow_canonical_url(h, base)):8.2f} µs"
    )
    print(f"    canonical_url with fast path (ours) {per_link(lambda h: canonical_url(h, base)):8.2f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VITAL10K)
    parser.add_argument("--synthetic-pages", type=int, default=3000)
    parser.add_argument("--datatrove-limit", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=REPO / "bench-out")
    parser.add_argument("--quick", action="store_true", help="skip the 10x RSS run and the 2-worker runs")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    from synthetic_warc import write_synthetic

    synthetic = args.work / f"synthetic-{args.synthetic_pages}.warc.gz"
    if not synthetic.exists():
        write_synthetic(synthetic.with_suffix(".partial"), args.synthetic_pages)
        synthetic.with_suffix(".partial").rename(synthetic)
    print(f"cores available: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    print("\n== micro: link extraction and URL resolution ==")
    micro(synthetic, 100)
    micro(args.corpus, 300)

    for path in (args.corpus, synthetic):
        size_mb = path.stat().st_size / 1e6
        print(f"\n== {path.name} ({size_mb:.1f} MB) ==")
        floor_rate, pages = floor(path)
        print(f"  floor (fastwarc + text + links)   {floor_rate:8.0f} pages/s   ({pages} pages)")
        one = index_run(path, args.work / "ix1", 1)
        print(
            f"  index --workers 1                 {one['pages_per_s']:8.0f} pages/s   "
            f"{one['pages_per_s'] / floor_rate:.0%} of floor, peak RSS {one['rss_mb']:.0f} MB"
        )
        if not args.quick:
            two = index_run(path, args.work / "ix2", 2)
            print(
                f"  index --workers 2                 {two['pages_per_s']:8.0f} pages/s   "
                f"{two['pages_per_s'] / one['pages_per_s']:.2f}x one worker, peak RSS {two['rss_mb']:.0f} MB"
            )
        trove = datatrove_run(path, str(args.work / "datatrove"), args.datatrove_limit)
        if trove is None:
            print("  datatrove                         not installed (pip install 'infoseek-local[bench]')")
        else:
            print(
                f"  datatrove Warc->Trafilatura->Jsonl {trove['pages_per_s']:7.0f} pages/s   (first "
                f"{trove['records']} records); index -w1 is {one['pages_per_s'] / trove['pages_per_s']:.1f}x"
            )

    if not args.quick:
        print("\n== peak RSS when the corpus grows 10x ==")
        tenfold = make_tenfold(args.corpus, args.work / f"{args.corpus.name.split('.')[0]}-x10.warc.gz")
        base = index_run(args.corpus, args.work / "ix1", 1)
        big = index_run(tenfold, args.work / "ix10", 1)
        print(
            f"  {args.corpus.name:28s} {base['pages']:>7} pages  {base['rss_mb']:6.0f} MB  {base['pages_per_s']:6.0f} pages/s"
        )
        print(
            f"  {tenfold.name:28s} {big['pages']:>7} pages  {big['rss_mb']:6.0f} MB  {big['pages_per_s']:6.0f} pages/s"
        )


if __name__ == "__main__":
    main()
