"""The stage runner and its local executors: same records whatever runs the shards, a worker killed
mid-shard loses and duplicates nothing, options that cannot go together are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from dying_stage import DieOnceStage

from infoseek_local.cli import cli
from infoseek_local.records import OutLink, Trajectory
from infoseek_local.run.executors import ExecutorSpec
from infoseek_local.run.runner import run_stage
from infoseek_local.run.stage import ShardTask
from infoseek_local.store import read_shard, read_shards

CODE_CHECKS = "leak,fluency,shortcut,grounded,duplicate"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def record_files(run: Path, *folders: str) -> dict[str, bytes]:
    files = {
        str(p.relative_to(run)): p.read_bytes()
        for folder in folders
        for p in sorted((run / folder).glob("*.msgpack.zst"))
    }
    assert files, f"no record files in {folders} of {run}"
    return files


def trajectories_without_timing(run: Path) -> list[dict]:
    """Trajectories as written, less the seconds each took (a wall-clock figure no two runs share)."""
    records = []
    for trajectory in read_shards(run / "trajectories", Trajectory):
        data = msgspec.to_builtins(trajectory)
        data.pop("seconds")
        records.append(data)
    assert records
    return records


@pytest.fixture(scope="module")
def synth_run(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("runner") / "run"
    invoke(
        "synth",
        "--index",
        str(sample_index),
        "--out",
        str(run),
        "--n",
        "12",
        "--shard-size",
        "3",
        "--backend",
        "fake",
    )
    return run


def test_verify_and_sample_write_the_same_records_in_worker_processes(
    synth_run: Path, tmp_path: Path
) -> None:
    inline, pooled = tmp_path / "inline", tmp_path / "pooled"
    shutil.copytree(synth_run, inline)
    shutil.copytree(synth_run, pooled)
    invoke("verify", str(inline), "--checks", CODE_CHECKS, "--backend", "fake")
    invoke("verify", str(pooled), "--checks", CODE_CHECKS, "--backend", "fake", "--workers", "2")
    assert record_files(pooled, "verdicts", "accepted") == record_files(inline, "verdicts", "accepted")

    sample = ("--backend", "fake", "--samples", "2", "--max-turns", "2", "--questions-per-shard", "1")
    invoke("sample", str(inline), *sample)
    output = invoke("sample", str(pooled), *sample, "--executor", "process", "--workers", "2")
    assert trajectories_without_timing(pooled) == trajectories_without_timing(inline)
    total = len(trajectories_without_timing(inline))
    assert f"{total} trajectories for" in output


def test_a_worker_process_killed_mid_shard_is_redone_without_loss_or_duplicates(tmp_path: Path) -> None:
    stage = DieOnceStage(tmp_path, victim="s2")
    tasks = [ShardTask(f"s{i}") for i in range(4)]
    run = run_stage(stage, tasks, ExecutorSpec(kind="process", workers=2))

    died = int((tmp_path / "died").read_text())  # the kill really happened, mid-shard
    assert died not in run.by_shard["s2"].pids  # and another process redid the shard
    assert (run.shards_done, run.counts.records) == (4, 24)
    for task in tasks:
        records = list(read_shard(tmp_path / "records" / f"{task.name}.msgpack.zst", OutLink))
        assert records == [OutLink(i, task.name) for i in range(6)]
    assert not list((tmp_path / "records").glob("*.partial"))
    assert len(list(read_shards(tmp_path / "records", OutLink))) == 24


def test_a_rerun_with_other_settings_is_refused_before_any_work(tmp_path: Path) -> None:
    tasks = [ShardTask("s0"), ShardTask("s1")]
    run_stage(DieOnceStage(tmp_path, victim="none"), tasks)
    with pytest.raises(Exception) as caught:
        run_stage(DieOnceStage(tmp_path, victim="none", per_shard=3), tasks)
    assert str(caught.value) == (
        f"{tmp_path}/stage/s0: this shard was made with other settings (per_shard: 6 -> 3); rerun"
    )
    with pytest.raises(Exception, match=r"inputs: '' -> 'other'"):
        run_stage(DieOnceStage(tmp_path, victim="none"), [ShardTask("s0", inputs="other")])


def test_a_ray_address_needs_the_ray_executor(sample_index: Path, tmp_path: Path) -> None:
    args = ["synth", "--index", str(sample_index), "--out", str(tmp_path / "run"), "--backend", "fake"]
    result = CliRunner().invoke(cli, [*args, "--executor", "process", "--ray-address", "auto"])
    assert result.exit_code == 1
    assert str(result.exception) == "--ray-address needs --executor ray, not --executor process"
    assert not (tmp_path / "run" / "trees").exists()


def test_an_error_in_a_worker_process_reaches_the_user_as_itself(sample_index: Path, tmp_path: Path) -> None:
    from ports import closed_port_url

    from infoseek_local.errors import LLMError

    nobody = closed_port_url()
    args = [
        "synth",
        "--index",
        str(sample_index),
        "--out",
        str(tmp_path / "run"),
        "--n",
        "4",
        "--workers",
        "2",
    ]
    result = CliRunner().invoke(cli, [*args, "--shard-size", "2", "--endpoint", nobody])
    assert result.exit_code == 1
    assert isinstance(result.exception, LLMError)
    assert nobody in str(result.exception) and "Connection refused" in str(result.exception)
    assert not list((tmp_path / "run").glob("_done/*"))  # nothing marked done


def test_the_ray_executor_without_ray_names_the_extra_to_install(
    sample_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` does where Ray is not installed
    args = ["synth", "--index", str(sample_index), "--out", str(tmp_path / "run"), "--backend", "fake"]
    result = CliRunner().invoke(cli, [*args, "--n", "2", "--executor", "ray"])
    assert result.exit_code == 1
    assert str(result.exception) == (
        "--executor ray needs Ray: pip install 'infoseek-local[ray]' (or pip install 'ray[default]>=2.9')"
    )
