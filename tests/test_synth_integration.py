"""One tiny tree with the real embedded model (slow: marked integration)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.llm.accounting import read_call_log
from infoseek_local.records import Tree
from infoseek_local.store import read_shards

KNOWN_REASONS = {
    "too_shallow",
    "too_small",
    "underdetermined",
    "too_long",
    "leak",
    "shortcut",
    "fluency",
    "oracle_unsolved",
}


@pytest.mark.integration
def test_embedded_model_grows_one_tiny_tree_with_valid_answers(sample_index: Path, tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    run = tmp_path / "run"
    args = [
        "synth",
        "--index",
        str(sample_index),
        "--out",
        str(run),
        "--n",
        "3",
        "--min-depth",
        "1",
        "--max-depth",
        "1",
        "--max-vertices",
        "2",
        "--n-ctx",
        "1024",
    ]
    config = tmp_path / "tiny.toml"
    config.write_text("[synth]\nmin_vertices = 2\nattempts = 1\n")
    result = CliRunner().invoke(cli, [*args, "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    trees = list(read_shards(run / "trees", Tree))
    calls = list(read_call_log(run))
    assert len(trees) == 3
    assert calls and all(c.ok for c in calls), [c.error for c in calls]
    for tree in trees:
        if tree.status == "accepted":
            assert len(tree.vertices) == 2
            assert all(c.grounded for v in tree.vertices for c in [*v.claims, v.relation] if c is not None)
        else:
            assert tree.reject_reason in KNOWN_REASONS, tree.notes[-1]
