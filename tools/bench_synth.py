"""Benchmark the questions `synth` writes: acceptance, length, debris, one-search shortcuts and oracle searches.

    python tools/bench_synth.py --warc path/to/vital10k.warc.gz --n 40 --seeds-file tools/bench_seeds_vital10k.txt
    python tools/bench_synth.py --n 8 --only-fake          # the bundled sample, fake backend only

Runs the fake backend (a model that picks uniformly at random among the same valid choices: the anchor) and the
embedded SmolLM2-135M (or --model GGUF) on the same index and seeds: `--n` random seeds, plus the seeds of
`--seeds-file` when given. Prints per backend:
- acceptance (share of seeds with a question) and reject reasons (no_in_corpus_links must be 0 for sampled seeds);
- question words: median and max; questions with debris under verify's fluency lint;
- a plain BM25 search (body text, default tokenizer, no boosts, stopwords kept) with the whole question: share of
  questions whose answer page ranks first and share in the top 10 — measured here, not read from the records;
- oracle searches per question (mean, from the records) and the share with >= 3 hops;
- LLM calls, tokens and seconds per accepted question; ten questions to read.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infoseek_local.index.reader import Index  # noqa: E402
from infoseek_local.llm.accounting import read_call_log  # noqa: E402
from infoseek_local.llm.factory import LLMConfig  # noqa: E402
from infoseek_local.records import Question, Tree  # noqa: E402
from infoseek_local.store import read_shards  # noqa: E402
from infoseek_local.synth.config import SynthConfig  # noqa: E402
from infoseek_local.synth.pipeline import run_synth  # noqa: E402
from infoseek_local.text.fluency import fluency_problems  # noqa: E402

SAMPLE_WARC = REPO / "infoseek_local" / "data" / "vital10k-small.warc.gz"


def plain_rank(index: Index, question: Question) -> int | None:
    hits = index.search_plain(question.question, 10)
    return next((i + 1 for i, hit in enumerate(hits) if hit.page_id == question.gold_page_ids[0]), None)


def run_one(label: str, llm_config: LLMConfig, config: SynthConfig, run: Path) -> dict:
    started = time.monotonic()
    run_synth(config, run, llm_config)
    wall = time.monotonic() - started
    trees = list(read_shards(run / "trees", Tree))
    questions = list(read_shards(run / "questions", Question))
    calls = list(read_call_log(run))
    return {"label": label, "trees": trees, "questions": questions, "calls": calls, "wall": wall}


def report(result: dict, index: Index) -> None:
    trees, questions = result["trees"], result["questions"]
    n = max(len(trees), 1)
    words = [len(q.question.split()) for q in questions]
    debris = [(q, fluency_problems(q.question)) for q in questions]
    ranks = [plain_rank(index, q) for q in questions]
    oracle = [q.oracle_searches for q in questions if q.oracle_searches >= 0]
    accepted = max(len(questions), 1)
    rejected = Counter(t.reject_reason for t in trees if t.status != "accepted")
    tokens = sum(r.prompt_tokens + r.completion_tokens for r in result["calls"])
    seconds = sum(r.seconds for r in result["calls"])
    print(f"\n== {result['label']} ==")
    print(
        f"acceptance: {len(questions)}/{len(trees)} seeds ({len(questions) / n:.0%}) in {result['wall']:.0f} s"
    )
    print("rejected: " + (", ".join(f"{k}={v}" for k, v in rejected.most_common()) or "none"))
    if not questions:
        return
    print(f"question words: median {statistics.median(words):.0f}, max {max(words)} (aim <= 60, none > 100)")
    print(f"debris under the fluency lint: {sum(1 for _, p in debris if p)} questions (aim 0)")
    first = sum(1 for r in ranks if r == 1)
    top10 = sum(1 for r in ranks if r is not None)
    print(
        f"plain BM25, whole question: answer first {first}/{len(questions)} ({first / accepted:.0%}, aim 0%), "
        f"top 10 {top10}/{len(questions)} ({top10 / accepted:.0%}, aim <= 20%)"
    )
    deep = sum(1 for q in questions if q.hops >= 3)
    mean_oracle = statistics.fmean(oracle) if oracle else 0.0
    print(
        f"oracle searches: mean {mean_oracle:.1f} (aim >= 3); hops >= 3: {deep}/{len(questions)} "
        f"({deep / accepted:.0%}, aim >= 50%); hops {dict(sorted(Counter(q.hops for q in questions).items()))}"
    )
    print(
        f"LLM per accepted question: {len(result['calls']) / accepted:.1f} calls, {tokens / accepted:.0f} tokens, "
        f"{seconds / accepted:.1f} s model time"
    )
    for q, problems in debris[:10]:
        print(
            f"  Q ({len(q.question.split())} words, {q.hops} hops, oracle {q.oracle_searches}): {q.question}"
        )
        print(f"    A: {q.answer}" + (f"   DEBRIS: {problems}" if problems else ""))


def _setting(key: str, value: str) -> object:
    """`--set max_depth=4`: the value parsed as the type of the setting's default."""
    default = getattr(SynthConfig(index=""), key, None)
    if default is None:
        sys.exit(f"bench_synth: --set {key}: no such synth setting")
    if isinstance(default, bool):
        return value.lower() in ("1", "true", "yes")
    return type(default)(value)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=8, help="random seeds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seeds-file", type=Path, default=None, help="chosen seeds (titles or URLs), run too"
    )
    parser.add_argument("--warc", type=Path, default=SAMPLE_WARC, help="corpus to index (default: bundled)")
    parser.add_argument("--index", type=Path, default=None, help="an index dir instead of --warc")
    parser.add_argument("--model", default=None, help="GGUF (default: embedded SmolLM2-135M)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-fake", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="keep index and run dirs here")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a synth setting to change (ablations)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    work.mkdir(parents=True, exist_ok=True)
    index_dir = args.index
    if index_dir is None:
        from infoseek_local.index.build import build_index

        index_dir = work / "index"
        if not (index_dir / "manifest.json").exists():
            build_index([str(args.warc)], index_dir, workers=args.workers)
    print(
        f"bench_synth: {args.n} random seeds (seed {args.seed}), seeds file {args.seeds_file}, index {index_dir}"
    )
    backends = [("fake (random valid choices: anchor)", LLMConfig(backend="fake", seed=args.seed))]
    if not args.only_fake:
        name = Path(args.model).name if args.model else "embedded SmolLM2-135M"
        backends.append((f"llamacpp {name}", LLMConfig(backend="llamacpp", model=args.model, seed=args.seed)))
    seed_sets = [("random", {"n": args.n})]
    if args.seeds_file:
        chosen = [
            line for line in args.seeds_file.read_text().splitlines() if line.strip() and line[0] != "#"
        ]
        seed_sets.append(("chosen", {"n": len(chosen), "seeds_file": str(args.seeds_file.resolve())}))
    overrides = {key: _setting(key, value) for key, _, value in (item.partition("=") for item in args.set)}
    with Index.open(index_dir) as index:
        for label, llm_config in backends:
            for set_name, extra in seed_sets:
                config = SynthConfig(
                    index=str(index_dir),
                    seed=args.seed,
                    shard_size=2,
                    workers=args.workers,
                    backend=llm_config.backend or "",
                    **extra,  # type: ignore[arg-type]
                    **overrides,
                )
                run = work / f"{llm_config.backend}-{set_name}"
                report(run_one(f"{label}, {set_name} seeds", llm_config, config, run), index)


if __name__ == "__main__":
    main()
