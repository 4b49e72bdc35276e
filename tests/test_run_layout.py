"""The run directory: one layout names its parts, a run is pinned to the index it was built from, stored
records carry their schema version and fixed vocabularies, and exports carry no local paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import msgspec
import pytest

from infoseek_local.cli import main
from infoseek_local.records import SCHEMA_VERSION, Tree
from infoseek_local.run.layout import ACCEPTED, QUESTIONS, TREES, RunLayout
from infoseek_local.store import ShardWriter, mark_done, read_shard


def cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the real entry point: (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def synth_run(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fake-backend synth run whose synth questions are copied to `accepted/` as verify would."""
    run = tmp_path_factory.mktemp("layout") / "run"
    main(["synth", "--index", str(sample_index), "--out", str(run), "--n", "4", "--backend", "fake"])
    layout = RunLayout(run)
    questions = list(layout.read(QUESTIONS))
    assert questions, "the fake backend accepted no tree of the sample index: the fixture needs other seeds"
    with ShardWriter(layout.shard(ACCEPTED, "synth-00000")) as writer:
        writer.write_all(questions)
    mark_done(layout.accepted, "synth-00000")
    return run


@pytest.fixture
def run(synth_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(synth_run, copy)
    return copy


def rebuilt_index(index: Path, where: Path, index_id: str | None = "0123456789abcdef") -> Path:
    """A copy of `index` under another id (as if rebuilt at that path); no id at all with None."""
    copy = where / "rebuilt"
    shutil.copytree(index, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    if index_id is None:
        del manifest["index_id"]
    else:
        manifest["index_id"] = index_id
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def test_synth_pins_the_index_and_the_layout_reads_what_stats_counts(
    run: Path, sample_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = RunLayout(run)
    manifest = json.loads((sample_index / "manifest.json").read_text())
    pin = json.loads(layout.index_file.read_text())
    assert pin["index_id"] == manifest["index_id"]
    assert pin["pages"] == manifest["counts"]["pages"]
    trees = list(layout.read(TREES))
    assert len(trees) == 4
    code, out, _ = cli("stats", str(run), capsys=capsys)
    assert code == 0
    assert any(
        line.split("│")[1:3] == [" seeds attempted           ", " 4     "] for line in out.splitlines()
    )


@pytest.mark.parametrize("command", ["verify", "sample"])
def test_a_stage_refuses_an_index_the_run_was_not_built_from(
    run: Path, sample_index: Path, tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = rebuilt_index(sample_index, tmp_path)
    code, _, err = cli(command, str(run), "--index", str(other), "--backend", "fake", capsys=capsys)
    manifest = json.loads((sample_index / "manifest.json").read_text())
    assert code == 1
    assert err.splitlines()[-1] == (
        f"error: {other}: holds index 0123456789ab, not index {manifest['index_id'][:12]} that {run} was built "
        f"from (at {sample_index.resolve()}); pass that index with --index, or synthesize into a new --out"
    )
    assert not RunLayout(run).verdicts.exists() and not RunLayout(run).trajectories.exists()


def test_synth_refuses_an_index_rebuilt_at_the_run_s_index_path(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "ix"
    shutil.copytree(sample_index, index)
    synth = ("synth", "--index", str(index), "--out", str(tmp_path / "run"), "--n", "1", "--backend", "fake")
    assert cli(*synth, capsys=capsys)[0] == 0
    shutil.rmtree(index)
    rebuilt_index(sample_index, tmp_path).rename(index)  # same path, another index
    code, _, err = cli(*synth, capsys=capsys)
    assert code == 1
    assert err.splitlines()[-1].startswith(f"error: {index}: holds index 0123456789ab, not index ")


def test_an_index_without_an_id_gets_one_from_its_sources(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = rebuilt_index(sample_index, tmp_path, index_id=None)
    code, out, _ = cli("info", "--index", str(old), "--json", capsys=capsys)
    assert code == 0
    first = json.loads(out)["index_id"]
    assert first.startswith("sources-") and len(first) == len("sources-") + 32
    cli("info", "--index", str(old), "--json", capsys=capsys)
    assert json.loads(capsys.readouterr().out or out)["index_id"] == first  # stable across reads


def test_hf_export_holds_no_local_path(run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hf"
    code, _, err = cli("export", str(run), "--format", "hf", "--out", str(out), capsys=capsys)
    assert code == 0, err
    assert "warning" not in err
    for path in out.iterdir():
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert str(tmp_path) not in text and "/tmp/" not in text, path.name
    row = json.loads((out / "questions.jsonl").read_text().splitlines()[0])
    assert json.loads(row["provenance"]["config_json"])["index"] == "index"  # the directory name only
    manifest = json.loads((out / "export.json").read_text())
    assert (manifest["run"], manifest["out"]) == ("run", "hf")
    assert manifest["index_id"] == json.loads((run / "index.json").read_text())["index_id"]


def test_export_warns_when_the_configured_index_is_not_the_pinned_one(
    run: Path, sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = rebuilt_index(sample_index, tmp_path)
    (run / "config.toml").write_text((run / "config.toml").read_text().replace(str(sample_index), str(other)))
    out = tmp_path / "hf"
    code, _, err = cli("export", str(run), "--format", "hf", "--out", str(out), capsys=capsys)
    assert code == 0
    assert err.startswith(f"warning: {other}: holds index 0123456789ab")
    assert err.rstrip().endswith("the licence is judged by the gold URLs alone")
    assert json.loads((out / "export.json").read_text())["warnings"] == [
        err.removeprefix("warning: ").rstrip()
    ]


def test_a_run_made_before_pins_still_verifies_against_its_config(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run / "index.json").unlink()
    code, _, err = cli("verify", str(run), "--backend", "fake", "--checks", "leak,shortcut", capsys=capsys)
    assert code == 0, err
    assert RunLayout(run).finished_shards(ACCEPTED)


def test_a_shard_of_a_newer_schema_is_refused_by_name(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = RunLayout(run)
    marker = layout.trees / "_done" / "synth-00000"
    info = json.loads(marker.read_text())
    assert info["_shard"]["schema_version"] == SCHEMA_VERSION
    info["_shard"]["schema_version"] = SCHEMA_VERSION + 1
    marker.write_text(json.dumps(info))
    code, _, err = cli("stats", str(run), capsys=capsys)
    assert code == 1
    assert err == (
        f"error: {layout.shard(TREES, 'synth-00000')}: written with record schema version {SCHEMA_VERSION + 1}, "
        f"this infoseek-local reads up to {SCHEMA_VERSION}; upgrade infoseek-local to read it\n"
    )


def test_a_shard_marked_before_versions_reads_as_version_one(run: Path) -> None:
    layout = RunLayout(run)
    marker = layout.trees / "_done" / "synth-00000"
    info = json.loads(marker.read_text())
    del info["_shard"]["schema_version"]
    marker.write_text(json.dumps(info))
    assert len(list(read_shard(layout.shard(TREES, "synth-00000"), Tree))) == 4


def test_a_value_outside_a_vocabulary_is_a_one_line_error_naming_the_field(
    run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = RunLayout(run)
    tree = next(iter(layout.read(TREES)))
    path = layout.shard(TREES, "zz-hand-written")
    with ShardWriter(path) as writer:
        writer.write(msgspec.structs.replace(tree, status="maybe"))  # type: ignore[arg-type]
    mark_done(layout.trees, "zz-hand-written")
    code, _, err = cli("stats", str(run), capsys=capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith(f"error: {path}: frame at byte 0 does not hold the expected records: ")
    assert "Invalid enum value 'maybe' - at `$[0].status`" in err


def test_doctor_runs_one_structured_call(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli("doctor", "--backend", "fake", "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["backend"] == "fake"
    assert report["structured_call"]["answer"]["colour"] in ("red", "green", "blue")
    assert report["structured_call"]["expected"] == {"colour": "blue", "count": 3}
    assert report["speed"]["completion_tokens"] > 0
    code, out, _ = cli("doctor", "--backend", "fake", capsys=capsys)
    labels = [line.split()[0] for line in out.splitlines()]
    assert labels == ["backend", "model", "sha256", "context", "load", "structured", "speed"]
