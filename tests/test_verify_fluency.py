"""The fluency check: on its own, in the verify stage over a run, from the CLI and the run's config."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from verify_records import HARD_QUESTION, eiffel_tree, question

from infoseek_local.cli import cli
from infoseek_local.records import Question
from infoseek_local.store import ShardWriter, mark_done, read_shards, shard_path
from infoseek_local.verify.context import DEFAULT_CHECKS, CheckContext, VerifyConfig
from infoseek_local.verify.fluency import check_fluency
from infoseek_local.verify.pipeline import read_verdicts, verify_questions
from infoseek_local.verify.registry import CHECKS
from infoseek_local.verify.stats import verify_funnel

GARBLED = (
    "Which engineer's firm produced a certain one that was constructed in the 1880s as the the centerpiece of "
    "a big world exhibition ...?"
)
GARBLED_REASON = "3 fluency problems: placeholder 'a certain one'; doubled word 'the the'; ellipsis '...'"


def make_run(root: Path) -> Path:
    run = root / "run"
    for directory, records in (
        (run / "trees", [eiffel_tree("t1")]),
        (run / "questions", [question(HARD_QUESTION, qid="fluent"), question(GARBLED, qid="garbled")]),
    ):
        with ShardWriter(shard_path(directory, "shard-00000")) as writer:
            writer.write_all(records)
        mark_done(directory, "shard-00000")
    return run


def context(**config: object) -> CheckContext:
    return CheckContext(config=VerifyConfig(**config), trees={"t1": eiffel_tree()})  # type: ignore[arg-type]


def test_fluency_runs_by_default_without_judge_or_index() -> None:
    assert DEFAULT_CHECKS[0] == "fluency"
    spec = CHECKS["fluency"]
    assert spec.run is check_fluency and not spec.needs_llm and not spec.needs_index


def test_a_fluent_question_passes_with_its_word_count() -> None:
    verdict = check_fluency(question(HARD_QUESTION), context())
    assert verdict.passed
    assert verdict.reason == "no fluency problem in 21 words"
    assert verdict.evidence == {"problems": [], "words": 21}


def test_a_garbled_question_fails_naming_its_problems() -> None:
    verdict = check_fluency(question(GARBLED, qid="garbled"), context())
    assert not verdict.passed
    assert verdict.reason == GARBLED_REASON
    assert verdict.evidence == {
        "problems": ["placeholder 'a certain one'", "doubled word 'the the'", "ellipsis '...'"],
        "words": 22,
    }


def test_the_reason_shows_three_problems_and_the_evidence_all() -> None:
    text = "Which river rises in a certain one and and crosses this entity (one (that ...)) and?"
    verdict = check_fluency(question(text), context())
    problems = verdict.evidence["problems"]
    assert problems == [
        "placeholder 'a certain one'",
        "placeholder 'this entity'",
        "doubled word 'and and'",
        "ellipsis '...'",
        "nested parentheses",
        "ends mid-list or mid-phrase at 'and'",
    ]
    assert verdict.reason == (
        "6 fluency problems: placeholder 'a certain one'; placeholder 'this entity'; doubled word 'and and'; …"
    )


def test_the_word_limit_comes_from_the_config() -> None:
    verdict = check_fluency(question(HARD_QUESTION), context(max_question_words=20))
    assert not verdict.passed
    assert verdict.reason == "1 fluency problem: 21 words > 20"


def test_verify_stage_gives_fluency_verdicts_and_drops_the_garbled_question(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    summary = verify_questions(run, VerifyConfig(checks=("fluency", "leak", "duplicate")))
    assert [(f.name, f.entered, f.passed) for f in summary.funnel] == [
        ("fluency", 2, 1),
        ("leak", 1, 1),
        ("duplicate", 1, 1),
    ]
    fluency = {v.question_id: v for v in read_verdicts(run) if v.check == "fluency"}
    assert fluency["fluent"].passed and fluency["fluent"].evidence["problems"] == []
    assert not fluency["garbled"].passed and fluency["garbled"].reason == GARBLED_REASON
    assert [v.check for v in read_verdicts(run) if v.question_id == "garbled"] == ["fluency"]
    assert [q.id for q in read_shards(run / "accepted", Question)] == ["fluent"]
    section = verify_funnel(run)
    assert section is not None
    assert dict(section.rows)["check fluency"] == (
        "1/2 passed (50%); failures: 1× N fluency problems: placeholder …; doubled word …; ellipsis …"
    )


def test_cli_checks_fluency_and_reads_the_word_limit_from_the_runs_config(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    (run / "config.toml").write_text("[verify]\nmax_question_words = 21\n")
    result = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--checks", "fluency,leak"])
    assert result.exit_code == 0, result.output
    assert "1 of 2 questions accepted" in result.output
    garbled = next(v for v in read_verdicts(run) if v.question_id == "garbled")
    assert garbled.reason == GARBLED_REASON.replace("3 fluency problems", "4 fluency problems") + "; …"
    assert "22 words > 21" in garbled.evidence["problems"]
    (run / "config.toml").write_text("[verify]\nmax_question_words = 0\n")
    again = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--restart"])
    assert again.exit_code == 1
    assert str(again.exception) == "verify config: max_question_words must be >= 1"


def test_cli_help_lists_fluency() -> None:
    result = CliRunner().invoke(cli, ["verify", "--help"])
    assert result.exit_code == 0
    assert "fluency" in result.output
