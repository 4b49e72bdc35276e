"""Damaged run shards are named, never read as a short file: export, stats and verify on cut or flipped
shards, lost markers, and append logs whose middle is damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from verify_records import eiffel_tree, question

from infoseek_local.cli import cli
from infoseek_local.errors import StoreError
from infoseek_local.llm.accounting import read_call_log
from infoseek_local.records import LLMCallRecord, OutLink, Question
from infoseek_local.run.runner import run_stage
from infoseek_local.run.stage import Counts, NoResources, ShardTask
from infoseek_local.store import (
    ShardReader,
    ShardWriter,
    mark_done,
    read_shard,
    read_shards,
    shard_path,
)

QUESTIONS = 14
VERIFY = ["--backend", "fake", "--checks", "leak"]


def make_run(root: Path) -> Path:
    """A run of 14 accepted-looking questions in one shard of 7 frames, verified with the leak check."""
    run = root / "run"
    with ShardWriter(shard_path(run / "trees", "s0")) as writer:
        writer.write(eiffel_tree("t1"))
    mark_done(run / "trees", "s0")
    with ShardWriter(shard_path(run / "questions", "s0"), frame_records=2) as writer:
        writer.write_all(question(qid=f"q{i}") for i in range(QUESTIONS))
    mark_done(run / "questions", "s0")
    result = CliRunner().invoke(cli, ["verify", str(run), *VERIFY])
    assert result.exit_code == 0, result.output
    assert f"{QUESTIONS} of {QUESTIONS} questions accepted" in result.output
    return run


def cut(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def flip(path: Path, at: float) -> None:
    data = bytearray(path.read_bytes())
    position = int(len(data) * at)
    data[position : position + 4] = bytes(b ^ 0xFF for b in data[position : position + 4])
    path.write_bytes(bytes(data))


def export(run: Path, out: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["export", str(run), "--format", "hf", "--out", str(out)])


def exported_rows(out: Path) -> int:
    return sum(1 for f in out.rglob("*.jsonl") for line in f.read_text().splitlines() if line.strip())


@pytest.mark.parametrize("damage", [lambda p: cut(p, 0.6), lambda p: flip(p, 0.5)], ids=["cut", "flipped"])
def test_a_damaged_accepted_shard_stops_export_and_verify_rebuilds_it(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    run = make_run(tmp_path)
    accepted = shard_path(run / "accepted", "s0")
    damage(accepted)
    result = export(run, tmp_path / "out")
    assert result.exit_code != 0
    assert str(accepted) in str(result.exception) + result.output
    assert not (tmp_path / "out").exists()
    again = CliRunner().invoke(cli, ["verify", str(run), *VERIFY])
    assert again.exit_code == 0, again.output
    assert f"{QUESTIONS} of {QUESTIONS} questions accepted" in again.output
    assert export(run, tmp_path / "out").exit_code == 0
    assert exported_rows(tmp_path / "out") == QUESTIONS


def test_a_deleted_accepted_marker_is_named_by_export_and_rebuilt_by_verify(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    (run / "accepted" / "_done" / "s0").unlink()
    result = export(run, tmp_path / "out")
    assert result.exit_code != 0
    assert (
        "s0.msgpack.zst: has no completion marker, though verify wrote it"
        in str(result.exception) + result.output
    )
    assert CliRunner().invoke(cli, ["verify", str(run), *VERIFY]).exit_code == 0
    assert export(run, tmp_path / "out").exit_code == 0
    assert exported_rows(tmp_path / "out") == QUESTIONS


def test_stats_names_a_damaged_question_shard_instead_of_counting_fewer(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    shard = shard_path(run / "questions", "s0")
    flip(shard, 0.5)
    result = CliRunner().invoke(cli, ["stats", str(run)])
    assert result.exit_code != 0
    message = str(result.exception)
    assert str(shard) in message and "damaged in the middle" in message and "after 6 records" in message


def test_a_cut_at_a_frame_boundary_is_caught_by_the_recorded_size(tmp_path: Path) -> None:
    directory = tmp_path / "questions"
    path = shard_path(directory, "s0")
    with ShardWriter(path, frame_records=1) as writer:
        writer.write_all(question(qid=f"q{i}") for i in range(3))
    single = tmp_path / "one.msgpack.zst"
    with ShardWriter(single, frame_records=1) as writer:
        writer.write(question(qid="q0"))
    mark_done(directory, "s0")
    path.write_bytes(path.read_bytes()[: single.stat().st_size])  # frame 1 whole, frames 2 and 3 gone
    with pytest.raises(StoreError, match=r"bytes on disk, but \d+ when it was marked complete"):
        list(read_shards(directory, Question))


def test_damage_in_the_middle_of_an_append_log_keeps_the_frames_after_it(tmp_path: Path) -> None:
    run = tmp_path / "run"
    path = shard_path(run / "llm_calls", "123")
    with ShardWriter(path, frame_records=1, append=True) as writer:
        for i in range(10):
            writer.write(
                LLMCallRecord(
                    stage="planner",
                    model="fake",
                    template="t",
                    prompt_tokens=i,
                    completion_tokens=1,
                    seconds=0.1,
                    cache_hit=False,
                )
            )
    flip(path, 0.3)
    damage: list = []
    records = list(read_call_log(run, damage))
    assert 8 <= len(records) <= 9 and records[-1].prompt_tokens == 9
    assert len(damage) == 1 and "damaged in the middle" in damage[0].describe()
    result = CliRunner().invoke(cli, ["stats", str(run)])
    assert "damaged call log" in result.output


def test_append_never_truncates_frames_after_damage(tmp_path: Path) -> None:
    path = tmp_path / "cache.msgpack.zst"
    with ShardWriter(path, frame_records=1, append=True) as writer:
        writer.write_all(OutLink(i, f"a{i}") for i in range(20))
    flip(path, 0.25)
    before = path.stat().st_size
    with ShardWriter(path, frame_records=1, append=True) as writer:  # a later process with the same PID
        writer.write(OutLink(99, "new"))
    assert path.stat().st_size > before
    reader = ShardReader(path, OutLink)
    kept = [link.target for link in reader]
    assert kept[-2:] == [19, 99] and len(kept) >= 19 and len(reader.damage) == 1


def test_append_cuts_only_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "cache.msgpack.zst"
    with ShardWriter(path, frame_records=1, append=True) as writer:
        writer.write_all(OutLink(i, f"a{i}") for i in range(5))
    path.write_bytes(path.read_bytes()[:-3])
    with ShardWriter(path, frame_records=1, append=True) as writer:
        writer.write(OutLink(99, "new"))
    assert [link.target for link in read_shard(path, OutLink)] == [0, 1, 2, 3, 99]


def test_markers_record_the_shard_size_but_hand_back_only_the_stage_counts(tmp_path: Path) -> None:
    path = shard_path(tmp_path, "s0")
    with ShardWriter(path) as writer:
        writer.write(OutLink(1, "a"))
    mark_done(tmp_path, "s0", {"records": 1})
    raw = json.loads((tmp_path / "_done" / "s0").read_text())
    assert raw["_shard"]["bytes"] == path.stat().st_size
    from infoseek_local.store import done_info

    assert done_info(tmp_path, "s0") == {"records": 1}


class FiveLinks:
    """A stage writing five records a shard into `out`, marked by the runner in `done_dir` and `out`."""

    name = "five"
    counts_type = Counts
    rerun_hint = "rerun"

    def __init__(self, done_dir: Path, out: Path) -> None:
        self.done_dir, self.output_dirs, self.out = done_dir, (out,), out
        self.done: list[str] = []

    def settings(self) -> dict:
        return {}

    def open_worker(self) -> NoResources:
        return NoResources()

    def work(self, resources: NoResources, task: ShardTask, report: object) -> Counts:
        with ShardWriter(shard_path(self.out, task.name), frame_records=1) as writer:
            writer.write_all(OutLink(i, "a") for i in range(5))
        self.done.append(task.name)
        return Counts()


def test_a_rerun_redoes_a_shard_whose_output_was_damaged_or_lost(tmp_path: Path) -> None:
    out = tmp_path / "questions"
    stage = FiveLinks(tmp_path, out)
    tasks = [ShardTask("s0"), ShardTask("s1")]
    run_stage(stage, tasks)
    run_stage(stage, tasks)
    assert stage.done == ["s0", "s1"]  # whole: skipped
    flip(shard_path(out, "s0"), 0.5)
    (out / "_done" / "s1").unlink()
    run_stage(stage, tasks)
    assert stage.done == ["s0", "s1", "s0", "s1"]
    assert len(list(read_shards(out, OutLink))) == 10
