"""`export --format rl`: Parquet in the verl / Search-R1 layout, one row per accepted question.

The layout follows Search-R1's `scripts/data_process/nq_search.py` (PeterGriffinJin/Search-R1, commit a14dc3a)
and verl's "Prepare Data for Post-Training" docs: `data_source`, `prompt` (a list of chat messages; verl applies
the chat template), `ability`, `reward_model` = {style: "rule", ground_truth: {target: [answers]}} (Search-R1's
`qa_em` reward matches the `<answer>` block against every target) and `extra_info` = {split, index, ...}.
We add to extra_info the question id, hops, gold URLs, how many trajectories there were and how many solved it,
and the solved ones by origin (`solved_guided`: a tree-guided trajectory exists; `solved_agent`: sampled agent
trajectories that answered correctly), so a trainer can filter by difficulty.

Files: `train.parquet`, plus `test.parquet` when `test_fraction` > 0 (a stable split by hashed question id;
a split that gets no rows gets no file), `README.md` and `export.json`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from ..agent.transcript import search_r1_prompt
from ..errors import InputError
from ..index.aliases import usable_aliases
from ..records import Question
from .common import (
    ExportReport,
    ParquetRows,
    atomic_export_dir,
    check_out_dir,
    check_run_dir,
    finish_export,
    iter_accepted,
    iter_trajectories,
    require_accepted,
    require_pyarrow,
)

DATA_SOURCE = "infoseek_local"
ABILITY = "fact-reasoning"  # Search-R1's value for its QA data


def answer_targets(question: Question) -> list[str]:
    """The answer, then each distinct alias (case-insensitively distinct, blanks dropped)."""
    targets: list[str] = []
    seen: set[str] = set()
    # records made before the alias policy may hold anchor texts of any kind: only usable ones are targets
    for text in [question.answer, *usable_aliases(question.aliases)]:
        key = text.strip().casefold()
        if key and key not in seen:
            seen.add(key)
            targets.append(text.strip())
    return targets


def split_of(question_id: str, test_fraction: float) -> str:
    """A split that depends only on the id, so re-exports and growing runs keep each question where it was."""
    bucket = int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:8], "big") / 2**64
    return "test" if bucket < test_fraction else "train"


def rl_row(
    question: Question,
    *,
    split: str,
    index: int,
    data_source: str,
    sampled: int,
    solved: int,
    solved_guided: int = 0,
    solved_agent: int = 0,
) -> dict[str, Any]:
    return {
        "data_source": data_source,
        "prompt": [{"role": "user", "content": search_r1_prompt(question.question)}],
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": {"target": answer_targets(question)}},
        "extra_info": {
            "split": split,
            "index": index,
            "question_id": question.id,
            "hops": question.hops,
            "gold_urls": list(question.gold_urls),
            "sampled": sampled,
            "solved": solved,
            "solved_guided": solved_guided,
            "solved_agent": solved_agent,
        },
    }


def arrow_schema() -> Any:
    import pyarrow as pa

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    return pa.schema(
        [
            ("data_source", pa.string()),
            ("prompt", pa.list_(message)),
            ("ability", pa.string()),
            (
                "reward_model",
                pa.struct(
                    [("style", pa.string()), ("ground_truth", pa.struct([("target", pa.list_(pa.string()))]))]
                ),
            ),
            (
                "extra_info",
                pa.struct(
                    [
                        ("split", pa.string()),
                        ("index", pa.int64()),
                        ("question_id", pa.string()),
                        ("hops", pa.int64()),
                        ("gold_urls", pa.list_(pa.string())),
                        ("sampled", pa.int64()),
                        ("solved", pa.int64()),
                        ("solved_guided", pa.int64()),
                        ("solved_agent", pa.int64()),
                    ]
                ),
            ),
        ]
    )


def export_rl(
    run: Path,
    out: Path,
    *,
    overwrite: bool = False,
    test_fraction: float = 0.0,
    data_source: str = DATA_SOURCE,
) -> ExportReport:
    """Write the run's accepted questions as verl / Search-R1 RL Parquet; see the module docstring."""
    if not 0.0 <= test_fraction < 1.0:
        raise InputError(f"--test-fraction {test_fraction}: must be at least 0 and below 1")
    check_run_dir(run)
    check_out_dir(out, overwrite)
    require_pyarrow()
    accepted_ids = set(require_accepted(run))
    sampled: Counter[str] = Counter()
    solved: Counter[str] = Counter()
    solved_by_origin: Counter[tuple[str, str]] = Counter()
    for trajectory in iter_trajectories(run):
        if trajectory.question_id in accepted_ids:
            sampled[trajectory.question_id] += 1
            solved[trajectory.question_id] += int(trajectory.correct)
            solved_by_origin[trajectory.question_id, trajectory.origin] += int(trajectory.correct)
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    splits = ["train", "test"] if test_fraction > 0 else ["train"]
    urls: list[str] = []
    with atomic_export_dir(out, overwrite) as tmp:
        schema = arrow_schema()
        writers = {split: ParquetRows(tmp / f"{split}.parquet", schema) for split in splits}
        for question in iter_accepted(run):
            if question.id in seen:
                skipped["duplicate_question_id"] += 1
                continue
            if not answer_targets(question):
                skipped["empty_answer"] += 1
                continue
            seen.add(question.id)
            urls.extend(question.gold_urls[:1])
            split = split_of(question.id, test_fraction)
            writer = writers[split]
            writer.write(
                rl_row(
                    question,
                    split=split,
                    index=writer.rows,
                    data_source=data_source,
                    sampled=sampled[question.id],
                    solved=solved[question.id],
                    solved_guided=solved_by_origin[question.id, "guided"],
                    solved_agent=solved_by_origin[question.id, "agent"],
                )
            )
        for writer in writers.values():
            writer.close()
        rows = sum(w.rows for w in writers.values())
        if rows == 0:
            raise InputError(
                f"{run}: every accepted question was skipped ({dict(skipped)}); nothing to export"
            )
        empty = [split for split in splits if writers[split].rows == 0]
        for split in empty:  # `datasets` refuses a split with no rows, so an empty split gets no file
            (tmp / f"{split}.parquet").unlink()
        splits = [split for split in splits if split not in empty]
        files = [f"{split}.parquet" for split in splits]
        report = finish_export(
            tmp,
            run,
            out,
            format="rl",
            rows=rows,
            files=files,
            skipped=skipped,
            urls=urls,
            title=f"infoseek-local RL prompts from run {run.name}",
            summary=(
                "Questions in the verl / Search-R1 RL layout: `prompt` (chat messages with Search-R1's search "
                "instruction), `reward_model.ground_truth.target` (answer and aliases for exact-match reward) "
                "and `extra_info` (question id, hops, gold URLs, sampled/solved trajectory counts, solved by origin: "
                "guided or agent). "
                + ", ".join(f"{split}: {writers[split].rows} rows" for split in splits)
                + "."
            ),
            data_files={split: f"{split}.parquet" for split in splits},
            columns=list(schema.names),
        )
    return report
