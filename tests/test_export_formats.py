"""`infoseek-local export --format hf|sft|rl`: files that `datasets` loads, from hand-built run records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infoseek_local.agent.transcript import render_transcript, search_r1_prompt
from infoseek_local.cli import cli
from infoseek_local.records import AgentTurn, Claim, Provenance, Question, Reward, Trajectory, Tree, Vertex
from infoseek_local.store import ShardWriter, mark_done, shard_path

PROVENANCE = Provenance(
    tool_version="0.1.0", model="fake", seed=7, config={"hops": 2, "nested": {"a": [1, 2]}}
)


def question(number: int, *, aliases: list[str] | None = None) -> Question:
    return Question(
        id=f"q{number}",
        tree_id=f"t{number}",
        question=f"Which river is question {number} about?",
        answer=f"River {number}",
        aliases=aliases if aliases is not None else [f"R{number}"],
        hops=2,
        vertices=3,
        gold_page_ids=[number, number + 10],
        gold_urls=[
            f"https://en.wikipedia.org/wiki/River_{number}",
            f"https://en.wikipedia.org/wiki/Town_{number}",
        ],
        provenance=PROVENANCE,
    )


def tree(number: int) -> Tree:
    relation = Claim(
        text="flows through Town", sentence_ids=[1], sentences=["It flows through Town."], kind="relation"
    )
    return Tree(
        id=f"t{number}",
        seed_page_id=number,
        vertices=[
            Vertex(
                index=0,
                page_id=number,
                url=f"https://en.wikipedia.org/wiki/River_{number}",
                title=f"River {number}",
                claims=[Claim(text="is long", sentence_ids=[0], sentences=["It is long."], grounded=True)],
            ),
            Vertex(
                index=1,
                page_id=number + 10,
                url=f"https://en.wikipedia.org/wiki/Town_{number}",
                title=f"Town {number}",
                parent=0,
                relation=relation,
                descriptor="a town",
            ),
        ],
        status="accepted",
        provenance=PROVENANCE,
    )


def trajectory(
    tid: str, qid: str, *, correct: bool, answer: str = "River 1", transcript: str | None = None
) -> Trajectory:
    turns = [
        AgentTurn(
            think="I should look up the river.",
            queries=["river town", "long river"],
            information="River 1 flows through Town 1.",
        ),
        AgentTurn(think="The facts point to River 1.", answer=answer),
    ]
    return Trajectory(
        id=tid,
        question_id=qid,
        sample_index=0,
        turns=turns,
        transcript=transcript if transcript is not None else render_transcript(turns),
        final_answer=answer,
        correct=correct,
        reward=Reward(
            format=1.0,
            answer=1.0 if correct else 0.0,
            retrieval_recall=0.5,
            total=1.5 if correct else 0.5,
            searches=2,
        ),
        searches=2,
        retrieved_page_ids=[1],
        prompt_tokens=100,
        completion_tokens=20,
        seconds=1.0,
        provenance=PROVENANCE,
    )


def write_shard(directory: Path, name: str, records: list[Any], *, done: bool = True) -> None:
    with ShardWriter(shard_path(directory, name)) as writer:
        writer.write_all(records)
    if done:
        mark_done(directory, name)


@pytest.fixture
def run_dir(tmp_path: Path, sample_index: Path) -> Path:
    run = tmp_path / "runs" / "demo"
    write_shard(run / "accepted", "00000", [question(1), question(2)])
    write_shard(run / "accepted", "00001", [question(3, aliases=["River 3", "", "r3"])])
    write_shard(run / "accepted", "00002", [question(4)], done=False)  # unfinished shard: not exported
    write_shard(run / "trees", "00000", [tree(1), tree(2), tree(9)])  # no tree for q3
    write_shard(
        run / "trajectories",
        "00000",
        [
            trajectory("a", "q1", correct=True),
            trajectory("b", "q1", correct=False, answer="Town 1"),
            trajectory("c", "q2", correct=True, answer="River 2"),
            trajectory("d", "q99", correct=True),
            trajectory("e", "q2", correct=True, transcript="<think>no answer</think>"),
        ],
    )
    (run / "config.toml").write_text(f'index = "{sample_index}"\n')
    return run


def export(*args: str) -> Any:
    return CliRunner().invoke(cli, ["export", *args], catch_exceptions=False)


def load(kind: str, files: str | dict[str, str], cache: Path) -> Any:
    import datasets

    return datasets.load_dataset(kind, data_files=files, cache_dir=str(cache))


@pytest.fixture(autouse=True)
def offline_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_hf_export_loads_as_jsonl_and_parquet(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    result = export(str(run_dir), "--format", "hf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "export.json",
        "questions.jsonl",
        "questions.parquet",
    ]
    from_json = load("json", str(out / "questions.jsonl"), tmp_path / "cache")["train"]
    from_parquet = load("parquet", str(out / "questions.parquet"), tmp_path / "cache")["train"]
    assert from_json.num_rows == from_parquet.num_rows == 3
    row = from_parquet[0]
    assert (row["id"], row["answer"], row["aliases"], row["hops"], row["vertices"]) == (
        "q1",
        "River 1",
        ["R1"],
        2,
        3,
    )
    assert row["gold_urls"][0] == "https://en.wikipedia.org/wiki/River_1"
    vertices = row["tree"]["vertices"]
    assert [v["title"] for v in vertices] == ["River 1", "Town 1"]
    assert vertices[0]["relation"] is None
    assert vertices[1]["relation"]["sentences"] == ["It flows through Town."]
    assert vertices[0]["claims"][0]["grounded"] is True
    assert json.loads(row["provenance"]["config_json"]) == {"hops": 2, "nested": {"a": [1, 2]}}
    assert from_parquet[2]["id"] == "q3" and from_parquet[2]["tree"] is None
    assert from_json[0]["tree"]["vertices"][1]["descriptor"] == "a town"
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["skipped"] == {"tree_missing_row_kept": 1}
    readme = (out / "README.md").read_text()
    assert "license: cc-by-sa-4.0" in readme
    assert "CC BY-SA 4.0" in readme
    import datasets

    whole_dir = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))  # README configs → parquet
    assert whole_dir["train"].num_rows == 3


def test_sft_export_keeps_correct_trajectories_as_chat(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "sft"
    result = export(str(run_dir), "--format", "sft", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = load("json", str(out / "sft.jsonl"), tmp_path / "cache")["train"]
    assert rows["id"] == ["a", "c"]
    messages = rows[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant"]
    assert messages[1]["content"] == search_r1_prompt("Which river is question 1 about?")
    assert messages[2]["content"] == (
        "<think>I should look up the river.</think>\n<search>river town</search>\n<search>long river</search>"
    )
    assert messages[3]["content"] == "<information>River 1 flows through Town 1.</information>"
    assert messages[4]["content"] == "<think>The facts point to River 1.</think>\n<answer>River 1</answer>"
    transcript = "\n".join(m["content"] for m in messages[2:])
    assert transcript == trajectory("a", "q1", correct=True).transcript
    assert rows[0]["reward"]["total"] == 1.5
    manifest = json.loads((out / "export.json").read_text())
    assert manifest["skipped"] == {"incorrect": 1, "question_not_accepted": 1, "malformed_transcript": 1}


def test_rl_export_has_verl_search_r1_layout(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rl"
    result = export(str(run_dir), "--format", "rl", "--out", str(out))
    assert result.exit_code == 0, result.output
    train = load("parquet", str(out / "train.parquet"), tmp_path / "cache")["train"]
    assert train.column_names == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    first, third = train[0], train[2]
    assert first["data_source"] == "infoseek_local"
    assert first["ability"] == "fact-reasoning"
    assert first["prompt"] == [
        {"role": "user", "content": search_r1_prompt("Which river is question 1 about?")}
    ]
    assert first["reward_model"] == {"style": "rule", "ground_truth": {"target": ["River 1", "R1"]}}
    assert third["reward_model"]["ground_truth"]["target"] == ["River 3", "r3"]  # duplicate and blank dropped
    info = first["extra_info"]
    assert (info["split"], info["index"], info["question_id"], info["hops"]) == ("train", 0, "q1", 2)
    assert (info["sampled"], info["solved"]) == (2, 1)
    assert train[1]["extra_info"]["sampled"] == 2  # c and the malformed e both count as samples of q2
    assert (third["extra_info"]["sampled"], third["extra_info"]["solved"]) == (0, 0)


def test_rl_test_fraction_splits_stably(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "rl"
    assert export(str(run_dir), "--format", "rl", "--out", str(out), "--test-fraction", "0.5").exit_code == 0
    splits = load(
        "parquet", {"train": str(out / "train.parquet"), "test": str(out / "test.parquet")}, tmp_path / "c"
    )
    ids = {name: [r["question_id"] for r in splits[name]["extra_info"]] for name in ("train", "test")}
    assert sorted(ids["train"] + ids["test"]) == ["q1", "q2", "q3"]
    for name in ("train", "test"):
        assert [r["split"] for r in splits[name]["extra_info"]] == [name] * len(ids[name])
        assert [r["index"] for r in splits[name]["extra_info"]] == list(range(len(ids[name])))
    again = tmp_path / "rl2"
    assert (
        export(str(run_dir), "--format", "rl", "--out", str(again), "--test-fraction", "0.5").exit_code == 0
    )
    assert (again / "train.parquet").read_bytes() == (out / "train.parquet").read_bytes()


def run_main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from infoseek_local.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["export", *args])
    return int(exit_info.value.code or 0), capsys.readouterr().err.strip()


def test_run_without_accepted_questions_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "empty"
    (run / "accepted").mkdir(parents=True)
    code, err = run_main(str(run), "--format", "hf", "--out", str(tmp_path / "out"), capsys=capsys)
    assert code == 1
    assert err == (
        f"error: {run}/accepted: no accepted questions (no complete shards, or verify rejected every question); "
        f"run `infoseek-local verify {run}` first"
    )
    assert not (tmp_path / "out").exists()
    code, err = run_main(
        str(tmp_path / "nope"), "--format", "rl", "--out", str(tmp_path / "out"), capsys=capsys
    )
    assert (
        err
        == f"error: {tmp_path / 'nope'}: no such run directory; create one with `infoseek-local synth --out {tmp_path / 'nope'}`"
    )


def test_existing_out_dir_needs_overwrite_and_must_be_an_export(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, err = run_main(str(run_dir), "--format", "hf", "--out", str(out), capsys=capsys)
    assert (code, err) == (
        1,
        f"error: {out}: export directory exists and is not empty; pass --overwrite or pick another --out",
    )
    code, err = run_main(str(run_dir), "--format", "hf", "--out", str(out), "--overwrite", capsys=capsys)
    assert code == 1
    assert err.startswith(f"error: {out}: not an infoseek-local export (no export.json)")
    assert (out / "notes.txt").read_text() == "mine"
    earlier = tmp_path / "earlier"
    assert export(str(run_dir), "--format", "rl", "--out", str(earlier)).exit_code == 0
    assert export(str(run_dir), "--format", "hf", "--out", str(earlier), "--overwrite").exit_code == 0
    assert sorted(p.name for p in earlier.iterdir()) == [
        "README.md",
        "export.json",
        "questions.jsonl",
        "questions.parquet",
    ]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failure_mid_export_leaves_nothing(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoseek_local.export import hf

    out = tmp_path / "hf"
    assert export(str(run_dir), "--format", "hf", "--out", str(out)).exit_code == 0
    before = (out / "questions.jsonl").read_bytes()
    calls = {"n": 0}
    real_row = hf.question_row

    def failing_row(*args: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_row(*args)

    monkeypatch.setattr(hf, "question_row", failing_row)
    with pytest.raises(RuntimeError, match="disk full"):
        export(str(run_dir), "--format", "hf", "--out", str(out), "--overwrite")
    assert (out / "questions.jsonl").read_bytes() == before  # the earlier export is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["runs", "hf"])


def test_sft_without_correct_trajectories_is_a_clear_error(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_shard(run_dir / "trajectories", "00000", [trajectory("b", "q1", correct=False, answer="Town 1")])
    out = tmp_path / "sft"
    code, err = run_main(str(run_dir), "--format", "sft", "--out", str(out), capsys=capsys)
    assert (code, err) == (
        1,
        f"error: {run_dir}/trajectories: no correct trajectories of accepted questions to export (incorrect=1); "
        f"run `infoseek-local sample {run_dir}` first, or with more --samples",
    )
    assert not out.exists()


@pytest.mark.parametrize("index_is_bundled", [True, False])
def test_licence_note_follows_the_index_sources(
    tmp_path: Path, sample_index: Path, index_is_bundled: bool
) -> None:
    run = tmp_path / "run"
    plain = msgspec_replace(question(1), gold_urls=["https://example.org/river"])
    write_shard(run / "accepted", "00000", [plain])
    if index_is_bundled:
        (run / "config.toml").write_text(f'index = "{sample_index}"\n')
    out = tmp_path / "rl"
    assert export(str(run), "--format", "rl", "--out", str(out)).exit_code == 0
    readme = (out / "README.md").read_text()
    assert ("license: cc-by-sa-4.0" in readme) is index_is_bundled
    assert ("license: other" in readme) is not index_is_bundled
    assert bool(json.loads((out / "export.json").read_text())["attribution"]) is index_is_bundled


def msgspec_replace(record: Question, **changes: Any) -> Question:
    import msgspec

    return msgspec.structs.replace(record, **changes)


def test_rl_split_without_rows_gets_no_file_and_the_dir_still_loads(run_dir: Path, tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "rl"
    result = export(str(run_dir), "--format", "rl", "--out", str(out), "--test-fraction", "0.001")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "export.json", "train.parquet"]
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert list(loaded) == ["train"] and loaded["train"].num_rows == 3


def test_test_fraction_is_refused_for_other_formats(run_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["export", str(run_dir), "--format", "hf", "--out", str(tmp_path / "o"), "--test-fraction", "0.2"],
    )
    assert result.exit_code == 2
    assert "--test-fraction applies to --format rl only" in result.output
    assert not (tmp_path / "o").exists()


def test_export_finds_the_index_of_a_run_made_by_synth(sample_index: Path, tmp_path: Path) -> None:
    from infoseek_local.export.common import run_index_dir

    run = tmp_path / "run"
    result = CliRunner().invoke(
        cli, ["synth", "--index", str(sample_index), "--out", str(run), "--n", "1", "--backend", "fake"]
    )
    assert result.exit_code == 0, result.output
    assert run_index_dir(run) == sample_index
