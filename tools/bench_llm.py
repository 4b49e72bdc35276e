"""Benchmark the LLM layer on a GGUF model (default: the embedded SmolLM2-135M).

Figures, each next to its anchor measured in the same run:
  1. prompt and generation tokens/s (llama.cpp perf counters), anchor: wall-clock tokens/s of the same call
  2. grammar-constrained generation vs unconstrained generation of the same number of tokens (EOS banned),
     as ms per generated token; ratio constrained/unconstrained
  3. the second of two calls sharing a long prefix vs the first (KV-cache prefix reuse); ratio first/second;
     and two templates called in turn with the in-RAM KV state cache vs without it
  4. cache replay of one real call vs computing it; and replaying 1000 cached calls from a run directory

Usage: python tools/bench_llm.py [--model PATH] [--threads N] [--repeats 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import msgspec

from infoseek_local.llm.base import GenParams, Message
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.speed import FILLER, measure_speed


class Facts(msgspec.Struct):
    facts: Annotated[
        list[Annotated[str, msgspec.Meta(max_length=60)]], msgspec.Meta(min_length=4, max_length=6)
    ]


def median(values: list[float]) -> float:
    return statistics.median(values)


def perf(llama: Any) -> tuple[float, int, float, int]:
    import llama_cpp

    data = llama_cpp.llama_perf_context(llama._ctx.ctx)
    return data.t_p_eval_ms, data.n_p_eval, data.t_eval_ms, data.n_eval


def bench_speed(llm: Any, repeats: int) -> dict[str, float]:
    runs = [measure_speed(llm.backend, prompt_tokens=512, max_tokens=128) for _ in range(repeats)]
    wall = [(r.prompt_tokens + r.completion_tokens) / r.seconds for r in runs]
    return {
        "prompt_tps": median([r.prompt_tps or 0.0 for r in runs]),
        "generation_tps": median([r.generation_tps for r in runs]),
        "anchor_wall_tps_prompt_plus_generation": median(wall),
        "prompt_tokens": runs[0].prompt_tokens,
        "completion_tokens": runs[0].completion_tokens,
    }


def bench_constrained(llm: Any, repeats: int) -> dict[str, float]:
    """ms per generated token with the Facts grammar vs free text forced to the same length."""
    import llama_cpp

    backend = llm.backend
    llama = backend._llama
    banned = {token: -100.0 for token in {llama.token_eos(), 0, 2}}
    constrained_ms: list[float] = []
    free_ms: list[float] = []
    lengths: list[int] = []
    for i in range(repeats):
        messages = llm.render("bench_facts", {"topic": f"river number {i}"}, Facts)
        params = GenParams(max_tokens=200, seed=i)
        raw = backend.generate(messages, _schema(Facts), params)
        _, _, eval_ms, n_eval = perf(llama)
        constrained_ms.append(eval_ms / max(1, n_eval))
        lengths.append(raw.completion_tokens)
        llama_cpp.llama_perf_context_reset(llama._ctx.ctx)
        llama.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in messages],
            max_tokens=raw.completion_tokens,
            temperature=0.0,
            repeat_penalty=params.repeat_penalty,
            logit_bias=banned,
        )
        _, _, eval_ms, n_eval = perf(llama)
        free_ms.append(eval_ms / max(1, n_eval))
    return {
        "constrained_ms_per_token": median(constrained_ms),
        "anchor_unconstrained_ms_per_token": median(free_ms),
        "ratio": median(constrained_ms) / median(free_ms),
        "tokens": median([float(n) for n in lengths]),
    }


def _schema(answer_type: Any) -> dict[str, Any]:
    from infoseek_local.llm.schema import answer_schema

    return answer_schema(answer_type)


def bench_prefix(llm: Any, repeats: int) -> dict[str, float]:
    first_s: list[float] = []
    second_s: list[float] = []
    reused: list[int] = []
    for i in range(repeats):
        system = Message("system", f"[{time.time_ns()}] You summarise notes. " + FILLER * 12)
        params = GenParams(max_tokens=4, seed=i)
        first = llm.backend.generate([system, Message("user", "Note: the first one.")], None, params)
        second = llm.backend.generate([system, Message("user", "Note: another one.")], None, params)
        first_s.append(first.seconds)
        second_s.append(second.seconds)
        reused.append(second.reused_prompt_tokens)
    return {
        "anchor_first_call_s": median(first_s),
        "second_call_s": median(second_s),
        "speedup": median(first_s) / median(second_s),
        "prompt_tokens": float(first.prompt_tokens),
        "reused_tokens": median([float(r) for r in reused]),
    }


def bench_alternating(llm: Any, calls: int) -> dict[str, float]:
    """Two templates with different long system texts, called in turn (planner, browser, planner, ...)."""
    llama = llm.backend._llama
    state_cache = llama.cache
    params = GenParams(max_tokens=4)
    timings: dict[str, float] = {}
    for label, cache in (("without", None), ("with", state_cache)):
        llama.set_cache(cache)
        nonce = time.time_ns()
        systems = [Message("system", f"[{nonce}-{k}] You do task {k}. " + FILLER * 10) for k in range(2)]
        seconds = []
        for i in range(calls):
            raw = llm.backend.generate([systems[i % 2], Message("user", f"item {i}")], None, params)
            seconds.append(raw.seconds)
        timings[label] = median(seconds[2:])  # after each template has been seen once
    llama.set_cache(state_cache)
    return {
        "anchor_without_state_cache_s": timings["without"],
        "with_state_cache_s": timings["with"],
        "speedup": timings["without"] / timings["with"],
    }


def bench_cache(model: str | None, threads: int | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp)
        live = open_llm(model=model, threads=threads, run_dir=run)
        started = time.perf_counter()
        answer = live.ask("bench_facts", {"topic": "the cache"}, Facts, stage="bench")
        live_s = time.perf_counter() - started
        live.close()
        replayer = open_llm(model=model, threads=threads, run_dir=run)
        started = time.perf_counter()
        replay = replayer.ask("bench_facts", {"topic": "the cache"}, Facts, stage="bench")
        replay_s = time.perf_counter() - started
        assert replay.cache_hit and replay.value == answer.value
        replayer.close()

        fake_run = run / "fake"
        fake = open_llm(backend="fake", run_dir=fake_run)
        started = time.perf_counter()
        for i in range(1000):
            fake.ask("bench_facts", {"topic": f"topic {i}"}, Facts, stage="bench")
        fake_live_s = time.perf_counter() - started
        fake.close()
        started = time.perf_counter()
        again = open_llm(backend="fake", run_dir=fake_run)
        hits = sum(
            again.ask("bench_facts", {"topic": f"topic {i}"}, Facts, stage="bench").cache_hit
            for i in range(1000)
        )
        fake_replay_s = time.perf_counter() - started
        assert hits == 1000
    return {
        "anchor_live_call_s": live_s,
        "replay_call_s": replay_s,
        "speedup": live_s / replay_s,
        "anchor_1000_fake_live_s": fake_live_s,
        "replay_1000_from_disk_s": fake_replay_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    llm = open_llm(model=args.model, threads=args.threads, cache=False)
    load_s = time.perf_counter() - started
    results: dict[str, Any] = {
        "model": llm.model_id,
        "threads": llm.backend.threads,
        "load_s": load_s,
        "load_average": os.getloadavg()[0],
        "speed": bench_speed(llm, args.repeats),
        "constrained": bench_constrained(llm, args.repeats),
        "prefix": bench_prefix(llm, args.repeats),
        "alternating": bench_alternating(llm, 2 + 2 * args.repeats),
        "cache": bench_cache(args.model, args.threads),
    }
    if args.json:
        print(json.dumps(results, indent=1))
        return
    s, c, p, k = results["speed"], results["constrained"], results["prefix"], results["cache"]
    a = results["alternating"]
    print(
        f"model {results['model']}  threads {results['threads']}  load {load_s:.2f} s  "
        f"load average {results['load_average']:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"speed        prompt {s['prompt_tps']:.0f} tok/s, generation {s['generation_tps']:.1f} tok/s "
        f"({s['prompt_tokens']} + {s['completion_tokens']} tokens)   anchor: wall "
        f"{s['anchor_wall_tps_prompt_plus_generation']:.0f} tok/s prompt+generation"
    )
    print(
        f"constrained  {c['constrained_ms_per_token']:.1f} ms/token with grammar vs anchor "
        f"{c['anchor_unconstrained_ms_per_token']:.1f} ms/token free text, same {c['tokens']:.0f} tokens: "
        f"ratio {c['ratio']:.2f}"
    )
    print(
        f"prefix       second call {p['second_call_s']:.2f} s vs anchor first call {p['anchor_first_call_s']:.2f} s "
        f"({p['prompt_tokens']:.0f}-token prompt, {p['reused_tokens']:.0f} reused): speed-up {p['speedup']:.1f}x"
    )
    print(
        f"alternating  two templates in turn: {a['with_state_cache_s']:.2f} s a call with the KV state cache vs "
        f"anchor {a['anchor_without_state_cache_s']:.2f} s without: speed-up {a['speedup']:.1f}x"
    )
    print(
        f"cache        replay {k['replay_call_s'] * 1000:.1f} ms vs anchor live {k['anchor_live_call_s']:.2f} s "
        f"(speed-up {k['speedup']:.0f}x); 1000 calls replayed from disk in {k['replay_1000_from_disk_s']:.2f} s "
        f"vs anchor fake backend live {k['anchor_1000_fake_live_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
