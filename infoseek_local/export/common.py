"""What every export format shares: reading a run, the atomic output directory, JSONL and Parquet writers.

An export is built in a hidden temporary directory next to `--out` and renamed into place only when every file
is written, so a crash or an error never leaves half an export. `--overwrite` replaces only an earlier export
(a directory holding our `export.json`) or an empty directory; anything else is refused, because the old
directory is deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from .. import __version__
from ..errors import InfoseekError, InputError
from ..records import Question, Trajectory, Tree
from ..run.layout import ACCEPTED, FINALIZE_SHARD, TRAJECTORIES, TREES, RunLayout
from ..store import done_info, is_done
from .card import attribution_for, dataset_card, index_sources

EXPORT_MANIFEST = "export.json"
PARQUET_BATCH_ROWS = 1000


class ExportReport(msgspec.Struct, kw_only=True):
    """What an export wrote and what it skipped, with the reason of each skip."""

    format: str
    run: str
    out: str
    rows: int
    files: list[str]
    skipped: dict[str, int] = msgspec.field(default_factory=dict)
    attribution: str = ""
    tool_version: str = __version__
    index_id: str = ""  # the index the run was built from ("" when unknown)
    warnings: list[str] = msgspec.field(default_factory=list)


# ── reading a run ─────────────────────────────────────────────────────────────────────────────────────────


def check_run_dir(run: Path) -> None:
    RunLayout(run).require()


def iter_accepted(run: Path) -> Iterator[Question]:
    """Accepted questions in shard order (only shards marked complete by verify; StoreError names a damaged
    one, InputError one whose marker is gone, so an export never silently drops rows)."""
    layout = RunLayout(run)
    verdicts = layout.verdicts
    finished = done_info(verdicts, FINALIZE_SHARD) if is_done(verdicts, FINALIZE_SHARD) else {}
    # verify finished and wrote every shard it lists: one without its marker lost it (an unfinished verify's
    # shards are skipped, as before)
    lost = [name for name in finished.get("shards", []) if not is_done(layout.accepted, name)]
    if lost:
        raise InputError(
            f"{layout.shard(ACCEPTED, lost[0])}: has no completion marker, though verify wrote it "
            f"(the marker or the shard was deleted); run `infoseek-local verify {run}` to rebuild it"
        )
    return layout.read(ACCEPTED)


def require_accepted(run: Path) -> list[str]:
    """The ids of the run's accepted questions; InputError when there are none."""
    ids = [q.id for q in iter_accepted(run)]
    if not ids:
        raise InputError(
            f"{RunLayout(run).accepted}: no accepted questions (no complete shards, or verify rejected every "
            f"question); run `infoseek-local verify {run}` first"
        )
    return ids


def load_trees(run: Path, wanted: set[str]) -> dict[str, Tree]:
    """Trees whose id is in `wanted` (the others are not kept, so memory follows the export, not the run)."""
    return {tree.id: tree for tree in RunLayout(run).read(TREES) if tree.id in wanted}


def correct_trajectories(
    run: Path, questions: dict[str, Question], skipped: Counter[str]
) -> Iterator[tuple[Trajectory, Question]]:
    """Each correct trajectory of an accepted question once, with its question; the others counted in
    `skipped` by reason."""
    seen: set[str] = set()
    for trajectory in iter_trajectories(run):
        question = questions.get(trajectory.question_id)
        if question is None:
            skipped["question_not_accepted"] += 1
        elif not trajectory.correct:
            skipped["incorrect"] += 1
        elif trajectory.id in seen:
            skipped["duplicate_trajectory_id"] += 1
        else:
            seen.add(trajectory.id)
            yield trajectory, question


def no_correct_trajectories(run: Path, skipped: dict[str, int]) -> InputError:
    """The error of a trajectory export with nothing to write, with why each trajectory was skipped."""
    reasons = ", ".join(f"{k}={v}" for k, v in sorted(skipped.items())) or "no trajectories at all"
    return InputError(
        f"{RunLayout(run).trajectories}: no correct trajectories of accepted questions to export ({reasons}); "
        f"run `infoseek-local sample {run}` first, or with more --samples"
    )


def iter_trajectories(run: Path) -> Iterator[Trajectory]:
    return RunLayout(run).read(TRAJECTORIES)


def run_index_dir(run: Path, warnings: list[str] | None = None) -> Path | None:
    """The index the run was made from, or None when its config names none that exists, or names another
    index than the one the run is pinned to (the export then judges the licence by the gold URLs alone; the
    mismatch is added to `warnings`)."""
    from ..errors import IndexMismatchError
    from ..run.paths import index_path_for

    try:
        return index_path_for(run)
    except IndexMismatchError as exc:
        if warnings is not None:
            warnings.append(f"{exc}; the licence is judged by the gold URLs alone")
        return None
    except InfoseekError:
        return None


def run_index_id(run: Path) -> str:
    """The id of the index the run is pinned to ("" for a run made before pins)."""
    from ..run.index_pin import read_pin

    pin = read_pin(RunLayout(run))
    return "" if pin is None else pin.index_id


def portable(value: Any) -> Any:
    """`value` with every absolute local path cut to its last part (an exported dataset travels; the
    directories of the machine that made it mean nothing elsewhere and say who made it where)."""
    if isinstance(value, dict):
        return {k: portable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [portable(v) for v in value]
    if isinstance(value, str) and _is_local_path(value):
        return Path(value).name
    return value


def _is_local_path(text: str) -> bool:
    return (
        text.startswith(("/", "~", "\\\\", "file:"))
        or (len(text) > 2 and text[1] == ":" and text[2] in "/\\")  # C:\ or C:/
    ) and "\n" not in text


# ── the output directory ──────────────────────────────────────────────────────────────────────────────────


def check_out_dir(out: Path, overwrite: bool) -> None:
    """Refuse, before any work, an --out that exists and must not be replaced."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; pick another --out")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not overwrite:
        raise InputError(
            f"{out}: export directory exists and is not empty; pass --overwrite or pick another --out"
        )
    if not (out / EXPORT_MANIFEST).is_file():
        raise InputError(
            f"{out}: not an infoseek-local export (no {EXPORT_MANIFEST}); --overwrite only replaces an earlier "
            "export, so remove that directory yourself or pick another --out"
        )


@contextmanager
def atomic_export_dir(out: Path, overwrite: bool) -> Iterator[Path]:
    """Yield a fresh temporary directory; on success it replaces `out`, on any error it is deleted."""
    check_out_dir(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        _fsync_dir(tmp)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync_dir(directory: Path) -> None:
    for path in directory.iterdir():
        if path.is_file():
            with open(path, "rb") as f:
                os.fsync(f.fileno())


def finish_export(
    tmp: Path,
    run: Path,
    out: Path,
    *,
    format: str,
    title: str,
    summary: str,
    data_files: dict[str, str],
    rows: int,
    columns: list[str],
    files: list[str],
    skipped: dict[str, int],
    urls: Iterable[str],
) -> ExportReport:
    """The dataset card (licence from the run's index and the gold URLs) and export.json every format ends
    with; returns the report."""
    warnings: list[str] = []
    attribution = attribution_for(index_sources(run_index_dir(run, warnings)), urls)
    card = dataset_card(
        title=title,
        summary=summary,
        data_files=data_files,
        attribution=attribution,
        rows=rows,
        columns=columns,
    )
    (tmp / "README.md").write_text(card)
    report = ExportReport(
        format=format,
        run=str(run),
        out=str(out),
        rows=rows,
        files=[*files, "README.md"],
        skipped=dict(skipped),
        attribution=attribution,
        index_id=run_index_id(run),
        warnings=warnings,
    )
    write_manifest(tmp, report)
    return report


def write_manifest(directory: Path, report: ExportReport) -> None:
    """export.json, naming the run and the export by their directory names only (no local paths)."""
    data = msgspec.to_builtins(report)
    data["run"], data["out"] = Path(report.run).name, Path(report.out).name
    (directory / EXPORT_MANIFEST).write_text(json.dumps(data, indent=2) + "\n")


# ── writers ───────────────────────────────────────────────────────────────────────────────────────────────


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line, UTF-8 kept readable; returns the number of rows."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False))
            f.write("\n")
            count += 1
    return count


class ParquetRows:
    """Streams dict rows into a Parquet file of a fixed Arrow schema, a batch of rows at a time."""

    def __init__(self, path: Path, schema: Any) -> None:
        import pyarrow.parquet as pq

        self._schema = schema
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd")
        self._batch: list[dict[str, Any]] = []
        self.rows = 0

    def write(self, row: dict[str, Any]) -> None:
        self._batch.append(row)
        self.rows += 1
        if len(self._batch) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa

        if self._batch:
            self._writer.write_table(pa.Table.from_pylist(self._batch, schema=self._schema))
            self._batch = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(
            "Parquet output needs pyarrow; install the export extra: pip install 'infoseek-local[export]'"
        ) from None
