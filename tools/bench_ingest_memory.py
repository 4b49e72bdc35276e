"""Peak RSS and speed of `index --workers 1` as the corpus grows, with mention links on, and what each merge
phase costs.

Runs, each in a fresh process: vital10k without mention links (the anchor), vital10k with them, and a 10x copy
of vital10k with them (every page copied onto its own host per copy, links kept inside the copy, a line of
text added so no copy is a duplicate; tools/bench_ingest.make_tenfold). The extraction floor (bare fastwarc +
text + links, no writing) is measured on vital10k in the same run. Titles repeat across copies, so the 10x
mention dictionary holds the 1x names, each shared by 10 pages (resolved to the copy on the mentioning page's
own host): the automaton does not grow with the copies, and its size is printed apart.

    PYTHONPATH=. python tools/bench_ingest_memory.py [--corpus vital10k.warc.gz] [--skip-10x]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from bench_ingest import VITAL10K, floor, make_tenfold, run_child  # noqa: E402

_CHILD = """
import json, resource, sys, time
from infoseek_local.index.build import IndexConfig, build_index
start = time.perf_counter()
config = IndexConfig(mention_links=sys.argv[3] == "1")
manifest = build_index([sys.argv[1]], sys.argv[2], workers=1, config=config)
seconds = time.perf_counter() - start
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "counts": manifest["counts"], "phases": manifest["merge_phase_seconds"],
                  "own_mb": own / 1024, "workers_mb": kids / 1024}))
"""

_AUTOMATON = """
import json, resource, sys
from infoseek_local.index.reader import Index
from infoseek_local.index.mentions import MentionDictionary
index = Index.open(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
names = MentionDictionary()
for page in index.iter_pages():
    names.add(page.title + " " + str(page.id) if sys.argv[2] == "distinct" else page.title, page.id)
import numpy as np
names.matcher(np.zeros(index.n_pages, np.int64))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"names": names.names, "mb": (after - before) / 1024}))
"""


def index_once(path: Path, out: Path, mentions: bool) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result = run_child(_CHILD, str(path), str(out), "1" if mentions else "0")
    result["pages_per_s"] = result["counts"]["pages"] / result["seconds"]
    return result


def show(label: str, result: dict, floor_rate: float) -> None:
    counts = result["counts"]
    print(
        f"  {label:<34} {counts['pages']:>7} pages  {result['pages_per_s']:6.0f} pages/s "
        f"({result['pages_per_s'] / floor_rate:.0%} of floor)  peak RSS {result['own_mb']:5.0f} MB, "
        f"child processes {result['workers_mb']:5.0f} MB"
    )
    print(
        f"  {'':<34} hyperlinks {counts.get('links', 0)}, mention links {counts.get('mention_links', 0)}, "
        f"names {counts.get('mention_names', 0)}; merge phases (s): {json.dumps(result['phases'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VITAL10K)
    parser.add_argument("--work", type=Path, default=REPO / "bench-out")
    parser.add_argument("--skip-10x", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"cores available: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    floor_rate, pages = floor(args.corpus)
    print(f"  floor (fastwarc + text + links)    {pages:>7} pages  {floor_rate:6.0f} pages/s")
    show("index -w1, no mention links", index_once(args.corpus, args.work / "mem-off", False), floor_rate)
    show("index -w1, mention links", index_once(args.corpus, args.work / "mem-on", True), floor_rate)
    for mode in ("titles", "distinct"):
        size = run_child(_AUTOMATON, str(args.work / "mem-on"), mode)
        print(f"  mention dictionary alone ({mode:>8}) {size['names']:>7} names  {size['mb']:6.1f} MB")
    shutil.rmtree(args.work / "mem-off", ignore_errors=True)
    shutil.rmtree(args.work / "mem-on", ignore_errors=True)
    if not args.skip_10x:
        tenfold = make_tenfold(args.corpus, args.work / f"{args.corpus.name.split('.')[0]}-x10.warc.gz")
        show("index -w1, mention links, 10x", index_once(tenfold, args.work / "mem-10x", True), floor_rate)
        shutil.rmtree(args.work / "mem-10x", ignore_errors=True)


if __name__ == "__main__":
    main()
