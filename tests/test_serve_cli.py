"""`infoseek-local serve` as users start it: a real process on a free port, and a clear error for a bad index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_serve_process_answers_health_and_retrieve(sample_index: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "infoseek_local.cli",
        "serve",
        "--index",
        str(sample_index),
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+)/retrieve", line)
        assert match, line
        url = match.group(1)
        with urllib.request.urlopen(url + "/health", timeout=10) as response:
            assert json.loads(response.read())["pages"] == 400
        request = urllib.request.Request(
            url + "/retrieve", data=json.dumps({"queries": ["Danube"], "topk": 2}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            (hits,) = json.loads(response.read())["result"]
        assert len(hits) == 2
        assert hits[0]["title"] == "Danube"
    finally:
        process.terminate()
        process.wait(10)


def test_serve_without_an_index_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from infoseek_local.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--index", str(tmp_path / "missing"), "--port", "0"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'missing'}: no manifest.json, not an infoseek-local index")
