"""One writer per run directory: `synth`, `verify` and `sample` hold `<run>/.lock` while they write.

Two processes writing one run race on the same `.partial` files and markers (one of them crashed with a
traceback on a rename). The lock is an advisory `flock`, released by the kernel when its holder exits however
it exits, so a killed run never leaves a stale lock behind; the file keeps who took it last, for the message.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError

LOCK_FILE = ".lock"


@contextmanager
def run_lock(run_dir: Path, command: str, *, create: bool = True) -> Iterator[None]:
    """Hold the run's lock for `command` (creating the run directory when `create`); InputError naming the
    holder when another process has it."""
    run_dir = Path(run_dir)
    if not create and not run_dir.is_dir():
        raise InputError(
            f"{run_dir}: no such run directory; create one with `infoseek-local synth --out {run_dir}`"
        )
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        handle = open(run_dir / LOCK_FILE, "a+")
    except OSError as exc:
        raise InputError(
            f"{run_dir}: cannot write the run directory ({exc.strerror}); pick another"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise InputError(
                f"{run_dir}: {holder} is writing this run; wait for it to finish, then rerun"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"`infoseek-local {command}` (pid {os.getpid()})")
        handle.flush()
        yield
