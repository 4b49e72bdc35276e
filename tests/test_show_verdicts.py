"""`show RUN ID` after `verify`: the tree is followed by why the question was kept or dropped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.records import Question
from infoseek_local.store import read_shards


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_show_after_verify_names_each_check_and_the_rejecting_one(sample_index: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    _invoke("synth", "--index", str(sample_index), "--out", str(run), "--n", "6", "--backend", "fake")
    question = next(iter(read_shards(run / "questions", Question)))
    before = _invoke("show", str(run), question.id)
    assert "verify:" not in before

    _invoke("verify", str(run), "--backend", "fake", "--checks", "leak,grounded,shortcut", "--keep-going")
    shown = _invoke("show", str(run), question.id)
    assert question.answer in shown
    verdict_lines = [
        line for line in shown.splitlines() if line.startswith(("verify:", "  pass ", "  FAIL "))
    ]
    assert verdict_lines[0].startswith(("verify: accepted", "verify: rejected by "))
    assert [line.split()[1].rstrip(":") for line in verdict_lines[1:]] == ["leak", "grounded", "shortcut"]

    as_json = json.loads(_invoke("show", str(run), question.id, "--json"))
    assert {v["check"] for v in as_json["verdicts"]} == {"leak", "grounded", "shortcut"}
