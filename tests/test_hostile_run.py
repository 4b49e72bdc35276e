"""Two writers on one run, and operating-system errors: one clear line and a non-zero exit, no traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from verify_records import eiffel_tree, question

from infoseek_local.cli import cli, main
from infoseek_local.errors import InputError, os_error_message
from infoseek_local.run.lock import run_lock
from infoseek_local.store import ShardWriter, mark_done, shard_path


def make_run(root: Path) -> Path:
    run = root / "run"
    for directory, record in (("trees", eiffel_tree("t1")), ("questions", question())):
        with ShardWriter(shard_path(run / directory, "s0")) as writer:
            writer.write(record)
        mark_done(run / directory, "s0")
    return run


def test_a_second_writer_on_a_run_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    with run_lock(run, "synth"):
        result = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--checks", "leak"])
    assert isinstance(result.exception, InputError)
    assert f"`infoseek-local synth` (pid {os.getpid()}) is writing this run" in str(result.exception)
    assert not (run / "verdicts").exists()
    again = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--checks", "leak"])
    assert again.exit_code == 0, again.output  # the lock went with its holder


def test_verify_of_a_missing_run_creates_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "nope"), "--backend", "fake"])
    assert isinstance(result.exception, InputError)
    assert not (tmp_path / "nope").exists()


def test_an_output_under_a_file_is_one_line(tmp_path: Path, sample_warc: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["index", str(sample_warc), "--out", str(blocker / "index")])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {blocker / 'index'}: Not a directory; a part of this path is a file")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_disk_full_during_verify_is_one_line_and_a_rerun_resumes(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    run = make_run(tmp_path)

    def full(self: ShardWriter) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    monkeypatch.setattr(ShardWriter, "flush", full)
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", str(run), "--backend", "fake", "--checks", "leak"])
    assert exit_info.value.code == 1
    stderr = capsys.readouterr().err
    err = stderr.strip().splitlines()[-1]  # after the progress bar
    assert err.startswith("error: ") and "the disk is full; free space, then rerun the same command" in err
    assert "Traceback" not in stderr
    monkeypatch.undo()
    again = CliRunner().invoke(cli, ["verify", str(run), "--backend", "fake", "--checks", "leak"])
    assert again.exit_code == 0 and "1 of 1 questions accepted" in again.output


def test_unwritable_outputs_name_the_fix() -> None:
    message = os_error_message(OSError(errno.EROFS, os.strerror(errno.EROFS), "/runs/a/accepted"))
    assert (
        message
        == "/runs/a/accepted: Read-only file system; the file system is read-only; pick another output path"
    )
