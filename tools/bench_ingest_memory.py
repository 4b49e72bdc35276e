"""Peak memory and speed of `index --workers 1` as the corpus grows, with mention links on.

Memory is sampled from /proc every 50 ms over the index process and every process below it (summed): VmRSS,
RssAnon (heap and anonymous maps: what the process must keep), RssFile (pages of files mapped in: the index's
own memory-mapped arrays and the shared libraries; clean ones the kernel reclaims under pressure) and RssShmem.
The child also reports its kernel-tracked VmHWM (exact peak RSS, not sampled) and /proc/self/smaps_rollup at
exit. Flat in the sense that matters: peak RssAnon does not grow with the corpus.

Runs, each in a fresh process: the anchor (`python` importing the index modules: the floor every run pays),
vital10k without mention links, vital10k with them, and N-fold copies of vital10k with them (every page
copied onto its own host per copy, links kept inside the copy, a line of text added so no copy is a
duplicate; tools/bench_ingest.make_tenfold). The extraction floor (bare fastwarc + text + links, no writing)
is measured on vital10k in the same run. Titles repeat across copies, so the N-fold mention dictionary holds
the 1x names, each shared by N pages: the automaton does not grow with the copies (its size is printed apart).

    PYTHONPATH=. nice -n 10 python tools/bench_ingest_memory.py [--corpus vital10k.warc.gz] [--scales 1 10 30]
        [--trace DIR]   # DIR/<label>.tsv: one line per sample (seconds, rss, anon, file, shmem in kB)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from bench_ingest import VITAL10K, floor, make_tenfold, run_child  # noqa: E402

FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")
SAMPLE_SECONDS = 0.05

_REPORT = """
def own_memory():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    rollup = {}
    for line in open("/proc/self/smaps_rollup").read().splitlines()[1:]:
        name, value = line.split(":", 1)
        rollup[name] = int(value.split()[0])
    return {"hwm_kb": int(status["VmHWM"].split()[0]), "smaps_rollup_kb": rollup}
"""

_ANCHOR = (
    _REPORT
    + """
import json
import infoseek_local.index.build, infoseek_local.index.merge, tantivy, ahocorasick  # noqa
print(json.dumps(own_memory()))
"""
)

_CHILD = (
    _REPORT
    + """
import json, sys, time
from infoseek_local.index.build import IndexConfig, build_index
start = time.perf_counter()
config = IndexConfig(mention_links=sys.argv[3] == "1")
manifest = build_index([sys.argv[1]], sys.argv[2], workers=1, config=config)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "counts": manifest["counts"], "phases": manifest["merge_phase_seconds"],
                  **own_memory()}))
"""
)

_AUTOMATON = """
import json, resource, sys, tempfile
from infoseek_local.index.reader import Index
from infoseek_local.index.mentions import MentionDictionary
index = Index.open(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
names = MentionDictionary(tempfile.mkdtemp())
for page in index.iter_pages():
    names.add(page.title + " " + str(page.id) if sys.argv[2] == "distinct" else page.title, page.id)
import numpy as np
names.matcher(np.zeros(index.n_pages, np.int64))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"names": names.names, "mb": (after - before) / 1024}))
"""


def _status(pid: int) -> dict[str, int] | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    values = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name in FIELDS:
            values[name] = int(value.split()[0])
    return values


def _descendants(root: int) -> list[int]:
    """`root` and every process below it (from the parent ids in /proc/*/stat)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


class MemorySampler(threading.Thread):
    """Peak of each field (kB), summed over a process tree, sampled until `stop`."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks = dict.fromkeys(FIELDS, 0)
        self.samples: list[tuple[float, ...]] = []
        self._stopped = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._stopped.is_set():
            total = dict.fromkeys(FIELDS, 0)
            for pid in _descendants(self.pid):
                for name, value in (_status(pid) or {}).items():
                    total[name] += value
            if total["VmRSS"]:
                for name in FIELDS:
                    self.peaks[name] = max(self.peaks[name], total[name])
                self.samples.append((time.perf_counter() - start, *(total[name] for name in FIELDS)))
            self._stopped.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def sampled_child(code: str, *args: str) -> tuple[dict, MemorySampler]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    sampler = MemorySampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    return json.loads(stdout.strip().splitlines()[-1]), sampler


def index_once(
    path: Path, out: Path, mentions: bool, trace: Path | None, label: str, keep: bool = False
) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    result, sampler = sampled_child(_CHILD, str(path), str(out), "1" if mentions else "0")
    result["pages_per_s"] = result["counts"]["pages"] / result["seconds"]
    result["peaks_kb"] = sampler.peaks
    if trace is not None:
        trace.mkdir(parents=True, exist_ok=True)
        lines = [
            "\t".join(f"{v:.2f}" if i == 0 else str(v) for i, v in enumerate(s)) for s in sampler.samples
        ]
        (trace / f"{label}.tsv").write_text("seconds\t" + "\t".join(FIELDS) + "\n" + "\n".join(lines) + "\n")
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return result


def show(label: str, result: dict, floor_rate: float) -> None:
    counts, peaks = result["counts"], result["peaks_kb"]
    rollup = result["smaps_rollup_kb"]
    print(
        f"  {label:<28} {counts['pages']:>7} pages {result['pages_per_s']:5.0f} pages/s "
        f"({result['pages_per_s'] / floor_rate:4.0%} of floor)  peak RSS {peaks['VmRSS'] / 1024:4.0f} MB "
        f"(VmHWM {result['hwm_kb'] / 1024:4.0f})  peak RssAnon {peaks['RssAnon'] / 1024:4.0f} MB  "
        f"peak RssFile {peaks['RssFile'] / 1024:4.0f} MB  peak RssShmem {peaks['RssShmem'] / 1024:3.0f} MB"
    )
    print(
        f"  {'':<28} at exit: Anonymous {rollup.get('Anonymous', 0) / 1024:.0f} MB, "
        f"file-backed {(rollup.get('Rss', 0) - rollup.get('Anonymous', 0)) / 1024:.0f} MB; "
        f"hyperlinks {counts.get('links', 0)}, mention links {counts.get('mention_links', 0)}, "
        f"names {counts.get('mention_names', 0)}; merge phases (s): {json.dumps(result['phases'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=VITAL10K)
    parser.add_argument("--work", type=Path, default=REPO / "bench-out")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10], help="corpus copies to index")
    parser.add_argument("--trace", type=Path, help="write each run's memory samples under this folder")
    parser.add_argument("--skip-off", action="store_true", help="skip the run without mention links")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"cores available: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    anchor, sampler = sampled_child(_ANCHOR)
    print(
        f"  anchor: python + index modules imported: VmHWM {anchor['hwm_kb'] / 1024:.0f} MB, "
        f"RssAnon {sampler.peaks['RssAnon'] / 1024:.0f} MB, RssFile {sampler.peaks['RssFile'] / 1024:.0f} MB"
    )
    floor_rate, pages = floor(args.corpus)
    print(f"  floor (fastwarc + text + links)  {pages:>7} pages {floor_rate:5.0f} pages/s")
    stem = args.corpus.name.split(".")[0]
    if not args.skip_off:
        result = index_once(args.corpus, args.work / "mem-off", False, args.trace, "1x-off")
        show("1x, no mention links", result, floor_rate)
    for scale in args.scales:
        corpus = (
            args.corpus
            if scale == 1
            else make_tenfold(args.corpus, args.work / f"{stem}-x{scale}.warc.gz", scale)
        )
        out = args.work / f"mem-{scale}x"
        result = index_once(corpus, out, True, args.trace, f"{scale}x", keep=scale == 1)
        show(f"{scale}x, mention links", result, floor_rate)
        if scale == 1:  # the automaton alone, on the 1x index: titles as they are, and made distinct
            for mode in ("titles", "distinct"):
                size = run_child(_AUTOMATON, str(out), mode)
                print(
                    f"  mention dictionary alone ({mode:>8}) {size['names']:>7} names  {size['mb']:6.1f} MB"
                )
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
