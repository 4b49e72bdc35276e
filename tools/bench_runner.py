"""What the executors cost: fake-backend synth of N seeds inline (the anchor), in local processes and on Ray,
plus Ray's start-up time and the per-shard overhead of each executor on a stage that does nothing.

    python tools/bench_runner.py [--index DIR] [--n 24] [--workers 2] [--shards 40]

Without --index it builds one from the bundled sample. Every figure is measured in this run; the record files
of the three synth runs are compared byte for byte (they must be identical). CPU-bound work cannot scale on a
2-core machine: this measures overhead, not speed-up (tools/bench_scale.py measures LLM-bound scaling).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infoseek_local.llm.factory import LLMConfig
from infoseek_local.run.executors import ExecutorSpec
from infoseek_local.run.runner import run_stage
from infoseek_local.run.stage import Counts, NoResources, ShardTask
from infoseek_local.synth.config import SynthConfig
from infoseek_local.synth.pipeline import run_synth

SAMPLE_WARC = Path(__file__).resolve().parent.parent / "infoseek_local" / "data" / "vital10k-small.warc.gz"


class NothingStage:
    """A stage whose shards do nothing: what is left of their time is the executor's."""

    name = "nothing"
    counts_type = Counts
    rerun_hint = "rerun"
    output_dirs: tuple[Path, ...] = ()

    def __init__(self, done_dir: Path) -> None:
        self.done_dir = done_dir

    def settings(self) -> dict[str, Any]:
        return {}

    def open_worker(self) -> NoResources:
        return NoResources()

    def work(self, resources: NoResources, task: ShardTask, report: Any) -> Counts:
        return Counts()


def record_bytes(run: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(run)): p.read_bytes()
        for folder in ("trees", "questions")
        for p in sorted((run / folder).glob("*.msgpack.zst"))
    }


def timed(label: str, action: Any) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:7.2f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--n", type=int, default=24, help="seeds synthesized per executor")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--shards", type=int, default=100, help="extra no-op shards for the per-shard overhead"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_runner_"))
    index = args.index
    if index is None:
        from infoseek_local.index.build import build_index

        index = work / "index"
        build_index([str(SAMPLE_WARC)], index, workers=1)
    llm = LLMConfig(backend="fake")
    config = SynthConfig(index=str(index), n=args.n, shard_size=2, backend="fake")
    executors = {
        "inline": ExecutorSpec(kind="inline"),
        "process": ExecutorSpec(kind="process", workers=args.workers),
        "ray": ExecutorSpec(kind="ray", workers=args.workers),
    }

    print(f"synth, fake backend, {args.n} seeds in shards of 2, {args.workers} workers (ray: local runtime)")
    synth_seconds = {}
    for name, spec in executors.items():
        run = work / f"synth-{name}"
        synth_seconds[name] = timed(
            f"{name}{' (anchor)' if name == 'inline' else ''}",
            lambda r=run, s=spec: run_synth(config, r, llm, executor=s),
        )
    anchor = record_bytes(work / "synth-inline")
    same = all(record_bytes(work / f"synth-{name}") == anchor for name in executors)
    print(f"  record files identical across executors: {same} ({len(anchor)} files)")
    for name in ("process", "ray"):
        print(f"  {name} / inline: {synth_seconds[name] / synth_seconds['inline']:.2f}x")

    print("Ray local runtime")
    import ray

    timed(
        "ray.init (start a local runtime)", lambda: ray.init(num_cpus=args.workers, include_dashboard=False)
    )
    timed("ray.shutdown", ray.shutdown)

    print(
        f"executor overhead: a stage doing nothing, 2 then {2 + args.shards} shards, {args.workers} workers"
    )
    for name, spec in executors.items():
        few, many = (
            timed(
                f"{name}, {n} shards",
                lambda n=n, s=spec, k=name: run_stage(
                    NothingStage(work / f"nothing-{k}-{n}"), [ShardTask(f"s{i:04d}") for i in range(n)], s
                ),
            )
            for n in (2, 2 + args.shards)
        )
        per_shard = (many - few) / args.shards
        print(f"    {per_shard * 1000:.1f} ms a shard; {few - 2 * per_shard:.2f} s fixed (start and stop)")
    print(f"driver peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"work dir: {work}")


if __name__ == "__main__":
    main()
