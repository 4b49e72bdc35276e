"""Trajectories on a run's accepted questions: guided (tree-following), the choice agent and the free agent.

    python tools/bench_agent.py --run RUN [--index DIR] [--questions 30] [--samples 2] [--free-samples 1]
                                [--model GGUF] [--threads 2] [--skip-free] [--out bench.json]

Figures, all on the same questions in one process (the LLM cache is off, so every call is paid in full):
- guided: share of questions with a valid trajectory, drops by reason, searches per trajectory next to the
  tree's hops and the oracle's searches, rule violations the checker finds on kept ones (must be 0), seconds;
- choice agent (`sample --mode agent`) and free agent (`--mode free`, the agent before this tool's issue):
  solved share (a question with a correct sample), correct share of trajectories, searches, seconds, tokens;
- anchor: one closed-book answer call per question (the free agent's answer-only step with no history), its
  seconds, tokens and how many it answers right. On a shared machine absolute seconds swing with load: compare
  the ratio to this anchor across runs;
- peak RSS of the process (the model, its KV state cache, the index).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infoseek_local.agent.agent import STEP_TEMPLATE, AgentConfig, FinalStep, SearchAgent  # noqa: E402
from infoseek_local.agent.choice import ChoiceAgent, ChoiceConfig  # noqa: E402
from infoseek_local.agent.guided import GuidedConfig, build_guided  # noqa: E402
from infoseek_local.agent.guided_check import check_guided  # noqa: E402
from infoseek_local.agent.sampling import load_accepted, load_question_trees, sample_seed  # noqa: E402
from infoseek_local.llm.base import GenParams  # noqa: E402
from infoseek_local.llm.factory import open_llm  # noqa: E402
from infoseek_local.run.paths import index_path_for  # noqa: E402
from infoseek_local.verify.answer_match import match_answer  # noqa: E402


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def mean(values: list[float]) -> float:
    return round(statistics.mean(values), 3) if values else 0.0


def bench_guided(questions: list[Any], trees: dict[str, Any], index: Any) -> dict[str, Any]:
    kept, dropped, violations = [], Counter(), 0
    for question in questions:
        outcome = build_guided(question, trees.get(question.tree_id), index, GuidedConfig())
        if outcome.trajectory is None:
            dropped[outcome.reason] += 1
            continue
        violations += len(check_guided(outcome.trajectory, question, index))
        kept.append((question, outcome.trajectory))
    return {
        "questions": len(questions),
        "valid": len(kept),
        "valid_share": round(len(kept) / len(questions), 3),
        "dropped": dict(dropped),
        "rule_violations": violations,
        "searches_per_trajectory": mean([t.searches for _, t in kept]),
        "tree_hops": mean([q.hops for q, _ in kept]),
        "oracle_searches": mean([q.oracle_searches for q, _ in kept]),
        "seconds_per_trajectory": mean([t.seconds for _, t in kept]),
        "tokens_per_trajectory": 0,
    }


def bench_closed_book(llm: Any, questions: list[Any]) -> dict[str, Any]:
    seconds, tokens, right = [], [], 0
    for question in questions:
        variables = {
            "question": question.question,
            "history": "(nothing yet)",
            "note": "",
            "instruction": "Last turn. Answer now.",
        }
        started = time.perf_counter()
        completion = llm.ask(
            STEP_TEMPLATE, variables, FinalStep, stage="bench", params=GenParams(max_tokens=200, seed=1)
        )
        seconds.append(time.perf_counter() - started)
        tokens.append(completion.prompt_tokens + completion.completion_tokens)
        right += match_answer(completion.value.answer, question.answer, question.aliases).matched
    return {"seconds": mean(seconds), "tokens": mean(tokens), "correct": right}


def bench_agent(name: str, agent: Any, questions: list[Any], samples: int, llm: Any) -> dict[str, Any]:
    rows = []
    for question in questions:
        for sample in range(samples):
            calls = llm.stats.calls
            trajectory = agent.solve(
                question, sample_index=sample, seed=sample_seed(0, question.id, sample), temperature=0.7
            )
            rows.append(
                {
                    "question": question.id,
                    "correct": trajectory.correct,
                    "searches": trajectory.searches,
                    "seconds": trajectory.seconds,
                    "tokens": trajectory.prompt_tokens + trajectory.completion_tokens,
                    "llm_calls": llm.stats.calls - calls,
                    "end_reason": trajectory.end_reason,
                    "answer": trajectory.final_answer,
                    "gold": question.answer,
                }
            )
            print(json.dumps({"agent": name, **rows[-1]}), flush=True)
    solved = {r["question"] for r in rows if r["correct"]}
    return {
        "trajectories": len(rows),
        "samples_per_question": samples,
        "correct_share": round(sum(r["correct"] for r in rows) / len(rows), 3),
        "solved_questions": len(solved),
        "solved_share": round(len(solved) / len(questions), 3),
        "searches_per_trajectory": mean([r["searches"] for r in rows]),
        "seconds_per_trajectory": mean([r["seconds"] for r in rows]),
        "tokens_per_trajectory": mean([r["tokens"] for r in rows]),
        "llm_calls_per_trajectory": mean([r["llm_calls"] for r in rows]),
        "end_reasons": dict(Counter(r["end_reason"] for r in rows)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--samples", type=int, default=2, help="choice-agent samples per question")
    parser.add_argument("--free-samples", type=int, default=1, help="free-agent samples per question")
    parser.add_argument("--skip-free", action="store_true")
    parser.add_argument("--model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from infoseek_local.index.reader import Index

    index = Index.open(args.index or index_path_for(args.run))
    questions = sorted(load_accepted(args.run), key=lambda q: q.id)[: args.questions]
    trees = load_question_trees(args.run, questions)
    summary: dict[str, Any] = {"run": str(args.run), "questions": len(questions)}
    summary["guided"] = bench_guided(questions, trees, index)
    print(json.dumps({"guided": summary["guided"]}), flush=True)

    llm = open_llm(model=args.model, threads=args.threads, cache=False)
    summary["model"] = llm.model_id
    summary["anchor_closed_book"] = bench_closed_book(llm, questions)
    print(json.dumps({"anchor_closed_book": summary["anchor_closed_book"]}), flush=True)
    summary["choice_agent"] = bench_agent(
        "choice", ChoiceAgent(index, llm, ChoiceConfig()), questions, args.samples, llm
    )
    if not args.skip_free:
        free = SearchAgent(index, llm, AgentConfig())
        summary["free_agent"] = bench_agent("free", free, questions, args.free_samples, llm)
    anchor = summary["anchor_closed_book"]["seconds"] or 1.0
    for name in ("choice_agent", "free_agent"):
        if name in summary:
            summary[name]["seconds_over_closed_book"] = round(
                summary[name]["seconds_per_trajectory"] / anchor, 2
            )
    summary["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    llm.close()
    index.close()


if __name__ == "__main__":
    main()
