"""The one "same settings as the run on disk?" check, for every stage.

Each completion marker the runner writes keeps the stage's settings and the shard's inputs. Before any work,
every marker in the stage's directory is compared with what this command would write: a finished shard made
with other settings, or over other inputs, is refused with the keys that differ, so a resumed run never mixes
two configurations.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigError
from ..store import done_info, done_shards
from .stage import ShardTask, Stage

SETTINGS_KEY = "settings"
INPUTS_KEY = "inputs"


def as_stored(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings as they read back from a marker's JSON (tuples become lists), so like compares with like."""
    return json.loads(json.dumps(settings, sort_keys=True))


def refuse_other_settings(stage: Stage[Any], tasks: Sequence[ShardTask]) -> None:
    """ConfigError naming the first finished shard whose settings or inputs differ from this command's."""
    current = as_stored(stage.settings())
    planned = {task.name: task for task in tasks}
    for name in done_shards(stage.done_dir):
        info = done_info(stage.done_dir, name)
        if SETTINGS_KEY not in info:
            continue  # not a runner's marker (a stage's own summary), or from before settings were kept
        changes = _differences(_flat(info[SETTINGS_KEY]), _flat(current))
        task = planned.get(name)
        wanted_inputs = task.inputs if task is not None else "(not in this run's plan)"
        if info.get(INPUTS_KEY, "") != wanted_inputs:
            changes.append(f"inputs: {info.get(INPUTS_KEY, '')!r} -> {wanted_inputs!r}")
        if changes:
            raise ConfigError(
                f"{stage.done_dir}/{name}: this shard was made with other settings ({'; '.join(changes)}); "
                f"{stage.rerun_hint}"
            )


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(data, dict):
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        flat.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = [*new, *(k for k in old if k not in new)]
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]
