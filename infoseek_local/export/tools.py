"""`export --format tools`: the multi-turn tool-call layout verl uses for Search-R1, one row per kept trajectory.

Field names follow verl's `examples/data_preprocess/preprocess_search_r1_dataset.py` and its search tool
(`examples/sglang_multiturn/config/tool_config/search_tool_config.yaml`, volcengine/verl): a `search` function
whose one argument is `query_list` (a list of queries); rows with `data_source`, `prompt` (system + user
messages), `ability`, `reward_model` = {style: "rule", ground_truth: {target: [answers]}} and `extra_info` =
{index, need_tools_kwargs: true, question, split, tools_kwargs: {search: {create_kwargs: {ground_truth,
question, data_source}}}}, which is what verl's tool agent loop hands the tool when a rollout starts.

On top of the RL prompt, `messages` holds the whole trajectory for multi-turn SFT: the system message declaring
the tool, the user question, then assistant turns `<think>...</think>` + `<tool_call>{"name": "search",
"arguments": {"query_list": [...]}}</tool_call>`, `tool` messages with the results (chat templates such as
Qwen2.5's wrap them in `<tool_response>`), and a last assistant turn `<think>...</think><answer>...</answer>`.
`origin` (top level and in extra_info) says whether code following the research tree (`guided`) or a sampled
model (`agent`) wrote it. Files: `train.parquet`, `README.md`, `export.json`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..records import Question, Trajectory
from .common import (
    ExportReport,
    ParquetRows,
    atomic_export_dir,
    check_out_dir,
    check_run_dir,
    correct_trajectories,
    finish_export,
    iter_accepted,
    no_correct_trajectories,
    require_accepted,
    require_pyarrow,
)
from .rl import ABILITY, DATA_SOURCE, answer_targets

PARQUET_FILE = "train.parquet"
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Searches a local encyclopedia and returns the top results for each query.",
        "parameters": {
            "type": "object",
            "properties": {
                "query_list": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "A list of short keyword queries. The tool returns results for each query.",
                }
            },
            "required": ["query_list"],
        },
    },
}
SYSTEM_PROMPT = (
    "You are a research assistant. You answer questions by searching a local document collection.\n\n"
    "# Tools\n\nYou may call the function below. Its signature is within <tools></tools> XML tags:\n<tools>\n"
    + json.dumps(SEARCH_TOOL)
    + "\n</tools>\n\nFor each call, return a JSON object with the function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n'
    "</tool_call>"
)
USER_PREFIX = (
    "Answer the given question. Reason inside <think> and </think> first every time you get new information. "
    "If you lack some knowledge, call the search tool; it returns the top results. When no further search is "
    "needed, give the answer inside <answer> and </answer>, without detailed illustrations. Question: "
)


_TOOL_TAG = re.compile(r"</?\s*(tool_call|tool_response|tools)\s*>", re.IGNORECASE)


def _defuse(text: str) -> str:
    """Page or model text cannot open or close a tool block (the tag becomes `(tool_call)`-style text)."""
    return _TOOL_TAG.sub(lambda m: f"({m.group(1).lower()})", text)


def tool_call(queries: list[str]) -> str:
    call = {"name": "search", "arguments": {"query_list": list(queries)}}
    return f"<tool_call>\n{json.dumps(call, ensure_ascii=False)}\n</tool_call>"


def trajectory_messages(trajectory: Trajectory, prompt: list[dict[str, str]]) -> list[dict[str, str]]:
    """The chat of a trajectory after `prompt`; InputError when it does not end with an answer."""
    messages = list(prompt)
    pending: list[str] = []  # thoughts of turns that ran no query (repeats), kept for the next assistant turn
    for turn in trajectory.turns:
        pending.append(f"<think>{_defuse(turn.think)}</think>")
        if turn.answer is not None:
            answer = f"<answer>{_defuse(turn.answer)}</answer>"
            messages.append({"role": "assistant", "content": "\n".join([*pending, answer])})
            return messages
        if turn.queries:
            queries = [_defuse(q) for q in turn.queries]
            messages.append({"role": "assistant", "content": "\n".join([*pending, tool_call(queries)])})
            messages.append({"role": "tool", "content": _defuse(turn.information)})
            pending = []
    raise InputError(f"trajectory {trajectory.id}: does not end with an answer")


def tools_row(trajectory: Trajectory, question: Question, *, index: int, data_source: str) -> dict[str, Any]:
    prompt = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": USER_PREFIX + question.question.strip()},
    ]
    ground_truth = {"target": answer_targets(question)}
    return {
        "data_source": data_source,
        "prompt": prompt,
        "messages": trajectory_messages(trajectory, prompt),
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": {
            "index": index,
            "need_tools_kwargs": True,
            "question": question.question,
            "split": "train",
            "tools_kwargs": {
                "search": {
                    "create_kwargs": {
                        "ground_truth": ground_truth,
                        "question": question.question,
                        "data_source": data_source,
                    }
                }
            },
            "question_id": question.id,
            "trajectory_id": trajectory.id,
            "origin": trajectory.origin,
        },
        "origin": trajectory.origin,
    }


def arrow_schema() -> Any:
    import pyarrow as pa

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    ground_truth = pa.struct([("target", pa.list_(pa.string()))])
    create_kwargs = pa.struct(
        [("ground_truth", ground_truth), ("question", pa.string()), ("data_source", pa.string())]
    )
    tools_kwargs = pa.struct([("search", pa.struct([("create_kwargs", create_kwargs)]))])
    return pa.schema(
        [
            ("data_source", pa.string()),
            ("prompt", pa.list_(message)),
            ("messages", pa.list_(message)),
            ("ability", pa.string()),
            ("reward_model", pa.struct([("style", pa.string()), ("ground_truth", ground_truth)])),
            (
                "extra_info",
                pa.struct(
                    [
                        ("index", pa.int64()),
                        ("need_tools_kwargs", pa.bool_()),
                        ("question", pa.string()),
                        ("split", pa.string()),
                        ("tools_kwargs", tools_kwargs),
                        ("question_id", pa.string()),
                        ("trajectory_id", pa.string()),
                        ("origin", pa.string()),
                    ]
                ),
            ),
            ("origin", pa.string()),
        ]
    )


def export_tools(
    run: Path, out: Path, *, overwrite: bool = False, data_source: str = DATA_SOURCE
) -> ExportReport:
    """Write the correct trajectories of the run's accepted questions in verl's multi-turn tool layout."""
    check_run_dir(run)
    check_out_dir(out, overwrite)
    require_pyarrow()
    require_accepted(run)
    questions = {q.id: q for q in iter_accepted(run)}
    skipped: Counter[str] = Counter()
    origins: Counter[str] = Counter()
    with atomic_export_dir(out, overwrite) as tmp:
        schema = arrow_schema()
        writer = ParquetRows(tmp / PARQUET_FILE, schema)
        for trajectory, question in correct_trajectories(run, questions, skipped):
            if not answer_targets(question):
                skipped["empty_answer"] += 1
                continue
            try:
                row = tools_row(trajectory, question, index=writer.rows, data_source=data_source)
            except InputError:
                skipped["no_answer"] += 1
                continue
            origins[trajectory.origin] += 1
            writer.write(row)
        writer.close()
        if writer.rows == 0:
            raise no_correct_trajectories(run, skipped)
        report = finish_export(
            tmp,
            run,
            out,
            format="tools",
            rows=writer.rows,
            files=[PARQUET_FILE],
            skipped=skipped,
            urls=[q.gold_urls[0] for q in questions.values() if q.gold_urls],
            title=f"infoseek-local multi-turn search tool trajectories from run {run.name}",
            summary=(
                "Trajectories that answered correctly, in verl's multi-turn tool layout for Search-R1: `prompt` "
                "(a system message declaring a `search` tool that takes `query_list`, then the question), "
                "`messages` (assistant `<tool_call>` turns, `tool` results, a final `<answer>`), `reward_model` "
                "and `extra_info.tools_kwargs` with the ground truth. `origin`: "
                + ", ".join(f"{k} {v}" for k, v in sorted(origins.items()))
                + " (guided: code followed the research tree; agent: a sampled model)."
            ),
            data_files={"train": PARQUET_FILE},
            columns=list(schema.names),
        )
    return report
