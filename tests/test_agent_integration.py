"""`sample` with the real embedded SmolLM2-135M (slow: marked integration): well-formed, replayable output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.agent.sampling import read_trajectories
from infoseek_local.agent.transcript import parse_transcript
from infoseek_local.cli import cli
from infoseek_local.llm.accounting import read_call_log
from infoseek_local.records import Provenance, Question
from infoseek_local.store import ShardWriter, mark_done, shard_path

pytestmark = pytest.mark.integration


def test_real_model_trajectory_is_well_formed_and_replays(sample_index: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    with ShardWriter(shard_path(run / "accepted", "part-00000")) as writer:
        writer.write(
            Question(
                id="q-france",
                tree_id="t",
                question="Which country in Western Europe counts French Guiana among its overseas regions?",
                answer="France",
                aliases=["French Republic"],
                hops=1,
                vertices=1,
                gold_page_ids=[122],
                gold_urls=[],
                provenance=Provenance(tool_version="test"),
            )
        )
    mark_done(run / "accepted", "part-00000")
    (run / "config.toml").write_text(f'[synth]\nindex = "{sample_index}"\n')
    args = ["sample", str(run), "--samples", "1", "--max-turns", "2", "--threads", "2"]

    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    [trajectory] = list(read_trajectories(run))
    # the search-first schema and the forced last turn: one search, then an answer
    assert trajectory.searches >= 1 and trajectory.end_reason == "answer"
    assert trajectory.transcript.startswith("<think>") and "<search>" in trajectory.transcript
    assert parse_transcript(trajectory.transcript)[-1].answer == trajectory.final_answer != ""
    assert trajectory.provenance.model_sha256 and trajectory.prompt_tokens > 0
    assert 0.0 <= trajectory.reward.total <= 1.0

    # a fresh run over the same run dir replays every call from the run's LLM cache
    (run / "trajectories" / "_done" / "part-00000").unlink()
    calls_before = len(list(read_call_log(run)))
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    [replayed] = list(read_trajectories(run))
    assert replayed.transcript == trajectory.transcript
    replay_calls = list(read_call_log(run))[calls_before:]
    assert replay_calls and all(call.cache_hit for call in replay_calls)
