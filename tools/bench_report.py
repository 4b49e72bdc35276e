"""Size and time of `report` as a run grows: N copies of one real question and tree, next to an anchor.

    python tools/bench_report.py RUN [--n 1000 10000]

Takes the first question of RUN (and its tree) and writes runs of N copies with fresh ids into a temp dir
(RUN itself is never touched), then times `report` on each next to the anchor measured on the same run:
`stats` (which reads the same shards once and draws nothing). Prints page size, cards drawn and seconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import msgspec

from infoseek_local.records import Question, Tree
from infoseek_local.report import write_report
from infoseek_local.stats import build_report
from infoseek_local.store import ShardWriter, mark_done, read_shards, shard_path


def copies(source: Path, target: Path, n: int) -> Path:
    question = next(iter(read_shards(source / "questions", Question)))
    tree = next(t for t in read_shards(source / "trees", Tree) if t.id == question.tree_id)
    for folder, records in (
        ("trees", (msgspec.structs.replace(tree, id=f"t-{i:016x}") for i in range(n))),
        (
            "questions",
            (msgspec.structs.replace(question, id=f"q-{i:016x}", tree_id=f"t-{i:016x}") for i in range(n)),
        ),
    ):
        with ShardWriter(shard_path(target / folder, "synth-00000")) as writer:
            writer.write_all(records)
        mark_done(target / folder, "synth-00000")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            run = copies(args.run, Path(tmp) / f"run-{n}", n)
            started = time.perf_counter()
            build_report(run)
            anchor = time.perf_counter() - started
            started = time.perf_counter()
            result = write_report([run], Path(tmp) / f"report-{n}.html")
            seconds = time.perf_counter() - started
            print(
                f"{n:>7,} questions: report {result.size / 1024:,.0f} KB, {result.cards} cards, {seconds:.2f} s "
                f"(anchor `stats` on the same run: {anchor:.2f} s)"
            )


if __name__ == "__main__":
    main()
