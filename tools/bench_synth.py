"""Benchmark `synth` on the bundled corpus: the embedded 135M model next to the fake backend (the anchor: a
model that picks uniformly at random among the same valid choices), same seeds, same index, same code.

    python tools/bench_synth.py --n 8                 # fake + embedded SmolLM2-135M
    python tools/bench_synth.py --n 8 --model X.gguf  # fake + another GGUF
    python tools/bench_synth.py --n 40 --only-fake

Prints per backend: acceptance rate, share of trees with >= 2 hops accepted, share of accepted claims that
are grounded (re-checked here against the page text, not read from the records), hop and vertex distributions,
LLM calls, tokens and seconds per accepted question, KV-prefix reuse (llama.cpp), reject reasons, and a few
example questions.
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
from infoseek_local.llm.factory import LLMConfig, open_llm_from_config  # noqa: E402
from infoseek_local.records import Question, Tree  # noqa: E402
from infoseek_local.store import read_shards  # noqa: E402
from infoseek_local.synth.claims import is_grounded  # noqa: E402
from infoseek_local.synth.config import SynthConfig  # noqa: E402
from infoseek_local.synth.masking import content_terms  # noqa: E402
from infoseek_local.synth.pipeline import run_synth  # noqa: E402
from infoseek_local.synth.sentences import split_sentences  # noqa: E402

SAMPLE_WARC = REPO / "infoseek_local" / "data" / "vital10k-small.warc.gz"


class ReuseMeter:
    """Wraps a backend to add up prompt tokens and those served from llama.cpp's KV cache."""

    def __init__(self, backend: object) -> None:
        self.backend = backend
        self.prompt_tokens = 0
        self.reused = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.backend, name)

    def generate(self, messages, json_schema, params):  # type: ignore[no-untyped-def]
        raw = self.backend.generate(messages, json_schema, params)  # type: ignore[attr-defined]
        self.prompt_tokens += raw.prompt_tokens
        self.reused += raw.reused_prompt_tokens
        return raw


def regrounded(tree: Tree, index: Index) -> tuple[int, int]:
    """(grounded, total) claims of a tree, checked against the page text from the index."""
    kinds = {w for v in tree.vertices for w in content_terms(v.descriptor)}
    good = total = 0
    for vertex in tree.vertices:
        pages = [(vertex.page_id, c) for c in vertex.claims]
        if vertex.relation is not None:
            pages.append((tree.vertices[vertex.parent].page_id, vertex.relation))
        for page_id, claim in pages:
            linked = {w for link in index.out_links(page_id) for w in _kind_words(index, link.target)}
            total += 1
            good += is_grounded(claim, split_sentences(index.page(page_id).text), kinds | linked)
    return good, total


_KIND_CACHE: dict[int, set[str]] = {}


def _kind_words(index: Index, page_id: int) -> set[str]:
    if page_id not in _KIND_CACHE:
        from infoseek_local.synth.masking import descriptor_of

        sentences = split_sentences(index.page(page_id).text)[:4]
        title = index.page(page_id).title
        _KIND_CACHE[page_id] = {w for s in sentences for w in content_terms(descriptor_of(title, s.text))}
    return _KIND_CACHE[page_id]


def bench(label: str, llm_config: LLMConfig, index_dir: Path, n: int, seed: int, work: Path) -> dict:
    run = work / label
    config = SynthConfig(index=str(index_dir), n=n, seed=seed, shard_size=1, backend=llm_config.backend or "")
    llm = open_llm_from_config(llm_config, run_dir=run)
    meter = ReuseMeter(llm.backend)
    llm.backend = meter  # type: ignore[assignment]
    started = time.monotonic()
    run_synth(config, run, llm_config, llm=llm)
    wall = time.monotonic() - started
    llm.close()
    trees = list(read_shards(run / "trees", Tree))
    questions = list(read_shards(run / "questions", Question))
    accepted = [t for t in trees if t.status == "accepted"]
    calls = [r for r in read_call_log(run)]
    with Index.open(index_dir) as index:
        checks = [regrounded(t, index) for t in accepted]
    grounded = sum(g for g, _ in checks)
    claims = sum(t for _, t in checks)
    per_tree_tokens = [t.llm_tokens for t in accepted]
    return {
        "label": label,
        "seeds": len(trees),
        "accepted": len(accepted),
        "accepted_2hop": sum(1 for q in questions if q.hops >= 2),
        "grounded": f"{grounded}/{claims}",
        "hops": dict(sorted(Counter(q.hops for q in questions).items())),
        "vertices": dict(sorted(Counter(q.vertices for q in questions).items())),
        "calls": len(calls),
        "tokens": sum(r.prompt_tokens + r.completion_tokens for r in calls),
        "seconds": sum(r.seconds for r in calls),
        "wall": wall,
        "max_tree_tokens": max(per_tree_tokens, default=0),
        "kv_reuse": meter.reused / meter.prompt_tokens if meter.prompt_tokens else 0.0,
        "rejected": Counter(t.reject_reason for t in trees if t.status != "accepted"),
        "words": statistics.fmean(len(q.question.split()) for q in questions) if questions else 0.0,
        "examples": questions[:3],
    }


def report(result: dict) -> None:
    accepted = max(result["accepted"], 1)
    print(f"\n== {result['label']} ==")
    print(
        f"acceptance: {result['accepted']}/{result['seeds']} seeds ({result['accepted'] / result['seeds']:.0%}); "
        f">= 2 hops: {result['accepted_2hop']}/{result['seeds']}"
    )
    print(f"accepted claims grounded (re-checked): {result['grounded']}")
    print(
        f"hops: {result['hops']}  vertices: {result['vertices']}  mean question words: {result['words']:.0f}"
    )
    print(
        f"LLM: {result['calls']} calls, {result['tokens']} tokens, {result['seconds']:.0f} s model time, "
        f"{result['wall']:.0f} s wall"
    )
    if result["accepted"]:
        print(
            f"per accepted question: {result['calls'] / accepted:.1f} calls, {result['tokens'] / accepted:.0f} "
            f"tokens, {result['seconds'] / accepted:.1f} s; largest accepted tree {result['max_tree_tokens']} tokens"
        )
    print(f"KV-prefix reuse: {result['kv_reuse']:.0%} of prompt tokens")
    print("rejected: " + (", ".join(f"{k}={v}" for k, v in result["rejected"].most_common()) or "none"))
    for q in result["examples"]:
        print(f"  Q: {q.question}\n  A: {q.answer}  ({q.hops} hops, {q.vertices} vertices, {q.id})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--index", type=Path, default=None, help="index dir (default: build the bundled sample)"
    )
    parser.add_argument("--model", default=None, help="GGUF (default: embedded SmolLM2-135M)")
    parser.add_argument("--only-fake", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="keep run dirs here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_synth_"))
    work.mkdir(parents=True, exist_ok=True)
    index_dir = args.index
    if index_dir is None:
        from infoseek_local.index.build import build_index

        index_dir = work / "index"
        if not (index_dir / "manifest.json").exists():
            build_index([str(SAMPLE_WARC)], index_dir, workers=1)
    print(f"bench_synth: {args.n} seeds, seed {args.seed}, index {index_dir}, runs in {work}")
    results = [
        bench(
            "fake (random valid choices: anchor)",
            LLMConfig(backend="fake", seed=args.seed),
            index_dir,
            args.n,
            args.seed,
            work,
        )
    ]
    if not args.only_fake:
        label = f"llamacpp {Path(args.model).name if args.model else 'embedded SmolLM2-135M'}"
        config = LLMConfig(backend="llamacpp", model=args.model, seed=args.seed)
        results.append(bench(label, config, index_dir, args.n, args.seed, work))
    for result in results:
        report(result)
    target = results[-1]
    ok = target["accepted_2hop"] * 2 >= target["seeds"]
    per_tree = target["tokens"] / max(target["accepted"], 1)
    print(
        f"\ntarget (>= half the seeds give an accepted grounded tree of >= 2 hops, <= ~17k tokens per accepted "
        f"tree): {target['label']}: {'met' if ok and per_tree <= 17000 else 'NOT met'} "
        f"({target['accepted_2hop']}/{target['seeds']}, {per_tree:.0f} tokens per accepted tree)"
    )


if __name__ == "__main__":
    main()
