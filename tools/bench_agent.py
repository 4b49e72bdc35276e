"""Seconds and tokens per search-agent trajectory with a real model, next to anchors from the same run.

    python tools/bench_agent.py [--index DIR | (builds the bundled sample index)] [--run RUN] [--questions 3]
                                [--max-turns 3] [--model GGUF] [--threads 2] [--out bench.json]

Questions: the accepted questions of `--run`, else one-hop questions made from the bundled sample's pages
("Which entity is described as '<short description>'?", answer = page title, gold = that page). Anchors,
measured in the same process on the same questions and model: (1) one closed-book answer call (the agent's own
answer-only step with no history), the cheapest thing an LLM can do per question; (2) the in-process batched
search the agent makes per turn. The LLM cache is off, so every figure is paid in full. On a shared machine
the absolute seconds swing with load; the ratio to anchor (1) is the figure to compare across runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infoseek_local.agent.agent import STEP_TEMPLATE, AgentConfig, FinalStep, SearchAgent  # noqa: E402
from infoseek_local.agent.sampling import load_accepted  # noqa: E402
from infoseek_local.llm.base import GenParams  # noqa: E402
from infoseek_local.llm.factory import open_llm  # noqa: E402
from infoseek_local.records import Provenance, Question  # noqa: E402

SAMPLE_WARC = ROOT / "infoseek_local" / "data" / "vital10k-small.warc.gz"
SAMPLE_PAGE_IDS = (3, 50, 122, 200, 333, 17, 250, 90)


def sample_questions(index: object, n: int) -> list[Question]:
    questions = []
    for page_id in SAMPLE_PAGE_IDS[:n]:
        page = index.page(page_id)  # type: ignore[attr-defined]
        lines = [line.strip() for line in page.text.splitlines() if line.strip()]
        description = lines[1] if len(lines) > 1 else lines[0]
        questions.append(
            Question(
                id=f"bench-{page_id}",
                tree_id=f"bench-{page_id}",
                question=f"Which entity is described as '{description}'?",
                answer=page.title,
                aliases=[],
                hops=1,
                vertices=1,
                gold_page_ids=[page_id],
                gold_urls=[page.url],
                provenance=Provenance(tool_version="bench"),
            )
        )
    return questions


def closed_book_seconds(llm: object, questions: list[Question], seed: int) -> tuple[float, float]:
    """Mean seconds and tokens of one answer-only step per question (no search, no history)."""
    seconds, tokens = [], []
    for question in questions:
        variables = {
            "question": question.question,
            "history": "(nothing yet)",
            "note": "",
            "instruction": "This is your final turn: give your best answer now, a short entity name.",
        }
        started = time.perf_counter()
        completion = llm.ask(  # type: ignore[attr-defined]
            STEP_TEMPLATE, variables, FinalStep, stage="bench", params=GenParams(max_tokens=200, seed=seed)
        )
        seconds.append(time.perf_counter() - started)
        tokens.append(completion.prompt_tokens + completion.completion_tokens)
    return statistics.mean(seconds), statistics.mean(tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--run", type=Path)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--samples", type=int, default=1)
    parser.add_argument("--max-turns", type=int, default=3)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from infoseek_local.index.reader import Index

    index_dir = args.index
    if index_dir is None:
        from infoseek_local.index.build import build_index

        index_dir = Path(tempfile.mkdtemp(prefix="bench-agent-")) / "index"
        build_index([str(SAMPLE_WARC)], index_dir, workers=1)
    index = Index.open(index_dir)
    questions = (
        load_accepted(args.run)[: args.questions] if args.run else sample_questions(index, args.questions)
    )
    llm = open_llm(model=args.model, threads=args.threads, cache=False)
    config = AgentConfig(max_turns=args.max_turns)
    agent = SearchAgent(index, llm, config)

    anchor_seconds, anchor_tokens = closed_book_seconds(llm, questions, seed=1)
    search_started = time.perf_counter()
    for question in questions:
        index.search_many([question.question[:60]], config.top_k)
    search_ms = (time.perf_counter() - search_started) / len(questions) * 1000

    rows = []
    for question in questions:
        for sample in range(args.samples):
            calls_before = llm.stats.calls
            trajectory = agent.solve(
                question, sample_index=sample, seed=100 + sample, temperature=args.temperature
            )
            rows.append(
                {
                    "question": question.id,
                    "seconds": trajectory.seconds,
                    "prompt_tokens": trajectory.prompt_tokens,
                    "completion_tokens": trajectory.completion_tokens,
                    "llm_calls": llm.stats.calls - calls_before,
                    "turns": len(trajectory.turns),
                    "searches": trajectory.searches,
                    "end_reason": trajectory.end_reason,
                    "correct": trajectory.correct,
                    "recall": trajectory.reward.retrieval_recall,
                    "answer": trajectory.final_answer,
                    "transcript": trajectory.transcript,
                }
            )
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "transcript"}), flush=True)
    seconds = statistics.mean(r["seconds"] for r in rows)
    summary = {
        "model": llm.model_id,
        "threads": args.threads,
        "trajectories": len(rows),
        "max_turns": args.max_turns,
        "seconds_per_trajectory": round(seconds, 2),
        "tokens_per_trajectory": round(
            statistics.mean(r["prompt_tokens"] + r["completion_tokens"] for r in rows)
        ),
        "prompt_tokens_per_trajectory": round(statistics.mean(r["prompt_tokens"] for r in rows)),
        "completion_tokens_per_trajectory": round(statistics.mean(r["completion_tokens"] for r in rows)),
        "llm_calls_per_trajectory": round(statistics.mean(r["llm_calls"] for r in rows), 2),
        "correct": sum(r["correct"] for r in rows),
        "mean_recall": round(statistics.mean(r["recall"] for r in rows), 3),
        "anchor_closed_book_seconds": round(anchor_seconds, 2),
        "anchor_closed_book_tokens": round(anchor_tokens),
        "trajectory_over_closed_book": round(seconds / anchor_seconds, 2),
        "anchor_search_ms_per_batch": round(search_ms, 2),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2))
    llm.close()
    index.close()


if __name__ == "__main__":
    main()
