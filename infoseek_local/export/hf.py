"""`export --format hf`: one row per accepted question, as JSONL and Parquet that `datasets.load_dataset` reads.

Files: `questions.jsonl`, `questions.parquet` (the same rows), `README.md` (dataset card; its YAML header points
`load_dataset(<dir>)` at the Parquet file) and `export.json` (what was written and skipped).
The research tree is a nested column; free-form config dicts become JSON strings so every row has one type.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ..records import Claim, Provenance, Question, Tree, Vertex
from .common import (
    ExportReport,
    ParquetRows,
    atomic_export_dir,
    check_out_dir,
    check_run_dir,
    finish_export,
    iter_accepted,
    load_trees,
    portable,
    require_accepted,
    require_pyarrow,
)

JSONL_FILE = "questions.jsonl"
PARQUET_FILE = "questions.parquet"


def claim_row(claim: Claim) -> dict[str, Any]:
    return {
        "text": claim.text,
        "sentence_ids": list(claim.sentence_ids),
        "sentences": list(claim.sentences),
        "kind": claim.kind,
        "grounded": claim.grounded,
        "blurred_from": claim.blurred_from,
    }


def vertex_row(vertex: Vertex) -> dict[str, Any]:
    return {
        "index": vertex.index,
        "page_id": vertex.page_id,
        "url": vertex.url,
        "title": vertex.title,
        "parent": vertex.parent,
        "descriptor": vertex.descriptor,
        "relation": claim_row(vertex.relation) if vertex.relation is not None else None,
        "claims": [claim_row(c) for c in vertex.claims],
    }


def tree_row(tree: Tree) -> dict[str, Any]:
    return {
        "id": tree.id,
        "seed_page_id": tree.seed_page_id,
        "vertices": [vertex_row(v) for v in tree.vertices],
        "notes": list(tree.notes),
    }


def provenance_row(provenance: Provenance) -> dict[str, Any]:
    return {
        "tool_version": provenance.tool_version,
        "model": provenance.model,
        "model_sha256": provenance.model_sha256,
        "template_version": provenance.template_version,
        "seed": provenance.seed,
        # the config names the index, the seeds file and the model by path: keep only their last parts
        "config_json": json.dumps(portable(provenance.config), sort_keys=True, default=str),
    }


def question_row(question: Question, tree: Tree | None) -> dict[str, Any]:
    return {
        "id": question.id,
        "question": question.question,
        "answer": question.answer,
        "aliases": list(question.aliases),
        "hops": question.hops,
        "vertices": question.vertices,
        "tree": tree_row(tree) if tree is not None else None,
        "gold_page_ids": list(question.gold_page_ids),
        "gold_urls": list(question.gold_urls),
        "provenance": provenance_row(question.provenance),
    }


def arrow_schema() -> Any:
    import pyarrow as pa

    claim = pa.struct(
        [
            ("text", pa.string()),
            ("sentence_ids", pa.list_(pa.int64())),
            ("sentences", pa.list_(pa.string())),
            ("kind", pa.string()),
            ("grounded", pa.bool_()),
            ("blurred_from", pa.string()),
        ]
    )
    vertex = pa.struct(
        [
            ("index", pa.int64()),
            ("page_id", pa.int64()),
            ("url", pa.string()),
            ("title", pa.string()),
            ("parent", pa.int64()),
            ("descriptor", pa.string()),
            ("relation", claim),
            ("claims", pa.list_(claim)),
        ]
    )
    tree = pa.struct(
        [
            ("id", pa.string()),
            ("seed_page_id", pa.int64()),
            ("vertices", pa.list_(vertex)),
            ("notes", pa.list_(pa.string())),
        ]
    )
    provenance = pa.struct(
        [
            ("tool_version", pa.string()),
            ("model", pa.string()),
            ("model_sha256", pa.string()),
            ("template_version", pa.string()),
            ("seed", pa.int64()),
            ("config_json", pa.string()),
        ]
    )
    return pa.schema(
        [
            ("id", pa.string()),
            ("question", pa.string()),
            ("answer", pa.string()),
            ("aliases", pa.list_(pa.string())),
            ("hops", pa.int64()),
            ("vertices", pa.int64()),
            ("tree", tree),
            ("gold_page_ids", pa.list_(pa.int64())),
            ("gold_urls", pa.list_(pa.string())),
            ("provenance", provenance),
        ]
    )


def export_hf(run: Path, out: Path, *, overwrite: bool = False) -> ExportReport:
    """Write the run's accepted questions (with their trees) to `out`; see the module docstring."""
    check_run_dir(run)
    check_out_dir(out, overwrite)
    require_pyarrow()
    require_accepted(run)
    wanted_trees = {q.tree_id for q in iter_accepted(run)}
    trees = load_trees(run, wanted_trees)
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    urls: list[str] = []

    def rows() -> Any:
        for question in iter_accepted(run):
            if question.id in seen:
                skipped["duplicate_question_id"] += 1
                continue
            seen.add(question.id)
            tree = trees.get(question.tree_id)
            if tree is None:
                skipped["tree_missing_row_kept"] += 1  # the row is still written, with tree = null
            urls.extend(question.gold_urls[:1])
            yield question_row(question, tree)

    with atomic_export_dir(out, overwrite) as tmp:
        parquet = ParquetRows(tmp / PARQUET_FILE, arrow_schema())
        with open(tmp / JSONL_FILE, "w", encoding="utf-8") as jsonl:
            for row in rows():
                jsonl.write(json.dumps(row, ensure_ascii=False) + "\n")
                parquet.write(row)
        parquet.close()
        report = finish_export(
            tmp,
            run,
            out,
            format="hf",
            rows=parquet.rows,
            files=[JSONL_FILE, PARQUET_FILE],
            skipped=skipped,
            urls=urls,
            title=f"infoseek-local questions from run {run.name}",
            summary=(
                "Multi-hop, blurred research questions with one verifiable answer, each with its research tree "
                f"(vertices are corpus pages) and gold page URLs. `{JSONL_FILE}` and `{PARQUET_FILE}` hold the "
                "same rows; `provenance.config_json` is the generation config as a JSON string."
            ),
            data_files={"train": PARQUET_FILE},
            columns=list(arrow_schema().names),
        )
    return report
