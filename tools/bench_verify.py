"""Verify cost and pass rates on a synth run: the chosen judge next to the fake-backend anchor, same questions.

    python tools/bench_verify.py RUN [--model GGUF | --endpoint URL] [--checks ...] [--keep-going]

Copies RUN's questions, trees and config into fresh temp run dirs (RUN itself is never touched), verifies them
once with the fake backend (anchor: the pipeline's own cost, deterministic checks, no model) and once with the
judge (default: the embedded SmolLM2-135M), and prints pass rate per check, seconds and judge tokens per question.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from infoseek_local.llm.factory import LLMConfig
from infoseek_local.verify.context import DEFAULT_CHECKS, VerifyConfig
from infoseek_local.verify.pipeline import VerifySummary, run_verify


def copy_run(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("questions", "trees"):
        shutil.copytree(source / name, target / name)
    shutil.copy(source / "config.toml", target / "config.toml")
    return target


def measure(source: Path, workdir: Path, label: str, config: VerifyConfig, llm: LLMConfig) -> VerifySummary:
    run = copy_run(source, workdir / label)
    started = time.perf_counter()
    summary = run_verify(run, config, llm_config=llm)
    summary.seconds = time.perf_counter() - started
    return summary


def show(label: str, summary: VerifySummary) -> None:
    n = max(1, summary.questions)
    tokens = summary.prompt_tokens + summary.completion_tokens
    print(
        f"{label:>8}: {summary.accepted}/{summary.questions} accepted; {summary.seconds / n:.2f} s/question, "
        f"{tokens / n:.0f} judge tokens/question, {summary.llm_calls} judge calls"
    )
    for stage in summary.funnel:
        rate = f"{stage.passed / stage.entered:.0%}" if stage.entered else "-"
        print(f"{'':>10}{stage.name:<14} {stage.passed:>4}/{stage.entered:<4} {rate}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run", type=Path)
    parser.add_argument("--model")
    parser.add_argument("--endpoint", action="append", default=[])
    parser.add_argument("--checks", default=",".join(DEFAULT_CHECKS))
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--keep-going", action="store_true", help="run every check on every question")
    args = parser.parse_args()
    config = VerifyConfig(
        checks=tuple(args.checks.split(",")), samples=args.samples, keep_going=args.keep_going
    )
    with tempfile.TemporaryDirectory() as tmp:
        anchor = measure(args.run, Path(tmp), "fake", config, LLMConfig(backend="fake"))
        judge = measure(
            args.run, Path(tmp), "judge", config, LLMConfig(model=args.model, endpoints=tuple(args.endpoint))
        )
    show("anchor", anchor)
    show("judge", judge)


if __name__ == "__main__":
    main()
