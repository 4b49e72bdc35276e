"""The verify stage over a run directory: outputs, funnel, resume after a kill, settings guard, CLI, report."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from verify_records import (
    HARD_QUESTION,
    MEMORY_QUESTION_SHORTCUT_RANK,
    MemoryIndex,
    eiffel_tree,
    fake_llm,
    question,
)

from infoseek_local.cli import cli
from infoseek_local.errors import ConfigError, InputError
from infoseek_local.records import Question, Tree
from infoseek_local.store import ShardWriter, is_done, mark_done, read_shards, shard_path
from infoseek_local.verify.context import VerifyConfig
from infoseek_local.verify.pipeline import read_verdicts, verify_questions
from infoseek_local.verify.report import verdict_lines
from infoseek_local.verify.stats import verify_funnel

LEAKY = "Which engineer, Gustave Eiffel, had a firm that built a tower?"
SHORTCUT = "Which French civil engineer also worked on the Statue of Liberty?"


def write_shard(directory: Path, name: str, records: list[object]) -> None:
    with ShardWriter(shard_path(directory, name)) as writer:
        writer.write_all(records)
    mark_done(directory, name)


def make_run(root: Path) -> Path:
    """Two question shards: a good question, a leak, a shortcut, and a near-duplicate of the good one."""
    run = root / "run"
    write_shard(run / "trees", "shard-00000", [eiffel_tree("t1")])
    write_shard(
        run / "questions",
        "shard-00000",
        [question(HARD_QUESTION, qid="good"), question(LEAKY, qid="leaky")],
    )
    write_shard(
        run / "questions",
        "shard-00001",
        [
            question(SHORTCUT, qid="shortcut"),
            question(HARD_QUESTION.replace("exhibition", "fair"), qid="dup"),
        ],
    )
    return run


CHECKS = ("leak", "grounded", "shortcut", "difficulty", "duplicate")


def verify_config(**settings: object) -> VerifyConfig:
    return VerifyConfig(question_shortcut_rank=MEMORY_QUESTION_SHORTCUT_RANK, **settings)  # type: ignore[arg-type]


def closed_book_misses(messages, schema):  # type: ignore[no-untyped-def]
    return {"answer": "Alexandre Dumas"}


def run_verify(run: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    llm, backend = fake_llm()
    backend.responder = closed_book_misses
    config = kwargs.pop("config", verify_config(checks=CHECKS, samples=2))
    summary = verify_questions(run, config, llm=llm, index=MemoryIndex(), **kwargs)  # type: ignore[arg-type]
    return summary, backend


def test_verify_writes_verdicts_and_the_accepted_set(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    summary, backend = run_verify(run)
    accepted = list(read_shards(run / "accepted", Question))
    assert [q.id for q in accepted] == ["good"]
    assert summary.questions == 4 and summary.accepted == 1
    assert [(f.name, f.entered, f.passed) for f in summary.funnel] == [
        ("leak", 4, 3),
        ("grounded", 3, 3),
        ("shortcut", 3, 2),
        ("difficulty", 2, 2),
        ("duplicate", 2, 1),
    ]
    assert len(backend.history) == 4  # 2 closed-book samples for each of the 2 survivors of shortcut
    by_question = {}
    for verdict in read_verdicts(run):
        by_question.setdefault(verdict.question_id, []).append(verdict.check)
    assert by_question == {
        "good": ["leak", "grounded", "shortcut", "difficulty", "duplicate"],
        "leaky": ["leak"],
        "shortcut": ["leak", "grounded", "shortcut"],
        "dup": ["leak", "grounded", "shortcut", "difficulty", "duplicate"],
    }


def test_keep_going_runs_every_check(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run_verify(run, config=verify_config(checks=("leak", "shortcut"), keep_going=True))
    checks = [v.check for v in read_verdicts(run) if v.question_id == "leaky"]
    assert checks == ["leak", "shortcut"]


def test_a_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    clean = make_run(tmp_path / "clean")
    run_verify(clean)
    run = make_run(tmp_path / "killed")
    seen = 0

    def die_in_second_shard(n: int) -> None:
        nonlocal seen
        seen += n
        if seen == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_verify(run, progress=die_in_second_shard)
    assert is_done(run / "verdicts", "shard-00000") and not is_done(run / "verdicts", "shard-00001")
    assert not (run / "accepted").exists()
    summary, backend = run_verify(run)
    assert summary.shards_done_before == 1
    assert len(backend.history) == 2  # only the second shard's survivor was asked again
    assert list(read_verdicts(run)) == list(read_verdicts(clean))
    assert list(read_shards(run / "accepted", Question)) == list(read_shards(clean / "accepted", Question))


def test_rerun_with_other_settings_is_refused_until_restart(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run_verify(run)
    with pytest.raises(ConfigError) as info:
        run_verify(run, config=verify_config(checks=CHECKS, samples=5))
    assert str(info.value) == (
        f"{run}/verdicts/shard-00000: this shard was made with other settings (config.samples: 2 -> 5); "
        "rerun with the same options to resume, or add --restart to verify the run again"
    )
    summary, _ = run_verify(run, config=verify_config(checks=CHECKS, samples=5), restart=True)
    assert summary.accepted == 1


def test_new_question_shards_are_verified_on_the_next_run(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run_verify(run)
    write_shard(
        run / "questions", "shard-00002", [question("Which writer's novels tell of musketeers?", qid="new")]
    )
    summary, _ = run_verify(run)
    assert summary.questions == 5
    assert [q.id for q in read_shards(run / "accepted", Question)] == ["good", "new"]


def test_a_run_without_questions_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        run_verify(tmp_path / "empty")
    assert str(info.value) == (
        f"{tmp_path}/empty/questions: no finished question shards; "
        f"run `infoseek-local synth --out {tmp_path}/empty ...` first"
    )


def test_report_says_why_a_question_failed(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run_verify(run)
    lines = verdict_lines(run, "shortcut")
    reason = (
        "one search with the question ranks the answer page 1 in the index's ranking and 1 in plain BM25 "
        "(a shortcut at rank <= 1)"
    )
    assert lines[0] == f"verify: rejected by shortcut: {reason}"
    assert lines[3] == f"  FAIL shortcut: {reason} [question_rank=1; question_plain_rank=1]"
    assert verdict_lines(run, "good")[0] == "verify: accepted (passed every check)"
    assert verdict_lines(run, "dup")[0].startswith(
        "verify: rejected by duplicate: near-duplicate of question 'good'"
    )
    assert verdict_lines(run, "nope") == [
        f"verify: no verdicts for nope yet; run `infoseek-local verify {run}`"
    ]


def test_stats_section_shows_the_funnel(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    assert verify_funnel(run) is None
    run_verify(run)
    section = verify_funnel(run)
    assert section is not None
    rows = dict(section.rows)
    assert rows["questions verified"] == 4
    assert rows["accepted"] == "1 (25.0%)"
    assert rows["check leak"] == "3/4 passed (75%); failures: 1× question names the answer …"
    assert rows["check duplicate"].startswith(
        "1/2 passed (50%); failures: 1× near-duplicate of question … (trigram Jaccard N)"
    )


def test_cli_verify_with_the_fake_backend(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    result = CliRunner().invoke(
        cli, ["verify", str(run), "--backend", "fake", "--checks", "leak,grounded,duplicate"]
    )
    assert result.exit_code == 0, result.output
    assert "1 of 4 questions accepted" not in result.output  # no shortcut check: the shortcut question stays
    assert "2 of 4 questions accepted" in result.output
    assert "verified 4 questions now" in result.output
    assert [q.id for q in read_shards(run / "accepted", Question)] == ["good", "shortcut"]
    again = CliRunner().invoke(
        cli, ["verify", str(run), "--backend", "fake", "--checks", "leak,grounded,duplicate"]
    )
    assert again.exit_code == 0 and "resumed: 2 shards were already verified" in again.output


def test_cli_unknown_check_lists_valid_ones(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["verify", str(make_run(tmp_path)), "--backend", "fake", "--checks", "leak,nope"]
    )
    assert result.exit_code == 1
    assert str(result.exception) == (
        "unknown check 'nope'; valid checks: grounded, leak, fluency, difficulty, verifiability, shortcut, duplicate"
    )


def test_trees_are_read_from_the_run(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    assert [t.id for t in read_shards(run / "trees", Tree)] == ["t1"]


def test_checks_and_settings_come_from_the_runs_config(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    (run / "config.toml").write_text(
        '[synth]\nindex = "nowhere"\n\n[verify]\nchecks = ["leak"]\nmax_per_answer = 1\n'
    )
    result = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake"])
    assert result.exit_code == 0, result.output
    assert {v.check for v in read_verdicts(run)} == {"leak"}
    bad = tmp_path / "bad.toml"
    bad.write_text("[verify]\nsamples = 0\n")
    result = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--config", str(bad)])
    assert result.exit_code == 1
    assert str(result.exception) == "verify config: samples must be >= 1"


def test_checks_that_need_the_index_say_where_to_find_it(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    result = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--checks", "shortcut"])
    assert result.exit_code == 1
    assert str(result.exception) == f"{run}/config.toml: not found; pass --index DIR"
