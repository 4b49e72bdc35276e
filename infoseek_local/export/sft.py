"""`export --format sft`: chat-message JSONL of the trajectories that answered correctly (rejection sampling).

Each row's `origin` says who wrote it: `guided` (code following the research tree) or `agent` (a sampled model),
so users can filter. Each row's `messages`: a system message, the user prompt (Search-R1's instruction then the question, from
`agent/transcript.py`), then the transcript split at each `<information>` block: what the model wrote
(`<think>`, `<search>`, `<answer>` blocks) becomes an assistant message and each `<information>` block becomes a
user message, because the environment, not the model, wrote it. Trainers that compute the loss on assistant
messages only (TRL's `assistant_only_loss`, most SFT recipes) then mask retrieved text exactly as Search-R1
masks it in RL. Concatenating the assistant and information contents gives the stored transcript back.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ..agent.transcript import Segment, search_r1_prompt, transcript_segments
from ..errors import InputError
from ..records import Question, Trajectory
from .common import (
    ExportReport,
    atomic_export_dir,
    check_out_dir,
    check_run_dir,
    correct_trajectories,
    finish_export,
    iter_accepted,
    no_correct_trajectories,
    require_accepted,
    write_jsonl,
)

JSONL_FILE = "sft.jsonl"
SYSTEM_PROMPT = (
    "You are a research assistant. You answer questions by searching a local document collection and "
    "reasoning over what the searches return."
)


def _block(segment: Segment) -> str:
    return f"<{segment.tag}>{segment.text}</{segment.tag}>"


def transcript_messages(transcript: str) -> list[dict[str, str]]:
    """Assistant/user messages of a transcript; InputError when it is malformed or does not end in an answer."""
    segments = transcript_segments(transcript)
    if not segments or segments[-1].tag != "answer":
        raise InputError("transcript does not end with an <answer> block")
    messages: list[dict[str, str]] = []
    pending: list[str] = []
    for segment in segments:
        if segment.generated:
            pending.append(_block(segment))
            continue
        if not pending:
            raise InputError("transcript has an <information> block the model did not ask for")
        messages.append({"role": "assistant", "content": "\n".join(pending)})
        messages.append({"role": "user", "content": _block(segment)})
        pending = []
    messages.append({"role": "assistant", "content": "\n".join(pending)})
    return messages


def trajectory_row(trajectory: Trajectory, question: Question) -> dict[str, Any]:
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": search_r1_prompt(question.question)},
        *transcript_messages(trajectory.transcript),
    ]
    reward = trajectory.reward
    return {
        "messages": messages,
        "id": trajectory.id,
        "question_id": question.id,
        "answer": question.answer,
        "final_answer": trajectory.final_answer,
        "origin": trajectory.origin,
        "searches": trajectory.searches,
        "turns": len(trajectory.turns),
        "reward": {
            "format": reward.format,
            "answer": reward.answer,
            "retrieval_recall": reward.retrieval_recall,
            "total": reward.total,
        },
    }


def export_sft(run: Path, out: Path, *, overwrite: bool = False) -> ExportReport:
    """Write the correct trajectories of the run's accepted questions to `out/sft.jsonl`."""
    check_run_dir(run)
    check_out_dir(out, overwrite)
    require_accepted(run)
    questions = {q.id: q for q in iter_accepted(run)}
    skipped: Counter[str] = Counter()

    def rows() -> Any:
        for trajectory, question in correct_trajectories(run, questions, skipped):
            try:
                yield trajectory_row(trajectory, question)
            except InputError:
                skipped["malformed_transcript"] += 1

    with atomic_export_dir(out, overwrite) as tmp:
        count = write_jsonl(tmp / JSONL_FILE, rows())
        if count == 0:
            raise no_correct_trajectories(run, skipped)
        report = finish_export(
            tmp,
            run,
            out,
            format="sft",
            rows=count,
            files=[JSONL_FILE],
            skipped=skipped,
            urls=[q.gold_urls[0] for q in questions.values() if q.gold_urls],
            title=f"infoseek-local search-agent SFT data from run {run.name}",
            summary=(
                "Chat-format trajectories that answered correctly: `origin` is `guided` (code followed the "
                "question's research tree with real searches) or `agent` (a model searched; rejection sampling). "
                "Assistant messages hold <think>/<search>/<answer> blocks; the retrieved <information> comes "
                "back as a user message, so train on assistant messages only."
            ),
            data_files={"train": JSONL_FILE},
            columns=[
                "messages",
                "id",
                "question_id",
                "answer",
                "final_answer",
                "origin",
                "searches",
                "turns",
                "reward",
            ],
        )
    return report
