"""Every stage on a real local Ray cluster (`ray start --head`, then the commands with `--ray-address`), the
shape a lab runs across machines; and a Ray worker killed mid-shard, whose shard is redone."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from dying_stage import DieOnceStage
from ray_cluster import local_ray_cluster
from test_runner import CODE_CHECKS, record_files, trajectories_without_timing

from infoseek_local.cli import cli
from infoseek_local.records import OutLink
from infoseek_local.run.executors import ExecutorSpec
from infoseek_local.run.runner import run_stage
from infoseek_local.run.stage import ShardTask
from infoseek_local.store import read_shard

ray = pytest.importorskip("ray", reason="the [ray] extra (in the test extra) is not installed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    # the cluster's workers import the test stage (tests/dying_stage.py) the way a lab's import infoseek_local
    with local_ray_cluster(num_cpus=2, python_path=str(Path(__file__).parent)) as address:
        yield address


@pytest.fixture(autouse=True)
def no_ray_token(monkeypatch: pytest.MonkeyPatch) -> None:
    # the test cluster listens on loopback only and runs without Ray's token authentication
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not ray.is_initialized()  # the command left the cluster again
    return result.output


def test_every_stage_on_a_ray_cluster_writes_what_inline_writes(
    cluster: str, sample_index: Path, sample_warc: Path, tmp_path: Path
) -> None:
    on_ray = ("--executor", "ray", "--ray-address", cluster, "--workers", "2")
    synth = ("--index", str(sample_index), "--n", "12", "--shard-size", "3", "--backend", "fake")
    inline, clustered = tmp_path / "inline", tmp_path / "ray"
    invoke("synth", *synth, "--out", str(inline))
    invoke("synth", *synth, "--out", str(clustered), *on_ray)
    assert record_files(clustered, "trees", "questions") == record_files(inline, "trees", "questions")

    invoke("verify", str(inline), "--checks", CODE_CHECKS, "--backend", "fake")
    invoke("verify", str(clustered), "--checks", CODE_CHECKS, "--backend", "fake", *on_ray)
    assert record_files(clustered, "verdicts", "accepted") == record_files(inline, "verdicts", "accepted")

    sample = ("--backend", "fake", "--samples", "2", "--max-turns", "2", "--questions-per-shard", "1")
    invoke("sample", str(inline), *sample)
    invoke("sample", str(clustered), *sample, *on_ray)
    assert trajectories_without_timing(clustered) == trajectories_without_timing(inline)

    invoke("index", str(sample_warc), "--out", str(tmp_path / "ix-inline"), "--workers", "1")
    invoke("index", str(sample_warc), "--out", str(tmp_path / "ix-ray"), *on_ray)
    assert record_files(tmp_path / "ix-ray", "extract") == record_files(tmp_path / "ix-inline", "extract")


def test_a_ray_worker_killed_mid_shard_is_redone_without_loss_or_duplicates(
    cluster: str, tmp_path: Path
) -> None:
    stage = DieOnceStage(tmp_path, victim="s1")
    tasks = [ShardTask(f"s{i}") for i in range(3)]
    run = run_stage(stage, tasks, ExecutorSpec(kind="ray", workers=2, ray_address=cluster))

    died = int((tmp_path / "died").read_text())
    assert died not in run.by_shard["s1"].pids
    assert (run.shards_done, run.counts.records) == (3, 18)
    for task in tasks:
        records = list(read_shard(tmp_path / "records" / f"{task.name}.msgpack.zst", OutLink))
        assert records == [OutLink(i, task.name) for i in range(6)]
    assert not list((tmp_path / "records").glob("*.partial"))
    shutil.rmtree(tmp_path / "records")
