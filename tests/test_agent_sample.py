"""`infoseek-local sample` and the rejection-sampling run: outputs, resume after a kill, bad input."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from infoseek_local.agent.agent import AgentConfig
from infoseek_local.agent.sampling import SampleConfig, read_trajectories, sample_run, sample_seed
from infoseek_local.agent.stats import trajectory_lines, trajectory_stats
from infoseek_local.cli import cli, main
from infoseek_local.llm.base import Message
from infoseek_local.llm.factory import open_llm
from infoseek_local.records import Provenance, Question
from infoseek_local.store import ShardWriter, done_shards, mark_done, shard_path

ANSWERS = ["France", "Yemen", "Aden", "Niger River", "Capital city"]


def make_run(tmp_path: Path, index: Path | None, answers: list[str] = ANSWERS) -> Path:
    run = tmp_path / "run"
    accepted = run / "accepted"
    with ShardWriter(shard_path(accepted, "part-00000")) as writer:
        for n, answer in enumerate(answers):
            writer.write(
                Question(
                    id=f"q{n}",
                    tree_id=f"t{n}",
                    question=f"Which entity is described by clue {n}?",
                    answer=answer,
                    aliases=[],
                    hops=2,
                    vertices=3,
                    gold_page_ids=[n, n + 10],
                    gold_urls=[],
                    provenance=Provenance(tool_version="test"),
                )
            )
    mark_done(accepted, "part-00000")
    if index is not None:
        (run / "config.toml").write_text(f'index = "{index}"\n')
    return run


def test_cli_sample_writes_all_trajectories_and_resumes_as_done(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_index)
    args = [
        "sample",
        str(run),
        "--backend",
        "fake",
        "--samples",
        "2",
        "--max-turns",
        "2",
        "--questions-per-shard",
        "2",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{run}: 10 trajectories for 5 questions" in result.output

    trajectories = list(read_trajectories(run))
    assert len(trajectories) == 10
    assert Counter(t.question_id for t in trajectories) == {f"q{n}": 2 for n in range(5)}
    assert len({t.id for t in trajectories}) == 10
    assert {t.provenance.seed for t in trajectories if t.question_id == "q0"} == {
        sample_seed(0, "q0", 0),
        sample_seed(0, "q0", 1),
    }
    assert all(t.transcript.startswith("<think>") for t in trajectories)
    assert done_shards(run / "trajectories") == ["part-00000", "part-00001", "part-00002"]
    assert (run / "llm_calls").is_dir()

    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert "resumed: 3 shards were already done" in again.output
    assert len(list(read_trajectories(run))) == 10


def test_cli_sample_with_worker_processes(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_index)
    args = ["sample", str(run), "--backend", "fake", "--samples", "1", "--max-turns", "2"]
    result = CliRunner().invoke(cli, [*args, "--questions-per-shard", "2", "--workers", "2"])
    assert result.exit_code == 0, result.output
    trajectories = list(read_trajectories(run))
    assert sorted(t.id for t in trajectories) == [f"q{n}-s00" for n in range(5)]


def scripted_responder(answers: dict[str, str], calls: list[str], fail_at: int | None = None) -> Any:
    """Search once, then answer: right for questions in `answers`; raises at call number `fail_at`."""

    def respond(messages: list[Message], schema: dict[str, Any] | None) -> Any:
        calls.append(messages[-1].content[:60])
        if fail_at is not None and len(calls) == fail_at:
            raise RuntimeError("killed")
        properties = (schema or {}).get("properties", {})
        if "facts" in properties:
            return {"facts": ["Atlantis sank."]}  # not in the results: dropped, lead sentences stand in
        prompt = messages[-1].content
        clue = prompt.split("clue ", 1)[1].split("?", 1)[0]
        reply = answers.get(clue, "Atlantis")
        if "Searched:" not in prompt:
            return {"think": "look it up", "action": "search", "queries": [f"clue {clue}"], "answer": ""}
        return {"think": "got it", "action": "answer", "queries": [], "answer": reply}

    return respond


# the free-form agent (`--mode free`): these tests script its think/action/queries/answer steps
CONFIG = SampleConfig(
    samples=2, temperature=0.7, questions_per_shard=2, agent=AgentConfig(max_turns=3), mode="free"
)


def test_rejection_sampling_keeps_only_matching_answers(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_index)
    calls: list[str] = []
    llm = open_llm(backend="fake", fake_responder=scripted_responder({"0": "France", "2": "aden"}, calls))
    summary = sample_run(run, CONFIG, index_path=sample_index, llm=llm)

    assert (summary.trajectories, summary.correct, summary.solved_questions) == (10, 4, 2)
    kept = list(read_trajectories(run, kept_only=True))
    assert sorted({t.question_id for t in kept}) == ["q0", "q2"]
    assert all(t.reward.answer == 1.0 and t.searches == 1 for t in kept)
    rejected = [t for t in read_trajectories(run) if not t.correct]
    assert len(rejected) == 6 and all(t.final_answer == "Atlantis" for t in rejected)

    stats = trajectory_stats(run)
    assert stats is not None
    assert (stats["questions"], stats["trajectories"], stats["kept"], stats["solved_questions"]) == (
        5,
        10,
        4,
        2,
    )
    assert stats["solve_rate"] == 0.4 and stats["searches_per_solved_question"] == 1.0
    assert stats["reward_mean"]["answer"] == 0.4 and stats["end_reasons"] == {"answer": 10}
    assert sum(stats["reward_total_histogram"].values()) == 10
    lines = trajectory_lines(stats)
    assert lines[1] == "solve rate    40.0% (2 questions with a correct sample)"
    assert trajectory_stats(tmp_path / "no-such-run") is None

    result = CliRunner().invoke(cli, ["stats", str(run), "--json"])
    assert result.exit_code == 0, result.output
    section = json.loads(result.output)["trajectories"]
    assert section["solve rate (pass@K)"] == "40.0% (2 questions)"
    assert section["kept (answer matches)"] == "4 (40.0%)"


def test_killed_run_resumes_without_loss_or_duplicates(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_index)
    answers = {"0": "France", "1": "Yemen", "3": "Niger River"}
    first_calls: list[str] = []
    llm = open_llm(backend="fake", fake_responder=scripted_responder(answers, first_calls, fail_at=20))
    # each trajectory makes 3 calls (search step, refiner, answer step): shard 0 takes 12, call 20 is in shard 1
    with pytest.raises(RuntimeError, match="killed"):
        sample_run(run, CONFIG, index_path=sample_index, llm=llm)
    out = run / "trajectories"
    assert done_shards(out) == ["part-00000"]
    assert not list(out.glob("*.partial"))
    # what a hard kill leaves: a half-written shard under its temporary name
    (out / "part-00001.msgpack.zst.partial").write_bytes(b"\x28\xb5\x2f\xfd torn")

    second_calls: list[str] = []
    llm = open_llm(backend="fake", fake_responder=scripted_responder(answers, second_calls))
    summary = sample_run(run, CONFIG, index_path=sample_index, llm=llm)

    assert (summary.shards_skipped, summary.shards_done) == (1, 2)
    assert len(second_calls) == 3 * 2 * 3  # only the 3 questions of the unfinished shards were sampled
    trajectories = list(read_trajectories(run))
    assert sorted(t.id for t in trajectories) == sorted(f"q{n}-s{i:02d}" for n in range(5) for i in range(2))
    assert sum(t.correct for t in trajectories) == 6
    assert summary.correct == 6


HARD_KILL_SCRIPT = """
import sys, time
from pathlib import Path
from infoseek_local.agent.agent import AgentConfig
from infoseek_local.agent.sampling import SampleConfig, sample_run
from infoseek_local.llm.factory import open_llm

calls = []
def respond(messages, schema):
    calls.append(1)
    if len(calls) > 14:  # inside the second shard: hang until killed
        time.sleep(600)
    if "facts" in schema.get("properties", {}):
        return {"facts": ["Atlantis sank."]}
    return {"think": "t", "action": "answer", "queries": ["clue"], "answer": "Atlantis"}

config = SampleConfig(samples=2, questions_per_shard=2, agent=AgentConfig(max_turns=3), mode="free")
sample_run(Path(sys.argv[1]), config, index_path=Path(sys.argv[2]), llm=open_llm(backend="fake", fake_responder=respond))
"""


def test_hard_killed_process_resumes_without_loss_or_duplicates(sample_index: Path, tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    run = make_run(tmp_path, sample_index)
    script = tmp_path / "sample_then_hang.py"
    script.write_text(HARD_KILL_SCRIPT)
    process = subprocess.Popen([sys.executable, str(script), str(run), str(sample_index)])
    partial = run / "trajectories" / "part-00001.msgpack.zst.partial"
    deadline = time.monotonic() + 120
    while not partial.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # into the hanging call of the second shard
    process.kill()  # SIGKILL: no cleanup runs
    process.wait()
    assert done_shards(run / "trajectories") == ["part-00000"]
    assert partial.exists()  # killed inside shard 1

    summary = sample_run(run, CONFIG, index_path=sample_index, llm=open_llm(backend="fake"))
    assert (summary.shards_skipped, summary.shards_done) == (1, 2)
    trajectories = list(read_trajectories(run))
    assert sorted(t.id for t in trajectories) == sorted(f"q{n}-s{i:02d}" for n in range(5) for i in range(2))


def test_rerun_with_other_settings_is_refused(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, sample_index, ANSWERS[:2])
    sample_run(run, CONFIG, index_path=sample_index, llm=open_llm(backend="fake"))
    other = SampleConfig(samples=3, questions_per_shard=2)
    with pytest.raises(Exception) as caught:
        sample_run(run, other, index_path=sample_index, llm=open_llm(backend="fake"))
    message = str(caught.value)
    assert message.startswith(f"{run}/trajectories/part-00000: this shard was made with other settings (")
    assert "config.samples: 2 -> 3" in message and "config.mode: 'free' -> 'both'" in message
    assert message.endswith(
        f"; delete {run}/trajectories to resample {run}, or rerun with the original options"
    )


def test_run_without_accepted_questions_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "empty-run"
    run.mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", str(run), "--backend", "fake"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"error: {run}: no accepted questions in {run}/accepted; run `infoseek-local verify {run}` first\n"
    )


def test_index_comes_from_config_or_option(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = make_run(tmp_path, None, ANSWERS[:1])
    with pytest.raises(SystemExit):
        main(["sample", str(run), "--backend", "fake"])
    assert capsys.readouterr().err == f"error: {run}/config.toml: not found; pass --index DIR\n"

    (run / "config.toml").write_text('index = "no/such/index"\n')
    with pytest.raises(SystemExit):
        main(["sample", str(run), "--backend", "fake"])
    assert capsys.readouterr().err == (
        f"error: {run}/config.toml: $.index 'no/such/index' does not exist; pass --index DIR\n"
    )

    result = CliRunner().invoke(
        cli, ["sample", str(run), "--backend", "fake", "--samples", "1", "--index", str(sample_index)]
    )
    assert result.exit_code == 0, result.output
    assert len(list(read_trajectories(run))) == 1


def test_index_path_from_synth_table(sample_index: Path, tmp_path: Path) -> None:
    run = make_run(tmp_path, None, ANSWERS[:1])
    (run / "config.toml").write_text(
        f'# written by infoseek-local synth\n[synth]\nindex = "{sample_index}"\nseed = 1\n'
    )
    result = CliRunner().invoke(cli, ["sample", str(run), "--backend", "fake", "--samples", "1"])
    assert result.exit_code == 0, result.output
    assert len(list(read_trajectories(run))) == 1


def test_a_sample_on_a_run_another_stage_is_writing_is_refused(sample_index: Path, tmp_path: Path) -> None:
    import os

    from infoseek_local.errors import InputError
    from infoseek_local.run.lock import run_lock

    run = make_run(tmp_path, sample_index, ANSWERS[:1])
    args = ["sample", str(run), "--backend", "fake", "--samples", "1", "--max-turns", "1"]
    with run_lock(run, "verify"):
        result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, InputError), result.output
    assert f"`infoseek-local verify` (pid {os.getpid()}) is writing this run" in str(result.exception)
    assert not (run / "trajectories").exists()
    assert CliRunner().invoke(cli, args).exit_code == 0  # the lock went with its holder
