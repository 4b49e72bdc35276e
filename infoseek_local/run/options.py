"""Click options shared by every command that runs a stage (index, synth, verify, sample): where it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .executors import EXECUTORS, ExecutorSpec


def executor_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --executor and --ray-address (the command keeps its own --workers and its default)."""
    decorators = [
        click.option(
            "--executor",
            type=click.Choice(EXECUTORS),
            default=None,
            help="Where shards run: inline (this process), process (local worker processes) or ray (Ray "
            "actors, one machine or a cluster). Default: inline for one worker, else process. The output is "
            "the same whichever is chosen.",
        ),
        click.option(
            "--ray-address",
            default=None,
            metavar="ADDRESS",
            help="Ray cluster to join: `auto` (the one `ray start` made on this machine) or host:port. "
            "Default with --executor ray: start a local Ray runtime.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def executor_spec_from_options(options: dict[str, Any], workers: int) -> ExecutorSpec:
    """Take the executor_options values out of a command's kwargs (removing them) and build the spec."""
    return ExecutorSpec(
        kind=options.pop("executor", None), workers=workers, ray_address=options.pop("ray_address", None)
    ).checked()
