"""Benchmark how the stages scale with workers and executors, next to an ideal line measured in the same run.

    python tools/bench_scale.py synth --index INDEX --n 32 --latency 0.3 --workers 1,2,4,8 --executors process,ray
    python tools/bench_scale.py index --warc vital10k.warc.gz --workers 2 --executors process,ray
    python tools/bench_scale.py ray                      # what a local Ray runtime costs: start, memory, tasks

`synth` runs the real `infoseek-local synth` command (the CLI, in a subprocess) against a pool of mock
OpenAI-compatible servers on loopback (tools/mock_llm_pool.py: fake-backend answers, a fixed latency per
call), with the same seeds and shard size for every worker count (or, with --trees-per-worker, as many seeds
per worker). It prints trees/min per executor and worker count next to the ideal line (the 1-worker
throughput of the same executor times the workers), twice: for the whole command, and for its working time
after start-up (from the first LLM call on; start-up is index opening, seed planning, worker and Ray
start). Also: the CPU seconds per tree of the command and every process it reaped (a local Ray runtime's
daemons and workers included, a joined cluster's not), LLM calls per tree, and whether the record files are
byte-identical across runs.

`index` runs `infoseek-local index` on a WARC with each executor: pages/s and the peak RSS of the driver
process (VmHWM, polled). `ray` starts a local Ray runtime the way `--executor ray` does and reports its start
and shutdown time, the memory of its daemons, and the round trip of an empty task and of an actor call.

These machines have 2 shared cores: CPU-bound work cannot scale here; LLM-bound work (latency per call much
larger than the CPU per call) can, which is what `synth` against the mock pool measures.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from mock_llm_pool import MockLLMPool  # noqa: E402

from infoseek_local.records import Tree  # noqa: E402
from infoseek_local.store import read_shards  # noqa: E402

SAMPLE_WARC = REPO / "infoseek_local" / "data" / "vital10k-small.warc.gz"
CLI = [sys.executable, "-m", "infoseek_local.cli"]


@dataclass
class Measured:
    executor: str
    workers: int
    wall: float
    cpu: float
    items: int
    llm_calls: int = 0
    digest: str = ""
    peak_rss_mb: float = 0.0
    start_up: float = 0.0  # launch to the first LLM call: imports, index, seeds, workers (and Ray) starting
    steady_calls_per_s: float = 0.0  # LLM calls a second over the middle of the run (no ramp-up, no tail)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(args: list[str], *, poll_rss: bool = False) -> tuple[float, float, float]:
    """Run the CLI with `args`; returns wall seconds, CPU seconds of it and its reaped children, and the
    driver's peak RSS in MB (polled from /proc, 0 when not asked). Exits with its output when it fails."""
    cpu_before = children_cpu()
    started = time.monotonic()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*CLI, *args], stdout=log, stderr=subprocess.STDOUT, env=code_env(), cwd=REPO
        )
        peak_kb = 0
        while process.poll() is None:
            if poll_rss:
                peak_kb = max(peak_kb, _vm_hwm_kb(process.pid))
            time.sleep(0.05)
        wall = time.monotonic() - started
        if process.returncode != 0:
            log.seek(0)
            sys.exit(
                f"command failed ({process.returncode}): {' '.join(args)}\n{log.read().decode()[-3000:]}"
            )
    return wall, children_cpu() - cpu_before, peak_kb / 1024


def code_env() -> dict[str, str]:
    """The environment for commands: the package of this checkout first (a copy of the tree can be measured
    while the tree itself changes), also in Ray workers, which inherit the environment."""
    paths = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _vm_hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def records_digest(run: Path, folders: Sequence[str]) -> str:
    """sha256 over the record shard files (names and bytes) of `folders`: equal digests, equal outputs."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((run / folder).glob("*.msgpack.zst")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ── synth ────────────────────────────────────────────────────────────────────────────────────────────


def bench_synth(args: argparse.Namespace, work: Path) -> None:
    index = Path(args.index) if args.index else build_sample_index(work)
    worker_counts = [int(w) for w in args.workers.split(",")]
    executors = args.executors.split(",")
    with MockLLMPool(args.servers, latency=args.latency, seed=args.seed) as pool:
        print(
            f"synth: {f'{args.trees_per_worker} seeds a worker' if args.trees_per_worker else f'{args.n} seeds'} "
            f"(seed {args.seed}, shard size {args.shard_size}) from {index}; "
            f"{args.servers} mock servers, {args.latency * 1000:.0f} ms a call"
        )
        results: list[Measured] = []
        for executor in executors:
            for workers in worker_counts:
                run = work / f"synth-{executor}-{workers}"
                shutil.rmtree(run, ignore_errors=True)  # a kept folder from an earlier run would resume
                command = [
                    "synth",
                    "--index",
                    str(index),
                    "--out",
                    str(run),
                    "--n",
                    str(args.trees_per_worker * workers or args.n),
                    "--seed",
                    str(args.seed),
                    "--shard-size",
                    str(args.shard_size),
                    "--workers",
                    str(workers),
                    "--executor",
                    executor,
                ]
                if executor == "ray" and args.ray_address:
                    command += ["--ray-address", args.ray_address]
                for url in pool.urls:
                    command += ["--endpoint", url]
                calls_before = pool.calls
                pool.restart_clock()
                launched = time.monotonic()
                wall, cpu, _ = run_command(command)
                starts = pool.call_starts()
                trees = sum(1 for _ in read_shards(run / "trees", Tree))
                measured = Measured(
                    executor,
                    workers,
                    wall,
                    cpu,
                    trees,
                    llm_calls=pool.calls - calls_before,
                    digest=records_digest(run, ("trees", "questions")),
                    start_up=starts[0] - launched if starts else 0.0,
                    steady_calls_per_s=steady_rate(starts),
                )
                results.append(measured)
                print(f"  {executor} x{workers}: {trees} trees in {wall:.1f} s", flush=True)
    print_synth_table(results, args.latency)


def steady_rate(starts: list[float]) -> float:
    """LLM calls a second between the 20th and the 80th percentile of call start times: the rate while every
    worker is busy, without the ramp-up of workers starting or the tail of the slowest trees."""
    if len(starts) < 10:
        return 0.0
    low, high = len(starts) // 5, len(starts) * 4 // 5
    return (high - low) / max(starts[high] - starts[low], 1e-9)


def print_synth_table(results: list[Measured], latency: float) -> None:
    """Throughput of the whole command and in steady state (the middle 60% of LLM calls, as trees: calls a
    second over calls a tree), each next to its ideal line: the fewest-worker run of the same executor times
    the workers."""
    print(
        f"\n{'':<17}{'------- whole command -------':>37}{'------ steady state ------':>35}\n"
        f"{'executor':<9}{'workers':>8}{'wall s':>8}{'start s':>9}{'trees/min':>10}{'ideal':>7}{'ratio':>7}"
        f"{'calls/s':>10}{'trees/min':>10}{'ideal':>8}{'ratio':>7}"
        f"{'CPU s/tree':>11}{'calls/tree':>11}{'trees':>6}{'output':>14}"
    )
    for r in results:
        base = next(b for b in results if b.executor == r.executor and b.workers == min_workers(results))
        scale = r.workers / base.workers
        rate, ideal = r.items / r.wall * 60, base.items / base.wall * 60 * scale
        steady = r.steady_calls_per_s * 60 / max(r.llm_calls / max(r.items, 1), 1e-9)
        steady_ideal = base.steady_calls_per_s * 60 / max(base.llm_calls / max(base.items, 1), 1e-9) * scale
        print(
            f"{r.executor:<9}{r.workers:>8}{r.wall:>8.1f}{r.start_up:>9.1f}{rate:>10.1f}{ideal:>7.1f}"
            f"{rate / ideal:>7.2f}{r.steady_calls_per_s:>10.2f}{steady:>10.1f}{steady_ideal:>8.1f}"
            f"{steady / max(steady_ideal, 1e-9):>7.2f}{r.cpu / max(r.items, 1):>11.2f}"
            f"{r.llm_calls / max(r.items, 1):>11.2f}{r.items:>6}{r.digest:>14}"
        )
    same = all(len({r.digest for r in results if r.workers == w}) == 1 for w in {r.workers for r in results})
    if len({r.items for r in results}) == 1:
        same = same and len({r.digest for r in results}) == 1
        print(f"record files identical across all runs: {'yes' if same else 'NO'}")
    else:  # seeds grow with the workers: compare executors at each worker count
        print(f"record files identical across executors at each worker count: {'yes' if same else 'NO'}")
    for first in (r for r in results if r.workers == 1):
        per_tree = max(first.items, 1)
        print(
            f"per tree at 1 worker ({first.executor}): {(first.wall - first.start_up) / per_tree:.2f} s after "
            f"start-up, {first.llm_calls / per_tree * latency:.2f} s of it waiting on the mock servers; "
            f"{first.cpu / per_tree:.2f} s CPU (start-up included)"
        )


def min_workers(results: list[Measured]) -> int:
    return min(r.workers for r in results)


def build_sample_index(work: Path) -> Path:
    out = work / "sample-index"
    if not out.exists():
        run_command(["index", str(SAMPLE_WARC), "--out", str(out), "--workers", "1"])
    return out


# ── index ────────────────────────────────────────────────────────────────────────────────────────────


def bench_index(args: argparse.Namespace, work: Path) -> None:
    warc = Path(args.warc)
    print(f"index: {warc} ({warc.stat().st_size / 1e6:.1f} MB), {args.workers} workers")
    results: list[Measured] = []
    for executor in args.executors.split(","):
        out = work / f"index-{executor}"
        shutil.rmtree(out, ignore_errors=True)
        command = ["index", str(warc), "--out", str(out), "--workers", str(args.workers)]
        command += ["--executor", executor]
        if executor == "ray" and args.ray_address:
            command += ["--ray-address", args.ray_address]
        if args.no_mention_links:
            command.append("--no-mention-links")
        wall, cpu, peak = run_command(command, poll_rss=True)
        pages = indexed_pages(out)
        results.append(Measured(executor, args.workers, wall, cpu, pages, peak_rss_mb=peak))
        print(f"  {executor}: {pages} pages in {wall:.1f} s", flush=True)
    print(f"\n{'executor':<9}{'workers':>8}{'wall s':>9}{'pages':>8}{'pages/s':>9}{'driver peak RSS MB':>20}")
    for r in results:
        print(
            f"{r.executor:<9}{r.workers:>8}{r.wall:>9.1f}{r.items:>8}{r.items / r.wall:>9.1f}"
            f"{r.peak_rss_mb:>20.0f}"
        )


def indexed_pages(index: Path) -> int:
    import json

    manifest = json.loads((index / "manifest.json").read_text())
    counts = manifest.get("counts", {})
    return int(counts.get("pages") or counts.get("documents") or 0)


# ── ray ──────────────────────────────────────────────────────────────────────────────────────────────

RAY_PROBE = r"""
import json, logging, os, sys, time
from pathlib import Path

def rss_mb(pid, field="VmRSS:", where="status"):
    try:
        for line in Path(f"/proc/{pid}/{where}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

def pss_mb(pid):  # proportional set size: shared pages counted once over all processes
    return rss_mb(pid, "Pss:", "smaps_rollup")

def descendants(root):
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found

workers = int(sys.argv[1])
started = time.monotonic()
import ray
imported = time.monotonic() - started
driver_before = rss_mb(os.getpid())
started = time.monotonic()
ray.init(num_cpus=max(workers, os.cpu_count() or 1), include_dashboard=False,
         logging_level=logging.WARNING, log_to_driver=False)
init_s = time.monotonic() - started
time.sleep(2)  # let the workers Ray starts ahead settle before counting them
processes_at_init = descendants(os.getpid())
at_init_mb = sum(pss_mb(pid) for pid in processes_at_init)

@ray.remote
def noop():
    return None

@ray.remote(num_cpus=1)
class Echo:
    def call(self, x):
        return x

started = time.monotonic()
ray.get(noop.remote())
first_task_s = time.monotonic() - started
started = time.monotonic()
for _ in range(200):
    ray.get(noop.remote())
task_rtt_ms = (time.monotonic() - started) / 200 * 1000
started = time.monotonic()
ray.get([noop.remote() for _ in range(1000)])
task_batch_ms = (time.monotonic() - started) / 1000 * 1000
started = time.monotonic()
actor = Echo.remote()
ray.get(actor.call.remote(0))
actor_start_s = time.monotonic() - started
started = time.monotonic()
for i in range(200):
    ray.get(actor.call.remote(i))
actor_rtt_ms = (time.monotonic() - started) / 200 * 1000
processes = descendants(os.getpid())
daemons_mb = sum(pss_mb(pid) for pid in processes)
driver_after = rss_mb(os.getpid())
started = time.monotonic()
ray.shutdown()
shutdown_s = time.monotonic() - started
print(json.dumps(dict(import_s=imported, init_s=init_s, first_task_s=first_task_s, task_rtt_ms=task_rtt_ms,
    processes_at_init=len(processes_at_init), at_init_mb=at_init_mb,
    task_batch_ms=task_batch_ms, actor_start_s=actor_start_s, actor_rtt_ms=actor_rtt_ms,
    processes=len(processes), daemons_mb=daemons_mb, driver_growth_mb=driver_after - driver_before,
    shutdown_s=shutdown_s, version=ray.__version__)))
"""


def bench_ray(args: argparse.Namespace) -> None:
    import json

    started = time.monotonic()
    probe = [sys.executable, "-c", RAY_PROBE, str(args.ray_workers)]
    done = subprocess.run(probe, capture_output=True, text=True, env=code_env())
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"ray probe failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"local Ray runtime (ray {figures['version']}, started like --executor ray does):")
    print(f"  import ray:                 {figures['import_s']:.2f} s")
    print(f"  ray.init (local runtime):   {figures['init_s']:.2f} s")
    print(f"  first task (worker start):  {figures['first_task_s']:.2f} s")
    print(f"  empty task, one at a time:  {figures['task_rtt_ms']:.2f} ms round trip")
    print(f"  empty task, 1000 at once:   {figures['task_batch_ms']:.3f} ms each")
    print(f"  actor start + first call:   {figures['actor_start_s']:.2f} s")
    print(f"  actor call, one at a time:  {figures['actor_rtt_ms']:.2f} ms round trip")
    print(
        f"  Ray processes after init:   {figures['processes_at_init']}, "
        f"{figures['at_init_mb']:.0f} MB PSS together (daemons and idle workers)"
    )
    print(
        f"  ... after the tasks above:  {figures['processes']}, {figures['daemons_mb']:.0f} MB PSS together"
    )
    print(f"  driver RSS growth:          {figures['driver_growth_mb']:.0f} MB")
    print(f"  ray.shutdown:               {figures['shutdown_s']:.2f} s")
    print(f"  whole probe process:        {wall:.1f} s (2 s of it a pause after init)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parts = parser.add_subparsers(dest="part", required=True)
    synth = parts.add_parser("synth", help="trees/min against a mock LLM server pool")
    synth.add_argument("--index", default=None, help="index dir (default: build the bundled 400-page sample)")
    synth.add_argument("--n", type=int, default=32, help="seeds per run")
    synth.add_argument(
        "--trees-per-worker",
        type=int,
        default=0,
        help="seeds per worker instead of --n (so the slowest trees do not dominate runs with many workers)",
    )
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--shard-size", type=int, default=1, help="1 balances best")
    synth.add_argument("--workers", default="1,2,4,8")
    synth.add_argument("--executors", default="process,ray")
    synth.add_argument("--ray-address", default=None)
    synth.add_argument("--servers", type=int, default=2, help="mock servers in the pool")
    synth.add_argument("--latency", type=float, default=0.3, help="seconds per mock LLM call")
    index = parts.add_parser("index", help="pages/s and driver peak RSS per executor")
    index.add_argument("--warc", default=str(SAMPLE_WARC))
    index.add_argument("--workers", type=int, default=2)
    index.add_argument("--executors", default="process,ray")
    index.add_argument("--ray-address", default=None)
    index.add_argument("--no-mention-links", action="store_true")
    ray = parts.add_parser("ray", help="start-up, memory and task overhead of a local Ray runtime")
    ray.add_argument("--ray-workers", type=int, default=8, help="CPU slots, as --workers would ask for")
    args = parser.parse_args(argv)
    if args.part == "ray":
        bench_ray(args)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        work = args.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        if args.part == "synth":
            bench_synth(args, work)
        else:
            bench_index(args, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
